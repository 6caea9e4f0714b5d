import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { createApp } from '@/app.factory';
import { CliModule } from '@/cli.module';
import type { Actor } from '@/common/auth/actor';
import { execute, selectRows, toInt, WAL_CHECKPOINT_PAGES } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { JobsService, JobView } from '@/modules/jobs/jobs.service';
import { standardTree, standardUsers, StandardTree, StandardUsers } from '../factories';
import { createTestDatabase, testConfig, TestDatabase } from '../utils/test-db';
import { TestApp } from '../utils/test-app';
import { attachmentJob, auditWriterJob, failingJob, lockHolderJob, walWriterJob } from './jobs-fixtures';

jest.setTimeout(60_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The actor a request by this user would carry. */
function actorOf(user: { id: number; username: string; role: Actor['role'] }, unit: { id: number; path: string } | null): Actor {
  return {
    userId: user.id,
    username: user.username,
    role: user.role,
    orgUnitId: unit?.id ?? null,
    unitPath: unit?.path ?? null,
    jurisdictionPath: unit?.path ?? null,
    level: unit ? 'county' : null,
  };
}

async function waitForEnd(jobs: JobsService, actor: Actor, id: number): Promise<JobView> {
  for (;;) {
    const job = await jobs.get(actor, id);
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    await sleep(20);
  }
}

describe('jobs (medium)', () => {
  let t: TestApp;
  let jobs: JobsService;
  let tree: StandardTree;
  let users: StandardUsers;
  let coordinator: Actor;

  beforeAll(async () => {
    t = await TestApp.start();
    jobs = t.app.get(JobsService);
    jobs.register(auditWriterJob);
    jobs.register(attachmentJob);
    jobs.register(failingJob);
    jobs.register(lockHolderJob);
    jobs.register(walWriterJob);
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    coordinator = actorOf(users.coordinator, tree.mengzi);
  });
  afterAll(() => t.close());

  it('registers the shipped kinds, and refuses a kind registered twice with another definition', () => {
    expect(jobs.kinds()).toEqual(expect.arrayContaining(['org-units-checksum', 'test-audit-writer']));
    expect(() => jobs.register({ ...auditWriterJob })).toThrow(/registered twice/);
    expect(() => jobs.register(auditWriterJob)).not.toThrow();
  });

  it('a worker and the request thread write the same database at once: no write fails, the audit chain stays whole', async () => {
    const audit = t.app.get(AuditService);
    const before = (await audit.verify()).entries;
    const { jobId } = await jobs.start(coordinator, 'test-audit-writer', { batches: 150, perBatch: 4 });
    const failures: string[] = [];
    let mainWrites = 0;
    let job = await jobs.get(coordinator, jobId);
    // Request-thread writes (read the chain head, then append) for as long as the worker writes.
    while (job.status === 'queued' || job.status === 'running') {
      try {
        await t.tx.run((tx) => audit.append(tx, { actor: coordinator, action: 'test.main-write', entityType: 'test', entityId: mainWrites, unitPath: tree.mengzi.path }));
        mainWrites += 1;
      } catch (error) {
        failures.push(String((error as Error).message));
      }
      job = await jobs.get(coordinator, jobId);
    }
    expect(failures).toEqual([]);
    expect(job).toMatchObject({ status: 'succeeded', result: { entries: 600, isMainThread: false }, progress: { done: 600, total: 600 } });
    // The worker started while the loop ran, so the two writers really overlapped.
    expect(mainWrites).toBeGreaterThan(0);
    expect(await audit.verify()).toMatchObject({ ok: true, entries: before + 1 + 600 + mainWrites });
  });

  it('SQLite: a worker holding the write lock transaction after transaction lets a waiting request-thread write go first', async () => {
    if (t.kind !== 'sqlite') return;
    const audit = t.app.get(AuditService);
    // 30 transactions of 400 ms back to back: 12 s of the lock with gaps of a few milliseconds. A
    // write that only retried would find the lock taken at nearly every try and give up after 5 s.
    const { jobId } = await jobs.start(coordinator, 'test-lock-holder', { transactions: 30, holdMs: 400 });
    let job = await jobs.get(coordinator, jobId);
    while (job.status === 'queued' || (job.status === 'running' && job.progress.done < 2)) {
      await sleep(20);
      job = await jobs.get(coordinator, jobId);
    }
    expect(job.status).toBe('running');
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const at = performance.now();
      await t.tx.run((tx) => audit.append(tx, { actor: coordinator, action: 'test.main-write', entityType: 'test', entityId: `lock-${i}`, unitPath: tree.mengzi.path }));
      waits.push(performance.now() - at);
    }
    // Each waited for the transaction in progress (at most 400 ms) and the worker's turn to see it:
    // well under a second here; the bound leaves room for a loaded CI machine and stays below 5 s.
    expect(Math.max(...waits)).toBeLessThan(2500);
    job = await jobs.get(coordinator, jobId);
    expect(job.status).toBe('running');
    expect((await waitForEnd(jobs, coordinator, jobId)).status).toBe('succeeded');
  });

  it('SQLite: while a worker writes, the server connection leaves WAL checkpoints to it, and the worker checkpoints its pages before it ends', async () => {
    if (t.kind !== 'sqlite') return;
    const pragma = <T>(sql: string) => t.tx.run<T[]>((tx) => tx.query(sql));
    const threshold = async () => (await pragma<{ wal_autocheckpoint: number }>('PRAGMA wal_autocheckpoint'))[0].wal_autocheckpoint;
    // An earlier test's worker may still be exiting (its job ended before its thread did): once it has, no worker runs.
    const serverThreshold = async () => {
      for (let i = 0; i < 250 && (await threshold()) !== WAL_CHECKPOINT_PAGES.server; i++) await sleep(20);
      return threshold();
    };
    expect(await serverThreshold()).toBe(WAL_CHECKPOINT_PAGES.server);
    // 24 transactions of 1 MB, 100 ms apart: ≈ 6,000 pages, below the worker's own threshold, so only its last checkpoint copies them.
    const { jobId } = await jobs.start(coordinator, 'test-wal-writer', { transactions: 24, kilobytes: 1024, pauseMs: 100 });
    let job = await jobs.get(coordinator, jobId);
    while (job.status === 'queued' || (job.status === 'running' && job.progress.done < 2)) {
      await sleep(20);
      job = await jobs.get(coordinator, jobId);
    }
    expect(job.status).toBe('running');
    expect(await threshold()).toBe(0);
    expect((await waitForEnd(jobs, coordinator, jobId)).status).toBe('succeeded');
    expect(await serverThreshold()).toBe(WAL_CHECKPOINT_PAGES.server);
    // NOOP reads the WAL's state without copying anything: what the server's next commit would have to copy.
    const [wal] = await t.app.get(DataSource).query<{ busy: number; log: number; checkpointed: number }[]>('PRAGMA wal_checkpoint(NOOP)');
    expect(wal.log - wal.checkpointed).toBeLessThan(WAL_CHECKPOINT_PAGES.server);
  });

  it('runs a small job inline on the request thread, with the same answer shape and record', async () => {
    const accepted = await jobs.start(coordinator, 'org-units-checksum', {}, { inline: true });
    expect(accepted).toEqual({ jobId: expect.any(Number), status: 'succeeded' });
    const job = await jobs.get(coordinator, accepted.jobId);
    expect(job).toMatchObject({ status: 'succeeded', result: { units: 5, ranOn: { isMainThread: true } }, progress: { done: 5, total: 5 } });
    expect(job.startedAt).toEqual(expect.any(String));
    expect(job.finishedAt).toEqual(expect.any(String));
  });

  it('hands the job its attachment and removes the file when the job ends', async () => {
    const content = Buffer.from('code,name\n532503001,文澜街道\n', 'utf8');
    const { jobId } = await jobs.start(coordinator, 'test-attachment', {}, { attachment: content });
    const job = await waitForEnd(jobs, coordinator, jobId);
    const result = job.result as { existed: boolean; bytes: number; sha256: string; path: string };
    expect(result).toMatchObject({ existed: true, bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') });
    expect(result.path.startsWith(t.config.dataDir)).toBe(true);
    // The row is cleared after the worker's exit has been handled.
    for (let i = 0; i < 100 && existsSync(result.path); i++) await sleep(20);
    expect(existsSync(result.path)).toBe(false);
    for (let i = 0; i < 100; i++) {
      const [row] = await selectRows<{ attachment_path: string | null }>(t.db, 'SELECT attachment_path FROM jobs WHERE id = ?', [jobId]);
      if (row.attachment_path === null) break;
      await sleep(20);
    }
    expect(await selectRows(t.db, 'SELECT attachment_path FROM jobs WHERE id = ?', [jobId])).toEqual([{ attachment_path: null }]);
  });

  it('records a failure from bad data with its code and details', async () => {
    const { jobId } = await jobs.start(coordinator, 'test-failing', { how: 'domain' });
    const job = await waitForEnd(jobs, coordinator, jobId);
    expect(job).toMatchObject({
      status: 'failed',
      progress: { done: 1, total: 3 },
      message: 'about to fail',
      error: { code: 'UNPROCESSABLE', message: 'row 2: topic is unknown', details: [{ row: 2, column: 'topic', message: 'is unknown' }] },
    });
    expect(job.result).toBeUndefined();
  });

  it('records a bug as failed without its internals', async () => {
    const { jobId } = await jobs.start(coordinator, 'test-failing', { how: 'bug' });
    const job = await waitForEnd(jobs, coordinator, jobId);
    expect(job.status).toBe('failed');
    expect(job.error?.message).toBe(`Job ${jobId} failed on an internal error; quote job ${jobId} when reporting it`);
    expect(JSON.stringify(job)).not.toContain('secret');
  });

  it('fails the job of a worker thread that dies without recording an end', async () => {
    const { jobId } = await jobs.start(coordinator, 'test-failing', { how: 'exit' });
    const job = await waitForEnd(jobs, coordinator, jobId);
    expect(job.status).toBe('failed');
    expect(job.error?.message).toContain('stopped unexpectedly (exit code 3)');
  });

  it('refuses bad input and unknown kinds before storing anything', async () => {
    const count = async () => toInt((await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM jobs'))[0].n);
    const before = await count();
    await expect(jobs.start(coordinator, 'org-units-checksum', { batchSize: 0 })).rejects.toMatchObject({ code: 'UNPROCESSABLE', details: [{ field: 'input.batchSize' }] });
    await expect(jobs.start(coordinator, 'no-such-kind', {})).rejects.toMatchObject({ code: 'UNPROCESSABLE', details: [{ field: 'kind' }] });
    // Test kinds declare no roles: they cannot be started through POST /jobs.
    await expect(jobs.startByRequest(coordinator, 'test-audit-writer', {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await count()).toBe(before);
  });

  it('refuses to queue a worker job inside a unit of work (the worker could not see the uncommitted row)', async () => {
    await expect(t.tx.run(() => jobs.start(coordinator, 'org-units-checksum', {}))).rejects.toThrow(/outside TransactionRunner.run/);
    // Inline, it simply joins the unit of work.
    const inline = await t.tx.run(() => jobs.start(coordinator, 'org-units-checksum', {}, { inline: true }));
    expect((await jobs.get(coordinator, inline.jobId)).status).toBe('succeeded');
  });

  it('runs at most two workers at once; the others wait queued and then run', async () => {
    const started = await Promise.all([1, 2, 3, 4].map(() => jobs.start(coordinator, 'test-audit-writer', { batches: 20, perBatch: 2 })));
    expect(started.map((s) => s.status)).toEqual(['queued', 'queued', 'queued', 'queued']);
    let maxRunning = 0;
    for (;;) {
      const states = await Promise.all(started.map((s) => jobs.get(coordinator, s.jobId)));
      maxRunning = Math.max(maxRunning, states.filter((j) => j.status === 'running').length);
      if (states.every((j) => j.status === 'succeeded' || j.status === 'failed')) {
        expect(states.map((j) => j.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
        break;
      }
      await sleep(10);
    }
    expect(maxRunning).toBeLessThanOrEqual(2);
  });
});

describe('jobs across a restart (medium)', () => {
  let db: TestDatabase;
  let app: NestExpressApplication | null = null;

  beforeAll(async () => (db = await createTestDatabase()));
  afterEach(async () => {
    await app?.close();
    app = null;
  });
  afterAll(() => db.drop());

  const start = async () => {
    app = await createApp(testConfig(db));
    await app.init();
    return app;
  };

  it('a job running when the server stops is marked failed as interrupted; jobs a crash left behind fail at the next start', async () => {
    let running = await start();
    const manager = running.get(DataSource).manager;
    const jobs = running.get(JobsService);
    jobs.register(auditWriterJob);
    const at = new Date().toISOString();
    const [unitRow] = await selectRows<{ id: number | string }>(
      manager,
      `INSERT INTO org_units (code, name, kind, level, parent_id, path, depth, staff_count, created_at, updated_at) VALUES ('53', '云南省', 'area', 'province', NULL, '/53/', 0, 0, ?, ?) RETURNING id`,
      [at, at],
    );
    const unit = { id: toInt(unitRow.id), path: '/53/' };
    const [userRow] = await selectRows<{ id: number | string }>(
      manager,
      `INSERT INTO users (username, password_hash, role, org_unit_id, disabled, token_version, created_at, updated_at) VALUES ('restarter', 'x', 'coordinator', ?, ?, 0, ?, ?) RETURNING id`,
      [unit.id, false, at, at],
    );
    const user = { id: toInt(userRow.id), username: 'restarter', role: 'coordinator' as const };
    const actor = actorOf(user, unit);
    const { jobId } = await jobs.start(actor, 'test-audit-writer', { batches: 100_000, perBatch: 1 });
    for (;;) {
      const job = await jobs.get(actor, jobId);
      if (job.status === 'running' && job.progress.done > 0) break;
      await sleep(20);
    }
    await running.close();
    app = null;

    // What a crash leaves behind: rows still queued or running, with nobody to finish them.
    running = await start();
    const tx = running.get(TransactionRunner);
    await execute(running.get(DataSource).manager, `INSERT INTO jobs (kind, status, progress_done, input, created_by, created_at) VALUES ('org-units-checksum', 'running', 3, '{}', ?, ?)`, [
      user.id,
      new Date().toISOString(),
    ]);
    const [orphan] = await selectRows<{ id: number | string }>(tx.reader, 'SELECT MAX(id) AS id FROM jobs');
    await running.close();
    app = null;

    running = await start();
    const after = running.get(JobsService);
    const stopped = await after.get(actor, jobId);
    expect(stopped).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/^Interrupted: the server stopped/) } });
    expect(stopped.finishedAt).toEqual(expect.any(String));
    const crashed = await after.get(actor, toInt(orphan.id));
    expect(crashed).toMatchObject({ status: 'failed', progress: { done: 3 }, error: { message: expect.stringMatching(/^Interrupted/) } });
    const recovered = await selectRows<{ after_json: string }>(running.get(DataSource).manager, `SELECT after_json FROM audit_log WHERE action = 'job.fail-interrupted'`);
    expect(recovered.map((r) => JSON.parse(r.after_json) as unknown)).toEqual([{ jobIds: [toInt(orphan.id)] }]);
  });

  it('a command-line process beside a live server leaves the server’s running jobs alone; the server’s next start fails them', async () => {
    const server = await start();
    const manager = server.get(DataSource).manager;
    const at = new Date().toISOString();
    const [userRow] = await selectRows<{ id: number | string }>(
      manager,
      `INSERT INTO users (username, password_hash, role, org_unit_id, disabled, token_version, created_at, updated_at) VALUES ('cli-neighbour', 'x', 'admin', NULL, ?, 0, ?, ?) RETURNING id`,
      [false, at, at],
    );
    await execute(manager, `INSERT INTO jobs (kind, status, progress_done, input, created_by, created_at) VALUES ('org-units-checksum', 'running', 1, '{}', ?, ?)`, [toInt(userRow.id), at]);
    const [job] = await selectRows<{ id: number | string }>(manager, 'SELECT MAX(id) AS id FROM jobs');
    const statusOf = async () => (await selectRows<{ status: string }>(server.get(DataSource).manager, 'SELECT status FROM jobs WHERE id = ?', [job.id]))[0].status;

    const cli = await NestFactory.createApplicationContext(CliModule.forRoot(testConfig(db)), { logger: false });
    await cli.init();
    await cli.close();
    expect(await statusOf()).toBe('running');

    await server.close();
    app = null;
    const restarted = await start();
    const [after] = await selectRows<{ status: string }>(restarted.get(DataSource).manager, 'SELECT status FROM jobs WHERE id = ?', [job.id]);
    expect(after.status).toBe('failed');
  });
});
