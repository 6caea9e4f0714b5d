import { Module } from '@nestjs/common';
import { PolicyController } from './policy.controller';
import { PolicyRepository } from './policy.repository';
import { PolicyService } from './policy.service';

/** Policy versions; other features import it for `PolicyService.current()` and `byVersion()`. */
@Module({
  controllers: [PolicyController],
  providers: [PolicyRepository, PolicyService],
  exports: [PolicyService, PolicyRepository],
})
export class PolicyModule {}
