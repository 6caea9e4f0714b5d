import { existsSync, mkdirSync, mkdtempSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerClient, PlannedWrite, REGISTERED_MONTHS, rowsByMarker, seedLedger, Seeded, Ticks, WriteRecord } from './ledger-load';
import { LedgerStore, postgresStore, sqliteStore } from './ledger-store';
import { buildServer, httpJson, Installation, newInstallation, runCli, seededRandom, ServerProcess } from './server-process';

/**
 * Issue 10, points 3 and 6: the built server as its own process.
 * 3. On a SQLite file and on PostgreSQL (a fresh schema; outside CI a visible skip when it does not
 *    answer): concurrent clients write with Idempotency-Keys; the server is SIGKILLed four times
 *    mid-load at seeded moments and restarted; clients retry what went unanswered. Every
 *    acknowledged write is there exactly once, every retry left one row, the audit chain
 *    verifies, the database is sound.
 * 6. On a SQLite file (what backup and restore are for): `cli backup` while the server takes
 *    writes; `cli restore` refused while it runs, accepted once it stopped; the server starts on
 *    the restored file with every write acknowledged before the backup began, and the audit chain
 *    verifies.
 * The figures are printed (console.log) for docs/RELIABILITY.md. DURABILITY_SEED=n replays a run.
 */
const SEED = Number(process.env.DURABILITY_SEED ?? 20261127);
const ADMIN_PASSWORD = 'admin-password-1';
const MINUTE = 60_000;
/** Share of writes whose first answer the client loses on its way back (retried after the next restart). */
const DROP_RATE = 0.05;

jest.setTimeout(5 * MINUTE);

let root: string;
let dist: string;
const servers: ServerProcess[] = [];

async function start(inst: Installation, label: string): Promise<ServerProcess> {
  const server = await ServerProcess.start(inst, label);
  servers.push(server);
  return server;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'burden-ledger-process-'));
  mkdirSync(join(root, 'build'));
  dist = await buildServer(join(root, 'build'));
}, 5 * MINUTE);

afterAll(async () => {
  for (const server of servers) await server.stop('SIGKILL');
  if (process.env.KEEP_PROCESS_TEST_FILES !== '1') rmSync(root, { recursive: true, force: true });
});

/** Resolves at the next change of `file` (inotify on Linux), or after a second without one. */
function nextWrite(file: string): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(file);
    const done = () => {
      clearTimeout(timer);
      watcher.close();
      resolve();
    };
    const timer = setTimeout(done, 1000);
    watcher.once('change', done);
    watcher.once('error', done);
  });
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 2 * MINUTE): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const idOf = (r: WriteRecord) => (r.answer!.body as { id: number }).id;
const describeFailure = (r: WriteRecord) => ({ key: r.write.key, status: r.rejected?.status, body: r.rejected?.body, unanswered: r.unanswered });

/** A shadow-demand report whose note is its key (the marker the database is searched by). */
function shadowReport(key: string, token: string, hours: number): PlannedWrite {
  return {
    key,
    path: '/burden-reports',
    token,
    body: { shadow: { issuerName: '县某局', kind: 'report', title: '紧急报送辖区企业名单', receivedOn: '2026-09-03', channel: 'wechat_group' }, hoursSpent: hours, staffInvolved: 1, note: key },
    marker: { table: 'burden_reports', column: 'note', value: key },
  };
}

/**
 * Two issuer clients registering demands and six reporter clients (one per township) alternating
 * reports on the registered monthly demands (each (demand, month) once) and shadow reports.
 */
function planClients(seeded: Seeded, random: () => number): LedgerClient[] {
  const clients: LedgerClient[] = [];
  const townIds = seeded.reporters.map((r) => r.unitId);
  for (let c = 0; c < 2; c += 1) {
    const writes: PlannedWrite[] = [];
    for (let i = 0; i < 24; i += 1) {
      const key = `durability-d${c}-${i}-${SEED}`;
      const title = `耐久性测试事项 ${key}`;
      const first = Math.floor(random() * townIds.length);
      const targets = [townIds[first], townIds[(first + 1 + Math.floor(random() * (townIds.length - 1))) % townIds.length]];
      const common = { title, topic: 'education', issuedOn: `2026-10-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`, targetUnitIds: targets };
      const body = i % 2 === 0 ? { ...common, kind: 'report', fields: ['辖区学校数', `统计指标${i}`] } : { ...common, kind: 'meeting', durationMinutes: 60, attendeesPerTarget: 1 };
      writes.push({ key, path: '/demands', token: seeded.issuerToken, body, marker: { table: 'demands', column: 'title', value: title }, dropFirstAnswer: random() < DROP_RATE });
    }
    clients.push(new LedgerClient(`issuer-${c}`, writes));
  }
  seeded.reporters.forEach((reporter, c) => {
    const writes: PlannedWrite[] = [];
    for (let i = 0; i < 28; i += 1) {
      const key = `durability-r${c}-${i}-${SEED}`;
      const hours = 1 + Math.round(random() * 6) / 2;
      const dropFirstAnswer = random() < DROP_RATE;
      if (i % 2 === 1) {
        writes.push({ ...shadowReport(key, reporter.token, hours), dropFirstAnswer });
        continue;
      }
      const j = i / 2;
      const body = { demandId: seeded.registeredDemandIds[j % seeded.registeredDemandIds.length], month: REGISTERED_MONTHS[Math.floor(j / 2)], hoursSpent: hours, staffInvolved: 1, note: key };
      writes.push({ key, path: '/burden-reports', token: reporter.token, body, marker: { table: 'burden_reports', column: 'note', value: key }, dropFirstAnswer });
    }
    clients.push(new LedgerClient(`reporter-${c}`, writes));
  });
  return clients;
}

const CI = process.env.CI === 'true' || process.env.CI === '1';

describe.each(['sqlite', 'postgres'] as const)('durability on %s: SIGKILL mid-load, restart, retries with the same Idempotency-Key', (kind) => {
  let store: LedgerStore | null = null;
  afterAll(async () => store?.close());

  it('keeps every acknowledged write exactly once, gives every retried request one row, and leaves a sound database and audit chain', async () => {
    const random = seededRandom(SEED);
    const dir = join(root, `durability-${kind}`);
    if (kind === 'sqlite') {
      store = sqliteStore(join(dir, 'ledger.sqlite'));
    } else {
      store = await postgresStore();
      if (store === null) {
        if (CI) throw new Error('CI=true: PostgreSQL is required and does not answer');
        console.warn('*** SKIPPED the durability test on PostgreSQL: it does not answer (set TEST_POSTGRES_URL) ***');
        return;
      }
    }
    const inst = await newInstallation(dist, dir, ADMIN_PASSWORD, store.databaseUrl);
    let server = await start(inst, 'first');
    const seeded = await seedLedger(inst.port, ADMIN_PASSWORD, 6, 2);
    const clients = planClients(seeded, random);
    const records = clients.flatMap((c) => c.records);
    const ticks = new Ticks();
    const acknowledgedInKillRounds: WriteRecord[] = [];

    // Four rounds, each ended by a SIGKILL once that many writes were acknowledged in it: in
    // rounds 1 and 3 after a seeded delay of a few milliseconds (anywhere in a request's life), in
    // rounds 2 and 4 at the next write to the WAL (SQLite's file, PostgreSQL's pg_wal), i.e. as a
    // transaction commits: as close as a test outside the process gets to a kill between a commit
    // and its answer. Where the WAL cannot be watched, after the seeded delay.
    const commitWatch = store.commitWatch;
    const killPoints = Array.from({ length: 4 }, () => 20 + Math.floor(random() * 20));
    const killDelaysMs = killPoints.map(() => Math.floor(random() * 60));
    const rounds: { killAfter: number; at: string; acknowledged: number; unanswered: number; answersLostInTransit: number; inFlight: number }[] = [];
    for (const [round, killAfter] of killPoints.entries()) {
      const current = server;
      const atCommit = round % 2 === 1 && commitWatch !== null;
      const state = { acknowledged: 0, kill: null as Promise<{ signal: NodeJS.Signals | null }> | null };
      const unansweredBefore = new Map(records.map((r) => [r, r.unanswered.length]));
      const onAck = (r: WriteRecord) => {
        acknowledgedInKillRounds.push(r);
        state.acknowledged += 1;
        if (state.acknowledged !== killAfter) return;
        state.kill = (atCommit ? nextWrite(commitWatch) : new Promise((resolve) => setTimeout(resolve, killDelaysMs[round]))).then(() => current.stop('SIGKILL'));
      };
      await Promise.all(clients.map((c) => c.run(inst.port, ticks, onAck)));
      if (state.kill === null) throw new Error(`Round ${round + 1}: the clients finished before ${killAfter} acknowledged writes; plan more writes`);
      expect((await state.kill).signal).toBe('SIGKILL');
      const codes = records.flatMap((r) => r.unanswered.slice(unansweredBefore.get(r)));
      rounds.push({
        killAfter,
        at: atCommit ? 'next WAL write' : `${killDelaysMs[round]} ms later`,
        acknowledged: state.acknowledged,
        unanswered: codes.length,
        answersLostInTransit: codes.filter((code) => code === 'dropped').length,
        // Reset or closed mid-request: those were in the server when it died. Refused: sent after.
        inFlight: codes.filter((code) => code !== 'ECONNREFUSED' && code !== 'dropped').length,
      });
      // The killed server left its lock file on the SQLite file: a dead claim must not stop the restart.
      if (kind === 'sqlite') expect(existsSync(`${inst.databasePath}.server-lock`)).toBe(true);
      server = await start(inst, `after-kill-${round + 1}`);
    }
    // The last round: every client retries what went unanswered, then sends the rest (and once
    // more for answers lost in this round).
    for (let pass = 0; pass < 2; pass += 1) await Promise.all(clients.map((c) => c.run(inst.port, ticks, () => undefined)));
    expect(clients.filter((c) => !c.done).map((c) => c.name)).toEqual([]);
    await server.stop('SIGTERM');

    expect(records.filter((r) => r.rejected !== null).map(describeFailure)).toEqual([]);
    expect(records.filter((r) => r.answer === null).map(describeFailure)).toEqual([]);
    const retried = records.filter((r) => r.attempts > 1);
    // Every request that went unanswered was retried and answered (checked above); a retry of a
    // write that had committed is a replay of the stored answer, not a second write.
    expect(retried.map((r) => r.write.key)).toEqual(records.filter((r) => r.unanswered.length > 0).map((r) => r.write.key));
    // An answer lost on its way back was sent after the write committed: across the restarts its
    // retry must be the stored answer replayed.
    const lost = records.filter((r) => r.unanswered.includes('dropped'));
    expect(lost.filter((r) => !r.replayed).map((r) => r.write.key)).toEqual([]);
    const cutByAKill = retried.filter((r) => r.unanswered.some((code) => code !== 'dropped'));

    const verify = await runCli(inst, ['verify-audit']);
    expect({ code: verify.code, stderr: verify.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('intact') });
    const chain = JSON.parse(verify.stdout) as { ok: boolean; entries: number; headHash: string };
    expect(chain.ok).toBe(true);

    const db = store;
    const soundness = await db.soundness();
    expect(soundness.integrity).toBe(kind === 'sqlite' ? 'ok' : 'enforced');
    expect(soundness.foreignKeyProblems).toEqual([]);
    // Each write's marker names exactly one row, the one its (first or replayed) answer names.
    const problems: { key: string; answered: number; rows: number[]; attempts: number; replayed: boolean }[] = [];
    for (const table of ['demands', 'burden_reports'] as const) {
      const mine = records.filter((r) => r.write.marker.table === table);
      const rows = await rowsByMarker(db, mine[0].write.marker, mine.map((r) => r.write.marker.value));
      for (const r of mine) {
        const ids = rows.get(r.write.marker.value)!;
        if (ids.length !== 1 || ids[0] !== idOf(r)) problems.push({ key: r.write.key, answered: idOf(r), rows: ids, attempts: r.attempts, replayed: r.replayed });
      }
    }
    expect(problems).toEqual([]);
    // Nothing else was written: no row without an answered request behind it.
    const count = async (sql: string) => Number((await db.all<{ n: number | string }>(sql))[0].n);
    const demandsPlanned = records.filter((r) => r.write.marker.table === 'demands').length;
    expect(await count('SELECT COUNT(*) AS n FROM demands')).toBe(demandsPlanned + seeded.registeredDemandIds.length);
    expect(await count('SELECT COUNT(*) AS n FROM burden_reports')).toBe(records.length - demandsPlanned);
    expect(await count('SELECT COUNT(*) AS n FROM burden_report_versions')).toBe(records.length - demandsPlanned);
    // One audit entry per created row, in the chain verified above.
    const audited = (
      await db.all<{ action: string; entity_id: string; n: number | string }>(
        "SELECT action, entity_id, COUNT(*) AS n FROM audit_log WHERE action IN ('demand.create', 'burden-report.create') GROUP BY action, entity_id",
      )
    ).map((a) => ({ action: a.action, entityId: a.entity_id, n: Number(a.n) }));
    expect(audited.filter((a) => a.n !== 1)).toEqual([]);
    const auditedIds = (action: string) => new Set(audited.filter((a) => a.action === action).map((a) => Number(a.entityId)));
    const demandIds = auditedIds('demand.create');
    const reportIds = auditedIds('burden-report.create');
    expect(records.filter((r) => !(r.write.path === '/demands' ? demandIds : reportIds).has(idOf(r))).map((r) => r.write.key)).toEqual([]);
    expect(demandIds.size).toBe(demandsPlanned + seeded.registeredDemandIds.length);
    expect(reportIds.size).toBe(records.length - demandsPlanned);
    // Every key was recorded once, with its answer: none left pending by the kills.
    const keys = await db.all<{ key: string; state: string }>("SELECT idem_key AS key, state FROM idempotency_keys WHERE idem_key LIKE 'durability-%'");
    expect(keys.filter((k) => k.state !== 'done')).toEqual([]);
    expect(new Set(keys.map((k) => k.key)).size).toBe(records.length);
    expect(keys.length).toBe(records.length);

    const acknowledgedBeforeKills = rounds.reduce((n, r) => n + r.acknowledged, 0);
    const figures = {
      database: kind,
      seed: SEED,
      clients: clients.length,
      writesPlanned: records.length,
      kills: rounds,
      acknowledgedBeforeAKill: acknowledgedBeforeKills,
      acknowledgedBeforeAKillFoundOnce: acknowledgedInKillRounds.filter((r) => !problems.some((p) => p.key === r.write.key)).length,
      acknowledgedInAll: records.filter((r) => r.answer !== null).length,
      retried: retried.length,
      retriedAnswerLostInTransit: lost.length,
      retriedAfterAKill: cutByAKill.length,
      retriedAfterAKillFoundCommitted: cutByAKill.filter((r) => r.replayed).length,
      retriedAfterAKillWrittenOnRetry: cutByAKill.filter((r) => !r.replayed).length,
      foundExactlyOnceAfterTheKills: records.length - problems.length,
      auditEntries: chain.entries,
      integrityCheck: soundness.integrity,
      killsAtACommit: rounds.filter((r) => r.at === 'next WAL write').length,
    };
    console.log(`Durability figures (issue 10.3): ${JSON.stringify(figures, null, 2)}`);
    expect(acknowledgedBeforeKills).toBeGreaterThanOrEqual(killPoints.reduce((a, b) => a + b, 0));
  });
});

describe('backup and restore through the CLI with the server running', () => {
  it('backs up while writes go on, refuses to restore under the server, restores once it stopped, with every write acknowledged before the backup', async () => {
    const inst = await newInstallation(dist, join(root, 'backup'), ADMIN_PASSWORD);
    let server = await start(inst, 'before-backup');
    const seeded = await seedLedger(inst.port, ADMIN_PASSWORD, 2, 0);
    const clients = seeded.reporters.map(
      (reporter, c) =>
        new LedgerClient(
          `reporter-${c}`,
          Array.from({ length: 2000 }, (_, i) => shadowReport(`backup-r${c}-${i}`, reporter.token, 1 + (i % 4))),
        ),
    );
    const records = clients.flatMap((c) => c.records);
    const ticks = new Ticks();
    let acknowledged = 0;
    let stopWriting = false;
    // A steady trickle of writes (a pause after each), so the CLI processes are not starved.
    const writing = Promise.all(clients.map((c) => c.run(inst.port, ticks, () => (acknowledged += 1), () => stopWriting, 50)));

    await waitFor(() => acknowledged >= 40, '40 acknowledged writes');
    const backupFile = join(inst.dir, 'backup-1.sqlite');
    const backupBegan = ticks.next();
    const ackedAtBackupStart = acknowledged;
    const backup = await runCli(inst, ['backup', backupFile]);
    const backupEnded = ticks.next();
    const writtenDuringBackup = acknowledged - ackedAtBackupStart;
    // More writes after the backup, then a restore attempt while the server still runs.
    const ackedAtBackupEnd = acknowledged;
    await waitFor(() => acknowledged >= ackedAtBackupEnd + 10, '10 writes after the backup');
    const refused = await runCli(inst, ['restore', backupFile]);
    const ackedAtRefusal = acknowledged;
    await waitFor(() => acknowledged >= ackedAtRefusal + 3, 'writes after the refused restore');
    stopWriting = true;
    await writing;

    expect({ code: backup.code, stderr: backup.stderr.includes('does not verify') }).toEqual({ code: 0, stderr: false });
    const backedUp = JSON.parse(backup.stdout) as { file: string; auditEntries: number; auditHeadHash: string };
    expect(backedUp.file).toBe(backupFile);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`pid ${server.pid}`);
    expect(refused.stderr).toContain('Stop it, then restore');
    expect(records.filter((r) => r.rejected !== null || (r.attempts > 0 && r.answer === null)).map(describeFailure)).toEqual([]);

    const acknowledgedBefore = records.filter((r) => r.answer !== null && r.answeredAt < backupBegan);
    const sentAfter = records.filter((r) => r.answer !== null && r.sentAt > backupEnded);
    expect(acknowledgedBefore.length).toBeGreaterThanOrEqual(40);
    expect(sentAfter.length).toBeGreaterThanOrEqual(13);
    // The live file still holds everything, restored or not: the refused restore changed nothing.
    const live = sqliteStore(inst.databasePath);
    try {
      const rows = await rowsByMarker(live, { table: 'burden_reports', column: 'note' }, records.map((r) => r.write.key));
      expect(records.filter((r) => r.answer !== null && rows.get(r.write.key)!.length !== 1).map((r) => r.write.key)).toEqual([]);
    } finally {
      await live.close();
    }

    await server.stop('SIGTERM');
    const restored = await runCli(inst, ['restore', backupFile]);
    expect({ code: restored.code, stderr: restored.stderr }).toEqual({ code: 0, stderr: '' });
    const restoreAnswer = JSON.parse(restored.stdout) as { restored: string; previous: string; auditEntries: number; auditHeadHash: string };
    expect(restoreAnswer).toMatchObject({ restored: inst.databasePath, auditEntries: backedUp.auditEntries, auditHeadHash: backedUp.auditHeadHash });
    expect(existsSync(restoreAnswer.previous)).toBe(true);

    server = await start(inst, 'restored');
    const tokenOf = new Map(clients.map((c, i) => [c, seeded.reporters[i].token]));
    const reporterOf = (r: WriteRecord) => tokenOf.get(clients.find((c) => c.records.includes(r))!)!;
    for (const r of acknowledgedBefore) {
      const res = await httpJson(inst.port, 'GET', `/burden-reports/${idOf(r)}`, { token: reporterOf(r) });
      expect({ key: r.write.key, status: res.status, note: (res.body as { note?: string }).note }).toEqual({ key: r.write.key, status: 200, note: r.write.key });
    }
    // Written after the backup ended: not in it (nothing was written since the restore, so no id
    // came back). The first 20 through the API; the database check below covers them all.
    for (const r of sentAfter.slice(0, 20)) {
      const res = await httpJson(inst.port, 'GET', `/burden-reports/${idOf(r)}`, { token: reporterOf(r) });
      expect({ key: r.write.key, status: res.status }).toEqual({ key: r.write.key, status: 404 });
    }
    const verify = await runCli(inst, ['verify-audit']);
    expect(verify.code).toBe(0);
    const chain = JSON.parse(verify.stdout) as { ok: boolean; entries: number; headHash: string };
    expect(chain.ok).toBe(true);
    expect(chain.entries).toBeGreaterThanOrEqual(backedUp.auditEntries);
    await server.stop('SIGTERM');

    const db = sqliteStore(inst.databasePath);
    try {
      expect((await db.soundness()).integrity).toBe('ok');
      const rows = await rowsByMarker(db, { table: 'burden_reports', column: 'note' }, records.map((r) => r.write.key));
      expect(acknowledgedBefore.filter((r) => rows.get(r.write.key)!.length !== 1).map((r) => r.write.key)).toEqual([]);
      expect(sentAfter.filter((r) => rows.get(r.write.key)!.length !== 0).map((r) => r.write.key)).toEqual([]);
      const inBackup = records.filter((r) => rows.get(r.write.key)!.length === 1).length;
      console.log(
        `Backup round trip figures (issue 10.6): ${JSON.stringify(
          {
            acknowledgedBeforeTheBackup: acknowledgedBefore.length,
            acknowledgedWhileItRan: writtenDuringBackup,
            sentAfterItEnded: sentAfter.length,
            restoredRows: inBackup,
            foundAfterRestore: acknowledgedBefore.filter((r) => rows.get(r.write.key)!.length === 1).length,
            backupAuditEntries: backedUp.auditEntries,
            restoreRefusedWhileRunning: refused.code === 1,
          },
          null,
          2,
        )}`,
      );
    } finally {
      await db.close();
    }
  });
});
