import { TransactionRunner } from '@/database/transaction-runner';
import { unitFindingsInWorker } from '@/modules/flags/finding-producer';
import { selectRows } from '@/database/dialect';
import { FindingScan, UNIT_RULE_CODES, UnitFindingBatch, UnitFindingStream, unitFindingsHere } from '@/modules/flags/finding-scan';
import { latestPolicy } from '@/modules/flags/flags-evaluate.job';
import type { PolicySnapshot } from '@/modules/policy/policy.service';
import { bearer, standardTree, StandardTree, standardUsers, StandardUsers } from '../factories';
import { demandBody } from '../factories/demands';
import { TestApp } from '../utils/test-app';

async function drain(stream: UnitFindingStream): Promise<UnitFindingBatch[]> {
  const batches: UnitFindingBatch[] = [];
  try {
    for (let batch = await stream.next(); batch; batch = await stream.next()) batches.push(batch);
  } finally {
    await stream.close();
  }
  return batches;
}

/**
 * Issue 5: a full evaluation's unit scan runs in a thread of its own (finding-producer.ts) while
 * the job's worker judges demands and writes. What that thread hands over must be exactly what the
 * scan gives in one thread: the same batches, with the same findings, in the same order, however
 * the batches are cut into messages and however far ahead the thread may run.
 */
describe('flags: the unit scan in a thread of its own (e2e)', () => {
  jest.setTimeout(120_000);
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  let policy: PolicySnapshot;
  const heap = { oldMb: 64, youngMb: 8 };

  beforeAll(async () => {
    // POST /flags/evaluate below runs with the scan thread (BURDEN_LEDGER_JOB_HELPER_THREADS=1).
    t = await TestApp.start({ jobHelperThreads: 1 });
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    const targets = { targetUnitIds: [tree.wenlan.id, tree.yuguopu.id, tree.village.id] };
    // The same three fields asked again every few days (DUPLICATE_DATA_REQUEST on each later one,
    // per unit), and inspections of the same topic a week apart (DUPLICATE_INSPECTION).
    for (let i = 0; i < 6; i++) {
      const issuedOn = `2026-03-${String(2 + 4 * i).padStart(2, '0')}`;
      await t.http
        .post('/api/v1/demands')
        .set(bearer(users.issuer))
        .send(demandBody('report', tree, { ...targets, title: `重复报表${i}`, issuedOn, dueOn: issuedOn.replace('-03-', '-04-') }))
        .expect(201);
    }
    for (let i = 0; i < 3; i++) {
      const issuedOn = `2026-05-${String(4 + 7 * i).padStart(2, '0')}`;
      await t.http
        .post('/api/v1/demands')
        .set(bearer(users.issuer))
        .send(demandBody('inspection', tree, { ...targets, title: `检查${i}`, issuedOn, dueOn: issuedOn }))
        .expect(201);
    }
    policy = await latestPolicy(t.app.get(TransactionRunner));
  });
  afterAll(() => t.close());

  const inThisThread = (writeBatch?: number) => drain(unitFindingsHere(new FindingScan(t.app.get(TransactionRunner), policy, writeBatch))('2026-01-01', '2026-12-31'));

  it('hands over the batches the scan makes in one thread, with the same findings in the same order', async () => {
    const expected = await inThisThread();
    const findings = expected.flatMap((b) => b.writes);
    expect(findings.filter((w) => w.rule === 'DUPLICATE_DATA_REQUEST').length).toBeGreaterThanOrEqual(15);
    expect(findings.some((w) => w.rule === 'DUPLICATE_INSPECTION')).toBe(true);
    expect(expected[expected.length - 1].throughUnit).toBe(2_147_483_647);

    const threaded = await drain(unitFindingsInWorker(t.config.database, policy, heap)('2026-01-01', '2026-12-31'));
    expect(threaded).toEqual(expected);
  });

  it('gives the same batches when they are small, sent a finding per message, one ahead at most', async () => {
    const expected = await inThisThread(2);
    // A batch ends with a whole unit: one per unit here, several findings each, each sent in several messages.
    expect(expected.length).toBeGreaterThanOrEqual(3);
    expect(expected.filter((b) => b.writes.length > 1).length).toBeGreaterThanOrEqual(2);
    const tuning = { ahead: 1, writeBatch: 2, messageWrites: 1 };
    const stream = unitFindingsInWorker(t.config.database, policy, heap, tuning)('2026-01-01', '2026-12-31');
    // Not asked for anything yet, the thread has already made the first batch.
    for (let i = 0; i < 100 && !stream.ready(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stream.ready()).toBe(true);
    const threaded = await drain(stream);
    expect(threaded).toEqual(expected);
  });

  it('POST /flags/evaluate with a helper thread allowed raises exactly the findings of the one-thread scan', async () => {
    const expected = (await inThisThread()).flatMap((b) => b.writes);
    const coordinator = users.coordinator;
    const job = await t.http.post('/api/v1/flags/evaluate').set(bearer(coordinator)).send({ period: '2026' }).expect(202);
    let status = 'queued';
    for (let i = 0; i < 600 && (status === 'queued' || status === 'running'); i++) {
      const res = await t.http.get(`/api/v1/jobs/${job.body.jobId}`).set(bearer(coordinator)).expect(200);
      status = res.body.status;
      if (status === 'failed') throw new Error(JSON.stringify(res.body.error));
      if (status !== 'succeeded') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe('succeeded');
    const stored = await selectRows<{ fingerprint: string; evidence: string }>(
      t.db,
      `SELECT fingerprint, evidence FROM flags WHERE rule_code IN (${UNIT_RULE_CODES.map(() => '?').join(', ')}) ORDER BY fingerprint`,
      [...UNIT_RULE_CODES],
    );
    const byFingerprint = (a: { fingerprint: string }, b: { fingerprint: string }) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0);
    expect(stored).toEqual(expected.map((w) => ({ fingerprint: w.fingerprint, evidence: w.evidence })).sort(byFingerprint));
  });

  it('fails the evaluation when the scan thread fails, and ends the thread', async () => {
    const stream = unitFindingsInWorker({ type: 'sqlite', path: '/nonexistent/no-ledger.sqlite' }, policy, heap)('2026-01-01', '2026-12-31');
    await expect(stream.next()).rejects.toThrow(/unit scan failed/);
    await stream.close();
  });
});
