import { bearer, createUnit, createUser, standardTree, StandardTree, standardUsers, StandardUsers, UnitRef, UserRef } from '../factories';
import { registerDemand } from '../factories/reports';
import { TestApp } from '../utils/test-app';

const URL = '/api/v1/joint-inspections/suggestions';

interface Suggestion {
  unitId: number;
  unitCode: string;
  unitName: string;
  from: string;
  to: string;
  topics: string[];
  inspections: { demandId: number; registrationNo: string; title: string; issuerId: number; issuerName: string; landsOn: string; topic: string }[];
  visitsSaved: number;
}

describe('joint-inspection suggestions (e2e)', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  let safety: UnitRef;
  let health: UnitRef;
  let safetyIssuer: UserRef;
  let healthIssuer: UserRef;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    safety = await createUnit(t, '532503-YJJ', '蒙自市应急管理局', tree.mengzi, { kind: 'department', level: 'county' });
    health = await createUnit(t, '532503-WJJ', '蒙自市卫生健康局', tree.mengzi, { kind: 'department', level: 'county' });
    safetyIssuer = await createUser(t, 'issuer', safety);
    healthIssuer = await createUser(t, 'issuer', health);
  });
  afterAll(() => t.close());

  /** A one-off inspection landing on `dueOn`, registered through the API. */
  const inspect = (issuer: UserRef, unit: UnitRef, dueOn: string, overrides: Record<string, unknown> = {}) =>
    registerDemand(t, issuer, tree, { targetUnitIds: [unit.id], issuedOn: `${dueOn.slice(0, 8)}01`, dueOn, title: `督查-${dueOn}`, ...overrides }, 'inspection');
  const suggestions = (as: UserRef, query: Record<string, string | number>) => t.http.get(URL).query(query).set(bearer(as));
  const items = (res: { body: { items: Suggestion[] } }) => res.body.items;

  it('proposes one joint visit to a coordinator for two issuers inspecting a township 30 days apart', async () => {
    const education = await inspect(users.issuer, tree.wenlan, '2026-09-15');
    const work = await inspect(safetyIssuer, tree.wenlan, '2026-10-15', { topic: 'work_safety' });
    const res = await suggestions(users.coordinator, { from: '2026-09-01', to: '2026-10-31' }).expect(200);
    expect(res.body).toMatchObject({ from: '2026-09-01', to: '2026-10-31', windowDays: 30, totalVisitsSaved: 1, total: 1, page: 1, pageSize: 50 });
    expect(items(res)).toEqual([
      {
        unitId: tree.wenlan.id,
        unitCode: '532503001',
        unitName: '文澜街道',
        from: '2026-09-15',
        to: '2026-10-15',
        topics: ['education', 'work_safety'],
        inspections: [
          expect.objectContaining({ demandId: education, issuerId: tree.education.id, issuerName: '蒙自市教育局', landsOn: '2026-09-15', topic: 'education', title: '督查-2026-09-15' }),
          expect.objectContaining({ demandId: work, issuerId: safety.id, issuerName: '蒙自市应急管理局', landsOn: '2026-10-15', topic: 'work_safety' }),
        ],
        visitsSaved: 1,
      },
    ]);
    expect(items(res)[0].inspections[0].registrationNo).toMatch(/^532503-2026-\d{6}$/);
    // A coordinator of another county sees nothing of 蒙自市.
    const gejiu = await suggestions(users.gejiuCoordinator, { from: '2026-09-01', to: '2026-10-31' }).expect(200);
    expect(gejiu.body).toMatchObject({ items: [], total: 0, totalVisitsSaved: 0 });
  });

  it('proposes nothing for two inspections 31 days apart (just outside the window)', async () => {
    await inspect(users.issuer, tree.yuguopu, '2026-03-01');
    await inspect(safetyIssuer, tree.yuguopu, '2026-04-01', { topic: 'work_safety' });
    const res = await suggestions(users.coordinator, { from: '2026-02-01', to: '2026-04-30' }).expect(200);
    expect(res.body).toMatchObject({ items: [], total: 0, totalVisitsSaved: 0, windowDays: 30 });
  });

  it('shows an issuer only the groups holding one of its own inspections, and pages them in a stable order', async () => {
    await inspect(users.issuer, tree.wenlan, '2026-06-05');
    await inspect(safetyIssuer, tree.wenlan, '2026-06-10', { topic: 'work_safety' });
    await inspect(safetyIssuer, tree.yuguopu, '2026-06-05', { topic: 'work_safety' });
    await inspect(healthIssuer, tree.yuguopu, '2026-06-12', { topic: 'health' });
    const period = { from: '2026-06-01', to: '2026-06-30' };
    const issuersOf = (s: Suggestion) => s.inspections.map((i) => i.issuerId);

    const coordinator = await suggestions(users.coordinator, period).expect(200);
    expect(coordinator.body).toMatchObject({ total: 2, totalVisitsSaved: 2 });
    expect(items(coordinator).map((s) => [s.unitCode, issuersOf(s)])).toEqual([
      ['532503001', [tree.education.id, safety.id]],
      ['532503002', [safety.id, health.id]],
    ]);

    const education = await suggestions(users.issuer, period).expect(200);
    expect(education.body).toMatchObject({ total: 1, totalVisitsSaved: 1 });
    expect(items(education).map((s) => s.unitCode)).toEqual(['532503001']);
    const healthOnly = await suggestions(healthIssuer, period).expect(200);
    expect(items(healthOnly).map((s) => s.unitCode)).toEqual(['532503002']);
    const both = await suggestions(safetyIssuer, period).expect(200);
    expect(items(both).map((s) => s.unitCode)).toEqual(['532503001', '532503002']);
    const stranger = await suggestions(await createUser(t, 'issuer', tree.wenlan), period).expect(200);
    expect(stranger.body).toMatchObject({ items: [], total: 0 });

    const first = await suggestions(users.coordinator, { ...period, pageSize: 1 }).expect(200);
    const second = await suggestions(users.coordinator, { ...period, pageSize: 1, page: 2 }).expect(200);
    expect(first.body).toMatchObject({ total: 2, totalVisitsSaved: 2, page: 1, pageSize: 1 });
    expect([...items(first), ...items(second)]).toEqual(items(coordinator));
  });

  it('shows an issuer only its own groups of a unit that has several, ordered by group start', async () => {
    await inspect(users.issuer, tree.wenlan, '2026-12-01');
    await inspect(safetyIssuer, tree.wenlan, '2026-12-02', { topic: 'work_safety' });
    await inspect(healthIssuer, tree.wenlan, '2027-01-05', { topic: 'health' });
    await inspect(safetyIssuer, tree.wenlan, '2027-01-08', { topic: 'work_safety' });
    const period = { from: '2026-12-01', to: '2027-01-31' };
    const coordinator = await suggestions(users.coordinator, period).expect(200);
    expect(items(coordinator).map((s) => [s.unitCode, s.from, s.to])).toEqual([
      ['532503001', '2026-12-01', '2026-12-02'],
      ['532503001', '2027-01-05', '2027-01-08'],
    ]);
    const education = await suggestions(users.issuer, period).expect(200);
    expect(items(education).map((s) => s.from)).toEqual(['2026-12-01']);
    expect(education.body).toMatchObject({ total: 1, totalVisitsSaved: 1 });
    const healthOnly = await suggestions(healthIssuer, period).expect(200);
    expect(items(healthOnly).map((s) => s.from)).toEqual(['2027-01-05']);
  });

  it('groups one landing of a recurring inspection, and leaves out cancelled and already-joint inspections', async () => {
    // Monthly education inspection of 雨过铺 landing 07-01 and 08-01; safety inspects on 08-20.
    const monthly = await registerDemand(
      t,
      users.issuer,
      tree,
      { targetUnitIds: [tree.yuguopu.id], issuedOn: '2026-06-20', startsOn: '2026-07-01', dueOn: undefined, recurrence: 'monthly', until: '2026-08-31' },
      'inspection',
    );
    await inspect(safetyIssuer, tree.yuguopu, '2026-08-20', { topic: 'work_safety' });
    const recurring = await suggestions(users.coordinator, { from: '2026-07-01', to: '2026-08-31' }).expect(200);
    expect(items(recurring)).toHaveLength(1);
    expect(items(recurring)[0]).toMatchObject({ from: '2026-08-01', to: '2026-08-20', visitsSaved: 1 });
    expect(items(recurring)[0].inspections[0]).toMatchObject({ demandId: monthly, landsOn: '2026-08-01' });

    // Education and safety already inspected 文澜 together (jointWith): one visit, nothing to propose.
    await inspect(users.issuer, tree.wenlan, '2026-11-10', { jointWith: [safety.id] });
    await inspect(safetyIssuer, tree.wenlan, '2026-11-10', { topic: 'work_safety' });
    // A cancelled health inspection nearby will not happen: it adds no visit to save.
    const cancelled = await inspect(healthIssuer, tree.wenlan, '2026-11-20', { topic: 'health' });
    await t.http.post(`/api/v1/demands/${cancelled}/cancel`).set(bearer(healthIssuer)).send({ cancelledOn: '2026-11-05', reason: '并入联合检查' }).expect(200);
    const november = await suggestions(users.coordinator, { from: '2026-11-01', to: '2026-11-30' }).expect(200);
    expect(november.body).toMatchObject({ items: [], total: 0, totalVisitsSaved: 0 });

    // A third issuer joining the joint visit saves one visit, not two.
    await inspect(healthIssuer, tree.wenlan, '2026-11-25', { topic: 'health' });
    const joined = await suggestions(users.coordinator, { from: '2026-11-01', to: '2026-11-30' }).expect(200);
    expect(joined.body).toMatchObject({ total: 1, totalVisitsSaved: 1 });
    expect(items(joined)[0].inspections).toHaveLength(3);
  });

  describe('who may ask', () => {
    const period = { from: '2026-01-01', to: '2026-12-31' };
    it.each(['reporter', 'inspector', 'admin'] as const)('a %s gets 403', async (role) => {
      const res = await suggestions(users[role], period).expect(403);
      expect(res.body).toMatchObject({ statusCode: 403 });
    });

    it('no token gets 401', async () => {
      await t.http.get(URL).query(period).expect(401);
    });
  });

  describe('bad queries answer 400 naming the field', () => {
    const fieldsOf = (res: { body: { details?: { field?: string }[] } }) => (res.body.details ?? []).map((d) => d.field);

    it.each([
      ['a malformed from', { from: '2026-9-1', to: '2026-10-01' }, 'from'],
      ['a date that does not exist', { from: '2026-02-30', to: '2026-03-31' }, 'from'],
      ['a malformed to', { from: '2026-09-01', to: 'tomorrow' }, 'to'],
      ['a missing to', { from: '2026-09-01' }, 'to'],
      ['to before from', { from: '2026-09-02', to: '2026-09-01' }, 'to'],
      ['a period of 367 days', { from: '2026-01-01', to: '2027-01-02' }, 'to'],
      ['a page of 0', { from: '2026-01-01', to: '2026-01-31', page: 0 }, 'page'],
    ])('%s', async (_what, query, field) => {
      const res = await suggestions(users.coordinator, query).expect(400);
      expect(fieldsOf(res)).toContain(field);
    });

    it('says how long a period may be', async () => {
      const res = await suggestions(users.coordinator, { from: '2026-01-01', to: '2027-01-02' }).expect(400);
      expect(res.body.message).toContain('at most 366 days');
      await suggestions(users.coordinator, { from: '2026-01-01', to: '2027-01-01' }).expect(200);
    });

    it('rejects an unknown query field', async () => {
      const res = await suggestions(users.coordinator, { from: '2026-01-01', to: '2026-01-31', unitId: tree.wenlan.id }).expect(400);
      expect(fieldsOf(res)).toContain('unitId');
    });
  });
});
