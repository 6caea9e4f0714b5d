import { Module } from '@nestjs/common';
import { PolicyModule } from '@/modules/policy/policy.module';
import { JointInspectionRepository } from './joint-inspection.repository';
import { JointInspectionsController } from './joint-inspections.controller';
import { JointInspectionsService } from './joint-inspections.service';

/** 综合查一次: joint-inspection suggestions over the registered inspections (read-only). */
@Module({
  imports: [PolicyModule],
  controllers: [JointInspectionsController],
  providers: [JointInspectionRepository, JointInspectionsService],
})
export class JointInspectionsModule {}
