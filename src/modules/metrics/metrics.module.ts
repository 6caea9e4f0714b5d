import { Module, OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '@/common/events/domain-events';
import { JobsModule } from '@/modules/jobs/jobs.module';
import { JobsService } from '@/modules/jobs/jobs.service';
import type { EvaluationResult } from '@/modules/flags/flag-evaluation';
import { flagsEvaluateJob, FlagsEvaluateInput } from '@/modules/flags/flags-evaluate.job';
import { IssuerBudgetRepository } from '@/modules/flags/issuer-budget.repository';
import { PolicyModule } from '@/modules/policy/policy.module';
import { parsePeriod } from './calculators';
import { ForecastRepository } from './forecast.repository';
import { ForecastService } from './forecast.service';
import { IssuerMetricsRepository } from './issuer-metrics.repository';
import { IssuerMetricsService } from './issuer-metrics.service';
import { MetricsController } from './metrics.controller';
import { metricsRecomputeJob } from './metrics-recompute.job';
import { MetricsRepository } from './metrics.repository';
import { MetricsService } from './metrics.service';
import { registerJobListeners, ROLLUP_LISTENERS_MODULE } from './rollup-listeners';
import { RollupRepository } from './rollup.repository';

/**
 * Burden metrics: the unit × month rollups, kept current by the burden events of demands,
 * reports and flags (in the writer's transaction, in job workers too), and the endpoints over them.
 */
@Module({
  imports: [PolicyModule, JobsModule],
  controllers: [MetricsController],
  providers: [
    RollupRepository,
    MetricsRepository,
    MetricsService,
    IssuerMetricsRepository,
    IssuerMetricsService,
    // Stateless: budgets and their "used" hours are read through it exactly as ISSUER_BUDGET reads them.
    IssuerBudgetRepository,
    ForecastRepository,
    ForecastService,
  ],
  exports: [RollupRepository],
})
export class MetricsModule implements OnModuleInit {
  constructor(
    private readonly events: DomainEvents,
    private readonly jobs: JobsService,
    private readonly rollups: RollupRepository,
  ) {}

  onModuleInit(): void {
    registerJobListeners(this.events, this.rollups);
    this.jobs.registerListeners(ROLLUP_LISTENERS_MODULE);
    this.jobs.register(metricsRecomputeJob);
    // The findings of an evaluation move hours into and out of the duplicate and excess shares of
    // every month from the period's first on: those months are rebuilt by a job of their own.
    this.jobs.onSucceeded(flagsEvaluateJob.kind, async (job) => {
      const fromMonth = (job.result as EvaluationResult | null)?.rollupsFromMonth ?? parsePeriod((job.input as FlagsEvaluateInput).period)?.months[0];
      if (fromMonth) await this.jobs.start(job.actor, metricsRecomputeJob.kind, { period: null, fromMonth });
    });
  }
}
