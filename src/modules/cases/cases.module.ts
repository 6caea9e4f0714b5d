import { Module, OnModuleInit } from '@nestjs/common';
import { FlagsModule } from '@/modules/flags/flags.module';
import { JobsModule } from '@/modules/jobs/jobs.module';
import { JobsService } from '@/modules/jobs/jobs.service';
import { CaseReportOutputsJanitor } from './case-report-outputs.janitor';
import { caseReportJob } from './case-report.job';
import { CaseRepository } from './case.repository';
import { CaseReportsController } from './case-reports.controller';
import { CaseReportsService } from './case-reports.service';
import { CasesController } from './cases.controller';
import { CasesService } from './cases.service';

/** Typical cases and bulletins, for discipline inspectors (issue 7). */
@Module({
  imports: [FlagsModule, JobsModule],
  controllers: [CasesController, CaseReportsController],
  providers: [CaseRepository, CasesService, CaseReportsService, CaseReportOutputsJanitor],
  exports: [CaseRepository],
})
export class CasesModule implements OnModuleInit {
  constructor(private readonly jobs: JobsService) {}

  onModuleInit(): void {
    this.jobs.register(caseReportJob);
  }
}
