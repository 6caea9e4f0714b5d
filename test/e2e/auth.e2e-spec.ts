import { JwtService } from '@nestjs/jwt';
import { execute, selectRows, toInt } from '@/database/dialect';
import { bearer, createUser, standardTree, standardUsers, StandardTree, StandardUsers, TEST_PASSWORD, UserRef } from '../factories';
import { TestApp } from '../utils/test-app';

const LOGIN = '/api/v1/auth/login';
/** Any route that needs a token and is open to every role. */
const PROTECTED = '/api/v1/topics';
const LOGIN_FAILED = 'Invalid username or password';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function expectErrorShape(body: Record<string, unknown>, status: number) {
  expect(body.statusCode).toBe(status);
  expect(typeof body.error).toBe('string');
  expect(typeof body.message).toBe('string');
}

describe('auth: login and tokens', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
  });
  afterAll(() => t.close());

  /** Login attempts count against the limiter (10 a minute per address): this file stays under it. */
  describe('POST /auth/login', () => {
    it('answers a token, its type and lifetime, and the user without its password hash', async () => {
      const res = await t.http.post(LOGIN).send({ username: users.coordinator.username, password: TEST_PASSWORD }).expect(200);
      expect(res.body).toEqual({
        accessToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: t.config.jwtExpiresInSeconds,
        user: {
          id: users.coordinator.id,
          username: users.coordinator.username,
          displayName: null,
          role: 'coordinator',
          orgUnitId: tree.mengzi.id,
          disabled: false,
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
      });
      const [{ password_hash }] = await selectRows<{ password_hash: string }>(t.db, 'SELECT password_hash FROM users WHERE id = ?', [users.coordinator.id]);
      expect(res.text).not.toContain(password_hash);
      expect(res.text).not.toMatch(/password/i);

      // The token carries an expiry as long as the configuration says, and works on a protected route.
      const claims = new JwtService().decode<{ sub: number; exp: number; iat: number }>(res.body.accessToken);
      expect(claims.sub).toBe(users.coordinator.id);
      expect(claims.exp - claims.iat).toBe(t.config.jwtExpiresInSeconds);
      await t.http.get(PROTECTED).set('Authorization', `Bearer ${res.body.accessToken}`).expect(200);
    });

    it('refuses a wrong password, an unknown user and a disabled user with the same 401', async () => {
      const disabled = await createUser(t, 'reporter', tree.wenlan);
      await execute(t.db, 'UPDATE users SET disabled = ? WHERE id = ?', [true, disabled.id]);
      const attempts = [
        { username: users.coordinator.username, password: 'wrong-password' },
        { username: 'nobody-by-that-name', password: TEST_PASSWORD },
        { username: disabled.username, password: TEST_PASSWORD },
      ];
      for (const attempt of attempts) {
        const res = await t.http.post(LOGIN).send(attempt).expect(401);
        expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: LOGIN_FAILED });
      }
    });

    it('rejects a body with unknown fields or missing credentials with 400 naming the field', async () => {
      const extra = await t.http.post(LOGIN).send({ username: 'admin', password: TEST_PASSWORD, role: 'admin' }).expect(400);
      expectErrorShape(extra.body, 400);
      expect(extra.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'role' })]));
      const missing = await t.http.post(LOGIN).send({ username: 'admin' }).expect(400);
      expect(missing.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'password' })]));
    });
  });

  describe('bearer tokens', () => {
    const jwt = new JwtService();
    let payload: { sub: number; tv: number; role: string };
    beforeAll(() => {
      payload = { sub: users.reporter.id, tv: 0, role: 'reporter' };
    });

    it('accepts a minted token', async () => {
      await t.http.get(PROTECTED).set(bearer(users.reporter)).expect(200);
    });

    it('answers 401 in the error shape without a token or with another scheme', async () => {
      const none = await t.http.get(PROTECTED).expect(401);
      expect(none.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
      await t.http.get(PROTECTED).set('Authorization', `Basic ${Buffer.from('admin:x').toString('base64')}`).expect(401);
      await t.http.get(PROTECTED).set('Authorization', 'Bearer').expect(401);
      await t.http.get(PROTECTED).set('Authorization', `${users.reporter.token}`).expect(401);
    });

    it('refuses a malformed token', async () => {
      for (const token of ['abc', 'a.b.c', `${users.reporter.token}x`, users.reporter.token.split('.').slice(0, 2).join('.')]) {
        const res = await t.http.get(PROTECTED).set('Authorization', `Bearer ${token}`).expect(401);
        expectErrorShape(res.body, 401);
      }
    });

    it('refuses an expired token (past exp, signed with the real secret)', async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired = jwt.sign({ ...payload, iat: now - 120, exp: now - 60 }, { secret: t.config.jwtSecret, algorithm: 'HS256' });
      const res = await t.http.get(PROTECTED).set('Authorization', `Bearer ${expired}`).expect(401);
      expect(res.body.message).toBe('Token expired');
    });

    it('refuses a token once its short lifetime ran out', async () => {
      const token = t.token(users.reporter, 1);
      await t.http.get(PROTECTED).set('Authorization', `Bearer ${token}`).expect(200);
      await new Promise((resolve) => setTimeout(resolve, 2100));
      await t.http.get(PROTECTED).set('Authorization', `Bearer ${token}`).expect(401);
    });

    it('refuses a token signed with another secret, another algorithm, or none', async () => {
      const forged = jwt.sign(payload, { secret: 'another-secret-another-secret-another-secret', algorithm: 'HS256' });
      const hs384 = jwt.sign(payload, { secret: t.config.jwtSecret, algorithm: 'HS384' });
      const now = Math.floor(Date.now() / 1000);
      const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...payload, iat: now, exp: now + 600 })}.`;
      // A real signature glued to a changed payload (privilege escalation attempt).
      const [header, , signature] = users.reporter.token.split('.');
      const tampered = `${header}.${b64url({ ...payload, sub: users.admin.id, role: 'admin', iat: now, exp: now + 600 })}.${signature}`;
      for (const token of [forged, hs384, unsigned, tampered]) {
        const res = await t.http.get(PROTECTED).set('Authorization', `Bearer ${token}`).expect(401);
        expectErrorShape(res.body, 401);
      }
    });

    it('refuses a validly signed token whose subject is not a user id or does not exist', async () => {
      const sign = (p: object) => jwt.sign(p, { secret: t.config.jwtSecret, algorithm: 'HS256', expiresIn: 600 });
      for (const token of [sign({ ...payload, sub: String(payload.sub) }), sign({ sub: payload.sub, role: 'reporter' }), sign({ ...payload, sub: 999_999 })]) {
        await t.http.get(PROTECTED).set('Authorization', `Bearer ${token}`).expect(401);
      }
    });

    it('refuses a validly signed token that never expires', async () => {
      const eternal = jwt.sign(payload, { secret: t.config.jwtSecret, algorithm: 'HS256' });
      expect(jwt.decode<{ exp?: number }>(eternal).exp).toBeUndefined();
      await t.http.get(PROTECTED).set('Authorization', `Bearer ${eternal}`).expect(401);
    });

    it('takes the role from the database, not from the token', async () => {
      const claimsAdmin = jwt.sign({ ...payload, role: 'admin' }, { secret: t.config.jwtSecret, algorithm: 'HS256', expiresIn: 600 });
      await t.http.get('/api/v1/users').set('Authorization', `Bearer ${claimsAdmin}`).expect(403);
    });
  });

  describe('revocation through PATCH /users/:id', () => {
    let subject: UserRef;
    beforeEach(async () => {
      subject = await createUser(t, 'reporter', tree.wenlan);
      await t.http.get(PROTECTED).set(bearer(subject)).expect(200);
    });

    const patch = (id: number, body: object) => t.http.patch(`/api/v1/users/${id}`).set(bearer(users.admin)).send(body);
    const tokenVersion = async (id: number) =>
      toInt((await selectRows<{ token_version: number | string }>(t.db, 'SELECT token_version FROM users WHERE id = ?', [id]))[0].token_version);

    it('disabling the user revokes its tokens, and a fresh token does not help', async () => {
      await patch(subject.id, { disabled: true }).expect(200);
      const res = await t.http.get(PROTECTED).set(bearer(subject)).expect(401);
      expectErrorShape(res.body, 401);
      const fresh = t.token({ id: subject.id, role: 'reporter', tokenVersion: await tokenVersion(subject.id) });
      await t.http.get(PROTECTED).set('Authorization', `Bearer ${fresh}`).expect(401);
    });

    it('re-enabling a disabled user does not bring its old tokens back', async () => {
      await patch(subject.id, { disabled: true }).expect(200);
      await patch(subject.id, { disabled: false }).expect(200);
      await t.http.get(PROTECTED).set(bearer(subject)).expect(401);
      const fresh = t.token({ id: subject.id, role: 'reporter', tokenVersion: await tokenVersion(subject.id) });
      await t.http.get(PROTECTED).set('Authorization', `Bearer ${fresh}`).expect(200);
    });

    it('a new password revokes the existing tokens; a token of the new version works', async () => {
      await patch(subject.id, { password: 'a-brand-new-password' }).expect(200);
      await t.http.get(PROTECTED).set(bearer(subject)).expect(401);
      const fresh = t.token({ id: subject.id, role: 'reporter', tokenVersion: await tokenVersion(subject.id) });
      await t.http.get(PROTECTED).set('Authorization', `Bearer ${fresh}`).expect(200);
    });

    it('a move to another unit revokes the existing tokens', async () => {
      await patch(subject.id, { orgUnitId: tree.yuguopu.id }).expect(200);
      await t.http.get(PROTECTED).set(bearer(subject)).expect(401);
    });

    it('a display name change keeps the tokens valid', async () => {
      await patch(subject.id, { displayName: '张三' }).expect(200);
      await t.http.get(PROTECTED).set(bearer(subject)).expect(200);
      expect(await tokenVersion(subject.id)).toBe(0);
    });

    it('a "move" to the unit the user is already in, or re-enabling an enabled user, revokes nothing', async () => {
      await patch(subject.id, { orgUnitId: tree.wenlan.id, disabled: false }).expect(200);
      await t.http.get(PROTECTED).set(bearer(subject)).expect(200);
    });
  });
});

describe('auth: login rate limit', () => {
  let t: TestApp;
  let user: UserRef;
  beforeAll(async () => {
    t = await TestApp.start();
    const tree = await standardTree(t);
    user = await createUser(t, 'coordinator', tree.mengzi);
  });
  afterAll(() => t.close());

  it('answers 429 in the error shape on the 11th attempt within a minute, even with the right password', async () => {
    for (let i = 0; i < 10; i += 1) {
      await t.http.post(LOGIN).send({ username: user.username, password: `wrong-${i}` }).expect(401);
    }
    const res = await t.http.post(LOGIN).send({ username: user.username, password: TEST_PASSWORD }).expect(429);
    expectErrorShape(res.body, 429);
    // Only login is limited: other routes keep answering.
    await t.http.get('/api/v1/health').expect(200);
    await t.http.get(PROTECTED).set(bearer(user)).expect(200);
  });
});
