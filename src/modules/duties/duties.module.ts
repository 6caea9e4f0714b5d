import { Module } from '@nestjs/common';
import { DutiesController } from './duties.controller';
import { DutiesService } from './duties.service';
import { DutyRepository } from './duty.repository';

@Module({
  controllers: [DutiesController],
  providers: [DutyRepository, DutiesService],
  exports: [DutyRepository],
})
export class DutiesModule {}
