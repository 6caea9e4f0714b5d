import { execute } from '@/database/dialect';
import { bearer, standardTree, StandardTree, standardUsers, StandardUsers } from '../factories';
import { registerDemand, reportBody } from '../factories/reports';
import { TestApp } from '../utils/test-app';

/**
 * A card's percentile ranks its unit among its peers; the ranks are memoised while the data
 * version stands (SQLite). Every kind of commit must move them: a write through the API, and a
 * commit of another connection (as a job's worker thread makes), here straight into the rollups.
 */
describe('card percentile follows every commit (e2e)', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    for (const unit of [tree.wenlan, tree.yuguopu]) {
      await t.http.patch(`/api/v1/org-units/${unit.id}`).set(bearer(users.admin)).send({ staffCount: 10, staffEffectiveFrom: '2026-01-01' }).expect(200);
    }
  });
  afterAll(() => t.close());

  const percentile = async (unitId: number): Promise<number | null> => {
    const res = await t.http.get(`/api/v1/metrics/units/${unitId}?period=2026-09`).set(bearer(users.coordinator)).expect(200);
    return (res.body as { percentile: { value: number | null } }).percentile.value;
  };

  it('moves with a write through the API and with a commit of another connection', async () => {
    // 文澜 carries a demand, 雨过铺 nothing: 文澜 ranks above.
    const demandId = await registerDemand(t, users.issuer, tree, { issuedOn: '2026-09-01', dueOn: '2026-09-15' });
    expect(await percentile(tree.wenlan.id)).toBe(100);
    expect(await percentile(tree.yuguopu.id)).toBe(0);
    // Asked again with nothing written: the same answer (from the memo on SQLite).
    expect(await percentile(tree.yuguopu.id)).toBe(0);

    // 雨过铺 gets a heavier demand through the API: the ranks turn.
    const heavy = await registerDemand(t, users.issuer, tree, { issuedOn: '2026-09-01', dueOn: '2026-09-15', targetUnitIds: [tree.yuguopu.id], estimatedHoursPerTarget: 40 });
    expect(heavy).toBeGreaterThan(demandId);
    expect(await percentile(tree.yuguopu.id)).toBe(100);
    expect(await percentile(tree.wenlan.id)).toBe(0);

    // A report on 文澜 far above its estimate, through the API.
    await t.http.post('/api/v1/burden-reports').set(bearer(users.reporter)).send(reportBody(demandId, '2026-09', { hoursSpent: 200, staffInvolved: 3 })).expect(201);
    expect(await percentile(tree.wenlan.id)).toBe(100);

    // Another connection's commit (what a worker thread's job does): 雨过铺's month made heavier still.
    await execute(t.db, `UPDATE unit_month_burden SET burden_minutes = burden_minutes + 100000 WHERE unit_id = ? AND month = '2026-09'`, [tree.yuguopu.id]);
    expect(await percentile(tree.yuguopu.id)).toBe(100);
    expect(await percentile(tree.wenlan.id)).toBe(0);
  });
});
