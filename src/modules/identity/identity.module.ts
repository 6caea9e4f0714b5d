import { Module } from '@nestjs/common';
import { AccessTokenVerifier } from '@/common/auth/access-token';
import { ACTOR_RESOLVER } from '@/common/auth/actor';
import { APP_CONFIG, AppConfig } from '@/config/app-config';
import { AuthController } from './auth.controller';
import { IdentityService } from './identity.service';
import { UserRepository } from './user.repository';
import { UsersController } from './users.controller';

@Module({
  controllers: [AuthController, UsersController],
  providers: [
    UserRepository,
    IdentityService,
    { provide: ACTOR_RESOLVER, useExisting: IdentityService },
    // Verifies bearer tokens with the key made once from the secret JwtModule signs them with.
    { provide: AccessTokenVerifier, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new AccessTokenVerifier(config.jwtSecret) },
  ],
  exports: [IdentityService, UserRepository, ACTOR_RESOLVER, AccessTokenVerifier],
})
export class IdentityModule {}
