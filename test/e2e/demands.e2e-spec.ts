import { selectRows, toInt } from '@/database/dialect';
import { bearer, createUser, standardTree, StandardTree, standardUsers, StandardUsers, UserRef } from '../factories';
import { demandBody } from '../factories/demands';
import { approvedPlan } from '../factories/plans';
import { TestApp } from '../utils/test-app';

const KINDS = ['inspection', 'report', 'meeting', 'document', 'other'] as const;

describe('demands (e2e)', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  let townshipIssuer: UserRef;
  let gejiuReporter: UserRef;
  let gejiuIssuer: UserRef;
  let prefectureCoordinator: UserRef;
  let provinceInspector: UserRef;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    townshipIssuer = await createUser(t, 'issuer', tree.wenlan);
    gejiuReporter = await createUser(t, 'reporter', tree.gejiuTown);
    gejiuIssuer = await createUser(t, 'issuer', tree.gejiu);
    prefectureCoordinator = await createUser(t, 'coordinator', tree.honghe);
    provinceInspector = await createUser(t, 'inspector', tree.yunnan);
  });
  afterAll(() => t.close());

  const post = (body: object, as: UserRef = users.issuer) => t.http.post('/api/v1/demands').set(bearer(as)).send(body);
  const auditRows = async (id: number) =>
    selectRows<{ action: string }>(t.db, "SELECT action FROM audit_log WHERE entity_type = 'demand' AND entity_id = ? ORDER BY id", [String(id)]);

  describe('registration of each kind', () => {
    it.each(KINDS)('registers a %s with a unique registration number, the policy estimate and an audit entry', async (kind) => {
      const res = await post(demandBody(kind, tree)).expect(201);
      expect(res.body).toMatchObject({
        kind,
        issuerId: tree.education.id,
        status: 'active',
        targetCount: 1,
        estimateSource: 'policy',
        policyVersion: 1,
        landsOn: '2026-09-15',
        occurrences: [{ month: '2026-09', occurrences: 1 }],
        targets: [{ id: tree.wenlan.id, code: tree.wenlan.code }],
        version: 1,
      });
      expect(res.body.registrationNo).toMatch(/^532503-2026-\d{6}$/);
      // The default inspection (no approved plan) and app task (clock-ins) raise flags in the same request, audited after the demand.
      const flagged = kind === 'inspection' || kind === 'other';
      expect(await auditRows(res.body.id)).toEqual(flagged ? [{ action: 'demand.create' }, { action: 'flags.judge' }] : [{ action: 'demand.create' }]);
    });

    it('gives every demand its own registration number, in sequence', async () => {
      const a = await post(demandBody('document', tree)).expect(201);
      const b = await post(demandBody('document', tree)).expect(201);
      const seq = (no: string) => Number(no.split('-')[2]);
      expect(seq(b.body.registrationNo)).toBe(seq(a.body.registrationNo) + 1);
    });

    it('computes the standard time from policy version 1 and honours an issuer estimate', async () => {
      const report = await post(demandBody('report', tree)).expect(201);
      expect(report.body.estimatedHoursPerTarget).toBe(0.75); // 3 fields × 5 min + 30 min
      expect(report.body.fieldKeys).toEqual(['户籍人口', '在校生', '教师']); // 在校学生 is a synonym of 在校生
      const meeting = await post(demandBody('meeting', tree)).expect(201);
      expect(meeting.body.estimatedHoursPerTarget).toBe(6); // (120 + 60) × 2 min
      const own = await post(demandBody('report', tree, { estimatedHoursPerTarget: 1.25 })).expect(201);
      expect(own.body).toMatchObject({ estimatedHoursPerTarget: 1.25, estimateSource: 'issuer' });
      const [row] = await selectRows<{ estimated_minutes: number | string }>(t.db, 'SELECT estimated_minutes FROM demand_targets WHERE demand_id = ?', [own.body.id]);
      expect(toInt(row.estimated_minutes)).toBe(75);
    });

    it('expands target scopes set-based, and merges them with explicit targets', async () => {
      const towns = await post(demandBody('report', tree, { targetUnitIds: undefined, targetScopes: [{ underId: tree.mengzi.id, level: 'township' }] })).expect(201);
      expect(towns.body.targetCount).toBe(2);
      const mixed = await post(demandBody('report', tree, { targetUnitIds: [tree.wenlan.id], targetScopes: [{ underId: tree.mengzi.id, level: 'village' }] })).expect(201);
      expect(mixed.body.targets.map((u: { id: number }) => u.id).sort()).toEqual([tree.wenlan.id, tree.village.id].sort());
    });

    it('stores a recurring demand as occurrence counts per month', async () => {
      const res = await post(demandBody('report', tree, { issuedOn: '2026-09-20', dueOn: undefined, startsOn: '2026-09-25', recurrence: 'weekly', until: '2026-10-16' })).expect(201);
      expect(res.body.occurrences).toEqual([
        { month: '2026-09', occurrences: 1 },
        { month: '2026-10', occurrences: 3 },
      ]);
      const rows = await selectRows(t.db, 'SELECT month FROM demand_occurrences WHERE demand_id = ?', [res.body.id]);
      expect(rows).toHaveLength(2);
    });

    it('links a demand passed further down to the one it passes on, and refuses a parent that never reached the issuer', async () => {
      const county = await post(demandBody('report', tree)).expect(201);
      const passed = await post(demandBody('report', tree, { targetUnitIds: [tree.village.id], parentDemandId: county.body.id, fields: ['户籍人口', '在校学生数', '教师总数', '留守儿童数'] }), townshipIssuer).expect(201);
      expect(passed.body).toMatchObject({ parentDemandId: county.body.id, registrationNo: expect.stringMatching(/^532503001-2026-/) });
      const elsewhere = await post(demandBody('report', tree, { targetUnitIds: [tree.yuguopu.id] })).expect(201);
      const res = await post(demandBody('report', tree, { targetUnitIds: [tree.village.id], parentDemandId: elsewhere.body.id }), townshipIssuer).expect(422);
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'parentDemandId' })]);
    });

    it('links an inspection to an item of the issuer’s own plan for that year, and refuses anyone else’s', async () => {
      const plan = await approvedPlan(t, users.issuer, users.coordinator);
      const itemId = plan.items[0].id;
      const res = await post(demandBody('inspection', tree, { planItemId: itemId })).expect(201);
      expect(res.body.planItemId).toBe(itemId);
      const otherYear = await post(demandBody('inspection', tree, { planItemId: itemId, issuedOn: '2027-01-05', dueOn: '2027-01-20' })).expect(422);
      expect(otherYear.body.details).toEqual([expect.objectContaining({ field: 'planItemId' })]);
      const stranger = await post(demandBody('inspection', tree, { planItemId: itemId, targetUnitIds: [tree.village.id] }), townshipIssuer).expect(422);
      expect(stranger.body.details).toEqual([expect.objectContaining({ field: 'planItemId' })]);
      await post(demandBody('inspection', tree, { planItemId: 999999 })).expect(422);
    });

    it('records the other issuers of a joint inspection', async () => {
      const res = await post(demandBody('inspection', tree, { jointWith: [tree.mengzi.id] })).expect(201);
      expect(res.body.jointWith).toEqual([tree.mengzi.id]);
    });
  });

  describe('invalid demands answer a clear 4xx naming the field', () => {
    const expectField = (res: { body: { details?: { field?: string }[] } }, field: string) =>
      expect((res.body.details ?? []).map((d) => d.field)).toContain(field);

    it('due before issue', async () => expectField(await post(demandBody('report', tree, { dueOn: '2026-08-31' })).expect(422), 'dueOn'));
    it('a date that does not exist', async () => expectField(await post(demandBody('report', tree, { dueOn: '2026-02-30' })).expect(422), 'dueOn'));
    it('a meeting without duration', async () => expectField(await post(demandBody('meeting', tree, { durationMinutes: undefined })).expect(422), 'durationMinutes'));
    it('a report without fields', async () => expectField(await post(demandBody('report', tree, { fields: undefined })).expect(422), 'fields'));
    it('a document without its length', async () => expectField(await post(demandBody('document', tree, { charCount: undefined })).expect(422), 'charCount'));
    it('other without a subtype', async () => expectField(await post(demandBody('other', tree, { subtype: undefined, appRequirements: undefined })).expect(422), 'subtype'));
    it('a field of another kind', async () => expectField(await post(demandBody('report', tree, { durationMinutes: 30 })).expect(422), 'durationMinutes'));
    it('an unknown topic', async () => expectField(await post(demandBody('report', tree, { topic: 'no_such_topic' })).expect(422), 'topic'));
    it('an unknown kind or field', async () => {
      expectField(await post(demandBody('report', tree, { kind: 'survey' })).expect(400), 'kind');
      expectField(await post(demandBody('report', tree, { colour: 'red' })).expect(400), 'colour');
    });
    it('no targets', async () => expectField(await post(demandBody('report', tree, { targetUnitIds: [] })).expect(422), 'targetUnitIds'));
    it('a recurring demand without an end, or ending before it starts', async () => {
      expectField(await post(demandBody('report', tree, { recurrence: 'monthly' })).expect(422), 'until');
      expectField(await post(demandBody('report', tree, { recurrence: 'monthly', until: '2026-09-01' })).expect(422), 'until');
    });
    it('a target at the issuer’s own level (the county itself) or a department', async () => {
      expectField(await post(demandBody('report', tree, { targetUnitIds: [tree.mengzi.id] })).expect(422), 'targetUnitIds[0]');
      expectField(await post(demandBody('report', tree, { targetUnitIds: [tree.education.id] })).expect(422), 'targetUnitIds[0]');
    });
    it('a target above the issuer or beside it (another county) is outside its jurisdiction: 403', async () => {
      await post(demandBody('report', tree, { targetUnitIds: [tree.honghe.id] })).expect(403);
      await post(demandBody('report', tree, { targetUnitIds: [tree.gejiuTown.id] })).expect(403);
      await post(demandBody('report', tree, { targetUnitIds: undefined, targetScopes: [{ underId: tree.gejiu.id, level: 'township' }] })).expect(403);
    });
    it('a target that does not exist', async () => expectField(await post(demandBody('report', tree, { targetUnitIds: [999999] })).expect(422), 'targetUnitIds[0]'));
    it('writes nothing when refused', async () => {
      const before = await selectRows(t.db, 'SELECT id FROM demands');
      await post(demandBody('report', tree, { dueOn: '2026-08-01' })).expect(422);
      expect(await selectRows(t.db, 'SELECT id FROM demands')).toHaveLength(before.length);
    });
  });

  describe('who may register, read and change', () => {
    it('401 without a token; only issuers register', async () => {
      await t.http.post('/api/v1/demands').send(demandBody('report', tree)).expect(401);
      await t.http.get('/api/v1/demands').expect(401);
      for (const u of [users.admin, users.reporter, users.coordinator, users.inspector]) await post(demandBody('report', tree), u).expect(403);
    });

    it('a demand is visible to its issuer, every target (a village too), and coordinators and inspectors above; not to another county', async () => {
      const res = await post(demandBody('report', tree, { targetUnitIds: [tree.village.id] })).expect(201);
      const id = res.body.id as number;
      for (const u of [users.issuer, users.villageReporter, users.reporter, users.coordinator, users.inspector]) {
        await t.http.get(`/api/v1/demands/${id}`).set(bearer(u)).expect(200);
      }
      // Admin is not in DESIGN §1's "visible to" for demands (users, org tree, policy only): refused by role.
      await t.http.get(`/api/v1/demands/${id}`).set(bearer(users.admin)).expect(403);
      await t.http.get('/api/v1/demands').set(bearer(users.admin)).expect(403);
      await t.http.get(`/api/v1/demands/lookup?registrationNo=${res.body.registrationNo as string}`).set(bearer(users.admin)).expect(403);
      for (const u of [gejiuReporter, users.gejiuCoordinator, users.gejiuInspector]) await t.http.get(`/api/v1/demands/${id}`).set(bearer(u)).expect(404);
      const list = await t.http.get('/api/v1/demands').set(bearer(gejiuReporter)).expect(200);
      expect(list.body.items.map((d: { id: number }) => d.id)).not.toContain(id);
      // The list finds a jurisdiction's demands by its units below the province, and by the issuer's path at the province.
      const listed = async (u: UserRef) => ((await t.http.get('/api/v1/demands?pageSize=200').set(bearer(u)).expect(200)).body.items as { id: number }[]).map((d) => d.id);
      for (const u of [users.villageReporter, users.reporter, users.coordinator, users.inspector, prefectureCoordinator, provinceInspector]) expect(await listed(u)).toContain(id);
      for (const u of [users.gejiuCoordinator, users.gejiuInspector]) expect(await listed(u)).not.toContain(id);
      // A demand of 个旧市 to its own township: the province and the prefecture list it, 蒙自市 does not.
      const gejiuDemand = (await post(demandBody('report', tree, { targetUnitIds: [tree.gejiuTown.id] }), gejiuIssuer).expect(201)).body.id as number;
      for (const u of [prefectureCoordinator, provinceInspector, users.gejiuCoordinator, gejiuReporter]) expect(await listed(u)).toContain(gejiuDemand);
      for (const u of [users.coordinator, users.inspector, users.reporter, users.issuer]) expect(await listed(u)).not.toContain(gejiuDemand);
    });

    it('looks up a registration number for a target, and answers unregistered to others', async () => {
      const res = await post(demandBody('document', tree, { targetUnitIds: [tree.village.id] })).expect(201);
      const no = res.body.registrationNo as string;
      const found = await t.http.get(`/api/v1/demands/lookup?registrationNo=${no}`).set(bearer(users.villageReporter)).expect(200);
      expect(found.body).toMatchObject({ registered: true, demand: { id: res.body.id, issuerName: '蒙自市教育局' } });
      const other = await t.http.get(`/api/v1/demands/lookup?registrationNo=${no}`).set(bearer(gejiuReporter)).expect(200);
      expect(other.body).toEqual({ registrationNo: no, registered: false });
      const fake = await t.http.get('/api/v1/demands/lookup?registrationNo=532503-2026-999999').set(bearer(users.villageReporter)).expect(200);
      expect(fake.body.registered).toBe(false);
      await t.http.get('/api/v1/demands/lookup').set(bearer(users.villageReporter)).expect(400);
    });

    it('lists with each filter, paged on a stable order', async () => {
      const report = await post(demandBody('report', tree, { topic: 'statistics', issuedOn: '2026-11-02', dueOn: '2026-11-20', targetUnitIds: [tree.yuguopu.id] })).expect(201);
      const q = (query: string) => t.http.get(`/api/v1/demands?${query}`).set(bearer(users.coordinator)).expect(200);
      const ids = (res: { body: { items: { id: number }[] } }) => res.body.items.map((d) => d.id);
      expect(ids(await q(`targetUnitId=${tree.yuguopu.id}&topic=statistics`))).toEqual([report.body.id]);
      expect(ids(await q('kind=report&topic=statistics'))).toEqual([report.body.id]);
      expect(ids(await q(`issuerId=${tree.education.id}&from=2026-11-01&to=2026-11-30`))).toContain(report.body.id);
      expect(ids(await q('from=2026-12-01'))).not.toContain(report.body.id);
      expect(ids(await q('to=2026-10-31'))).not.toContain(report.body.id);
      const all = await q('pageSize=500');
      const paged = [...ids(await q('pageSize=3&page=1')), ...ids(await q('pageSize=3&page=2'))];
      expect(paged).toEqual(ids(all).slice(0, 6));
      expect(all.body.total).toBe(all.body.items.length);
      await t.http.get('/api/v1/demands?from=2026-13-01').set(bearer(users.coordinator)).expect(400);
    });

    it('PATCH by the issuer is audited and re-estimates; a stale version is 409; others may not', async () => {
      const res = await post(demandBody('report', tree)).expect(201);
      const id = res.body.id as number;
      const patched = await t.http.patch(`/api/v1/demands/${id}`).set(bearer(users.issuer)).send({ version: 1, fields: ['户籍人口', '常住人口', '低保户数', '学校数'] }).expect(200);
      expect(patched.body).toMatchObject({ version: 2, estimatedHoursPerTarget: 0.83, targetCount: 1 });
      expect(await auditRows(id)).toEqual([{ action: 'demand.create' }, { action: 'demand.update' }]);
      await t.http.patch(`/api/v1/demands/${id}`).set(bearer(users.issuer)).send({ version: 1, title: '过期的修改' }).expect(409);
      await t.http.patch(`/api/v1/demands/${id}`).set(bearer(townshipIssuer)).send({ version: 2, title: 'x' }).expect(403);
      await t.http.patch(`/api/v1/demands/${id}`).set(bearer(users.coordinator)).send({ version: 2, title: 'x' }).expect(403);
      await t.http.patch(`/api/v1/demands/${id}`).set(bearer(users.issuer)).send({ version: 2, kind: 'meeting' }).expect(400);
      await t.http.patch(`/api/v1/demands/${id}`).set(bearer(users.issuer)).send({ version: 2, dueOn: '2026-08-01' }).expect(422);
    });

    it('cancelling stops later occurrences; cancelling twice is 409', async () => {
      const res = await post(demandBody('report', tree, { issuedOn: '2026-09-01', dueOn: undefined, recurrence: 'monthly', until: '2026-12-01' })).expect(201);
      const id = res.body.id as number;
      expect(res.body.occurrences).toHaveLength(4);
      const cancelled = await t.http.post(`/api/v1/demands/${id}/cancel`).set(bearer(users.issuer)).send({ cancelledOn: '2026-10-15', reason: '与市级检查合并' }).expect(200);
      expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelledOn: '2026-10-15' });
      expect(cancelled.body.occurrences).toEqual([
        { month: '2026-09', occurrences: 1 },
        { month: '2026-10', occurrences: 1 },
      ]);
      const again = await t.http.post(`/api/v1/demands/${id}/cancel`).set(bearer(users.issuer)).send({ reason: '再次' }).expect(409);
      expect(again.body.details).toMatchObject({ currentStatus: 'cancelled' });
      await t.http.patch(`/api/v1/demands/${id}`).set(bearer(users.issuer)).send({ version: 2, title: 'x' }).expect(409);
      expect(await auditRows(id)).toEqual([{ action: 'demand.create' }, { action: 'demand.cancel' }]);
    });

    it('refuses a cancel date before the issue date, and a cancel by someone else', async () => {
      const res = await post(demandBody('report', tree)).expect(201);
      await t.http.post(`/api/v1/demands/${res.body.id}/cancel`).set(bearer(users.issuer)).send({ cancelledOn: '2026-08-01', reason: 'x' }).expect(422);
      await t.http.post(`/api/v1/demands/${res.body.id}/cancel`).set(bearer(users.reporter)).send({ reason: 'x' }).expect(403);
      await t.http.post(`/api/v1/demands/${res.body.id}/cancel`).set(bearer(townshipIssuer)).send({ reason: 'x' }).expect(403);
    });

    it('ids out of range are 404 and non-numeric ids 400', async () => {
      await t.http.get('/api/v1/demands/99999999999').set(bearer(users.issuer)).expect(404);
      await t.http.get('/api/v1/demands/abc').set(bearer(users.issuer)).expect(400);
    });
  });
});
