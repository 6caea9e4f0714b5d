import { AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Actor } from '@/common/auth/actor';
import { DomainError, ErrorCode, forbidden, invalid, notFound } from '@/common/errors/domain-error';
import { DomainEvents } from '@/common/events/domain-events';
import { Page, PageRequest } from '@/common/paging/page';
import { nowIso } from '@/common/time';
import { APP_CONFIG, AppConfig } from '@/config/app-config';
import { WAL_CHECKPOINT_PAGES } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { writeWaitersBuffer } from '@/database/write-waiters';
import { AuditService } from '@/modules/audit/audit.service';
import { AnyJobDefinition, JobDefinition, JobError, JobStatus } from './job-definition';
import { executeJob } from './job-execution';
import { JobFilter, JobRow, JobsRepository } from './jobs.repository';
import { launchJobWorker, WorkerMessage } from './worker/worker-launcher';

/** Worker threads running at once; further jobs wait in `queued` (each worker has its own connection). */
const MAX_RUNNING_WORKERS = 2;

/** The answer to a request that started a job (202). */
export interface JobAccepted {
  jobId: number;
  /** `queued` or `running` for a worker job; `succeeded` or `failed` when it ran inline. */
  status: JobStatus;
}

export interface JobView {
  id: number;
  kind: string;
  status: JobStatus;
  progress: { done: number; total: number | null };
  message: string | null;
  input: unknown;
  result?: unknown;
  error?: JobError;
  createdBy: number;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface StartOptions {
  /** Run on the request thread and answer when done (small inputs only: it blocks the thread). */
  inline?: boolean;
  /** A file for the job (an upload): kept in the data folder, at `ctx.attachmentPath`, until the job ends. */
  attachment?: Buffer;
  /**
   * The same for a file already on disk (an upload stored by multer's disk storage): it is moved
   * into the data folder, so the upload never sits in the server's memory. The job owns it from
   * then on; when the job cannot be stored, it is removed.
   */
  attachmentFile?: string;
}

/** A job that has just succeeded, as `onSucceeded` handlers see it. */
export interface SucceededJob {
  jobId: number;
  kind: string;
  actor: Actor;
  /** The stored input JSON, parsed. */
  input: unknown;
  /** The stored result JSON, parsed. */
  result: unknown;
}

/** A job that has just failed, as `onFailed` handlers see it. */
export type FailedJob = Omit<SucceededJob, 'result'>;

interface QueuedJob {
  jobId: number;
  definition: AnyJobDefinition;
  input: string;
  actor: Actor;
  attachmentPath: string | null;
}

function view(row: JobRow): JobView {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    progress: { done: row.progressDone, total: row.progressTotal },
    message: row.message,
    input: JSON.parse(row.input) as unknown,
    ...(row.result === null ? {} : { result: JSON.parse(row.result) as unknown }),
    ...(row.error === null ? {} : { error: JSON.parse(row.error) as JobError }),
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    ...(row.startedAt === null ? {} : { startedAt: row.startedAt }),
    ...(row.finishedAt === null ? {} : { finishedAt: row.finishedAt }),
  };
}

/**
 * Background jobs (DESIGN §3, Jobs). better-sqlite3 is synchronous, so work that takes more
 * than ~100 ms runs in a worker thread with its own database connection; the request thread
 * only inserts the job row and reads it back. Design and how to add a job: ./README.md.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Jobs');
  private readonly definitions = new Map<string, AnyJobDefinition>();
  private readonly listenerModules: string[] = [];
  private readonly afterSuccess = new Map<string, ((job: SucceededJob) => Promise<void>)[]>();
  private readonly afterFailure = new Map<string, ((job: FailedJob) => Promise<void>)[]>();
  private readonly waiting: QueuedJob[] = [];
  /** Running workers by job id, each with a promise settled once its exit has been handled. */
  private readonly workers = new Map<number, { worker: Worker; ended: Promise<void> }>();
  private stopping = false;
  /** Workers running: while any does, the server connection leaves WAL checkpoints to them. */
  private checkpointHolders = 0;
  /**
   * The async context workers are started in: the service's own, outside any unit of work. A
   * worker's event handlers run in the context it was created in, and the exit handler's writes
   * must not join a transaction that happened to be open when the job was queued.
   */
  private readonly detached = new AsyncResource('JobsService');

  constructor(
    private readonly repo: JobsRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Makes a job kind startable. Call once per kind, e.g. from the owning module's onModuleInit. */
  register<Input, Result>(definition: JobDefinition<Input, Result>): void {
    const existing = this.definitions.get(definition.kind);
    if (existing && existing !== definition) throw new Error(`Job kind ${definition.kind} is registered twice`);
    this.definitions.set(definition.kind, definition);
  }

  /**
   * Names a module whose `registerJobListeners` a worker thread runs before its job, so the
   * worker's domain events have the listeners this module also registers on the app's (inline
   * jobs use the app's own). Call once, from the listening feature's onModuleInit.
   */
  registerListeners(modulePath: string): void {
    if (!this.listenerModules.includes(modulePath)) this.listenerModules.push(modulePath);
  }

  /**
   * Runs `handler` on the app thread each time a job of `kind` succeeds (whether it ran in a
   * worker or inline), e.g. to start the follow-up job that derives figures from its writes.
   * A failing handler is logged; the job stays succeeded.
   */
  onSucceeded(kind: string, handler: (job: SucceededJob) => Promise<void>): void {
    this.afterSuccess.set(kind, [...(this.afterSuccess.get(kind) ?? []), handler]);
  }

  /**
   * Runs `handler` on the app thread each time a job of `kind` fails while this server runs (not
   * for jobs a previous process left unfinished, failed at start), e.g. to repair what a job that
   * stopped halfway left behind. A failing handler is logged.
   */
  onFailed(kind: string, handler: (job: FailedJob) => Promise<void>): void {
    this.afterFailure.set(kind, [...(this.afterFailure.get(kind) ?? []), handler]);
  }

  /** The registered kinds, for documentation and tests. */
  kinds(): string[] {
    return [...this.definitions.keys()].sort();
  }

  /** Jobs a crash left queued or running can never finish: they fail, and their files go. */
  async onApplicationBootstrap(): Promise<void> {
    // Only the server recovers: a command run beside a live server (import, evaluate, seed…) must
    // not fail the jobs that server's workers are running.
    if (!this.adapterHost.httpAdapter) return;
    const at = nowIso();
    const failed = await this.tx.run(async (tx) => {
      const unfinished = await this.repo.findUnfinished(tx);
      const error = JSON.stringify({ message: 'Interrupted: the server stopped while the job was queued or running; start it again' } satisfies JobError);
      for (const job of unfinished) await this.repo.markFailed(tx, job.id, error, null, at);
      if (unfinished.length > 0) {
        await this.audit.append(tx, {
          actor: null,
          systemActor: 'system',
          action: 'job.fail-interrupted',
          entityType: 'job',
          entityId: null,
          unitPath: null,
          after: { jobIds: unfinished.map((j) => j.id) },
        });
      }
      return unfinished;
    });
    for (const job of failed) await this.removeAttachment(job.id, job.attachmentPath);
    if (failed.length > 0) this.logger.warn(`Marked ${failed.length} interrupted job(s) failed: ${failed.map((j) => j.id).join(', ')}`);
  }

  /** Stops the workers (their jobs fail as interrupted) before the database connections close. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    const queued = this.waiting.splice(0);
    for (const job of queued) await this.fail(job.jobId, 'Interrupted: the server stopped before the job started; start it again', job.attachmentPath);
    const running = [...this.workers.values()];
    await Promise.all(running.map(({ worker }) => worker.terminate()));
    await Promise.all(running.map(({ ended }) => ended));
  }

  /**
   * Starts a job of a registered kind for `actor`: checks the input (400/422), stores the job
   * (audited), and runs it in a worker thread, or inline when `options.inline` (then the answer
   * comes when it has ended). Either way the answer is `{jobId, status}`, for a 202.
   */
  async start(actor: Actor, kind: string, rawInput: unknown, options: StartOptions = {}): Promise<JobAccepted> {
    const definition = this.definitions.get(kind);
    if (!definition) throw invalid('kind', `no job kind ${kind} (known: ${this.kinds().join(', ')})`);
    if (this.stopping) throw new DomainError(ErrorCode.Unavailable, 'The server is stopping; start the job again in a moment');
    // The worker reads the job row on its own connection: it must be committed before the worker starts.
    if (!options.inline && this.tx.reader.queryRunner?.isTransactionActive) {
      throw new Error('JobsService.start (worker job) must be called outside TransactionRunner.run: the worker cannot see an uncommitted job');
    }
    let input: unknown;
    try {
      input = definition.parseInput(rawInput, actor);
    } catch (error) {
      if (options.attachmentFile) rmSync(options.attachmentFile, { force: true });
      throw error;
    }
    const inputJson = JSON.stringify(input ?? null);
    const attachmentBytes = options.attachment?.length ?? (options.attachmentFile ? statSync(options.attachmentFile).size : undefined);
    const attachmentPath = options.attachment ? this.storeAttachment(options.attachment) : options.attachmentFile ? this.moveAttachment(options.attachmentFile) : null;
    const status: 'queued' | 'running' = options.inline ? 'running' : 'queued';
    let jobId: number;
    try {
      // A queued job's answer ({jobId, status: 'queued'}) is known in the transaction that stores
      // it: an Idempotency-Key's record commits with the job, so a retry after a crash right
      // behind the commit learns the job instead of a lasting 409. An inline job's record commits
      // with {jobId, status: 'running'} too, replaced by its final answer once it has ended: a
      // retry after a crash in between learns the job (GET /jobs/:id tells how it ended).
      const accepted = await this.tx.run(async (tx): Promise<JobAccepted> => {
        const id = await this.repo.insert(tx, { kind, status, input: inputJson, attachmentPath, createdBy: actor.userId, createdAt: nowIso() });
        await this.audit.append(tx, {
          actor,
          action: 'job.start',
          entityType: 'job',
          entityId: id,
          unitPath: actor.unitPath,
          after: { id, kind, input, inline: options.inline === true, attachmentBytes },
        });
        return { jobId: id, status };
      }, { resultIsAnswer: true });
      jobId = accepted.jobId;
    } catch (error) {
      if (attachmentPath) rmSync(attachmentPath, { force: true });
      throw error;
    }
    if (options.inline) {
      const status = await this.runInline(jobId, definition, input, actor, attachmentPath);
      if (status === 'succeeded') await this.followUp({ jobId, kind, actor, input, result: await this.storedResult(jobId) });
      else await this.afterFailed({ jobId, kind, actor, input });
      return { jobId, status };
    }
    this.waiting.push({ jobId, definition, input: inputJson, actor, attachmentPath });
    this.pump();
    return { jobId, status: 'queued' };
  }

  /** POST /jobs: only kinds that declare the caller's role in `startableBy`. */
  async startByRequest(actor: Actor, kind: string, input: unknown): Promise<JobAccepted> {
    const definition = this.definitions.get(kind);
    if (!definition) throw invalid('kind', `no job kind ${kind}`);
    if (!definition.startableBy?.includes(actor.role)) throw forbidden(`Role ${actor.role} may not start ${kind} jobs here`);
    return this.start(actor, kind, input ?? {});
  }

  /**
   * One job, for whoever started it (DESIGN §3); anyone else, admin included, gets 404 (its
   * existence is not theirs to know: an inspector's bulletin job names cases, which admin may not
   * read, DESIGN §1).
   */
  async get(actor: Actor, id: number): Promise<JobView> {
    const row = await this.repo.findById(this.tx.reader, id);
    if (!row || row.createdBy !== actor.userId) throw notFound('Job', id);
    return view(row);
  }

  /** The caller's own jobs, newest first (admin's too: DESIGN §3 gives a job to who started it). */
  async list(actor: Actor, filter: Omit<JobFilter, 'createdBy'>, page: PageRequest): Promise<Page<JobView>> {
    const { rows, total } = await this.tx.snapshot((reader) => this.repo.list(reader, { ...filter, createdBy: actor.userId }, page.offset, page.pageSize));
    return { items: rows.map(view), total, page: page.page, pageSize: page.pageSize };
  }

  /** Whether a job of this kind is queued or running (before starting one nobody asked for, e.g. at boot). */
  async hasUnfinished(kind: string): Promise<boolean> {
    for (const status of ['queued', 'running'] as const) {
      if ((await this.repo.list(this.tx.reader, { createdBy: null, kind, status }, 0, 1)).total > 0) return true;
    }
    return false;
  }

  /** Who started the latest job of these kinds (to start its unfinished follow-up on their behalf); null when none did. */
  async lastStartedBy(kinds: readonly string[]): Promise<number | null> {
    let latest: { id: number; createdBy: number } | null = null;
    for (const kind of kinds) {
      const [row] = (await this.repo.list(this.tx.reader, { createdBy: null, kind }, 0, 1)).rows;
      if (row && (!latest || row.id > latest.id)) latest = row;
    }
    return latest?.createdBy ?? null;
  }

  private async runInline(jobId: number, definition: AnyJobDefinition, input: unknown, actor: Actor, attachmentPath: string | null): Promise<JobStatus> {
    try {
      return await executeJob({
        jobId,
        actor,
        tx: this.tx,
        audit: this.audit,
        events: this.events,
        jobs: this.repo,
        attachmentPath,
        inWorker: false,
        database: null,
        helperThreads: 0,
        prepare: () => ({ definition, input }),
        onInternalError: (error) => this.logger.error({ err: error, jobId }, `Job ${jobId} (${definition.kind}) failed`),
        onProgressError: (error) => this.logger.warn({ err: error, jobId }, `Job ${jobId}: progress not recorded`),
      });
    } finally {
      await this.removeAttachment(jobId, attachmentPath);
    }
  }

  /** Starts waiting jobs while there is room. */
  private pump(): void {
    while (!this.stopping && this.workers.size < MAX_RUNNING_WORKERS && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.detached.runInAsyncScope(() => this.launch(job));
    }
  }

  private launch(job: QueuedJob): void {
    const { jobId, definition } = job;
    let worker: Worker;
    try {
      worker = launchJobWorker({
        jobId,
        kind: definition.kind,
        module: definition.module,
        input: job.input,
        actor: job.actor,
        database: this.config.database,
        helperThreads: this.config.jobHelperThreads ?? 0,
        attachmentPath: job.attachmentPath,
        listenerModules: [...this.listenerModules],
        heapMb: definition.workerHeapMb,
        writeWaiters: writeWaitersBuffer(),
      });
    } catch (error) {
      this.logger.error({ err: error, jobId }, `Job ${jobId}: the worker thread did not start`);
      void this.fail(jobId, `Job ${jobId} could not start; quote job ${jobId} when reporting it`, job.attachmentPath).finally(() => this.pump());
      return;
    }
    this.holdCheckpoints(1);
    let crash: unknown = null;
    worker.on('message', (message: WorkerMessage) => {
      if (message.type !== 'log') return;
      const text = `Job ${jobId} (${definition.kind}): ${message.message}`;
      if (message.level === 'error') this.logger.error({ jobId, stack: message.stack }, text);
      else this.logger.warn({ jobId, stack: message.stack }, text);
    });
    worker.on('error', (error) => {
      crash = error;
      this.logger.error({ err: error, jobId }, `Job ${jobId} (${definition.kind}): the worker thread crashed`);
    });
    const ended = new Promise<void>((resolve) => {
      worker.once('exit', (code) => {
        this.workers.delete(jobId);
        this.holdCheckpoints(-1);
        // A worker that ended without recording an end (crash, out of memory, terminated) fails its job here.
        const reason = this.stopping
          ? 'Interrupted: the server stopped while the job was running; start it again'
          : `Job ${jobId} stopped unexpectedly (${crash ? 'crashed' : `exit code ${code}`}); quote job ${jobId} when reporting it`;
        this.fail(jobId, reason, job.attachmentPath)
          .then(async () => {
            const row = await this.repo.findById(this.tx.reader, jobId);
            if (row?.status === 'succeeded' && !this.stopping) {
              await this.followUp({ jobId, kind: definition.kind, actor: job.actor, input: JSON.parse(job.input) as unknown, result: row.result === null ? null : (JSON.parse(row.result) as unknown) });
            } else if (row?.status === 'failed' && !this.stopping) {
              await this.afterFailed({ jobId, kind: definition.kind, actor: job.actor, input: JSON.parse(job.input) as unknown });
            }
          })
          .catch((error: unknown) => this.logger.error({ err: error, jobId }, `Job ${jobId}: could not record its end`))
          .finally(() => {
            resolve();
            this.pump();
          });
      });
    });
    this.workers.set(jobId, { worker, ended });
  }

  /**
   * SQLite: while a job's worker writes, the server's connection leaves WAL checkpoints to it
   * (WAL_CHECKPOINT_PAGES); with the last worker gone, the server checkpoints again.
   */
  private holdCheckpoints(delta: 1 | -1): void {
    this.checkpointHolders += delta;
    const pages = this.checkpointHolders > 0 ? 0 : WAL_CHECKPOINT_PAGES.server;
    if ((delta === 1 && this.checkpointHolders === 1) || (delta === -1 && this.checkpointHolders === 0)) {
      this.tx.setWalAutocheckpoint(pages).catch((error: unknown) => this.logger.warn({ err: error }, `WAL checkpoint threshold not set to ${pages}`));
    }
  }

  private async storedResult(jobId: number): Promise<unknown> {
    const row = await this.repo.findById(this.tx.reader, jobId);
    return row?.result ? (JSON.parse(row.result) as unknown) : null;
  }

  private async followUp(job: SucceededJob): Promise<void> {
    for (const handler of this.afterSuccess.get(job.kind) ?? []) {
      try {
        await handler(job);
      } catch (error) {
        this.logger.error({ err: error, jobId: job.jobId }, `Job ${job.jobId} (${job.kind}): its follow-up failed`);
      }
    }
  }

  private async afterFailed(job: FailedJob): Promise<void> {
    for (const handler of this.afterFailure.get(job.kind) ?? []) {
      try {
        await handler(job);
      } catch (error) {
        this.logger.error({ err: error, jobId: job.jobId }, `Job ${job.jobId} (${job.kind}): its failure handler failed`);
      }
    }
  }

  /** Fails a job that has not ended (a job that did end keeps its state) and removes its file. */
  private async fail(jobId: number, message: string, attachmentPath: string | null): Promise<void> {
    try {
      await this.tx.run((tx) => this.repo.markFailed(tx, jobId, JSON.stringify({ message } satisfies JobError), null, nowIso()));
    } finally {
      await this.removeAttachment(jobId, attachmentPath);
    }
  }

  private storeAttachment(content: Buffer): string {
    const path = this.attachmentFilePath();
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  }

  /** Moves a stored upload into the job files (a copy when it lies on another file system). */
  private moveAttachment(from: string): string {
    const path = this.attachmentFilePath();
    try {
      renameSync(from, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') {
        rmSync(from, { force: true });
        throw error;
      }
      try {
        copyFileSync(from, path);
      } finally {
        rmSync(from, { force: true });
      }
    }
    chmodSync(path, 0o600);
    return path;
  }

  private attachmentFilePath(): string {
    const dir = join(this.config.dataDir, 'job-files');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return join(dir, `${randomUUID()}.upload`);
  }

  private async removeAttachment(jobId: number, path: string | null): Promise<void> {
    if (!path) return;
    rmSync(path, { force: true });
    await this.tx.run((tx) => this.repo.clearAttachment(tx, jobId));
  }
}
