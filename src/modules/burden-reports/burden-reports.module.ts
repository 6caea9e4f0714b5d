import { Module } from '@nestjs/common';
import { OrgUnitsModule } from '@/modules/org-units/org-units.module';
import { BurdenReportImportService } from './burden-report-import.service';
import { BurdenReportRepository } from './burden-report.repository';
import { BurdenReportsController } from './burden-reports.controller';
import { BurdenReportsService } from './burden-reports.service';
import { MonitoringPointRepository } from './monitoring-point.repository';
import { MonitoringPointsController } from './monitoring-points.controller';
import { MonitoringPointsService } from './monitoring-points.service';
import { ObjectionRepository } from './objection.repository';
import { ObjectionsController } from './objections.controller';
import { ObjectionsService } from './objections.service';
import { ReportImportRepository } from './report-import.repository';

/** Burden reports and objections; imports point down to org-units (and demands' pure helpers), never back. */
@Module({
  imports: [OrgUnitsModule],
  controllers: [BurdenReportsController, ObjectionsController, MonitoringPointsController],
  providers: [BurdenReportRepository, BurdenReportsService, ObjectionRepository, ObjectionsService, MonitoringPointRepository, MonitoringPointsService, ReportImportRepository, BurdenReportImportService],
  exports: [BurdenReportRepository, BurdenReportsService],
})
export class BurdenReportsModule {}
