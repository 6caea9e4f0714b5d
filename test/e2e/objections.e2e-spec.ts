import { selectRows } from '@/database/dialect';
import { bearer, createUser, standardTree, StandardTree, standardUsers, StandardUsers, UserRef } from '../factories';
import { registerDemand, shadowBody } from '../factories/reports';
import { TestApp } from '../utils/test-app';

const LIST = '/api/v1/objections';
const objectTo = (demandId: number) => `/api/v1/demands/${demandId}/objections`;

describe('objections (e2e)', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  let gejiuReporter: UserRef;
  let demand: number;
  let dutyItemId: number;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    gejiuReporter = await createUser(t, 'reporter', tree.gejiuTown);
    demand = await registerDemand(t, users.issuer, tree);
    const duty = await t.http
      .post('/api/v1/duty-items')
      .set(bearer(users.admin))
      .send({ level: 'township', topic: 'education', category: 'withdrawn', title: '学生资助材料收集' });
    dutyItemId = duty.body.id;
  });
  afterAll(() => t.close());

  const post = (id: number, body: object, as: UserRef = users.reporter) => t.http.post(objectTo(id)).set(bearer(as)).send(body);
  const list = (as: UserRef, query = '') => t.http.get(`${LIST}${query}`).set(bearer(as));

  it('a reporter of a target unit objects, with a duty-list reference, audited under its unit', async () => {
    expect(dutyItemId).toEqual(expect.any(Number));
    const res = await post(demand, { reason: '该事项已列入收回事项清单', dutyItemId }).expect(201);
    expect(res.body).toMatchObject({ demandId: demand, unitId: tree.wenlan.id, reason: '该事项已列入收回事项清单', dutyItemId, issuerId: tree.education.id });
    const audit = await selectRows<{ action: string; unit_path: string }>(t.db, "SELECT action, unit_path FROM audit_log WHERE entity_type = 'objection' AND entity_id = ?", [String(res.body.id)]);
    expect(audit).toEqual([{ action: 'objection.create', unit_path: tree.wenlan.path }]);
  });

  it('one objection per unit and demand: another answers 409 pointing to it', async () => {
    const res = await post(demand, { reason: '再次反映' }).expect(409);
    expect(res.body.details[0]).toMatchObject({ field: 'unitId', existingObjectionId: expect.any(Number) });
  });

  it('404 for a demand that reaches nothing in the caller’s subtree, and for one that does not exist', async () => {
    await post(demand, { reason: '不相干' }, gejiuReporter).expect(404);
    await post(demand, { reason: '不相干' }, users.villageReporter).expect(404);
    await post(999_999, { reason: '不存在' }).expect(404);
  });

  it('422 naming the field for a unit the demand does not target or an unknown duty item; 403 outside the subtree', async () => {
    const res = await post(demand, { reason: '替村里反映', unitId: tree.village.id }).expect(422);
    expect(res.body.details[0].field).toBe('unitId');
    const other = await registerDemand(t, users.issuer, tree, { title: '另一事项' });
    const duty = await post(other, { reason: '依据不明', dutyItemId: 999_999 }).expect(422);
    expect(duty.body.details[0].field).toBe('dutyItemId');
    await post(other, { reason: '越界', unitId: tree.gejiuTown.id }).expect(403);
    await post(other, { reason: '' }).expect(400);
  });

  it('only reporters object', async () => {
    for (const who of [users.issuer, users.coordinator, users.inspector, users.admin]) await post(demand, { reason: '非上报人' }, who).expect(403);
  });

  it('coordinators and inspectors of the jurisdiction list them, paged and filtered; reporters their own subtree', async () => {
    for (const who of [users.coordinator, users.inspector, users.reporter]) {
      const res = await list(who).expect(200);
      expect(res.body).toMatchObject({ total: 1, page: 1, items: [expect.objectContaining({ demandId: demand, unitId: tree.wenlan.id })] });
    }
    expect((await list(users.coordinator, `?demandId=${demand}&unitId=${tree.wenlan.id}`).expect(200)).body.total).toBe(1);
    expect((await list(users.coordinator, `?unitId=${tree.village.id}`).expect(200)).body.total).toBe(0);
    for (const who of [users.gejiuCoordinator, users.gejiuInspector, gejiuReporter, users.villageReporter]) expect((await list(who).expect(200)).body.total).toBe(0);
  });

  it('never tells an issuer which unit objected (nor admin, who has no access to the ledger)', async () => {
    await list(users.issuer).expect(403);
    await list(users.admin).expect(403);
  });

  it('a shadow report filed meanwhile shows up in no objection list', async () => {
    await t.http.post('/api/v1/burden-reports').set(bearer(users.reporter)).send(shadowBody()).expect(201);
    const res = await list(users.coordinator).expect(200);
    expect(JSON.stringify(res.body)).not.toContain('县某局');
  });
});
