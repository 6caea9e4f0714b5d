import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Actor, Role } from './actor';

export const IS_PUBLIC = 'burden-ledger:public';
export const ROLES_KEY = 'burden-ledger:roles';

/** The route needs no token (health, login). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Only these roles may call the route; jurisdiction is then checked by the service. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const req = ctx.switchToHttp().getRequest<{ actor?: Actor }>();
  if (!req.actor) throw new Error('CurrentActor used on a public route');
  return req.actor;
});
