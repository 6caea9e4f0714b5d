import { Module } from '@nestjs/common';
import { InspectionPlansModule } from '@/modules/inspection-plans/inspection-plans.module';
import { PolicyModule } from '@/modules/policy/policy.module';
import { DemandImportService } from './demand-import.service';
import { DemandRepository } from './demand.repository';
import { DemandsController } from './demands.controller';
import { DemandsService } from './demands.service';

@Module({
  imports: [PolicyModule, InspectionPlansModule],
  controllers: [DemandsController],
  providers: [DemandRepository, DemandsService, DemandImportService],
  exports: [DemandRepository, DemandsService],
})
export class DemandsModule {}
