import { IdempotencyRepository } from '@/common/idempotency/idempotency.repository';
import { selectRows, toInt } from '@/database/dialect';
import { bearer, standardTree, StandardTree, standardUsers, StandardUsers, UserRef } from '../factories';
import { demandBody } from '../factories/demands';
import { shadowBody } from '../factories/reports';
import { TestApp } from '../utils/test-app';

const KEY = 'Idempotency-Key';
const REPLAYED = 'idempotent-replayed';
let seq = 0;
const newKey = () => `crash-key-${++seq}-${Math.random().toString(36).slice(2, 10)}`;

/**
 * A server killed right after a write committed, before a separate transaction stored the answer
 * of its Idempotency-Key, leaves the key `pending` for good: every retry answers 409 "still being
 * processed" until the key expires, and the client never learns what it created (issue 10.3).
 * The writes guarded by keys therefore store their answer in the write's own transaction
 * (`resultIsAnswer`). Here the later transaction fails, as a kill would have ended it: the first
 * request must still be answered and its retry replayed, with one row.
 */
describe('Idempotency-Key: the answer commits with the write', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
  });
  afterAll(() => t.close());

  /** Runs `send` twice with one key while storing an answer after the write is impossible. */
  async function withAnswerStoredLateImpossible(send: (key: string) => Promise<{ status: number; body: unknown; headers: Record<string, string> }>) {
    const repo = t.app.get(IdempotencyRepository);
    const late = jest.spyOn(repo, 'complete').mockRejectedValue(new Error('the process died after the write committed'));
    try {
      const key = newKey();
      const first = await send(key);
      const retry = await send(key);
      return { first, retry, key };
    } finally {
      late.mockRestore();
    }
  }

  const count = async (sql: string, params: unknown[]) => toInt((await selectRows<{ n: number | string }>(t.db, sql, params))[0].n);
  const post = (path: string, body: object, as: UserRef, key: string) => t.http.post(`/api/v1${path}`).set(bearer(as)).set(KEY, key).send(body);

  it('POST /demands', async () => {
    const title = `崩溃测试事项-${seq}`;
    const { first, retry, key } = await withAnswerStoredLateImpossible((k) => post('/demands', demandBody('document', tree, { title }), users.issuer, k));
    expect(first.status).toBe(201);
    expect({ status: retry.status, replayed: retry.headers[REPLAYED], body: retry.body }).toEqual({ status: 201, replayed: 'true', body: first.body });
    expect(await count('SELECT COUNT(*) AS n FROM demands WHERE title = ?', [title])).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM idempotency_keys WHERE idem_key = ? AND state = 'done'", [key])).toBe(1);
  });

  it('POST /demands/:id/cancel', async () => {
    const created = await t.http.post('/api/v1/demands').set(bearer(users.issuer)).send(demandBody('meeting', tree, { title: `崩溃测试撤销-${seq}` })).expect(201);
    const id = (created.body as { id: number }).id;
    const { first, retry } = await withAnswerStoredLateImpossible((k) => post(`/demands/${id}/cancel`, { reason: '重复部署', cancelledOn: '2026-09-05' }, users.issuer, k));
    expect(first.status).toBe(200);
    expect({ status: retry.status, replayed: retry.headers[REPLAYED], body: retry.body }).toEqual({ status: 200, replayed: 'true', body: first.body });
    expect(await count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'demand.cancel' AND entity_id = ?", [String(id)])).toBe(1);
  });

  /** Both answers: the first (with `status`) and its retry, the stored first answer replayed. */
  async function expectReplayedAcrossCrash(path: string, body: object, as: UserRef, status: number) {
    const { first, retry } = await withAnswerStoredLateImpossible((k) => post(path, body, as, k));
    expect({ path, status: first.status }).toEqual({ path, status });
    expect({ status: retry.status, replayed: retry.headers[REPLAYED], body: retry.body }).toEqual({ status, replayed: 'true', body: first.body });
    return first.body as { id: number };
  }

  it('POST /org-units', async () => {
    const code = `532503-C${seq}`;
    await expectReplayedAcrossCrash('/org-units', { code, name: '蒙自市崩溃测试局', kind: 'department', level: 'county', parentId: tree.mengzi.id }, users.admin, 201);
    expect(await count('SELECT COUNT(*) AS n FROM org_units WHERE code = ?', [code])).toBe(1);
  });

  it('POST /duty-items', async () => {
    const title = `崩溃测试职责-${seq}`;
    await expectReplayedAcrossCrash('/duty-items', { level: 'township', topic: 'work_safety', category: 'core', title, basis: '《乡镇（街道）履行职责事项清单》' }, users.admin, 201);
    expect(await count('SELECT COUNT(*) AS n FROM duty_items WHERE title = ?', [title])).toBe(1);
  });

  it('POST /demands/:id/objections', async () => {
    const demand = await t.http.post('/api/v1/demands').set(bearer(users.issuer)).send(demandBody('report', tree, { title: `崩溃测试异议-${seq}` })).expect(201);
    const id = (demand.body as { id: number }).id;
    await expectReplayedAcrossCrash(`/demands/${id}/objections`, { reason: '该事项已列入收回事项清单' }, users.reporter, 201);
    expect(await count('SELECT COUNT(*) AS n FROM objections WHERE demand_id = ?', [id])).toBe(1);
  });

  it('POST /inspection-plans and its transitions (submit, reject, rework, approve, revise)', async () => {
    const plan = await expectReplayedAcrossCrash('/inspection-plans', { year: 2026, items: [{ title: '校园安全专项督查', topic: 'education', targetLevel: 'township', plannedMonth: '2026-05', onSiteDays: 1 }] }, users.issuer, 201);
    const steps: [string, UserRef, object][] = [
      ['submit', users.issuer, {}],
      ['reject', users.coordinator, { reason: '检查频次过高' }],
      ['rework', users.issuer, {}],
      ['submit', users.issuer, {}],
      ['approve', users.coordinator, {}],
    ];
    for (const [action, as, body] of steps) await expectReplayedAcrossCrash(`/inspection-plans/${plan.id}/${action}`, body, as, 200);
    const revised = await expectReplayedAcrossCrash(`/inspection-plans/${plan.id}/revise`, {}, users.issuer, 201);
    expect(revised.id).not.toBe(plan.id);
    expect(await count("SELECT COUNT(*) AS n FROM audit_log WHERE action LIKE 'inspection-plan.%'", [])).toBe(steps.length + 2);
  });

  it('POST /cases', async () => {
    // A topic on the villages' negative list sent to 文澜社区: an OUT_OF_SCOPE flag, confirmed.
    await t.http.post('/api/v1/duty-items').set(bearer(users.admin)).send({ level: 'village', topic: 'statistics', category: 'negative', title: '统计调查报表' }).expect(201);
    const demand = await t.http.post('/api/v1/demands').set(bearer(users.issuer)).send(demandBody('report', tree, { title: '村级统计报表', topic: 'statistics', targetUnitIds: [tree.village.id] })).expect(201);
    const flags = await t.http.get(`/api/v1/flags?demandId=${(demand.body as { id: number }).id}`).set(bearer(users.coordinator)).expect(200);
    let flag = (flags.body as { items: { id: number; version: number; rule: string }[] }).items.find((f) => f.rule === 'OUT_OF_SCOPE')!;
    for (const to of ['under_review', 'confirmed']) {
      const res = await t.http.post(`/api/v1/flags/${flag.id}/transitions`).set(bearer(users.coordinator)).send({ to, version: flag.version, comment: '经核实属实' }).expect(200);
      flag = res.body as typeof flag;
    }
    const title = `崩溃测试案例-${seq}`;
    await expectReplayedAcrossCrash('/cases', { flagIds: [flag.id], title }, users.inspector, 201);
    expect(await count('SELECT COUNT(*) AS n FROM cases WHERE title = ?', [title])).toBe(1);
  });

  it('POST /flags/:id/transitions', async () => {
    const demand = await t.http.post('/api/v1/demands').set(bearer(users.issuer)).send(demandBody('report', tree, { title: `崩溃测试日报-${seq}`, recurrence: 'daily', until: '2026-09-30' })).expect(201);
    const flags = await t.http.get(`/api/v1/flags?demandId=${(demand.body as { id: number }).id}`).set(bearer(users.coordinator)).expect(200);
    const flag = (flags.body as { items: { id: number; version: number }[] }).items[0];
    await expectReplayedAcrossCrash(`/flags/${flag.id}/transitions`, { to: 'under_review', version: flag.version }, users.coordinator, 200);
    expect(await count("SELECT COUNT(*) AS n FROM flag_transitions WHERE flag_id = ? AND to_status = 'under_review'", [flag.id])).toBe(1);
  });

  // Each job starts a worker thread (about a second from the TypeScript sources, more on PostgreSQL):
  // the timeout is the test's own, since jest.setTimeout inside a running test does not extend it.
  it('POST /jobs and POST /flags/evaluate (a queued job: its answer commits with the job row)', async () => {
    const checksum = await expectReplayedAcrossCrash('/jobs', { kind: 'org-units-checksum', input: {} }, users.coordinator, 202);
    const evaluation = await expectReplayedAcrossCrash('/flags/evaluate', { period: '2026-01' }, users.coordinator, 202);
    for (const { jobId } of [checksum, evaluation] as unknown as { jobId: number }[]) {
      expect(await count('SELECT COUNT(*) AS n FROM jobs WHERE id = ?', [jobId])).toBe(1);
    }
    expect(await count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'job.start'", [])).toBeGreaterThanOrEqual(2);
    // Both jobs end before the app closes (a worker still starting would outlive the test).
    for (let i = 0; i < 600 && (await count("SELECT COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'running')", [])) > 0; i++) await new Promise((r) => setTimeout(r, 100));
  }, 90_000);

  it('POST /burden-reports (stored with the write since it was built)', async () => {
    const note = `崩溃测试填报-${seq}`;
    const { first, retry } = await withAnswerStoredLateImpossible((k) => post('/burden-reports', shadowBody({ note }), users.reporter, k));
    expect(first.status).toBe(201);
    expect({ status: retry.status, replayed: retry.headers[REPLAYED], body: retry.body }).toEqual({ status: 201, replayed: 'true', body: first.body });
    expect(await count('SELECT COUNT(*) AS n FROM burden_reports WHERE note = ?', [note])).toBe(1);
  });
});
