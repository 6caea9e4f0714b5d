import type { Response } from 'supertest';
import { execute, selectRows, toInt } from '@/database/dialect';
import { bearer, createUnit, createUser, standardTree, standardUsers, StandardTree, StandardUsers, UserRef } from '../factories';
import { TestApp } from '../utils/test-app';

const API = '/api/v1';

interface AuditRecord {
  action: string;
  entity_type: string;
  entity_id: string | null;
  unit_path: string | null;
  actor: string;
  before_json: string | null;
  after_json: string | null;
}

/** The codes of a list answer, in the order returned. */
const codes = (res: Response): string[] => (res.body.items as { code: string }[]).map((u) => u.code);

/** Field names an error answer blames, whether details is a list or a single object. */
function blamedFields(res: Response): string[] {
  const details: unknown = res.body.details;
  const list = Array.isArray(details) ? details : [];
  return (list as { field?: string }[]).map((d) => d.field).filter((f): f is string => typeof f === 'string');
}

function expectError(res: Response, status: number, field?: string): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { statusCode: status, error: expect.any(String), message: expect.any(String) } });
  if (field !== undefined) expect(blamedFields(res)).toContain(field);
}

describe('org units', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;

  const auditCount = async (): Promise<number> => toInt((await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM audit_log'))[0].n);
  const unitCount = async (): Promise<number> => toInt((await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM org_units'))[0].n);
  const auditOf = (action: string, entityId: number): Promise<AuditRecord[]> =>
    selectRows<AuditRecord>(
      t.db,
      'SELECT action, entity_type, entity_id, unit_path, actor, before_json, after_json FROM audit_log WHERE action = ? AND entity_id = ? ORDER BY id',
      [action, String(entityId)],
    );
  const list = (user: UserRef, query: Record<string, string | number> = {}) => t.http.get(`${API}/org-units`).query({ pageSize: 500, ...query }).set(bearer(user));

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
  });
  afterAll(() => t.close());

  describe('authentication', () => {
    it('answers 401 to every route without a token, and with a bad one', async () => {
      const calls = [
        t.http.get(`${API}/org-units`),
        t.http.get(`${API}/org-units/${tree.mengzi.id}`),
        t.http.post(`${API}/org-units`).send({ code: '532503003', name: 'x', kind: 'area', level: 'township', parentId: tree.mengzi.id }),
        t.http.patch(`${API}/org-units/${tree.mengzi.id}`).send({ name: 'x' }),
        t.http.post(`${API}/org-units/import`).attach('file', Buffer.from('code,name,level,parentCode\n'), 'units.csv'),
        t.http.get(`${API}/org-units`).set('Authorization', 'Bearer not-a-token'),
      ];
      for (const res of await Promise.all(calls)) expectError(res, 401);
    });

    it('answers 401 to an expired token, a revoked token and a disabled user', async () => {
      const expired = t.token({ id: users.coordinator.id, role: 'coordinator' }, -10);
      expectError(await t.http.get(`${API}/org-units`).set('Authorization', `Bearer ${expired}`), 401);

      const revoked = await createUser(t, 'coordinator', tree.mengzi);
      await t.http.get(`${API}/org-units`).set(bearer(revoked)).expect(200);
      await execute(t.db, 'UPDATE users SET token_version = token_version + 1 WHERE id = ?', [revoked.id]);
      expectError(await t.http.get(`${API}/org-units/${tree.mengzi.id}`).set(bearer(revoked)), 401);

      const disabled = await createUser(t, 'admin', null);
      await execute(t.db, 'UPDATE users SET disabled = ? WHERE id = ?', [true, disabled.id]);
      expectError(await t.http.post(`${API}/org-units`).set(bearer(disabled)).send({ code: '54', name: '西藏自治区', kind: 'area', level: 'province' }), 401);
    });
  });

  describe('reading within jurisdiction', () => {
    const mengziSubtree = () => ['532503', '532503-JYJ', '532503001', '532503001001', '532503002'];

    it('shows admin the whole tree, sorted by path, with the page envelope', async () => {
      const res = await list(users.admin).expect(200);
      expect(res.body).toMatchObject({ total: 9, page: 1, pageSize: 500 });
      expect(codes(res)).toEqual(['53', '5325', '532501', '532501001', '532503', '532503-JYJ', '532503001', '532503001001', '532503002']);
      expect(res.body.items[0]).toEqual({
        id: tree.yunnan.id,
        code: '53',
        name: '云南省',
        kind: 'area',
        level: 'province',
        parentId: null,
        path: '/53/',
        staffCount: 10,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    });

    it.each([
      ['coordinator of 蒙自市', 'coordinator', mengziSubtree],
      ['inspector of 蒙自市', 'inspector', mengziSubtree],
      ['issuer in 蒙自市教育局 (the county it belongs to)', 'issuer', mengziSubtree],
      ['reporter of 文澜街道', 'reporter', () => ['532503001', '532503001001']],
      ['reporter of 文澜社区', 'villageReporter', () => ['532503001001']],
      ['coordinator of 个旧市', 'gejiuCoordinator', () => ['532501', '532501001']],
      ['inspector of 个旧市', 'gejiuInspector', () => ['532501', '532501001']],
    ] as const)('lists exactly its jurisdiction to the %s', async (_who, key, expected) => {
      const res = await list(users[key]).expect(200);
      expect(codes(res)).toEqual(expected());
      expect(res.body.total).toBe(expected().length);
    });

    it('gives every role a unit of its jurisdiction in full, with its staff history', async () => {
      for (const key of ['admin', 'coordinator', 'inspector', 'issuer', 'reporter'] as const) {
        const res = await t.http.get(`${API}/org-units/${tree.wenlan.id}`).set(bearer(users[key])).expect(200);
        expect(res.body).toMatchObject({ id: tree.wenlan.id, code: '532503001', name: '文澜街道', path: tree.wenlan.path, staffHistory: [] });
      }
    });

    it('answers 403 for a unit outside the jurisdiction', async () => {
      const cases: [UserRef, number][] = [
        [users.coordinator, tree.gejiu.id],
        [users.coordinator, tree.gejiuTown.id],
        [users.inspector, tree.gejiu.id],
        [users.issuer, tree.gejiuTown.id],
        [users.reporter, tree.yuguopu.id],
        [users.villageReporter, tree.education.id],
        [users.gejiuCoordinator, tree.mengzi.id],
        [users.gejiuCoordinator, tree.village.id],
      ];
      for (const [user, id] of cases) expectError(await t.http.get(`${API}/org-units/${id}`).set(bearer(user)), 403);
    });

    it("shows a unit's own users the names of its ancestors, and nothing more", async () => {
      for (const [user, unit] of [
        [users.reporter, tree.mengzi],
        [users.reporter, tree.yunnan],
        [users.villageReporter, tree.wenlan],
        [users.coordinator, tree.honghe],
        [users.issuer, tree.honghe],
        [users.gejiuInspector, tree.yunnan],
      ] as const) {
        const res = await t.http.get(`${API}/org-units/${unit.id}`).set(bearer(user)).expect(200);
        expect(Object.keys(res.body).sort()).toEqual(['code', 'id', 'kind', 'level', 'name', 'parentId']);
        expect(res.body.code).toBe(unit.code);
      }
    });

    it('answers 404 for a unit that does not exist, 400 for an id that is not a number, never 5xx', async () => {
      expectError(await t.http.get(`${API}/org-units/999999`).set(bearer(users.admin)), 404);
      expectError(await t.http.get(`${API}/org-units/99999999999`).set(bearer(users.admin)), 404);
      expectError(await t.http.get(`${API}/org-units/abc`).set(bearer(users.admin)), 400);
      expectError(await t.http.get(`${API}/org-units/1.5`).set(bearer(users.admin)), 400);
    });

    it('answers 403 to underId outside the jurisdiction, 422 to one that does not exist', async () => {
      expectError(await list(users.coordinator, { underId: tree.gejiu.id }), 403);
      expectError(await list(users.reporter, { underId: tree.mengzi.id }), 403);
      expectError(await list(users.gejiuInspector, { underId: tree.wenlan.id }), 403);
      expectError(await list(users.admin, { underId: 999999 }), 422, 'underId');
    });

    it('never lists children of a unit outside the jurisdiction', async () => {
      const res = await list(users.coordinator, { parentId: tree.gejiu.id }).expect(200);
      expect(res.body).toMatchObject({ items: [], total: 0 });
    });
  });

  describe('filters and paging', () => {
    it('parentId lists direct children only', async () => {
      expect(codes(await list(users.admin, { parentId: tree.mengzi.id }).expect(200))).toEqual(['532503-JYJ', '532503001', '532503002']);
      expect(codes(await list(users.admin, { parentId: tree.village.id }).expect(200))).toEqual([]);
    });

    it('underId lists the whole subtree, the unit itself included', async () => {
      expect(codes(await list(users.admin, { underId: tree.mengzi.id }).expect(200))).toEqual(['532503', '532503-JYJ', '532503001', '532503001001', '532503002']);
      expect(codes(await list(users.reporter, { underId: tree.wenlan.id }).expect(200))).toEqual(['532503001', '532503001001']);
    });

    it('level, kind and q filter, alone and together', async () => {
      expect(codes(await list(users.admin, { level: 'township' }).expect(200))).toEqual(['532501001', '532503001', '532503002']);
      expect(codes(await list(users.admin, { level: 'county' }).expect(200))).toEqual(['532501', '532503', '532503-JYJ']);
      expect(codes(await list(users.admin, { kind: 'department' }).expect(200))).toEqual(['532503-JYJ']);
      expect(codes(await list(users.admin, { kind: 'area', level: 'county' }).expect(200))).toEqual(['532501', '532503']);
      expect(codes(await list(users.admin, { q: '街道' }).expect(200))).toEqual(['532501001', '532503001', '532503002']);
      expect(codes(await list(users.admin, { q: '532501' }).expect(200))).toEqual(['532501']);
      expect(codes(await list(users.admin, { q: '%' }).expect(200))).toEqual([]);
      expect(codes(await list(users.admin, { q: '_' }).expect(200))).toEqual([]);
      expect(codes(await list(users.coordinator, { q: '街道' }).expect(200))).toEqual(['532503001', '532503002']);
      expect(codes(await list(users.admin, { underId: tree.mengzi.id, level: 'township', q: '文澜' }).expect(200))).toEqual(['532503001']);
    });

    it('pages through a stable order without gaps or repeats', async () => {
      const all = codes(await list(users.admin).expect(200));
      const seen: string[] = [];
      for (let page = 1; page <= 5; page++) {
        const res = await list(users.admin, { page, pageSize: 2 }).expect(200);
        expect(res.body).toMatchObject({ total: all.length, page, pageSize: 2 });
        seen.push(...codes(res));
      }
      expect(seen).toEqual(all);
      const beyond = await list(users.admin, { page: 6, pageSize: 2 }).expect(200);
      expect(beyond.body).toMatchObject({ items: [], total: all.length });
      const defaults = await t.http.get(`${API}/org-units`).set(bearer(users.admin)).expect(200);
      expect(defaults.body).toMatchObject({ page: 1, pageSize: 50 });
    });

    it('answers 400 naming the parameter for bad paging and filters', async () => {
      expectError(await list(users.admin, { pageSize: 501 }), 400, 'pageSize');
      expectError(await list(users.admin, { pageSize: 0 }), 400, 'pageSize');
      expectError(await list(users.admin, { page: 0 }), 400, 'page');
      expectError(await list(users.admin, { page: 'x' }), 400, 'page');
      expectError(await list(users.admin, { level: 'city' }), 400, 'level');
      expectError(await list(users.admin, { kind: 'office' }), 400, 'kind');
      expectError(await list(users.admin, { parentId: 'abc' }), 400, 'parentId');
      expectError(await list(users.admin, { parentId: 99999999999 }), 400, 'parentId');
      expectError(await list(users.admin, { underId: -3 }), 400, 'underId');
      expectError(await list(users.admin, { q: 'x'.repeat(101) }), 400, 'q');
      expectError(await list(users.admin, { sort: 'name' }), 400, 'sort');
    });
  });

  describe('writing (admin only)', () => {
    const township = (code: string, extra: Record<string, unknown> = {}) => ({ code, name: `乡镇${code}`, kind: 'area', level: 'township', parentId: tree.mengzi.id, ...extra });

    it('refuses every other role with 403 and changes nothing', async () => {
      const [unitsBefore, auditBefore] = [await unitCount(), await auditCount()];
      for (const key of ['issuer', 'reporter', 'villageReporter', 'coordinator', 'inspector', 'gejiuCoordinator'] as const) {
        const user = users[key];
        expectError(await t.http.post(`${API}/org-units`).set(bearer(user)).send(township('532503090')), 403);
        expectError(await t.http.patch(`${API}/org-units/${tree.wenlan.id}`).set(bearer(user)).send({ name: '改名' }), 403);
        const file = Buffer.from('code,name,level,parentCode\n532503091,乡镇,township,532503\n', 'utf8');
        expectError(await t.http.post(`${API}/org-units/import`).set(bearer(user)).attach('file', file, 'units.csv'), 403);
      }
      expect(await unitCount()).toBe(unitsBefore);
      expect(await auditCount()).toBe(auditBefore);
      const [wenlan] = await selectRows<{ name: string }>(t.db, 'SELECT name FROM org_units WHERE id = ?', [tree.wenlan.id]);
      expect(wenlan.name).toBe('文澜街道');
    });

    it('creates an area unit under its parent, with its staff history and one audit entry', async () => {
      const auditBefore = await auditCount();
      const res = await t.http.post(`${API}/org-units`).set(bearer(users.admin)).send(township('532503003', { name: '新安所镇', staffCount: 42 })).expect(201);
      expect(res.body).toMatchObject({
        id: expect.any(Number),
        code: '532503003',
        name: '新安所镇',
        kind: 'area',
        level: 'township',
        parentId: tree.mengzi.id,
        path: '/53/5325/532503/532503003/',
        staffCount: 42,
      });
      const id = res.body.id as number;
      const got = await t.http.get(`${API}/org-units/${id}`).set(bearer(users.coordinator)).expect(200);
      expect(got.body.staffHistory).toEqual([{ staffCount: 42, effectiveFrom: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) }]);
      expect(await auditCount()).toBe(auditBefore + 1);
      const [entry] = await auditOf('org-unit.create', id);
      expect(entry).toMatchObject({ entity_type: 'org_unit', unit_path: '/53/5325/532503/532503003/', actor: users.admin.username });
      expect(JSON.parse(entry.after_json!)).toMatchObject({ code: '532503003', name: '新安所镇' });
      // The new unit is visible to the county's users at once.
      expect(codes(await list(users.coordinator, { parentId: tree.mengzi.id }).expect(200))).toContain('532503003');
    });

    it('creates a department at its area unit level, and a province without a parent', async () => {
      const dept = await t.http
        .post(`${API}/org-units`)
        .set(bearer(users.admin))
        .send({ code: '532503-YJJ', name: '蒙自市应急管理局', kind: 'department', level: 'county', parentId: tree.mengzi.id })
        .expect(201);
      expect(dept.body).toMatchObject({ path: '/53/5325/532503/532503-YJJ/', staffCount: 0 });
      const province = await t.http.post(`${API}/org-units`).set(bearer(users.admin)).send({ code: '52', name: '贵州省', kind: 'area', level: 'province' }).expect(201);
      expect(province.body).toMatchObject({ parentId: null, path: '/52/' });
      expect(await auditOf('org-unit.create', dept.body.id)).toHaveLength(1);
      expect(await auditOf('org-unit.create', province.body.id)).toHaveLength(1);
    });

    it('answers 400 naming the field for unknown fields and wrong types', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [township('532503010', { colour: 'red' }), 'colour'],
        [township('532503010', { id: 5 }), 'id'],
        [township('532503010', { path: '/53/' }), 'path'],
        [{ ...township('532503010'), code: 532503010 }, 'code'],
        [{ ...township('532503010'), code: undefined }, 'code'],
        [{ ...township('532503010'), code: '5325 03' }, 'code'],
        [{ ...township('532503010'), name: '' }, 'name'],
        [{ ...township('532503010'), name: 'x'.repeat(201) }, 'name'],
        [{ ...township('532503010'), name: ['a'] }, 'name'],
        [{ ...township('532503010'), kind: 'office' }, 'kind'],
        [{ ...township('532503010'), level: 'city' }, 'level'],
        [{ ...township('532503010'), parentId: String(tree.mengzi.id) }, 'parentId'],
        [{ ...township('532503010'), parentId: 1.5 }, 'parentId'],
        [{ ...township('532503010'), parentId: 99999999999 }, 'parentId'],
        [township('532503010', { staffCount: -1 }), 'staffCount'],
        [township('532503010', { staffCount: 'ten' }), 'staffCount'],
        [township('532503010', { staffCount: null }), 'staffCount'],
        [{ ...township('532503010'), name: null }, 'name'],
      ];
      const before = [await unitCount(), await auditCount()];
      for (const [body, field] of cases) {
        expectError(await t.http.post(`${API}/org-units`).set(bearer(users.admin)).send(body), 400, field);
      }
      expect([await unitCount(), await auditCount()]).toEqual(before);
    });

    it('answers 400 to a body that is not a JSON object', async () => {
      expectError(await t.http.post(`${API}/org-units`).set(bearer(users.admin)).set('Content-Type', 'application/json').send('{"code":'), 400);
      expectError(await t.http.post(`${API}/org-units`).set(bearer(users.admin)).send([township('532503010')]), 400);
    });

    it('answers 413 to an oversized body', async () => {
      const res = await t.http.post(`${API}/org-units`).set(bearer(users.admin)).send(township('532503010', { name: 'x'.repeat(1_100_000) }));
      expectError(res, 413);
    });

    it('answers 422 naming the field for a body the tree refuses', async () => {
      const cases: [Record<string, unknown>, string][] = [
        // A parent that does not exist.
        [township('532503011', { parentId: 999999 }), 'parentId'],
        // Only a province may stand alone.
        [{ code: '532503011', name: '孤镇', kind: 'area', level: 'township' }, 'parentId'],
        [{ code: '53-GOV', name: '无上级部门', kind: 'department', level: 'province' }, 'parentId'],
        // An area code that does not extend its parent's.
        [township('532599011'), 'code'],
        // An area code that is not a division code.
        [township('53250301A'), 'code'],
        // A level not below the parent's.
        [{ code: '532504', name: '同级县', kind: 'area', level: 'county', parentId: tree.mengzi.id }, 'level'],
        // A level that does not fit the code's length.
        [{ code: '532503011', name: '错级', kind: 'area', level: 'village', parentId: tree.mengzi.id }, 'level'],
        // Nothing hangs under a department.
        [{ code: '532503-JYJ-1', name: '科室', kind: 'department', level: 'county', parentId: tree.education.id }, 'parentId'],
        // A department acts at its area unit's level.
        [{ code: '532503-WJW', name: '卫健局', kind: 'department', level: 'township', parentId: tree.mengzi.id }, 'level'],
      ];
      const before = [await unitCount(), await auditCount()];
      for (const [body, field] of cases) {
        const res = await t.http.post(`${API}/org-units`).set(bearer(users.admin)).send(body);
        expectError(res, 422, field);
        expect(res.body.details).toEqual([{ field, message: expect.any(String) }]);
      }
      expect([await unitCount(), await auditCount()]).toEqual(before);
    });

    it('answers 409 to a duplicate code, naming the field', async () => {
      const before = [await unitCount(), await auditCount()];
      const res = await t.http.post(`${API}/org-units`).set(bearer(users.admin)).send(township('532503001', { name: '另一个文澜' }));
      expectError(res, 409, 'code');
      const dept = await t.http
        .post(`${API}/org-units`)
        .set(bearer(users.admin))
        .send({ code: '532503-JYJ', name: '重复', kind: 'department', level: 'county', parentId: tree.mengzi.id });
      expectError(dept, 409, 'code');
      expect([await unitCount(), await auditCount()]).toEqual(before);
    });

    it('creates once for a retried POST with the same Idempotency-Key', async () => {
      const body = township('532503004', { name: '草坝镇' });
      const first = await t.http.post(`${API}/org-units`).set(bearer(users.admin)).set('Idempotency-Key', 'org-unit-532503004').send(body).expect(201);
      const again = await t.http.post(`${API}/org-units`).set(bearer(users.admin)).set('Idempotency-Key', 'org-unit-532503004').send(body).expect(201);
      expect(again.body).toEqual(first.body);
      expect(await auditOf('org-unit.create', first.body.id)).toHaveLength(1);
    });
  });

  describe('updating', () => {
    it('renames a unit and audits before and after', async () => {
      const unit = await createUnit(t, '532503005', '期路白乡', tree.mengzi);
      const res = await t.http.patch(`${API}/org-units/${unit.id}`).set(bearer(users.admin)).send({ name: '期路白苗族乡' }).expect(200);
      expect(res.body).toMatchObject({ id: unit.id, name: '期路白苗族乡', code: '532503005', path: unit.path });
      const entries = await auditOf('org-unit.update', unit.id);
      expect(entries).toHaveLength(1);
      expect(JSON.parse(entries[0].before_json!)).toMatchObject({ name: '期路白乡' });
      expect(JSON.parse(entries[0].after_json!)).toMatchObject({ name: '期路白苗族乡' });
      expect(entries[0].unit_path).toBe(unit.path);
    });

    it('moves a subtree, rewriting every descendant path and depth', async () => {
      const wenshan = await createUnit(t, '5326', '文山壮族苗族自治州', tree.yunnan);
      const county = await createUnit(t, '532601', '文山市', wenshan);
      const town = await createUnit(t, '532601001', '开化街道', county);
      const village = await createUnit(t, '532601001001', '东风社区', town);
      const dept = await createUnit(t, '532601-JYJ', '文山市教育局', county, { kind: 'department', level: 'county' });
      const beforeMove = await t.http.get(`${API}/org-units/${village.id}`).set(bearer(users.admin)).expect(200);
      expect(beforeMove.body.path).toBe('/53/5326/532601/532601001/532601001001/');

      const res = await t.http.patch(`${API}/org-units/${county.id}`).set(bearer(users.admin)).send({ parentId: tree.yunnan.id }).expect(200);
      expect(res.body).toMatchObject({ id: county.id, parentId: tree.yunnan.id, path: '/53/532601/' });

      const rows = await selectRows<{ code: string; path: string; depth: number | string; parent_id: number | string | null }>(
        t.db,
        'SELECT code, path, depth, parent_id FROM org_units WHERE id IN (?, ?, ?, ?, ?) ORDER BY path',
        [wenshan.id, county.id, town.id, village.id, dept.id],
      );
      expect(rows.map((r) => ({ code: r.code, path: r.path, depth: toInt(r.depth), parentId: toInt(r.parent_id) }))).toEqual([
        { code: '5326', path: '/53/5326/', depth: 1, parentId: tree.yunnan.id },
        { code: '532601', path: '/53/532601/', depth: 1, parentId: tree.yunnan.id },
        { code: '532601-JYJ', path: '/53/532601/532601-JYJ/', depth: 2, parentId: county.id },
        { code: '532601001', path: '/53/532601/532601001/', depth: 2, parentId: county.id },
        { code: '532601001001', path: '/53/532601/532601001/532601001001/', depth: 3, parentId: town.id },
      ]);
      expect(codes(await list(users.admin, { underId: wenshan.id }).expect(200))).toEqual(['5326']);
      expect(codes(await list(users.admin, { underId: county.id }).expect(200))).toEqual(['532601', '532601-JYJ', '532601001', '532601001001']);
      const entries = await auditOf('org-unit.update', county.id);
      expect(entries).toHaveLength(1);
      expect(JSON.parse(entries[0].before_json!)).toMatchObject({ path: '/53/5326/532601/', parentId: wenshan.id });
      expect(JSON.parse(entries[0].after_json!)).toMatchObject({ path: '/53/532601/', parentId: tree.yunnan.id });
    });

    it('refuses a move into its own subtree (a cycle) with 422 parentId, and changes nothing', async () => {
      const before = await selectRows<{ id: number; path: string }>(t.db, 'SELECT id, path FROM org_units ORDER BY id');
      const auditBefore = await auditCount();
      for (const target of [tree.mengzi.id, tree.wenlan.id, tree.village.id]) {
        expectError(await t.http.patch(`${API}/org-units/${tree.mengzi.id}`).set(bearer(users.admin)).send({ parentId: target }), 422, 'parentId');
      }
      expectError(await t.http.patch(`${API}/org-units/${tree.yunnan.id}`).set(bearer(users.admin)).send({ parentId: tree.gejiuTown.id }), 422, 'parentId');
      expect(await selectRows(t.db, 'SELECT id, path FROM org_units ORDER BY id')).toEqual(before);
      expect(await auditCount()).toBe(auditBefore);
    });

    it('refuses a move the tree rules forbid with 422 parentId', async () => {
      const cases: [number, number][] = [
        // A parent that does not exist.
        [tree.wenlan.id, 999999],
        // Under a unit whose code the township's does not extend.
        [tree.wenlan.id, tree.gejiu.id],
        // Under a department.
        [tree.wenlan.id, tree.education.id],
        // A township under another township.
        [tree.wenlan.id, tree.yuguopu.id],
        // A county department under a township.
        [tree.education.id, tree.wenlan.id],
      ];
      const auditBefore = await auditCount();
      for (const [id, parentId] of cases) {
        const res = await t.http.patch(`${API}/org-units/${id}`).set(bearer(users.admin)).send({ parentId });
        expectError(res, 422, 'parentId');
        expect(res.body.details).toEqual([{ field: 'parentId', message: expect.any(String) }]);
      }
      expect(await auditCount()).toBe(auditBefore);
    });

    it('answers 400 for unknown or mistyped fields and 404 for a unit that does not exist', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ code: '532503099' }, 'code'],
        [{ level: 'village' }, 'level'],
        [{ name: 7 }, 'name'],
        [{ parentId: 'x' }, 'parentId'],
        [{ staffCount: 1.5 }, 'staffCount'],
        [{ staffCount: 3, staffEffectiveFrom: '2026/01/01' }, 'staffEffectiveFrom'],
        [{ staffCount: 3, staffEffectiveFrom: 20260101 }, 'staffEffectiveFrom'],
        [{ name: null }, 'name'],
        [{ staffCount: null }, 'staffCount'],
        [{ parentId: null }, 'parentId'],
        [{ staffCount: 3, staffEffectiveFrom: null }, 'staffEffectiveFrom'],
      ];
      for (const [body, field] of cases) {
        expectError(await t.http.patch(`${API}/org-units/${tree.yuguopu.id}`).set(bearer(users.admin)).send(body), 400, field);
      }
      expectError(await t.http.patch(`${API}/org-units/999999`).set(bearer(users.admin)).send({ name: '无' }), 404);
      expectError(await t.http.patch(`${API}/org-units/99999999999`).set(bearer(users.admin)).send({ name: '无' }), 404);
    });

    it('keeps the staff count history with effective dates', async () => {
      const unit = await createUnit(t, '532503006', '鸣鹫镇', tree.mengzi, { staffCount: 20 });
      await t.http.patch(`${API}/org-units/${unit.id}`).set(bearer(users.admin)).send({ staffCount: 25, staffEffectiveFrom: '2026-01-01' }).expect(200);
      const future = await t.http
        .patch(`${API}/org-units/${unit.id}`)
        .set(bearer(users.admin))
        .send({ staffCount: 30, staffEffectiveFrom: '2099-07-01' })
        .expect(200);
      // The count in force today stays until the future date arrives.
      expect(future.body.staffCount).toBe(25);
      const earlier = await t.http
        .patch(`${API}/org-units/${unit.id}`)
        .set(bearer(users.admin))
        .send({ staffCount: 18, staffEffectiveFrom: '2025-03-01' })
        .expect(200);
      // An earlier date does not displace the later count that is in force.
      expect(earlier.body.staffCount).toBe(25);
      const got = await t.http.get(`${API}/org-units/${unit.id}`).set(bearer(users.coordinator)).expect(200);
      expect(got.body.staffCount).toBe(25);
      expect(got.body.staffHistory).toEqual([
        { staffCount: 18, effectiveFrom: '2025-03-01' },
        { staffCount: 25, effectiveFrom: '2026-01-01' },
        { staffCount: 30, effectiveFrom: '2099-07-01' },
      ]);
      // A correction on the same date replaces that entry rather than adding one.
      await t.http.patch(`${API}/org-units/${unit.id}`).set(bearer(users.admin)).send({ staffCount: 26, staffEffectiveFrom: '2026-01-01' }).expect(200);
      const corrected = await t.http.get(`${API}/org-units/${unit.id}`).set(bearer(users.admin)).expect(200);
      expect(corrected.body.staffCount).toBe(26);
      expect(corrected.body.staffHistory).toHaveLength(3);
      const entries = await auditOf('org-unit.update', unit.id);
      expect(entries).toHaveLength(4);
      expect(JSON.parse(entries[1].after_json!)).toMatchObject({ staffChange: { staffCount: 30, effectiveFrom: '2099-07-01' } });
    });

    it('keeps every path consistent while moves and creates under the moving subtree run at once', async () => {
      const puer = await createUnit(t, '5308', '普洱市', tree.yunnan);
      const county = await createUnit(t, '530802', '思茅区', puer);
      const town = await createUnit(t, '530802001', '思茅镇', county);
      let village = 0;
      for (let round = 0; round < 10; round++) {
        const move = t.http
          .patch(`${API}/org-units/${county.id}`)
          .set(bearer(users.admin))
          .send({ parentId: round % 2 === 0 ? tree.yunnan.id : puer.id });
        const creates = [1, 2, 3].map(() => {
          village += 1;
          const code = `530802001${String(village).padStart(3, '0')}`;
          return t.http.post(`${API}/org-units`).set(bearer(users.admin)).send({ code, name: `村${village}`, kind: 'area', level: 'village', parentId: town.id });
        });
        const results = await Promise.all([move, ...creates]);
        expect(results.map((r) => r.status)).toEqual([200, 201, 201, 201]);
      }
      const [mislinked] = await selectRows<{ n: number | string }>(
        t.db,
        `SELECT COUNT(*) AS n FROM org_units u JOIN org_units p ON p.id = u.parent_id WHERE u.path <> p.path || u.code || '/' OR u.depth <> p.depth + 1`,
      );
      expect(toInt(mislinked.n)).toBe(0);
      expect(codes(await list(users.admin, { underId: town.id }).expect(200))).toHaveLength(31);
    });

    it('answers 422 for a staff date that is no calendar day or comes without a count', async () => {
      const auditBefore = await auditCount();
      expectError(
        await t.http.patch(`${API}/org-units/${tree.yuguopu.id}`).set(bearer(users.admin)).send({ staffCount: 3, staffEffectiveFrom: '2026-02-30' }),
        422,
        'staffEffectiveFrom',
      );
      expectError(await t.http.patch(`${API}/org-units/${tree.yuguopu.id}`).set(bearer(users.admin)).send({ staffEffectiveFrom: '2026-02-01' }), 422, 'staffEffectiveFrom');
      expect(await auditCount()).toBe(auditBefore);
    });
  });
});
