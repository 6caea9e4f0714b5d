import { Module, OnModuleInit } from '@nestjs/common';
import { InspectionPlansModule } from '@/modules/inspection-plans/inspection-plans.module';
import { JobsModule } from '@/modules/jobs/jobs.module';
import { JobsService } from '@/modules/jobs/jobs.service';
import { PolicyModule } from '@/modules/policy/policy.module';
import { DemandImportService } from './demand-import.service';
import { DemandRepository } from './demand.repository';
import { DemandsController } from './demands.controller';
import { demandsImportJob } from './demands-import.job';
import { DemandsService } from './demands.service';

@Module({
  imports: [PolicyModule, InspectionPlansModule, JobsModule],
  controllers: [DemandsController],
  providers: [DemandRepository, DemandsService, DemandImportService],
  exports: [DemandRepository, DemandsService],
})
export class DemandsModule implements OnModuleInit {
  constructor(private readonly jobs: JobsService) {}

  onModuleInit(): void {
    this.jobs.register(demandsImportJob);
  }
}
