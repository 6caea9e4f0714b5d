import { Module, OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '@/common/events/domain-events';
import { DemandsModule } from '@/modules/demands/demands.module';
import { JobsModule } from '@/modules/jobs/jobs.module';
import { JobsService } from '@/modules/jobs/jobs.service';
import { PolicyModule } from '@/modules/policy/policy.module';
import { FlagEvaluationService } from './flag-evaluation.service';
import { FlagRepository } from './flag.repository';
import { FlagsController } from './flags.controller';
import { flagsEvaluateJob } from './flags-evaluate.job';
import { FlagsService } from './flags.service';
import { IssuerBudgetRepository } from './issuer-budget.repository';
import { IssuerBudgetsService } from './issuer-budgets.service';
import { ObjectionFindingRepository } from './objection-finding.repository';
import { PreviewController } from './preview.controller';
import { PreviewRepository } from './preview.repository';
import { PreviewService } from './preview.service';
import { RuleFactsRepository } from './rule-facts.repository';

/** Rules, flags and their review; listens to demands and objections written in other features. */
@Module({
  imports: [PolicyModule, JobsModule, DemandsModule],
  controllers: [FlagsController, PreviewController],
  providers: [FlagRepository, RuleFactsRepository, ObjectionFindingRepository, FlagsService, FlagEvaluationService, IssuerBudgetRepository, IssuerBudgetsService, PreviewRepository, PreviewService],
  exports: [FlagsService, FlagRepository, IssuerBudgetsService, RuleFactsRepository],
})
export class FlagsModule implements OnModuleInit {
  constructor(
    private readonly jobs: JobsService,
    private readonly events: DomainEvents,
    private readonly flags: FlagsService,
  ) {}

  onModuleInit(): void {
    this.jobs.register(flagsEvaluateJob);
    this.events.on('demand.written', (event) => this.flags.onDemandWritten(event));
    this.events.on('objection.filed', (event) => this.flags.onObjectionFiled(event));
    this.events.on('report.linked', (event) => this.flags.onReportLinked(event));
  }
}
