import { Controller, ExecutionContext, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { AccessTokenVerifier } from './access-token';
import { Actor, ActorResolver } from './actor';
import { AuthGuard } from './auth.guard';
import { Public, Roles } from './decorators';

@Controller()
@Roles('admin', 'inspector')
class GuardedController {
  @Get()
  classRoles() {}

  @Get()
  @Roles('reporter')
  handlerRoles() {}

  @Get()
  @Public()
  open() {}
}

class AnyRoleController {
  anyone() {}
}

const SECRET = 'unit-test-secret-unit-test-secret-0123456789';
const jwt = new JwtService({ secret: SECRET, signOptions: { expiresIn: 600, algorithm: 'HS256' }, verifyOptions: { algorithms: ['HS256'] } });

const actorFor = (role: Actor['role']): Actor => ({
  userId: 7,
  username: 'someone',
  role,
  orgUnitId: role === 'admin' ? null : 3,
  unitPath: role === 'admin' ? null : '/53/',
  jurisdictionPath: role === 'admin' ? null : '/53/',
  level: role === 'admin' ? null : 'province',
});

function context(handler: () => void, cls: object, authorization?: string) {
  const req: { headers: Record<string, string>; actor?: Actor } = { headers: authorization === undefined ? {} : { authorization } };
  const ctx = {
    getHandler: () => handler,
    getClass: () => cls,
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
  return { ctx, req };
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('AuthGuard', () => {
  let stored: { role: Actor['role']; tokenVersion: number } | null;
  const resolver: ActorResolver = {
    resolve: (userId, tokenVersion) => Promise.resolve(stored && userId === 7 && tokenVersion === stored.tokenVersion ? actorFor(stored.role) : null),
  };
  const guard = new AuthGuard(new Reflector(), new AccessTokenVerifier(SECRET), resolver);
  const token = (claims: object = { sub: 7, tv: 0, role: 'admin' }) => `Bearer ${jwt.sign(claims)}`;
  const proto = GuardedController.prototype;

  beforeEach(() => (stored = { role: 'admin', tokenVersion: 0 }));

  it('lets a @Public() route through without a token', async () => {
    const { ctx, req } = context(proto.open, GuardedController);
    await expect(guard.canActivate(ctx)).resolves.toBe(true);
    expect(req.actor).toBeUndefined();
  });

  it('puts the resolved actor on the request', async () => {
    const { ctx, req } = context(AnyRoleController.prototype.anyone, AnyRoleController, token());
    await expect(guard.canActivate(ctx)).resolves.toBe(true);
    expect(req.actor).toEqual(actorFor('admin'));
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['another scheme', 'Basic YWRtaW46eA=='],
    ['a bare token', 'abc.def.ghi'],
    ['two tokens', 'Bearer a b'],
    ['garbage', 'Bearer not-a-jwt'],
  ])('answers Unauthenticated for %s', async (_what, header) => {
    const { ctx } = context(AnyRoleController.prototype.anyone, AnyRoleController, header);
    expect((await refusal(guard.canActivate(ctx))).code).toBe(ErrorCode.Unauthenticated);
  });

  it('says when a token expired', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = `Bearer ${new JwtService({ secret: SECRET }).sign({ sub: 7, tv: 0, iat: now - 100, exp: now - 10 })}`;
    const { ctx } = context(AnyRoleController.prototype.anyone, AnyRoleController, expired);
    const error = await refusal(guard.canActivate(ctx));
    expect(error.code).toBe(ErrorCode.Unauthenticated);
    expect(error.message).toBe('Token expired');
  });

  it('refuses claims of the wrong type and a token without expiry', async () => {
    for (const header of [
      token({ sub: '7', tv: 0 }),
      token({ sub: 7 }),
      token({ sub: 7, tv: '0' }),
      `Bearer ${new JwtService({ secret: SECRET }).sign({ sub: 7, tv: 0 })}`,
    ]) {
      const { ctx } = context(AnyRoleController.prototype.anyone, AnyRoleController, header);
      expect((await refusal(guard.canActivate(ctx))).code).toBe(ErrorCode.Unauthenticated);
    }
  });

  it('refuses a token the resolver no longer accepts (revoked, disabled, gone)', async () => {
    stored = { role: 'admin', tokenVersion: 1 };
    const { ctx } = context(AnyRoleController.prototype.anyone, AnyRoleController, token());
    expect((await refusal(guard.canActivate(ctx))).code).toBe(ErrorCode.Unauthenticated);
    stored = null;
    expect((await refusal(guard.canActivate(context(AnyRoleController.prototype.anyone, AnyRoleController, token()).ctx))).code).toBe(
      ErrorCode.Unauthenticated,
    );
  });

  it('applies class roles, and handler roles over them', async () => {
    for (const [role, classAllowed, handlerAllowed] of [
      ['admin', true, false],
      ['inspector', true, false],
      ['reporter', false, true],
      ['coordinator', false, false],
    ] as const) {
      stored = { role, tokenVersion: 0 };
      const onClass = guard.canActivate(context(proto.classRoles, GuardedController, token({ sub: 7, tv: 0, role: 'admin' })).ctx);
      if (classAllowed) await expect(onClass).resolves.toBe(true);
      else expect((await refusal(onClass)).code).toBe(ErrorCode.Forbidden);
      const onHandler = guard.canActivate(context(proto.handlerRoles, GuardedController, token({ sub: 7, tv: 0, role: 'reporter' })).ctx);
      if (handlerAllowed) await expect(onHandler).resolves.toBe(true);
      else expect((await refusal(onHandler)).code).toBe(ErrorCode.Forbidden);
    }
  });
});
