import { selectRows, toInt } from '@/database/dialect';
import { bearer, createUser, standardTree, standardUsers, StandardTree, StandardUsers, TEST_PASSWORD, UserRef } from '../factories';
import { TestApp } from '../utils/test-app';

const USERS = '/api/v1/users';
const NON_ADMIN = ['issuer', 'reporter', 'villageReporter', 'coordinator', 'inspector', 'gejiuCoordinator', 'gejiuInspector'] as const;

interface AuditRow {
  action: string;
  actor_id: number | string | null;
  unit_path: string | null;
  before_json: string | null;
  after_json: string | null;
}

let seq = 0;
const uniqueName = (prefix: string) => `${prefix}-${++seq}-${Date.now().toString(36)}`;

describe('users (admin only)', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
  });
  afterAll(() => t.close());

  const post = (body: object, as: UserRef = users.admin) => t.http.post(USERS).set(bearer(as)).send(body);
  const patch = (id: number | string, body: object, as: UserRef = users.admin) => t.http.patch(`${USERS}/${id}`).set(bearer(as)).send(body);
  const auditOf = (id: number) =>
    selectRows<AuditRow>(
      t.db,
      `SELECT action, actor_id, unit_path, before_json, after_json FROM audit_log WHERE entity_type = 'user' AND entity_id = ? ORDER BY id`,
      [String(id)],
    );
  const hashOf = async (id: number) =>
    (await selectRows<{ password_hash: string }>(t.db, 'SELECT password_hash FROM users WHERE id = ?', [id]))[0].password_hash;

  describe('roles', () => {
    it.each(NON_ADMIN)('%s gets 403 on GET, POST and PATCH', async (who) => {
      const as = users[who];
      const list = await t.http.get(USERS).set(bearer(as)).expect(403);
      expect(list.body).toEqual({ statusCode: 403, error: 'Forbidden', message: expect.any(String) });
      await post({ username: uniqueName('x'), password: TEST_PASSWORD, role: 'reporter', orgUnitId: tree.wenlan.id }, as).expect(403);
      await patch(as.id, { displayName: 'me' }, as).expect(403);
      await patch(users.reporter.id, { disabled: true }, as).expect(403);
    });

    it('nothing was written by the refused calls', async () => {
      const [{ n }] = await selectRows<{ n: number | string }>(t.db, "SELECT COUNT(*) AS n FROM users WHERE username LIKE 'x-%'");
      expect(toInt(n)).toBe(0);
      const [{ disabled }] = await selectRows<{ disabled: unknown }>(t.db, 'SELECT disabled FROM users WHERE id = ?', [users.reporter.id]);
      expect(disabled === true || disabled === 1).toBe(false);
    });

    it('admin lists users as a page, without password hashes', async () => {
      const res = await t.http.get(USERS).set(bearer(users.admin)).query({ pageSize: 3 }).expect(200);
      expect(res.body).toEqual({ items: expect.any(Array), total: expect.any(Number), page: 1, pageSize: 3 });
      expect(res.body.items).toHaveLength(3);
      expect(res.body.total).toBeGreaterThanOrEqual(8);
      const ids = (res.body.items as { id: number }[]).map((u) => u.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(res.text).not.toMatch(/password|\$2[aby]\$/i);
      const page2 = await t.http.get(USERS).set(bearer(users.admin)).query({ pageSize: 3, page: 2 }).expect(200);
      const ids2 = (page2.body.items as { id: number }[]).map((u) => u.id);
      expect(Math.min(...ids2)).toBeGreaterThan(Math.max(...ids));
    });

    it('admin filters by role, unit and name', async () => {
      const byRole = await t.http.get(USERS).set(bearer(users.admin)).query({ role: 'inspector' }).expect(200);
      expect((byRole.body.items as { id: number }[]).map((u) => u.id).sort()).toEqual([users.inspector.id, users.gejiuInspector.id].sort());
      const byUnit = await t.http.get(USERS).set(bearer(users.admin)).query({ orgUnitId: tree.gejiu.id }).expect(200);
      expect((byUnit.body.items as { id: number }[]).map((u) => u.id).sort()).toEqual([users.gejiuCoordinator.id, users.gejiuInspector.id].sort());
      const byName = await t.http.get(USERS).set(bearer(users.admin)).query({ q: users.villageReporter.username }).expect(200);
      expect(byName.body.total).toBe(1);
      // A LIKE wildcard in q is taken literally.
      const wildcard = await t.http.get(USERS).set(bearer(users.admin)).query({ q: '%' }).expect(200);
      expect(wildcard.body.total).toBe(0);
      await t.http.get(USERS).set(bearer(users.admin)).query({ role: 'root' }).expect(400);
      await t.http.get(USERS).set(bearer(users.admin)).query({ pageSize: 501 }).expect(400);
    });
  });

  describe('POST /users', () => {
    it('creates a user with a hashed password, audited without the hash, who can then log in', async () => {
      const username = uniqueName('mengzi.reporter');
      const res = await post({ username, password: 'first-password', role: 'reporter', orgUnitId: tree.wenlan.id, displayName: '李四' }).expect(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        username,
        displayName: '李四',
        role: 'reporter',
        orgUnitId: tree.wenlan.id,
        disabled: false,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(res.text).not.toMatch(/password/i);
      const hash = await hashOf(res.body.id);
      expect(hash).toMatch(/^\$2[aby]\$/);
      expect(hash).not.toContain('first-password');

      const audit = await auditOf(res.body.id);
      expect(audit.map((a) => a.action)).toEqual(['user.create']);
      expect(toInt(audit[0].actor_id)).toBe(users.admin.id);
      expect(audit[0].unit_path).toBe(tree.wenlan.path);
      expect(JSON.parse(audit[0].after_json!)).toMatchObject({ id: res.body.id, username, role: 'reporter' });
      for (const row of audit) {
        const text = `${row.before_json ?? ''}${row.after_json ?? ''}`;
        expect(text).not.toContain(hash);
        expect(text).not.toContain('first-password');
        expect(text).not.toMatch(/passwordHash|password_hash/);
      }

      const login = await t.http.post('/api/v1/auth/login').send({ username, password: 'first-password' }).expect(200);
      await t.http.get('/api/v1/topics').set('Authorization', `Bearer ${login.body.accessToken}`).expect(200);
    });

    it('creates an admin without a unit, the unit left out or given as null', async () => {
      const res = await post({ username: uniqueName('ops'), password: TEST_PASSWORD, role: 'admin' }).expect(201);
      expect(res.body).toMatchObject({ role: 'admin', orgUnitId: null });
      expect((await auditOf(res.body.id))[0].unit_path).toBeNull();
      const withNull = await post({ username: uniqueName('ops'), password: TEST_PASSWORD, role: 'admin', orgUnitId: null, displayName: null }).expect(201);
      expect(withNull.body).toMatchObject({ role: 'admin', orgUnitId: null, displayName: null });
    });

    const valid = () => ({ username: uniqueName('u'), password: TEST_PASSWORD, role: 'issuer', orgUnitId: tree.education.id });

    it.each([
      ['an unknown field', { isAdmin: true }, 'isAdmin'],
      ['a tokenVersion', { tokenVersion: 5 }, 'tokenVersion'],
      ['a short password', { password: 'short' }, 'password'],
      ['an unknown role', { role: 'root' }, 'role'],
      ['a non-integer orgUnitId', { orgUnitId: '3' }, 'orgUnitId'],
      ['a username with spaces', { username: 'a b' }, 'username'],
      ['a missing username', { username: undefined }, 'username'],
      ['a null password', { password: null }, 'password'],
      ['a null role', { role: null }, 'role'],
    ])('answers 400 naming the field for %s', async (_what, change, field) => {
      const res = await post({ ...valid(), ...change }).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining(field) });
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it.each([
      ['an admin with a unit', () => ({ role: 'admin', orgUnitId: tree.mengzi.id })],
      ['a non-admin without a unit', () => ({ role: 'coordinator', orgUnitId: undefined })],
      ['a non-admin with a null unit', () => ({ role: 'inspector', orgUnitId: null })],
      ['a unit that does not exist', () => ({ orgUnitId: 999_999 })],
    ])('answers 422 on orgUnitId for %s', async (_what, change) => {
      const body = { ...valid(), ...change() };
      const res = await post(body).expect(422);
      expect(res.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity', message: expect.stringContaining('orgUnitId') });
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'orgUnitId' })]);
      const rows = await selectRows(t.db, 'SELECT id FROM users WHERE username = ?', [body.username]);
      expect(rows).toHaveLength(0);
    });

    it('answers 409 for a taken username, and writes nothing', async () => {
      const before = await selectRows(t.db, 'SELECT id FROM audit_log');
      const res = await post({ ...valid(), username: users.coordinator.username }).expect(409);
      expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict', message: expect.stringContaining(users.coordinator.username), details: [{ field: 'username' }] });
      expect(await selectRows(t.db, 'SELECT id FROM audit_log')).toHaveLength(before.length);
    });
  });

  describe('PATCH /users/:id', () => {
    let subject: UserRef;
    beforeEach(async () => {
      subject = await createUser(t, 'reporter', tree.wenlan);
    });

    it('resets the password: the new one logs in, the old one no longer does; audited without hashes', async () => {
      const oldHash = await hashOf(subject.id);
      const res = await patch(subject.id, { password: 'a-new-password-1' }).expect(200);
      expect(res.text).not.toMatch(/password/i);
      const newHash = await hashOf(subject.id);
      expect(newHash).not.toBe(oldHash);
      await t.http.post('/api/v1/auth/login').send({ username: subject.username, password: TEST_PASSWORD }).expect(401);
      await t.http.post('/api/v1/auth/login').send({ username: subject.username, password: 'a-new-password-1' }).expect(200);

      const audit = await auditOf(subject.id);
      expect(audit.map((a) => a.action)).toEqual(['user.update']);
      expect(JSON.parse(audit[0].after_json!)).toMatchObject({ passwordChanged: true, tokensRevoked: true });
      for (const row of audit) {
        const text = `${row.before_json ?? ''}${row.after_json ?? ''}`;
        expect(text).not.toContain(oldHash);
        expect(text).not.toContain(newHash);
        expect(text).not.toContain('a-new-password-1');
      }
    });

    it('disables a user: audited with before and after', async () => {
      const res = await patch(subject.id, { disabled: true }).expect(200);
      expect(res.body).toMatchObject({ id: subject.id, disabled: true });
      const [entry] = await auditOf(subject.id);
      expect(entry.action).toBe('user.update');
      expect(JSON.parse(entry.before_json!)).toMatchObject({ disabled: false });
      expect(JSON.parse(entry.after_json!)).toMatchObject({ disabled: true, tokensRevoked: true, passwordChanged: false });
    });

    it('moves a user to another unit: audited under the new unit', async () => {
      const res = await patch(subject.id, { orgUnitId: tree.gejiuTown.id }).expect(200);
      expect(res.body).toMatchObject({ orgUnitId: tree.gejiuTown.id });
      const [entry] = await auditOf(subject.id);
      expect(entry.unit_path).toBe(tree.gejiuTown.path);
      expect(JSON.parse(entry.before_json!)).toMatchObject({ orgUnitId: tree.wenlan.id });
    });

    it('sets and clears the display name', async () => {
      await patch(subject.id, { displayName: '王五' }).expect(200, /王五/);
      const res = await patch(subject.id, { displayName: null }).expect(200);
      expect(res.body.displayName).toBeNull();
    });

    it('answers 404 for an unknown user and 400 for a non-numeric id', async () => {
      const missing = await patch(999_999, { displayName: 'x' }).expect(404);
      expect(missing.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
      const bad = await patch('abc', { displayName: 'x' }).expect(400);
      expect(bad.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
    });

    it('answers 400 for fields that cannot be patched or have the wrong type', async () => {
      for (const [body, field] of [
        [{ role: 'admin' }, 'role'],
        [{ username: 'renamed' }, 'username'],
        [{ disabled: 'yes' }, 'disabled'],
        [{ password: 'short' }, 'password'],
        [{ orgUnitId: 'x' }, 'orgUnitId'],
        // null is not "leave it": it would reach the database or bcrypt.
        [{ disabled: null }, 'disabled'],
        [{ password: null }, 'password'],
      ] as const) {
        const res = await patch(subject.id, body).expect(400);
        expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      }
      expect(await auditOf(subject.id)).toHaveLength(0);
    });

    it('answers 422 for a unit that does not exist, for giving an admin a unit, and for disabling oneself', async () => {
      const unknown = await patch(subject.id, { orgUnitId: 999_999 }).expect(422);
      expect(unknown.body.details).toEqual([expect.objectContaining({ field: 'orgUnitId' })]);
      const otherAdmin = await createUser(t, 'admin', null);
      const admin = await patch(otherAdmin.id, { orgUnitId: tree.mengzi.id }).expect(422);
      expect(admin.body.details).toEqual([expect.objectContaining({ field: 'orgUnitId' })]);
      const self = await patch(users.admin.id, { disabled: true }).expect(422);
      expect(self.body.details).toEqual([expect.objectContaining({ field: 'disabled' })]);
      const noUnit = await patch(subject.id, { orgUnitId: null }).expect(422);
      expect(noUnit.body.details).toEqual([expect.objectContaining({ field: 'orgUnitId' })]);
      // For an admin, null is what it already has.
      await patch(otherAdmin.id, { orgUnitId: null, displayName: 'ops' }).expect(200);
      expect(await auditOf(subject.id)).toHaveLength(0);
    });
  });
});
