import { rmSync } from 'node:fs';
import { Injectable } from '@nestjs/common';
import { Actor } from '@/common/auth/actor';
import type { UploadedDiskFile } from '@/common/files/upload';
import { JobsService } from '@/modules/jobs/jobs.service';

/** Files up to this size are imported on the request thread; larger ones in a worker thread. */
export const INLINE_IMPORT_BYTES = 256 * 1024;

/** POST /demands/import: always a job (202 {jobId, status}); small files finish before the answer. */
@Injectable()
export class DemandImportService {
  constructor(private readonly jobs: JobsService) {}

  /** The upload, stored on disk, becomes the job's file (moved, never read into memory here). */
  async import(actor: Actor, file: UploadedDiskFile) {
    try {
      return await this.jobs.start(actor, 'demands-import', { fileName: file.originalname }, { attachmentFile: file.path, inline: file.size <= INLINE_IMPORT_BYTES });
    } finally {
      // The job has moved it, or failed to start: either way nothing is left behind.
      rmSync(file.path, { force: true });
    }
  }
}
