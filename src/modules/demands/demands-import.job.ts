import { readFileSync } from 'node:fs';
import { ErrorCode, DomainError, invalid } from '@/common/errors/domain-error';
import { defineJob } from '@/modules/jobs/job-definition';
import type { PolicyDocument } from '@/modules/policy/policy-document';
import { PolicyRepository } from '@/modules/policy/policy.repository';
import { DemandImporter, DemandImportResult } from './demand-importer';
import { loadFieldSynonyms } from './fields/field-key';

export interface DemandImportInput {
  fileName: string;
}

/**
 * POST /demands/import as a job: the file travels as the job's attachment; the whole file is one
 * transaction on the job's own connection, so it is all or nothing. Runs in a worker thread for
 * large files and inline for small ones (same answer shape either way).
 */
export const demandsImportJob = defineJob<DemandImportInput, DemandImportResult>({
  kind: 'demands-import',
  module: __filename,
  parseInput(raw) {
    const fileName = (raw as { fileName?: unknown } | null)?.fileName;
    if (typeof fileName !== 'string' || fileName.length > 255) throw invalid('fileName', 'must be the uploaded file name');
    return { fileName };
  },
  async run(input, ctx) {
    if (!ctx.attachmentPath) throw new DomainError(ErrorCode.BadRequest, 'The import job has no file');
    const bytes = readFileSync(ctx.attachmentPath);
    const policies = new PolicyRepository();
    const policy = await ctx.tx.snapshot(async (reader) => {
      const version = await policies.latestVersion(reader);
      const row = version === null ? null : await policies.findByVersion(reader, version);
      if (!row) throw new DomainError(ErrorCode.Unavailable, 'No policy version is stored yet');
      return { version: row.version, document: JSON.parse(row.document) as PolicyDocument };
    });
    const synonyms = loadFieldSynonyms();
    return ctx.tx.run((tx) => new DemandImporter().run(tx, bytes, input.fileName, { actor: ctx.actor, policy, synonyms, events: ctx.events, progress: (d, t, m) => ctx.progress(d, t, m) }));
  },
});
