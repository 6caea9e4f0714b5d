import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import { canonicalJson } from '@/common/canonical-json';
import { execute, selectRows, subtreeCondition, subtreeParams, toInt } from '@/database/dialect';
import { bearer, standardTree, standardUsers, StandardTree, StandardUsers, UnitRef, UserRef } from '../factories';
import { TestApp } from '../utils/test-app';

const API = '/api/v1';
jest.setTimeout(120_000);

interface Job {
  id: number;
  kind: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress: { done: number; total: number | null };
  message: string | null;
  input: unknown;
  result?: { units: number; sha256: string; scopePath: string | null; batches: number; ranOn: { isMainThread: boolean; threadId: number } };
  error?: { message: string; code?: string; details?: unknown };
  createdBy: number;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
}

const ended = (job: Job) => job.status === 'succeeded' || job.status === 'failed';

/** Villages generated under new townships of a county: real rows for a job to work through. */
async function generateVillages(t: TestApp, county: UnitRef, townships: number, villagesEach: number): Promise<void> {
  const at = new Date().toISOString();
  for (let n = 0; n < townships; n++) {
    const code = `${county.code}${700 + n}`;
    const path = `${county.path}${code}/`;
    const [town] = await selectRows<{ id: number | string }>(
      t.db,
      `INSERT INTO org_units (code, name, kind, level, parent_id, path, depth, staff_count, created_at, updated_at)
       VALUES (?, ?, 'area', 'township', ?, ?, 3, 20, ?, ?) RETURNING id`,
      [code, `测试镇${n}`, county.id, path, at, at],
    );
    for (let from = 0; from < villagesEach; from += 400) {
      const tuples: string[] = [];
      const params: unknown[] = [];
      for (let v = from; v < Math.min(villagesEach, from + 400); v++) {
        const village = `${code}${String(v).padStart(3, '0')}`;
        tuples.push(`(?, ?, 'area', 'village', ?, ?, 4, 5, ?, ?)`);
        params.push(village, `测试村${village}`, toInt(town.id), `${path}${village}/`, at, at);
      }
      await execute(
        t.db,
        `INSERT INTO org_units (code, name, kind, level, parent_id, path, depth, staff_count, created_at, updated_at) VALUES ${tuples.join(', ')}`,
        params,
      );
    }
  }
}

/** The checksum computed here, independently of the job: SHA-256 of each unit's canonical JSON, in id order. */
async function expectedChecksum(t: TestApp, scopePath: string | null): Promise<{ units: number; sha256: string }> {
  const where = scopePath === null ? '' : `WHERE ${subtreeCondition('path')}`;
  const rows = await selectRows<Record<string, unknown>>(
    t.db,
    `SELECT id, code, name, kind, level, parent_id, path, staff_count, updated_at FROM org_units ${where} ORDER BY id`,
    scopePath === null ? [] : subtreeParams(scopePath),
  );
  const hash = createHash('sha256');
  for (const r of rows) {
    const unit = {
      id: toInt(r.id),
      code: r.code,
      name: r.name,
      kind: r.kind,
      level: r.level,
      parentId: r.parent_id === null ? null : toInt(r.parent_id),
      path: r.path,
      staffCount: toInt(r.staff_count),
      updatedAt: r.updated_at,
    };
    hash.update(`${canonicalJson(unit)}\n`);
  }
  return { units: rows.length, sha256: hash.digest('hex') };
}

describe('jobs', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;

  const start = (user: UserRef, body: object) => t.http.post(`${API}/jobs`).set(bearer(user)).send(body);
  const read = async (user: UserRef, id: number): Promise<Job> => (await t.http.get(`${API}/jobs/${id}`).set(bearer(user)).expect(200)).body as Job;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Polls as a client would until the job has ended; every poll must answer 200. */
  async function untilEnded(user: UserRef, id: number): Promise<Job> {
    for (;;) {
      const job = await read(user, id);
      if (ended(job)) return job;
      await sleep(25);
    }
  }

  function expectError(res: Response, status: number, field?: string): void {
    expect({ status: res.status, statusCode: res.body.statusCode }).toEqual({ status, statusCode: status });
    expect(typeof res.body.message).toBe('string');
    if (field !== undefined) expect((res.body.details as { field?: string }[]).map((d) => d.field)).toContain(field);
  }

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
  });
  afterAll(() => t.close());

  it('answers 401 without a token', async () => {
    for (const res of [await t.http.get(`${API}/jobs`), await t.http.get(`${API}/jobs/1`), await t.http.post(`${API}/jobs`).send({ kind: 'org-units-checksum' })]) {
      expectError(res, 401);
    }
  });

  it('answers 202 {jobId}, runs the job in a worker thread and stores its result and progress', async () => {
    const res = await start(users.coordinator, { kind: 'org-units-checksum', input: { batchSize: 2 } }).expect(202);
    expect(res.body).toEqual({ jobId: expect.any(Number), status: 'queued' });
    const job = await untilEnded(users.coordinator, res.body.jobId);
    const expected = await expectedChecksum(t, tree.mengzi.path);
    expect(job).toMatchObject({
      id: res.body.jobId,
      kind: 'org-units-checksum',
      status: 'succeeded',
      input: { batchSize: 2 },
      createdBy: users.coordinator.id,
      progress: { done: expected.units, total: expected.units },
      result: { units: expected.units, sha256: expected.sha256, scopePath: tree.mengzi.path, batches: Math.ceil(expected.units / 2) },
    });
    expect(job.result!.ranOn.isMainThread).toBe(false);
    expect(job.result!.ranOn.threadId).toBeGreaterThan(0);
    expect(job.error).toBeUndefined();
    expect(job.createdAt <= job.startedAt! && job.startedAt! <= job.finishedAt!).toBe(true);
    // Starting a job is a write, audited in the same transaction.
    const audited = await selectRows<{ actor: string; after_json: string }>(t.db, `SELECT actor, after_json FROM audit_log WHERE action = 'job.start' AND entity_id = ?`, [
      String(job.id),
    ]);
    expect(audited).toHaveLength(1);
    expect(audited[0].actor).toBe(users.coordinator.username);
    expect(JSON.parse(audited[0].after_json)).toMatchObject({ id: job.id, kind: 'org-units-checksum', input: { batchSize: 2 } });
  });

  describe('while a long job runs', () => {
    beforeAll(() => generateVillages(t, tree.gejiu, 40, 1000));

    it('GET /health still answers (the request thread is free) and the progress moves', async () => {
      const total = (await expectedChecksum(t, null)).units;
      // Small batches: many statements, so the job runs for several progress intervals (SQLite answers each faster).
      const batchSize = t.kind === 'sqlite' ? 2 : 8;
      const res = await start(users.admin, { kind: 'org-units-checksum', input: { batchSize } }).expect(202);
      const seen: Job[] = [];
      let healthWhileRunning = 0;
      for (;;) {
        // A health answer followed by a read showing the job still running was given while the job ran.
        await t.http.get(`${API}/health`).expect(200);
        const job = await read(users.admin, res.body.jobId);
        seen.push(job);
        if (job.status === 'running') healthWhileRunning += 1;
        if (ended(job)) break;
      }
      expect(healthWhileRunning).toBeGreaterThan(0);
      const last = seen[seen.length - 1];
      expect(last).toMatchObject({ status: 'succeeded', progress: { done: total, total }, result: { units: total, ranOn: { isMainThread: false } } });
      const done = seen.map((j) => j.progress.done);
      expect(done).toEqual([...done].sort((a, b) => a - b));
      // Progress was seen between the start and the end, not only at the end.
      expect(done.some((d) => d > 0 && d < total)).toBe(true);
    });
  });

  it('shows a job to whoever started it; anyone else, admin included (DESIGN §3), gets 404, as for a job that does not exist', async () => {
    const { body } = await start(users.coordinator, { kind: 'org-units-checksum', input: {} }).expect(202);
    await untilEnded(users.coordinator, body.jobId);
    expect((await read(users.coordinator, body.jobId)).id).toBe(body.jobId);
    for (const other of [users.admin, users.gejiuCoordinator, users.inspector, users.issuer, users.reporter]) {
      expectError(await t.http.get(`${API}/jobs/${body.jobId}`).set(bearer(other)), 404);
    }
    expectError(await t.http.get(`${API}/jobs/999999`).set(bearer(users.admin)), 404);
    expectError(await t.http.get(`${API}/jobs/abc`).set(bearer(users.admin)), 400);
  });

  it('lists your own jobs, newest first (admin too: only its own), with kind and status filters', async () => {
    const { body: mine } = await start(users.reporter, { kind: 'org-units-checksum' }).expect(202);
    await untilEnded(users.reporter, mine.jobId);
    const own = await t.http.get(`${API}/jobs`).set(bearer(users.reporter)).expect(200);
    expect(own.body).toMatchObject({ total: 1, page: 1, pageSize: 50 });
    expect(own.body.items.map((j: Job) => j.id)).toEqual([mine.jobId]);
    expect(own.body.items[0].result.scopePath).toBe(tree.wenlan.path);

    const coordinators = await t.http.get(`${API}/jobs`).set(bearer(users.coordinator)).expect(200);
    expect(coordinators.body.items.every((j: Job) => j.createdBy === users.coordinator.id)).toBe(true);
    expect(coordinators.body.total).toBeGreaterThanOrEqual(2);

    const admins = await t.http.get(`${API}/jobs`).query({ pageSize: 500 }).set(bearer(users.admin)).expect(200);
    const ids = admins.body.items.map((j: Job) => j.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(admins.body.items.map((j: Job) => j.createdBy))).toEqual(new Set([users.admin.id]));

    const failedOnly = await t.http.get(`${API}/jobs`).query({ status: 'failed' }).set(bearer(users.reporter)).expect(200);
    expect(failedOnly.body.total).toBe(0);
    expect((await t.http.get(`${API}/jobs`).query({ kind: 'org-units-checksum' }).set(bearer(users.reporter)).expect(200)).body.total).toBe(1);
    expectError(await t.http.get(`${API}/jobs`).query({ status: 'stuck' }).set(bearer(users.reporter)), 400, 'status');
  });

  it('records a failure as failed, and the poller still gets 200 with the error', async () => {
    // A unit outside the caller's jurisdiction, and one that does not exist: the same answer.
    for (const underId of [tree.gejiuTown.id, 999_999]) {
      const { body } = await start(users.coordinator, { kind: 'org-units-checksum', input: { underId } }).expect(202);
      const job = await untilEnded(users.coordinator, body.jobId);
      expect(job).toMatchObject({ status: 'failed', error: { code: 'NOT_FOUND', message: `Org unit ${underId} not found` } });
      expect(job.result).toBeUndefined();
      expect(job.finishedAt).toEqual(expect.any(String));
    }
    const { body } = await start(users.coordinator, { kind: 'org-units-checksum', input: { underId: tree.wenlan.id } }).expect(202);
    expect(await untilEnded(users.coordinator, body.jobId)).toMatchObject({ status: 'succeeded', result: { scopePath: tree.wenlan.path, units: 2 } });
  });

  it('refuses bad input before storing a job', async () => {
    const before = toInt((await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM jobs'))[0].n);
    expectError(await start(users.coordinator, { kind: 'org-units-checksum', input: { batchSize: 0 } }), 422, 'input.batchSize');
    expectError(await start(users.coordinator, { kind: 'org-units-checksum', input: { batchSize: 'many' } }), 422, 'input.batchSize');
    expectError(await start(users.coordinator, { kind: 'org-units-checksum', input: { surprise: 1 } }), 422, 'input.surprise');
    expectError(await start(users.coordinator, { kind: 'no-such-job' }), 422, 'kind');
    expectError(await start(users.coordinator, { kind: 'Not A Kind' }), 400, 'kind');
    expectError(await start(users.coordinator, { kind: 'org-units-checksum', input: [1] }), 400, 'input');
    expectError(await start(users.coordinator, {}), 400, 'kind');
    expect(toInt((await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM jobs'))[0].n)).toBe(before);
  });

  it('replays the same job for a retried POST with the same Idempotency-Key', async () => {
    const first = await start(users.inspector, { kind: 'org-units-checksum' }).set('Idempotency-Key', 'checksum-1').expect(202);
    const again = await start(users.inspector, { kind: 'org-units-checksum' }).set('Idempotency-Key', 'checksum-1').expect(202);
    expect(again.body.jobId).toBe(first.body.jobId);
    expect(again.headers['idempotent-replayed']).toBe('true');
    await untilEnded(users.inspector, first.body.jobId);
  });
});
