import { Module } from '@nestjs/common';
import { OrgUnitsModule } from '@/modules/org-units/org-units.module';
import { BurdenReportRepository } from './burden-report.repository';
import { BurdenReportsController } from './burden-reports.controller';
import { BurdenReportsService } from './burden-reports.service';
import { ObjectionRepository } from './objection.repository';
import { ObjectionsController } from './objections.controller';
import { ObjectionsService } from './objections.service';

/** Burden reports and objections; imports point down to org-units (and demands' pure helpers), never back. */
@Module({
  imports: [OrgUnitsModule],
  controllers: [BurdenReportsController, ObjectionsController],
  providers: [BurdenReportRepository, BurdenReportsService, ObjectionRepository, ObjectionsService],
  exports: [BurdenReportRepository, BurdenReportsService],
})
export class BurdenReportsModule {}
