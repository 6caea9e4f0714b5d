import { isCalendarDate, nowIso } from '@/common/time';
import { DomainError, ErrorCode, ErrorDetail } from '@/common/errors/domain-error';
import { defineJob } from '@/modules/jobs/job-definition';
import { BULLETIN_FORMATS, BulletinFormat, BulletinMaker, BulletinRequest, checkPeriod, jurisdictionOf } from './bulletin/bulletin-maker';
import { CaseRepository } from './case.repository';

export const CASE_REPORT_JOB = 'case-report';

export interface CaseReportJobResult {
  docNo: string;
  cases: number;
  fileName: string;
  contentType: string;
  bytes: number;
  /** Where the starter downloads the file. */
  download: string;
}

/** Checks the stored input again in the worker (it is the request's own, already checked). */
export function parseBulletinRequest(raw: unknown): BulletinRequest {
  const r = (raw ?? {}) as Record<string, unknown>;
  const problems: ErrorDetail[] = [];
  for (const field of ['from', 'to'] as const) {
    if (typeof r[field] !== 'string' || !isCalendarDate(r[field])) problems.push({ field, message: 'must be a calendar date YYYY-MM-DD' });
  }
  if (!BULLETIN_FORMATS.includes(r.format as BulletinFormat)) problems.push({ field: 'format', message: `must be one of ${BULLETIN_FORMATS.join(', ')}` });
  if (typeof r.anonymise !== 'boolean') problems.push({ field: 'anonymise', message: 'must be true or false' });
  if (problems.length) throw new DomainError(ErrorCode.BadRequest, problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems);
  const request = { from: r.from as string, to: r.to as string, format: r.format as BulletinFormat, anonymise: r.anonymise as boolean };
  checkPeriod(request);
  return request;
}

/** A bulletin over many cases, rendered in a worker and kept for its starter to download. */
export const caseReportJob = defineJob<BulletinRequest, CaseReportJobResult>({
  kind: CASE_REPORT_JOB,
  module: __filename,
  parseInput(raw, actor) {
    jurisdictionOf(actor);
    return parseBulletinRequest(raw);
  },
  async run(input, ctx) {
    const repo = new CaseRepository();
    ctx.progress(0, 2, '整理案例');
    const { bulletin, file } = await new BulletinMaker(repo, ctx.tx, ctx.audit).make(ctx.actor, input);
    ctx.progress(1, 2, '保存文件');
    await ctx.tx.run((tx) => repo.insertOutput(tx, ctx.jobId, file, nowIso()));
    ctx.progress(2, 2);
    return {
      docNo: bulletin.docNo,
      cases: bulletin.items.length,
      fileName: file.fileName,
      contentType: file.contentType,
      bytes: file.content.length,
      download: `/api/v1/case-reports/outputs/${ctx.jobId}`,
    };
  },
});
