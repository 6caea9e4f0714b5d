import { Module } from '@nestjs/common';
import { InspectionPlanRepository } from './inspection-plan.repository';
import { InspectionPlansController } from './inspection-plans.controller';
import { InspectionPlansService } from './inspection-plans.service';

/** Annual inspection plans; exports the repository the demands and the inspection rules read. */
@Module({
  controllers: [InspectionPlansController],
  providers: [InspectionPlanRepository, InspectionPlansService],
  exports: [InspectionPlanRepository],
})
export class InspectionPlansModule {}
