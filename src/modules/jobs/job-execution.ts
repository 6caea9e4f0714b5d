import { AsyncResource } from 'node:async_hooks';
import type { Actor } from '@/common/auth/actor';
import type { DatabaseConfig } from '@/config/app-config';
import { DomainError } from '@/common/errors/domain-error';
import type { DomainEvents } from '@/common/events/domain-events';
import { nowIso } from '@/common/time';
import type { TransactionRunner } from '@/database/transaction-runner';
import type { AuditService } from '@/modules/audit/audit.service';
import type { AnyJobDefinition, JobContext, JobError, JobStatus } from './job-definition';
import type { JobProgress, JobsRepository } from './jobs.repository';
import { ProgressThrottle } from './worker/progress-throttle';

/** The stored error of a failed job: a DomainError as it is, anything else (a bug) without internals. */
export function jobErrorOf(error: unknown, jobId: number): JobError {
  if (error instanceof DomainError) {
    return { message: error.message, code: error.code, ...(error.details === undefined ? {} : { details: error.details }) };
  }
  return { message: `Job ${jobId} failed on an internal error; quote job ${jobId} when reporting it` };
}

export interface JobExecution {
  jobId: number;
  actor: Actor;
  tx: TransactionRunner;
  audit: AuditService;
  events: DomainEvents;
  jobs: JobsRepository;
  attachmentPath: string | null;
  inWorker: boolean;
  /** The database settings a worker thread was given; null inline. */
  database: DatabaseConfig | null;
  /** Threads the job may start beside its worker; 0 inline. */
  helperThreads: number;
  /** Finds the definition and parses the input (inside the guarded part: a failure fails the job). */
  prepare: () => { definition: AnyJobDefinition; input: unknown };
  /** A failure that is not a DomainError: a bug, logged with its stack by whoever started the job. */
  onInternalError: (error: unknown) => void;
  onProgressError: (error: unknown) => void;
}

/**
 * Runs a job already marked running, records throttled progress, and stores how it ended.
 * Shared by the worker thread and the inline path, so both record exactly the same states.
 */
export async function executeJob(run: JobExecution): Promise<JobStatus> {
  const { jobId, tx, jobs } = run;
  // Progress writes are separate short transactions. Bound to this (outer) async context, so a
  // report made inside the handler's own `tx.run` queues behind it instead of joining it.
  const writeProgress = AsyncResource.bind((progress: JobProgress) => tx.run((t) => jobs.updateProgress(t, jobId, progress)));
  const throttle = new ProgressThrottle(writeProgress, run.onProgressError);
  try {
    const { definition, input } = run.prepare();
    const ctx: JobContext = {
      jobId,
      actor: run.actor,
      tx,
      audit: run.audit,
      events: run.events,
      attachmentPath: run.attachmentPath,
      inWorker: run.inWorker,
      database: run.database,
      helperThreads: run.helperThreads,
      progress: (done, total, message) => throttle.report(done, total, message),
    };
    const result = await definition.run(input, ctx);
    await throttle.close();
    const stored = await tx.run((t) => jobs.markSucceeded(t, jobId, JSON.stringify(result ?? null), throttle.last, nowIso()));
    return stored ? 'succeeded' : 'failed';
  } catch (error) {
    await throttle.close();
    if (!(error instanceof DomainError)) run.onInternalError(error);
    await tx.run((t) => jobs.markFailed(t, jobId, JSON.stringify(jobErrorOf(error, jobId)), throttle.last, nowIso()));
    return 'failed';
  }
}
