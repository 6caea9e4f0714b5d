import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '@/common/files/tabular';
import { IdempotencyRepository } from '@/common/idempotency/idempotency.repository';
import { selectRows, toInt } from '@/database/dialect';
import { bearer, standardTree, StandardTree, standardUsers, StandardUsers, TEST_PASSWORD, UserRef } from '../factories';
import { demandBody } from '../factories/demands';
import { csvBytes } from '../factories/files';
import { importRow, REPORT_IMPORT_HEADER, shadowBody } from '../factories/reports';
import { API_PREFIX, AppRoute, appRoutes, DOCS_PREFIX, routeServing } from '../utils/routes';
import { TestApp } from '../utils/test-app';

const KEY = 'Idempotency-Key';
const REPLAYED = 'idempotent-replayed';
let seq = 0;
const newKey = () => `crash-key-${++seq}-${Math.random().toString(36).slice(2, 10)}`;

/**
 * POST routes that take an Idempotency-Key but are not run through the crash below, each with why.
 * The interceptor (src/common/idempotency/idempotency.interceptor.ts) records a key for every POST
 * whose caller is authenticated (the auth guard set `req.actor`): every POST route the router
 * serves but the public ones. A new POST route fails the last test of this file until it is
 * crash-tested here or listed here with its reason.
 */
const NOT_CRASH_TESTED: Record<string, string> = {
  // Public: no actor, so the interceptor passes the request through and never records the key (shown below).
  'POST /auth/login': 'public: the key is ignored, a retry simply logs in again',
  // A dry run: the demand it registers is rolled back, so no unit of work commits; the interceptor
  // stores the answer in a transaction of its own afterwards, and a crash before that leaves no key:
  // the retry computes the preview again.
  'POST /demands/preview': 'read-only (a rolled-back dry run): nothing commits before the answer is stored',
};

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
  /** Every POST route the app serves (as routes-require-auth and the authorisation matrix walk them), `POST /path` under /api/v1. */
  let postRoutes: AppRoute[];
  /** The POST routes whose retry was answered from the stored answer across the simulated crash. */
  const crashTested = new Set<string>();

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    postRoutes = appRoutes(t.app, { except: [DOCS_PREFIX], relativeTo: API_PREFIX, methods: ['POST'] });
  });
  afterAll(() => t.close());

  /** Runs `send` twice with one key while storing an answer after the write is impossible; `path` (under /api/v1) names the route it tests. */
  async function withAnswerStoredLateImpossible(path: string, send: (key: string) => Promise<{ status: number; body: unknown; headers: Record<string, string> }>) {
    const repo = t.app.get(IdempotencyRepository);
    const late = jest.spyOn(repo, 'complete').mockRejectedValue(new Error('the process died after the write committed'));
    try {
      const key = newKey();
      const first = await send(key);
      const retry = await send(key);
      // Covered: the retry got a stored answer (each test checks which), not a 409 "still being processed".
      if (retry.status < 300 && retry.headers[REPLAYED] === 'true') {
        crashTested.add(routeServing(postRoutes, 'POST', path)?.key ?? `(no POST route serves ${path})`);
      }
      return { first, retry, key };
    } finally {
      late.mockRestore();
    }
  }

  const count = async (sql: string, params: unknown[]) => toInt((await selectRows<{ n: number | string }>(t.db, sql, params))[0].n);
  const post = (path: string, body: object, as: UserRef, key: string) => t.http.post(`/api/v1${path}`).set(bearer(as)).set(KEY, key).send(body);

  it('POST /demands', async () => {
    const title = `崩溃测试事项-${seq}`;
    const { first, retry, key } = await withAnswerStoredLateImpossible('/demands', (k) => post('/demands', demandBody('document', tree, { title }), users.issuer, k));
    expect(first.status).toBe(201);
    expect({ status: retry.status, replayed: retry.headers[REPLAYED], body: retry.body }).toEqual({ status: 201, replayed: 'true', body: first.body });
    expect(await count('SELECT COUNT(*) AS n FROM demands WHERE title = ?', [title])).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM idempotency_keys WHERE idem_key = ? AND state = 'done'", [key])).toBe(1);
  });

  it('POST /demands/:id/cancel', async () => {
    const created = await t.http.post('/api/v1/demands').set(bearer(users.issuer)).send(demandBody('meeting', tree, { title: `崩溃测试撤销-${seq}` })).expect(201);
    const id = (created.body as { id: number }).id;
    const { first, retry } = await withAnswerStoredLateImpossible(`/demands/${id}/cancel`, (k) => post(`/demands/${id}/cancel`, { reason: '重复部署', cancelledOn: '2026-09-05' }, users.issuer, k));
    expect(first.status).toBe(200);
    expect({ status: retry.status, replayed: retry.headers[REPLAYED], body: retry.body }).toEqual({ status: 200, replayed: 'true', body: first.body });
    expect(await count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'demand.cancel' AND entity_id = ?", [String(id)])).toBe(1);
  });

  /** Both answers: the first (with `status`) and its retry, the stored first answer replayed. */
  async function expectReplayedAcrossCrash(path: string, body: object, as: UserRef, status: number) {
    const { first, retry } = await withAnswerStoredLateImpossible(path, (k) => post(path, body, as, k));
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
    const { first, retry } = await withAnswerStoredLateImpossible('/burden-reports', (k) => post('/burden-reports', shadowBody({ note }), users.reporter, k));
    expect(first.status).toBe(201);
    expect({ status: retry.status, replayed: retry.headers[REPLAYED], body: retry.body }).toEqual({ status: 201, replayed: 'true', body: first.body });
    expect(await count('SELECT COUNT(*) AS n FROM burden_reports WHERE note = ?', [note])).toBe(1);
  });

  it('POST /users', async () => {
    const username = `crash-user-${seq}`;
    await expectReplayedAcrossCrash('/users', { username, password: 'password-123456', role: 'reporter', orgUnitId: tree.wenlan.id, displayName: '崩溃测试' }, users.admin, 201);
    expect(await count('SELECT COUNT(*) AS n FROM users WHERE username = ?', [username])).toBe(1);
  });

  it('POST /burden-reports/confirm, /burden-reports/:id/amend and /burden-reports/:id/link', async () => {
    const demand = async (title: string, kind: 'report' | 'inspection') =>
      ((await t.http.post('/api/v1/demands').set(bearer(users.issuer)).send(demandBody(kind, tree, { title })).expect(201)).body as { id: number }).id;
    const confirmed = await demand(`崩溃测试确认-${seq}`, 'report');
    await expectReplayedAcrossCrash('/burden-reports/confirm', { unitId: tree.wenlan.id, month: '2026-09', demandIds: [confirmed] }, users.reporter, 201);
    expect(await count("SELECT COUNT(*) AS n FROM burden_reports WHERE demand_id = ? AND month = '2026-09'", [confirmed])).toBe(1);

    const shadow = async (title: string) => (await post('/burden-reports', shadowBody({}, { title }), users.reporter, newKey()).expect(201)).body as { id: number; version: number };
    const amended = await shadow(`崩溃测试修改-${seq}`);
    const after = await expectReplayedAcrossCrash(`/burden-reports/${amended.id}/amend`, { version: amended.version, hoursSpent: 4 }, users.reporter, 200);
    expect((after as unknown as { version: number }).version).toBe(amended.version + 1);

    const linked = await shadow(`崩溃测试关联-${seq}`);
    const target = await demand(`崩溃测试关联检查-${seq}`, 'inspection');
    await expectReplayedAcrossCrash(`/burden-reports/${linked.id}/link`, { demandId: target, month: '2026-09' }, users.coordinator, 200);
    expect(await count('SELECT COUNT(*) AS n FROM burden_reports WHERE id = ? AND demand_id = ?', [linked.id, target])).toBe(1);
  });

  /** Uploads `bytes` as the form field `file`, with the key. */
  const upload = (path: string, name: string, bytes: Buffer, as: UserRef, key: string) => t.http.post(`/api/v1${path}`).set(bearer(as)).set(KEY, key).attach('file', bytes, name);
  async function expectUploadReplayedAcrossCrash(path: string, name: string, bytes: Buffer, as: UserRef, status: number) {
    const { first, retry } = await withAnswerStoredLateImpossible(path, (k) => upload(path, name, bytes, as, k));
    expect({ path, status: first.status }).toEqual({ path, status });
    expect({ status: retry.status, replayed: retry.headers[REPLAYED], body: retry.body }).toEqual({ status, replayed: 'true', body: first.body });
    return first.body as Record<string, unknown>;
  }

  it('POST /org-units/import and POST /burden-reports/import (uploads answered inline)', async () => {
    const code = `532503002${String(100 + seq).padStart(3, '0')}`;
    const units = csvBytes([['code', 'name', 'level', 'parentCode'], [code, '崩溃测试村', 'village', tree.yuguopu.code]]);
    await expectUploadReplayedAcrossCrash('/org-units/import', 'units.csv', units, users.admin, 201);
    expect(await count('SELECT COUNT(*) AS n FROM org_units WHERE code = ?', [code])).toBe(1);

    const title = `崩溃测试导入-${seq}`;
    const reports = csvBytes([REPORT_IMPORT_HEADER, importRow({ unitCode: tree.wenlan.code, shadowIssuerName: '县某局', shadowKind: 'report', shadowTitle: title, shadowReceivedOn: '2026-09-03', shadowChannel: 'wechat_group', hoursSpent: 2 })]);
    const imported = await expectUploadReplayedAcrossCrash('/burden-reports/import', 'reports.csv', reports, users.reporter, 201);
    expect(imported).toMatchObject({ imported: 1, replayed: false });
    expect(await count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'burden-report.import'", [])).toBe(1);
  });

  it('POST /demands/import (a small file: a job run inline, answered once it has ended)', async () => {
    const template = parseCsv(readFileSync(join(__dirname, '..', '..', 'data', 'templates', 'demands-import.csv'))).columns;
    const title = `崩溃测试导入事项-${seq}`;
    const row: Record<string, string> = { issuerCode: tree.education.code, kind: 'report', title, topic: 'education', issuedOn: '2026-09-01', dueOn: '2026-09-10', targetCodes: tree.wenlan.code, fields: '在校学生数' };
    const file = csvBytes([template, template.map((c) => row[c] ?? '')]);
    const { first, retry } = await withAnswerStoredLateImpossible('/demands/import', (k) => upload('/demands/import', 'demands.csv', file, users.issuer, k));
    // The job row commits with the key and the answer known then ({jobId, status: 'running'});
    // the final answer ({jobId, status: 'succeeded'}) is stored once the job has ended, the step
    // that fails here as a kill would: the first caller gets no answer (500 here), the retry the job.
    expect(first.status).toBe(500);
    const replayed = retry.body as { jobId: number; status: string };
    expect({ status: retry.status, replayed: retry.headers[REPLAYED], body: replayed }).toEqual({ status: 202, replayed: 'true', body: { jobId: expect.any(Number), status: 'running' } });
    const job = await t.http.get(`/api/v1/jobs/${replayed.jobId}`).set(bearer(users.issuer)).expect(200);
    expect((job.body as { status: string }).status).toBe('succeeded');
    expect(await count("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'demands-import'", [])).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM demands WHERE title = ?', [title])).toBe(1);
  });

  it('public POST routes do not record the key (why login is not crash-tested)', async () => {
    const key = newKey();
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await t.http.post('/api/v1/auth/login').set(KEY, key).send({ username: users.reporter.username, password: TEST_PASSWORD });
      expect({ status: res.status, replayed: res.headers[REPLAYED] }).toEqual({ status: 200, replayed: undefined });
    }
    expect(await count('SELECT COUNT(*) AS n FROM idempotency_keys WHERE idem_key = ?', [key])).toBe(0);
  });

  // Runs last: it reads which routes the tests above ran through the crash (run the whole file).
  it('covers every POST route that takes an Idempotency-Key: crash-tested above, or listed in NOT_CRASH_TESTED with why', () => {
    const served = postRoutes.map((r) => r.key);
    // The walk cannot pass by finding nothing.
    expect(served.length).toBeGreaterThanOrEqual(20);
    const uncovered = served.filter((r) => !crashTested.has(r) && NOT_CRASH_TESTED[r] === undefined);
    const unknown = [...crashTested].filter((r) => !served.includes(r));
    const stale = Object.keys(NOT_CRASH_TESTED).filter((r) => !served.includes(r) || crashTested.has(r));
    expect({ uncovered, unknown, stale }).toEqual({ uncovered: [], unknown: [], stale: [] });
  });
});
