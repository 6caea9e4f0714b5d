import { Injectable } from '@nestjs/common';
import { Actor } from '@/common/auth/actor';
import { JobsService } from '@/modules/jobs/jobs.service';

/** Files up to this size are imported on the request thread; larger ones in a worker thread. */
export const INLINE_IMPORT_BYTES = 256 * 1024;

/** POST /demands/import: always a job (202 {jobId, status}); small files finish before the answer. */
@Injectable()
export class DemandImportService {
  constructor(private readonly jobs: JobsService) {}

  import(actor: Actor, bytes: Buffer, fileName: string) {
    return this.jobs.start(actor, 'demands-import', { fileName }, { attachment: bytes, inline: bytes.length <= INLINE_IMPORT_BYTES });
  }
}
