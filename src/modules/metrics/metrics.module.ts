import { Module, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DomainEvents } from '@/common/events/domain-events';
import { JobsModule } from '@/modules/jobs/jobs.module';
import { JobsService } from '@/modules/jobs/jobs.service';
import type { EvaluationResult } from '@/modules/flags/flag-evaluation';
import { flagsEvaluateJob, FlagsEvaluateInput } from '@/modules/flags/flags-evaluate.job';
import { IssuerBudgetRepository } from '@/modules/flags/issuer-budget.repository';
import { ROLLUP_REBUILD } from '@/modules/flags/rollup-rebuild';
import { IdentityModule } from '@/modules/identity/identity.module';
import { PolicyModule } from '@/modules/policy/policy.module';
import { parsePeriod } from './calculators';
import { ForecastRepository } from './forecast.repository';
import { ForecastService } from './forecast.service';
import { IssuerMetricsRepository } from './issuer-metrics.repository';
import { IssuerMetricsService } from './issuer-metrics.service';
import { MetricsController } from './metrics.controller';
import { metricsRecomputeJob, RecomputeResult } from './metrics-recompute.job';
import { MetricsRepository } from './metrics.repository';
import { MetricsService } from './metrics.service';
import { registerJobListeners, ROLLUP_LISTENERS_MODULE } from './rollup-listeners';
import { RollupRebuildService } from './rollup-rebuild.service';
import { RollupStateRepository } from './rollup-state.repository';
import { RollupRepository } from './rollup.repository';

/**
 * Burden metrics: the unit × month rollups, kept current by the burden events of demands,
 * reports and flags (in the writer's transaction, in job workers too), and the endpoints over them.
 * An evaluation marks the rollups stale as it writes findings; the rebuild that follows clears
 * the mark, and a server that starts with a mark left behind starts that rebuild itself.
 */
@Module({
  imports: [PolicyModule, JobsModule, IdentityModule],
  controllers: [MetricsController],
  providers: [
    RollupRepository,
    RollupStateRepository,
    RollupRebuildService,
    // The command line's evaluation rebuilds through it (flags may not import metrics).
    { provide: ROLLUP_REBUILD, useExisting: RollupRebuildService },
    MetricsRepository,
    MetricsService,
    IssuerMetricsRepository,
    IssuerMetricsService,
    // Stateless: budgets and their "used" hours are read through it exactly as ISSUER_BUDGET reads them.
    IssuerBudgetRepository,
    ForecastRepository,
    ForecastService,
  ],
  exports: [RollupRepository, ROLLUP_REBUILD],
})
export class MetricsModule implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly events: DomainEvents,
    private readonly jobs: JobsService,
    private readonly rollups: RollupRepository,
    private readonly state: RollupStateRepository,
    private readonly rebuild: RollupRebuildService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    registerJobListeners(this.events, this.rollups, this.state, this.rebuild);
    this.jobs.registerListeners(ROLLUP_LISTENERS_MODULE);
    this.jobs.register(metricsRecomputeJob);
    // The findings of an evaluation move hours into and out of the duplicate and excess shares of
    // every month from the period's first on: those months are rebuilt by a job of their own.
    this.jobs.onSucceeded(flagsEvaluateJob.kind, async (job) => {
      const fromMonth = (job.result as EvaluationResult | null)?.rollupsFromMonth ?? parsePeriod((job.input as FlagsEvaluateInput).period)?.months[0];
      if (fromMonth) await this.jobs.start(job.actor, metricsRecomputeJob.kind, { period: null, fromMonth });
    });
    // A rebuild that began before a newer mark (a big demand edited meanwhile) leaves it: the next one covers it.
    this.jobs.onSucceeded(metricsRecomputeJob.kind, async (job) => {
      if ((job.result as RecomputeResult | null)?.rollups.stale) await this.rebuild.resumeIfStale();
    });
    // An evaluation that stops halfway has marked the rollups stale for the batches it wrote: rebuild them now,
    // not at the next start. (A failed rebuild is not retried here: that could loop; the next start resumes it.)
    this.jobs.onFailed(flagsEvaluateJob.kind, async () => {
      await this.rebuild.resumeIfStale();
    });
  }

  /**
   * A server that starts with the rollups marked stale (it stopped between an evaluation and its
   * rebuild, or the rebuild failed) starts the rebuild. Runs after JobsService has failed the jobs
   * the last process left unfinished (the jobs module is imported here, so its hooks run first).
   * Not from the command line: it has no HTTP server, rebuilds in its own commands and would end
   * before a worker could.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.adapterHost.httpAdapter) return;
    await this.rebuild.resumeIfStale();
  }
}
