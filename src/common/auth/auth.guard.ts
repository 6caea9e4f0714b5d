import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { Request } from 'express';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { Actor, ACTOR_RESOLVER, ActorResolver, Role, TokenPayload } from './actor';
import { IS_PUBLIC, ROLES_KEY } from './decorators';

/**
 * Every route needs a valid, unrevoked bearer token unless marked @Public(); @Roles() then
 * limits it by role. Object-level jurisdiction is checked by the services against the Actor.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    @Inject(ACTOR_RESOLVER) private readonly actors: ActorResolver,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<Request & { actor?: Actor }>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new DomainError(ErrorCode.Unauthenticated, 'Missing bearer token');
    let payload: TokenPayload;
    try {
      payload = await this.jwt.verifyAsync<TokenPayload>(match[1], { algorithms: ['HS256'] });
    } catch (error) {
      const expired = (error as { name?: string }).name === 'TokenExpiredError';
      throw new DomainError(ErrorCode.Unauthenticated, expired ? 'Token expired' : 'Invalid token');
    }
    // Every token this service issues expires; one without `exp` would be valid forever.
    if (typeof payload.sub !== 'number' || typeof payload.tv !== 'number' || typeof (payload as { exp?: unknown }).exp !== 'number') {
      throw new DomainError(ErrorCode.Unauthenticated, 'Invalid token');
    }
    const actor = await this.actors.resolve(payload.sub, payload.tv);
    if (!actor) throw new DomainError(ErrorCode.Unauthenticated, 'Token revoked or user disabled');
    req.actor = actor;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(actor.role)) {
      throw new DomainError(ErrorCode.Forbidden, `Role ${actor.role} may not call this route`);
    }
    return true;
  }
}
