import { ErrorCode, DomainError, invalid } from '@/common/errors/domain-error';
import { defineJob } from '@/modules/jobs/job-definition';
import type { PolicyDocument } from '@/modules/policy/policy-document';
import { PolicyRepository } from '@/modules/policy/policy.repository';
import { DemandImporter, DemandImportResult } from './demand-importer';
import { loadFieldSynonyms } from './fields/field-key';

/** The import worker's heap cap (MB). */
export const IMPORT_WORKER_HEAP_MB = 128;

export interface DemandImportInput {
  fileName: string;
}

/**
 * POST /demands/import as a job: the file travels as the job's attachment (the upload as it was
 * stored on disk), read a batch of rows at a time; the whole file is one transaction on the job's
 * own connection, so it is all or nothing. Runs in a worker thread for large files and inline for
 * small ones (same answer shape either way).
 */
export const demandsImportJob = defineJob<DemandImportInput, DemandImportResult>({
  kind: 'demands-import',
  module: __filename,
  // The file is read, checked and written a batch of rows at a time: the import's own data stays
  // a few tens of MB whatever the file's size (an XLSX workbook is loaded whole: 20 MB of upload
  // at most). A lower cap than the default keeps the worker from growing its heap before it
  // collects (DESIGN §6: the server under 400 MB while the largest province piece imports).
  workerHeapMb: IMPORT_WORKER_HEAP_MB,
  parseInput(raw) {
    const fileName = (raw as { fileName?: unknown } | null)?.fileName;
    if (typeof fileName !== 'string' || fileName.length > 255) throw invalid('fileName', 'must be the uploaded file name');
    return { fileName };
  },
  async run(input, ctx) {
    const path = ctx.attachmentPath;
    if (!path) throw new DomainError(ErrorCode.BadRequest, 'The import job has no file');
    const policies = new PolicyRepository();
    const policy = await ctx.tx.snapshot(async (reader) => {
      const version = await policies.latestVersion(reader);
      const row = version === null ? null : await policies.findByVersion(reader, version);
      if (!row) throw new DomainError(ErrorCode.Unavailable, 'No policy version is stored yet');
      return { version: row.version, document: JSON.parse(row.document) as PolicyDocument };
    });
    const synonyms = loadFieldSynonyms();
    return ctx.tx.run((tx) => new DemandImporter().run(tx, { path }, input.fileName, { actor: ctx.actor, policy, synonyms, events: ctx.events, progress: (d, t, m) => ctx.progress(d, t, m) }));
  },
});
