import { AsyncResource } from 'node:async_hooks';
import { Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Actor } from '@/common/auth/actor';
import { lockWriters } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { flagsEvaluateJob } from '@/modules/flags/flags-evaluate.job';
import type { RollupRebuild } from '@/modules/flags/rollup-rebuild';
import { actorOf } from '@/modules/identity/identity.service';
import { UserRepository } from '@/modules/identity/user.repository';
import { JobsService } from '@/modules/jobs/jobs.service';
import { metricsRecomputeJob, recomputeRollups } from './metrics-recompute.job';
import type { BigDemandPolicy } from './big-demand-edits';
import { RollupStateRepository } from './rollup-state.repository';

/** Target × month cells above which an edit of a demand leaves its cells to a rebuild (see BigDemandPolicy). */
export const BIG_DEMAND_CELLS = 10_000;

/**
 * The rebuilds of the rollups that keep their stale mark honest: the one the command line runs
 * right after an evaluation, the one a server starts at boot when a mark was left behind (a
 * restart between an evaluation and its follow-up job, or a follow-up that failed), and the one
 * that follows an edit of a big demand whose cells the request left to it (BigDemandPolicy).
 */
@Injectable()
export class RollupRebuildService implements RollupRebuild, BigDemandPolicy {
  private readonly logger = new Logger('Rollups');
  /** Target × month cells above which a demand's edit is left to a rebuild (tests lower it). */
  maxCells = BIG_DEMAND_CELLS;
  /** Rebuilds asked for by writes, one after the other (checking for a running one and starting one are two steps). */
  private pending: Promise<void> = Promise.resolve();
  /** Outside any unit of work: what runs after a write must not join the write's transaction. */
  private readonly detached = new AsyncResource('RollupRebuild');

  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly state: RollupStateRepository,
    private readonly jobs: JobsService,
    private readonly users: UserRepository,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Only a server defers: the command line has no job worker to follow up, and rebuilds in its own commands. */
  enabled(): boolean {
    return Boolean(this.adapterHost.httpAdapter);
  }

  /**
   * Starts the rebuild of what a write marked stale once that write's transaction has ended (not
   * inside it: the job's worker reads on its own connection, and a write rolled back leaves no
   * mark to rebuild). A rebuild already queued or running leaves the mark if it began before it,
   * and the rebuild that follows its success (MetricsModule) covers it.
   */
  rebuildSoon(): void {
    this.detached.runInAsyncScope(() => {
      this.pending = this.pending.then(async () => {
        try {
          // Queued behind the writer (SQLite), or waiting for its writers' lock (PostgreSQL): it has ended.
          await this.tx.run((tx) => lockWriters(tx));
          await this.resumeIfStale();
        } catch (error) {
          this.logger.error({ err: error }, 'The rebuild after an edit of a big demand could not start; the next start resumes it');
        }
      });
    });
  }

  /** Settles when every rebuild asked for so far has been started (or found unnecessary). */
  async settled(): Promise<void> {
    await this.pending;
  }

  async rebuildFrom(fromMonth: string, progress: (done: number, total: number | null, message?: string) => void): Promise<{ months: string[]; stale: boolean }> {
    const result = await recomputeRollups({ period: null, fromMonth }, { tx: this.tx, audit: this.audit, actor: null, progress });
    return { months: result.months, stale: result.rollups.stale };
  }

  /**
   * A stale mark with no rebuild queued or running starts one, from the marked month on, on behalf
   * of whoever started the latest evaluation or rebuild (an admin when that user is gone or
   * disabled). Returns the job started, or null.
   */
  async resumeIfStale(): Promise<number | null> {
    const state = await this.state.read(this.tx.reader);
    if (state.dirtyFromMonth === null) return null;
    if (await this.jobs.hasUnfinished(metricsRecomputeJob.kind)) return null;
    const actor = await this.actorToResume();
    if (!actor) {
      this.logger.warn(`The rollups are stale from ${state.dirtyFromMonth} and no enabled user can own their rebuild: run \`npm run cli -- recompute\``);
      return null;
    }
    const { jobId } = await this.jobs.start(actor, metricsRecomputeJob.kind, { period: null, fromMonth: state.dirtyFromMonth });
    this.logger.warn(`The rollups are stale from ${state.dirtyFromMonth} (since ${state.dirtySince}): rebuild job ${jobId} started`);
    return jobId;
  }

  private async actorToResume(): Promise<Actor | null> {
    const userId = await this.jobs.lastStartedBy([flagsEvaluateJob.kind, metricsRecomputeJob.kind]);
    const user = userId === null ? null : await this.users.findWithUnit(this.tx.reader, userId);
    if (user && !user.disabled) return actorOf(user);
    const admins = await this.users.list(this.tx.reader, { role: 'admin' }, 0, 50);
    const admin = admins.rows.find((u) => !u.disabled);
    return admin ? actorOf(admin) : null;
  }
}
