import { Module } from '@nestjs/common';
import { BurdenReportsModule } from '@/modules/burden-reports/burden-reports.module';
import { DemandsModule } from '@/modules/demands/demands.module';
import { DutiesModule } from '@/modules/duties/duties.module';
import { FlagsModule } from '@/modules/flags/flags.module';
import { InspectionPlansModule } from '@/modules/inspection-plans/inspection-plans.module';
import { MetricsModule } from '@/modules/metrics/metrics.module';
import { OrgUnitsModule } from '@/modules/org-units/org-units.module';
import { DemoLoader } from './demo-loader.service';
import { DemoRepository } from './demo.repository';

/**
 * The demo county (issue 8). It sits above every feature: it loads through their services (found
 * with ModuleRef, since most are not exported), so nothing imports it but the entry points.
 * Metrics is imported for its rollup listeners, which must hear the demo's writes.
 */
@Module({
  imports: [OrgUnitsModule, DutiesModule, InspectionPlansModule, DemandsModule, BurdenReportsModule, FlagsModule, MetricsModule],
  providers: [DemoLoader, DemoRepository],
  exports: [DemoLoader],
})
export class DemoModule {}
