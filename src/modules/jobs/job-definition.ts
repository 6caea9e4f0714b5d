import type { Actor, Role } from '@/common/auth/actor';
import type { DomainEvents } from '@/common/events/domain-events';
import type { DatabaseConfig } from '@/config/app-config';
import type { TransactionRunner } from '@/database/transaction-runner';
import type { AuditService } from '@/modules/audit/audit.service';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A job kind: lower-case words joined by "-" (e.g. demands-import, evaluate, recompute). */
export const JOB_KIND = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * What a handler gets besides its input. The same handler runs in a worker thread (the usual
 * case) or inline on the request thread (small inputs); the context hides which.
 */
export interface JobContext {
  readonly jobId: number;
  /** Who started the job, as resolved when it started (role, unit, jurisdiction). */
  readonly actor: Actor;
  /**
   * This thread's own database connection. Write in short transactions (`tx.run`, batches of a
   * few hundred to a few thousand rows): on SQLite every writer of the file, the request thread
   * included, waits for the write lock while one is held. Read with `tx.reader` / `tx.snapshot`.
   */
  readonly tx: TransactionRunner;
  /** Appends audit entries inside `tx.run`, as everywhere else. */
  readonly audit: AuditService;
  /**
   * Domain events with the same listeners as the app's (in a worker: those of the modules named
   * by `JobsService.registerListeners`), so a job's writes keep derived tables such as the
   * burden rollups current inside their own transactions.
   */
  readonly events: DomainEvents;
  /** The file handed to `JobsService.start` (an upload), or null. Deleted when the job ends. */
  readonly attachmentPath: string | null;
  /** True in a worker thread, false when the job runs inline on the request thread. */
  readonly inWorker: boolean;
  /**
   * In a worker thread, the app's database settings, for a job that starts a thread of its own
   * with its own connection (the evaluation's unit scan); null inline.
   */
  readonly database: DatabaseConfig | null;
  /**
   * Threads the job may start beside its worker (BURDEN_LEDGER_JOB_HELPER_THREADS; 0 inline). Each
   * one takes a core and its own heap from the requests and the server's 400 MB, so the operator
   * decides.
   */
  readonly helperThreads: number;
  /**
   * Reports progress. Cheap to call per row: the row in `jobs` is written at most every 250 ms,
   * and once more when the job ends.
   */
  progress(done: number, total: number | null, message?: string): void;
}

/**
 * A kind of job. Export it from its own module file (`module: __filename`): the worker thread
 * loads that file by path and picks the exported definition with this `kind`, so the module must
 * not need the Nest container (build repositories and services with `new`, passing `ctx.tx` and
 * `ctx.audit`). Register it once with `JobsService.register(definition)`, e.g. in the owning
 * feature's `onModuleInit`.
 *
 * Methods (not function-valued properties) on purpose: a `JobDefinition<Input, Result>` is then
 * storable in the registry as a `JobDefinition<unknown, unknown>`.
 */
export interface JobDefinition<Input, Result> {
  readonly kind: string;
  /** Absolute path of the file that exports this definition: pass `__filename`. */
  readonly module: string;
  /**
   * Heap cap (old generation, MB) of its worker thread; absent: the default (DEFAULT_WORKER_HEAP_MB).
   * A job that streams its input in batches needs little, and a lower cap makes V8 collect
   * before the heap grows: the server's resident set stays under DESIGN §6's 400 MB.
   */
  readonly workerHeapMb?: number;
  /** Roles that may start it through `POST /jobs`; absent: only through its feature's own route. */
  readonly startableBy?: readonly Role[];
  /**
   * Checks and normalises the input on the request thread before anything is stored; throw a
   * DomainError (400/422 naming the field) for bad input. Runs again in the worker on the stored
   * JSON, so it must accept its own output.
   */
  parseInput(raw: unknown, actor: Actor): Input;
  /** Does the work; the result must be JSON (it is stored and shown by GET /jobs/:id). */
  run(input: Input, ctx: JobContext): Promise<Result>;
}

export type AnyJobDefinition = JobDefinition<unknown, unknown>;

/**
 * A module a worker thread loads to give its DomainEvents the listeners the app has: it exports
 * `registerJobListeners(events)`, building what it needs with `new` (no Nest container there).
 */
export interface JobListenerModule {
  registerJobListeners(events: DomainEvents): void;
}

/** Declares a job kind with its input and result types tied together. */
export function defineJob<Input, Result>(definition: JobDefinition<Input, Result>): JobDefinition<Input, Result> {
  if (!JOB_KIND.test(definition.kind)) throw new Error(`Job kind "${definition.kind}" must match ${String(JOB_KIND)}`);
  return definition;
}

export function isJobDefinition(value: unknown): value is AnyJobDefinition {
  const v = value as Partial<AnyJobDefinition> | null;
  return typeof v === 'object' && v !== null && typeof v.kind === 'string' && typeof v.module === 'string' && typeof v.run === 'function' && typeof v.parseInput === 'function';
}

/** How a failed job's error is stored and shown. */
export interface JobError {
  message: string;
  /** The DomainError code (e.g. UNPROCESSABLE) for an expected failure; absent for a bug. */
  code?: string;
  details?: unknown;
}
