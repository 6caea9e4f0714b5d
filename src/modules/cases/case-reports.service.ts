import { Injectable } from '@nestjs/common';
import type { Actor } from '@/common/auth/actor';
import { DomainError, ErrorCode, notFound } from '@/common/errors/domain-error';
import { isCalendarDate } from '@/common/time';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { JobAccepted, JobsService } from '@/modules/jobs/jobs.service';
import { BulletinFile, BulletinMaker, BulletinRequest, checkPeriod, jurisdictionOf } from './bulletin/bulletin-maker';
import { CASE_REPORT_JOB } from './case-report.job';
import { CaseRepository } from './case.repository';
import { CaseReportQueryDto } from './dto/case.dto';

/** Bulletins of more final cases than this render in a worker (DESIGN §3, Jobs). */
export const INLINE_BULLETIN_CASES = 50;

export type CaseReportAnswer = { kind: 'file'; file: BulletinFile } | { kind: 'job'; accepted: JobAccepted };

/** The bulletin (通报) of a period, for inspectors; every pull and download is audited. */
@Injectable()
export class CaseReportsService {
  private readonly maker: BulletinMaker;

  constructor(
    private readonly repo: CaseRepository,
    private readonly jobs: JobsService,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {
    this.maker = new BulletinMaker(repo, tx, audit);
  }

  async report(actor: Actor, query: CaseReportQueryDto): Promise<CaseReportAnswer> {
    jurisdictionOf(actor);
    for (const field of ['from', 'to'] as const) {
      if (!isCalendarDate(query[field])) throw new DomainError(ErrorCode.BadRequest, `${field}: ${query[field]} is not a calendar date`, [{ field, message: 'is not a calendar date' }]);
    }
    const request: BulletinRequest = { from: query.from, to: query.to, format: query.format ?? 'json', anonymise: query.anonymise ?? false };
    checkPeriod(request);
    if ((await this.maker.countCases(actor, request)) > INLINE_BULLETIN_CASES) {
      return { kind: 'job', accepted: await this.jobs.start(actor, CASE_REPORT_JOB, request) };
    }
    return { kind: 'file', file: (await this.maker.make(actor, request)).file };
  }

  /** A bulletin a job rendered, for the inspector who started the job. */
  async output(actor: Actor, jobId: number): Promise<BulletinFile> {
    const under = jurisdictionOf(actor);
    const job = await this.jobs.get(actor, jobId);
    if (job.kind !== CASE_REPORT_JOB) throw notFound('Bulletin job', jobId);
    if (job.status !== 'succeeded') {
      throw new DomainError(ErrorCode.Conflict, job.status === 'failed' ? `Bulletin job ${jobId} failed: ${job.error?.message ?? ''}` : `Bulletin job ${jobId} is ${job.status}; try again when it has succeeded`, {
        status: job.status,
        progress: job.progress,
      });
    }
    return this.tx.run(async (tx) => {
      const stored = await this.repo.findOutput(tx, jobId);
      if (!stored) throw notFound('Bulletin file of job', jobId);
      await this.audit.append(tx, { actor, action: 'case-report.download', entityType: 'case_report', entityId: jobId, unitPath: under, after: { jobId, fileName: stored.fileName } });
      const request = job.input as BulletinRequest;
      return { ...stored, asciiFileName: `case-report-${request.from}-${request.to}.${request.format}` };
    });
  }
}
