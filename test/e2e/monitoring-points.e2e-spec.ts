import { execute, selectRows, toInt } from '@/database/dialect';
import { bearer, createUser, standardTree, StandardTree, standardUsers, StandardUsers, UserRef } from '../factories';
import { shadowBody } from '../factories/reports';
import { TestApp } from '../utils/test-app';

const BASE = '/api/v1/monitoring-points';

interface MonthRow {
  month: string;
  designated: boolean;
  open: boolean;
  due: boolean;
  expected: number;
  received: number;
  onTime: number;
  deadline: string;
}
interface UnitRow {
  unitId: number;
  expected: number;
  received: number;
  onTime: number;
  reportingRate: number | null;
  timelinessRate: number | null;
  months: MonthRow[];
}

/** Today is 2026-11 or later in these tests' clock (the months used are all past). */
describe('monitoring points (e2e)', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  let villageReporter: UserRef;
  let yuguopuReporter: UserRef;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    villageReporter = await createUser(t, 'reporter', tree.village);
    yuguopuReporter = await createUser(t, 'reporter', tree.yuguopu);
    // The units existed long before the period, except 雨过铺街道, which is created "now" (not open in 2026-Q3).
    for (const u of [tree.wenlan, tree.village, tree.gejiuTown]) await execute(t.db, 'UPDATE org_units SET created_at = ? WHERE id = ?', ['2025-01-01T00:00:00.000Z', u.id]);
    await execute(t.db, 'UPDATE org_units SET created_at = ? WHERE id = ?', ['2026-10-15T00:00:00.000Z', tree.yuguopu.id]);
  });
  afterAll(() => t.close());

  const put = (body: object, as: UserRef = users.coordinator) => t.http.put(BASE).set(bearer(as)).send(body);
  const get = (query: string, as: UserRef = users.coordinator) => t.http.get(`${BASE}?${query}`).set(bearer(as));
  const auditCount = async () => toInt((await selectRows<{ n: number | string }>(t.db, "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'monitoring-point.set'"))[0].n);
  /** Files a shadow report for `month` and backdates its storage instant to `storedAt`. */
  const fileShadow = async (as: UserRef, unitId: number, receivedOn: string, storedAt?: string) => {
    const res = await t.http.post('/api/v1/burden-reports').set(bearer(as)).send(shadowBody({ unitId }, { receivedOn })).expect(201);
    if (storedAt) await execute(t.db, 'UPDATE burden_reports SET created_at = ? WHERE id = ?', [storedAt, res.body.id]);
    return res.body.id as number;
  };

  describe('PUT: designating units', () => {
    it('sets each unit’s window, audits each change once, and repeating the body changes nothing', async () => {
      const before = await auditCount();
      const res = await put({ unitIds: [tree.wenlan.id, tree.yuguopu.id], from: '2026-07' }).expect(200);
      expect(res.body.items).toEqual([
        { unitId: tree.wenlan.id, unitCode: '532503001', unitName: '文澜街道', level: 'township', from: '2026-07', to: null },
        expect.objectContaining({ unitId: tree.yuguopu.id, from: '2026-07', to: null }),
      ]);
      expect(await auditCount()).toBe(before + 2);
      await put({ unitIds: [tree.wenlan.id, tree.yuguopu.id], from: '2026-07' }).expect(200);
      expect(await auditCount()).toBe(before + 2);
      const [entry] = await selectRows<{ unit_path: string }>(t.db, "SELECT unit_path FROM audit_log WHERE action = 'monitoring-point.set' AND entity_id = ?", [String(tree.wenlan.id)]);
      expect(entry.unit_path).toBe(tree.wenlan.path);
    });

    it('designates a village from the middle of the quarter', async () => {
      await put({ unitIds: [tree.village.id], from: '2026-08' }).expect(200);
    });

    it('answers 403 naming a unit outside the jurisdiction (the org tree is no secret, DESIGN §1), and 422 naming an unknown unit, a department, the coordinator’s own unit, and a window ending before it starts', async () => {
      const outside = await put({ unitIds: [tree.wenlan.id] }, users.gejiuCoordinator).expect(400);
      expect(outside.body.message).toBeDefined();
      const points = async () => selectRows(t.db, 'SELECT unit_id, from_month, to_month FROM monitoring_points ORDER BY unit_id');
      const before = await points();
      const a = await put({ unitIds: [tree.yuguopu.id, tree.wenlan.id], from: '2026-07' }, users.gejiuCoordinator).expect(403);
      expect(a.body.details).toEqual([expect.objectContaining({ field: 'unitIds[0]' }), expect.objectContaining({ field: 'unitIds[1]' })]);
      expect(await points()).toEqual(before);
      const ghost = await put({ unitIds: [999_999], from: '2026-07' }, users.gejiuCoordinator).expect(422);
      expect(ghost.body.details).toEqual([{ field: 'unitIds[0]', message: 'unit 999999 is not a unit below yours in your jurisdiction' }]);
      const b = await put({ unitIds: [tree.wenlan.id, tree.education.id, tree.mengzi.id], from: '2026-07' }).expect(422);
      expect(b.body.details.map((d: { field: string }) => d.field)).toEqual(['unitIds[1]', 'unitIds[2]']);
      const c = await put({ unitIds: [tree.wenlan.id], from: '2026-07', to: '2026-06' }).expect(422);
      expect(c.body.details).toEqual([expect.objectContaining({ field: 'to' })]);
      await put({ unitIds: [tree.wenlan.id], from: '2026-13' }).expect(422);
    });

    it('is for coordinators only', async () => {
      for (const who of [users.inspector, users.reporter, users.issuer, users.admin]) await put({ unitIds: [tree.wenlan.id], from: '2026-07' }, who).expect(403);
      await t.http.put(BASE).send({ unitIds: [tree.wenlan.id], from: '2026-07' }).expect(401);
    });
  });

  describe('GET: completeness and timeliness', () => {
    beforeAll(async () => {
      // 文澜街道: July on time (deadline 2026-08-07, the 5th working day of August), August twice
      // but late, September nothing.
      await fileShadow(users.reporter, tree.wenlan.id, '2026-07-03', '2026-08-07T15:59:00.000Z');
      await fileShadow(users.reporter, tree.wenlan.id, '2026-08-03', '2026-09-20T02:00:00.000Z');
      await fileShadow(users.reporter, tree.wenlan.id, '2026-08-10', '2026-09-21T02:00:00.000Z');
      // The village: July (before its designation) and August on time.
      await fileShadow(villageReporter, tree.village.id, '2026-07-05', '2026-07-31T02:00:00.000Z');
      await fileShadow(villageReporter, tree.village.id, '2026-08-05', '2026-09-01T02:00:00.000Z');
      // 雨过铺街道 reported, but did not exist in the quarter: nothing expected, nothing counted.
      await fileShadow(yuguopuReporter, tree.yuguopu.id, '2026-09-05', '2026-09-06T02:00:00.000Z');
    });

    const unit = (items: UnitRow[], id: number) => items.find((i) => i.unitId === id)!;

    it('counts a month expected, received and on time per unit, never above 100 %', async () => {
      const res = await get('period=2026-Q3').expect(200);
      expect(res.body).toMatchObject({ period: '2026-Q3', months: ['2026-07', '2026-08', '2026-09'], deadlineWorkingDays: 5, total: 3, page: 1 });
      const wenlan = unit(res.body.items, tree.wenlan.id);
      expect(wenlan).toMatchObject({ expected: 3, received: 2, onTime: 1, reportingRate: 66.7, timelinessRate: 33.3 });
      expect(wenlan.months.map((m) => [m.month, m.expected, m.received, m.onTime, m.deadline])).toEqual([
        ['2026-07', 1, 1, 1, '2026-08-07'],
        ['2026-08', 1, 1, 0, '2026-09-07'],
        ['2026-09', 1, 0, 0, '2026-10-13'],
      ]);
      for (const item of res.body.items as UnitRow[]) {
        for (const r of [item.reportingRate, item.timelinessRate]) if (r !== null) expect(r).toBeLessThanOrEqual(100);
        for (const m of item.months) expect(m.received).toBeLessThanOrEqual(m.expected);
      }
    });

    it('counts a unit designated mid-period only from its designation', async () => {
      const res = await get('period=2026-Q3').expect(200);
      const village = unit(res.body.items, tree.village.id);
      expect(village.months.map((m) => [m.month, m.designated, m.expected, m.received])).toEqual([
        ['2026-07', false, 0, 0],
        ['2026-08', true, 1, 1],
        ['2026-09', true, 1, 0],
      ]);
      expect(village).toMatchObject({ expected: 2, received: 1, onTime: 1, reportingRate: 50, timelinessRate: 50 });
    });

    it('expects nothing of a unit that did not exist yet, and gives null rates for a zero denominator', async () => {
      const res = await get('period=2026-Q3').expect(200);
      const yuguopu = unit(res.body.items, tree.yuguopu.id);
      expect(yuguopu).toMatchObject({ expected: 0, received: 0, onTime: 0, reportingRate: null, timelinessRate: null });
      expect(yuguopu.months.every((m) => !m.open)).toBe(true);
      expect(res.body.overall).toEqual({ expected: 5, received: 3, onTime: 2, reportingRate: 60, timelinessRate: 40 });
      const october = await get(`period=2026-10&unitId=${tree.yuguopu.id}`).expect(200);
      expect(october.body.items[0].months[0]).toMatchObject({ open: true, expected: 1, received: 0 });
    });

    it('expects nothing of months not begun yet, over a year', async () => {
      const res = await get(`period=2099&unitId=${tree.wenlan.id}`).expect(200);
      expect(res.body.items).toHaveLength(1);
      expect(res.body.items[0]).toMatchObject({ expected: 0, reportingRate: null, timelinessRate: null });
      expect(res.body.items[0].months.every((m: MonthRow) => !m.due)).toBe(true);
    });

    it('ends a designation with `to`: later months are no longer expected', async () => {
      await put({ unitIds: [tree.wenlan.id], from: '2026-07', to: '2026-08' }).expect(200);
      const res = await get(`period=2026-Q3&unitId=${tree.wenlan.id}`).expect(200);
      expect(res.body.items[0]).toMatchObject({ to: '2026-08', expected: 2, received: 2, onTime: 1, reportingRate: 100, timelinessRate: 50 });
      await put({ unitIds: [tree.wenlan.id], from: '2026-07', to: null }).expect(200);
    });

    it('keeps each reader to its jurisdiction; inspectors read, other roles do not', async () => {
      const inspector = await get('period=2026-Q3', users.inspector).expect(200);
      expect(inspector.body.total).toBe(3);
      const other = await get('period=2026-Q3', users.gejiuInspector).expect(200);
      expect(other.body).toMatchObject({ items: [], total: 0, overall: { expected: 0, reportingRate: null, timelinessRate: null } });
      const otherCoordinator = await get(`period=2026-Q3&unitId=${tree.wenlan.id}`, users.gejiuCoordinator).expect(200);
      expect(otherCoordinator.body.total).toBe(0);
      for (const who of [users.reporter, users.issuer, users.admin]) await get('period=2026-Q3', who).expect(403);
      await t.http.get(`${BASE}?period=2026-Q3`).expect(401);
    });

    it('pages the units and rejects a malformed period', async () => {
      const res = await get('period=2026-Q3&pageSize=1&page=2').expect(200);
      expect(res.body).toMatchObject({ total: 3, page: 2, pageSize: 1 });
      expect(res.body.items).toHaveLength(1);
      expect(res.body.overall.expected).toBe(5);
      for (const bad of ['2026-Q5', '2026-13', 'July', '']) await get(`period=${bad}`).expect(400);
    });
  });
});
