import { Injectable, Logger } from '@nestjs/common';
import type { Actor } from '@/common/auth/actor';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { flagsEvaluateJob } from '@/modules/flags/flags-evaluate.job';
import type { RollupRebuild } from '@/modules/flags/rollup-rebuild';
import { actorOf } from '@/modules/identity/identity.service';
import { UserRepository } from '@/modules/identity/user.repository';
import { JobsService } from '@/modules/jobs/jobs.service';
import { metricsRecomputeJob, recomputeRollups } from './metrics-recompute.job';
import { RollupStateRepository } from './rollup-state.repository';

/**
 * The rebuilds of the rollups that keep their stale mark honest: the one the command line runs
 * right after an evaluation, and the one a server starts at boot when a mark was left behind (a
 * restart between an evaluation and its follow-up job, or a follow-up that failed).
 */
@Injectable()
export class RollupRebuildService implements RollupRebuild {
  private readonly logger = new Logger('Rollups');

  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly state: RollupStateRepository,
    private readonly jobs: JobsService,
    private readonly users: UserRepository,
  ) {}

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
