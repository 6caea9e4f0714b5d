import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { AccessTokenVerifier, TokenRejected } from './access-token';
import { Actor, ACTOR_RESOLVER, ActorResolver, Role } from './actor';
import { IS_PUBLIC, ROLES_KEY } from './decorators';

/**
 * Every route needs a valid, unrevoked bearer token unless marked @Public(); @Roles() then
 * limits it by role. Object-level jurisdiction is checked by the services against the Actor.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokenVerifier,
    @Inject(ACTOR_RESOLVER) private readonly actors: ActorResolver,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<Request & { actor?: Actor }>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new DomainError(ErrorCode.Unauthenticated, 'Missing bearer token');
    let claims: Record<string, unknown>;
    try {
      claims = this.tokens.verify(match[1]);
    } catch (error) {
      if (error instanceof TokenRejected) throw new DomainError(ErrorCode.Unauthenticated, error.message);
      throw error;
    }
    // Every token this service issues expires; one without `exp` would be valid forever.
    const { sub, tv, exp } = claims;
    if (typeof sub !== 'number' || typeof tv !== 'number' || typeof exp !== 'number') {
      throw new DomainError(ErrorCode.Unauthenticated, 'Invalid token');
    }
    // The role and the unit come from the database, never from the token, and a bumped token
    // version (disable, new password, move) refuses every token issued before it, at once.
    const actor = await this.actors.resolve(sub, tv);
    if (!actor) throw new DomainError(ErrorCode.Unauthenticated, 'Token revoked or user disabled');
    req.actor = actor;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(actor.role)) {
      throw new DomainError(ErrorCode.Forbidden, `Role ${actor.role} may not call this route`);
    }
    return true;
  }
}
