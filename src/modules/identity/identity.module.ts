import { Module } from '@nestjs/common';
import { ACTOR_RESOLVER } from '@/common/auth/actor';
import { AuthController } from './auth.controller';
import { IdentityService } from './identity.service';
import { UserRepository } from './user.repository';
import { UsersController } from './users.controller';

@Module({
  controllers: [AuthController, UsersController],
  providers: [UserRepository, IdentityService, { provide: ACTOR_RESOLVER, useExisting: IdentityService }],
  exports: [IdentityService, UserRepository, ACTOR_RESOLVER],
})
export class IdentityModule {}
