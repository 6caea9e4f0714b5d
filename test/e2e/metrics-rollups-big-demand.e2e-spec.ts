import { execute, selectRows, toInt } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { recomputeRollups } from '@/modules/metrics/metrics-recompute.job';
import { RollupRebuildService } from '@/modules/metrics/rollup-rebuild.service';
import { RollupState, RollupStateRepository } from '@/modules/metrics/rollup-state.repository';
import { IssuerMonthRow, IssuerPeriodRow, RollupRepository } from '@/modules/metrics/rollup.repository';
import { bearer, standardTree, StandardTree, standardUsers, StandardUsers } from '../factories';
import { demandBody } from '../factories/demands';
import { reportBody } from '../factories/reports';
import { TestApp } from '../utils/test-app';
import { prng } from '../utils/prng';

const API = '/api/v1';


/** The year and quarter rows summed in JS from the month rows: a row counts where both its months lie. */
function periodsFromMonths(rows: readonly IssuerMonthRow[]): IssuerPeriodRow[] {
  const quarter = (m: string) => `${m.slice(0, 4)}-Q${Math.floor((Number(m.slice(5, 7)) + 2) / 3)}`;
  const out = new Map<string, IssuerPeriodRow>();
  const add = (issuerId: number, period: string, r: IssuerMonthRow) => {
    const key = `${issuerId}|${period}`;
    const row = out.get(key) ?? { issuerId, period, minutes: 0, demands: 0, cancelled: 0, inspections: 0, flagged: 0 };
    out.set(key, {
      ...row,
      minutes: row.minutes + r.minutes,
      demands: row.demands + r.demands,
      cancelled: row.cancelled + r.cancelled,
      inspections: row.inspections + r.inspections,
      flagged: row.flagged + r.flagged,
    });
  };
  for (const r of rows) {
    if (r.landsMonth.slice(0, 4) === r.month.slice(0, 4)) add(r.issuerId, r.landsMonth.slice(0, 4), r);
    if (quarter(r.landsMonth) === quarter(r.month)) add(r.issuerId, quarter(r.landsMonth), r);
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...out.values()].filter((r) => r.minutes !== 0 || r.demands !== 0 || r.cancelled !== 0 || r.inspections !== 0).sort((a, b) => a.issuerId - b.issuerId || cmp(a.period, b.period));
}

/**
 * Issue 6: an edit of a demand reaching thousands of units (PATCH, cancel, a flag review, its
 * registration) leaves its rollup cells to a rebuild job instead of adjusting them in the request;
 * answers say stale until the job has covered them, and afterwards the rollups equal a full
 * recompute. Here "big" is lowered to more than 4 target × month cells. Also: the issuer rollups
 * summed per year and quarter (what GET /metrics/issuers reads) stay equal to their month rows.
 */
describe('metrics: edits of a big demand are left to a rebuild job (e2e)', () => {
  jest.setTimeout(240_000);
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  let rebuild: RollupRebuildService;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    rebuild = t.app.get(RollupRebuildService);
    rebuild.maxCells = 4;
  });
  afterAll(() => t.close());

  const state = (): Promise<RollupState> => t.app.get(RollupStateRepository).read(t.db);
  const repo = () => t.app.get(RollupRepository);
  const snapshot = async () => ({ units: await repo().allRows(t.db), issuers: await repo().allIssuerRows(t.db), periods: await repo().allIssuerPeriodRows(t.db) });
  const fullRebuild = () => recomputeRollups({ period: null }, { tx: t.app.get(TransactionRunner), audit: t.app.get(AuditService), actor: null, progress: () => undefined });
  const lastJobId = async () => toInt((await selectRows<{ id: number | null }>(t.db, 'SELECT MAX(id) AS id FROM jobs'))[0]?.id);
  const rebuildJobsAfter = async (id: number) =>
    (await selectRows<{ id: number; status: string }>(t.db, "SELECT id, status FROM jobs WHERE kind = 'metrics-recompute' AND id > ? ORDER BY id", [id])).map((j) => ({ id: toInt(j.id), status: j.status }));
  /** Every rebuild asked for so far has started and ended; returns the rebuild jobs after `id`. */
  const rebuildsEnded = async (id: number) => {
    for (let i = 0; i < 600; i++) {
      await rebuild.settled();
      const jobs = await rebuildJobsAfter(id);
      if (!jobs.some((j) => j.status === 'queued' || j.status === 'running')) {
        await rebuild.settled();
        if (!(await rebuildJobsAfter(id)).some((j) => j.status === 'queued' || j.status === 'running')) return jobs;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the rebuild jobs did not end');
  };
  const card = async (unitId: number, period: string) =>
    (await t.http.get(`${API}/metrics/units/${unitId}?period=${period}`).set(bearer(users.coordinator)).expect(200)).body as { burdenHours: number; excessHours: number; inputs: { rollups: { stale: boolean; dirtyFromMonth: string | null } } };

  /** Every insert into the unit rollups fails: any request adjusting them fails, and so does a rebuild. */
  const breakRollups = async () => {
    if (t.kind === 'sqlite') await execute(t.db, `CREATE TRIGGER test_broken_rollups BEFORE INSERT ON unit_month_burden BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    else {
      await execute(t.db, `CREATE FUNCTION test_broken_rollups() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql`);
      await execute(t.db, 'CREATE TRIGGER test_broken_rollups BEFORE INSERT ON unit_month_burden FOR EACH ROW EXECUTE FUNCTION test_broken_rollups()');
    }
  };
  const repairRollups = async () => {
    if (t.kind === 'sqlite') await execute(t.db, 'DROP TRIGGER test_broken_rollups');
    else {
      await execute(t.db, 'DROP TRIGGER test_broken_rollups ON unit_month_burden');
      await execute(t.db, 'DROP FUNCTION test_broken_rollups()');
    }
  };

  /** A weekly report to both townships, May to August: 2 targets × 4 months = 8 cells, above 4 (and FREQUENT_REPORT). */
  const bigBody = (overrides: Record<string, unknown> = {}) =>
    demandBody('report', tree, { title: '全镇周报', issuedOn: '2026-05-04', dueOn: '2026-05-15', recurrence: 'weekly', until: '2026-08-31', targetUnitIds: [tree.wenlan.id, tree.yuguopu.id], ...overrides });

  it('a small demand is adjusted in the request: no mark, no rebuild', async () => {
    const before = await lastJobId();
    const generation = (await state()).generation;
    await t.http.post(`${API}/demands`).set(bearer(users.issuer)).send(demandBody('report', tree, { issuedOn: '2026-06-01', dueOn: '2026-06-12' })).expect(201);
    await rebuild.settled();
    expect(await state()).toEqual({ generation, dirtyFromMonth: null, dirtySince: null });
    expect(await rebuildJobsAfter(before)).toEqual([]);
    expect((await card(tree.wenlan.id, '2026-06')).burdenHours).toBeGreaterThan(0);
  });

  it('registering, editing, reviewing and cancelling a big demand each mark the rollups and a rebuild follows; afterwards they equal a full recompute', async () => {
    const before = await lastJobId();
    const generation = (await state()).generation;
    const created = await t.http.post(`${API}/demands`).set(bearer(users.issuer)).send(bigBody()).expect(201);
    const id = created.body.id as number;
    expect((await state()).generation).toBeGreaterThan(generation); // the big path was taken: it marked
    const [first] = await rebuildsEnded(before);
    expect(first).toEqual({ id: expect.any(Number), status: 'succeeded' });
    expect((await state()).dirtyFromMonth).toBeNull();
    // The rebuild put the demand's hours in: 6 h a month on 文澜 from it, on top of the small demand's June.
    const may = await card(tree.wenlan.id, '2026-05');
    expect(may.inputs.rollups.stale).toBe(false);
    expect(may.burdenHours).toBeGreaterThan(0);

    // A coordinator dismissing its FREQUENT_REPORT finding (on the demand as a whole) moves all its
    // cells out of the excess share: left to a rebuild too.
    const [flag] = await selectRows<{ id: number | string; row_version: number | string }>(t.db, "SELECT id, row_version FROM flags WHERE demand_id = ? AND unit_id IS NULL AND rule_code = 'FREQUENT_REPORT'", [id]);
    expect(flag).toBeDefined();
    const reviewing = await t.http.post(`${API}/flags/${toInt(flag.id)}/transitions`).set(bearer(users.coordinator)).send({ to: 'under_review', version: toInt(flag.row_version) }).expect(200);
    const excessBefore = (await card(tree.wenlan.id, '2026-05')).excessHours;
    expect(excessBefore).toBeGreaterThan(0);
    let at = await lastJobId();
    await t.http.post(`${API}/flags/${toInt(flag.id)}/transitions`).set(bearer(users.coordinator)).send({ to: 'dismissed', version: reviewing.body.version, comment: '确需按周报送' }).expect(200);
    expect((await rebuildsEnded(at)).map((j) => j.status)).toEqual(['succeeded']);
    expect((await card(tree.wenlan.id, '2026-05')).excessHours).toBe(0);

    // Reports on it touch one unit's cells: adjusted in the request, as before.
    const report = await t.http.post(`${API}/burden-reports`).set(bearer(users.reporter)).send(reportBody(id, '2026-06', { hoursSpent: 9 })).expect(201);
    expect(report.body.id).toEqual(expect.any(Number));

    // A PATCH that shrinks it to one target and two months (2 cells): the old cells were never
    // taken out in a request, so the new ones are not put in by one either.
    at = await lastJobId();
    const patched = await t.http.patch(`${API}/demands/${id}`).set(bearer(users.issuer)).send({ version: created.body.version, targetUnitIds: [tree.wenlan.id], until: '2026-06-30' }).expect(200);
    expect((await rebuildsEnded(at)).map((j) => j.status)).toContain('succeeded');
    expect((await state()).dirtyFromMonth).toBeNull();
    let current = await snapshot();
    await fullRebuild();
    expect(await snapshot()).toEqual(current);

    // Back to big (a PATCH growing it), then cancelled: each a rebuild.
    at = await lastJobId();
    await t.http.patch(`${API}/demands/${id}`).set(bearer(users.issuer)).send({ version: patched.body.version, targetUnitIds: [tree.wenlan.id, tree.yuguopu.id, tree.village.id], until: '2026-12-31' }).expect(200);
    expect((await rebuildsEnded(at)).length).toBeGreaterThan(0);
    at = await lastJobId();
    await t.http.post(`${API}/demands/${id}/cancel`).set(bearer(users.issuer)).send({ reason: '合并报送', cancelledOn: '2026-07-20' }).expect(200);
    expect((await rebuildsEnded(at)).length).toBeGreaterThan(0);
    expect((await state()).dirtyFromMonth).toBeNull();
    current = await snapshot();
    await fullRebuild();
    expect(await snapshot()).toEqual(current);
    expect(current.periods).toEqual(periodsFromMonths(current.issuers));
  });

  it('while a rebuild cannot run, the edit still succeeds without touching the unit rollups, and the answers say stale until a rebuild covers the mark', async () => {
    const created = await t.http.post(`${API}/demands`).set(bearer(users.issuer)).send(bigBody({ title: '全镇周报二', issuedOn: '2026-04-01', dueOn: '2026-04-20' })).expect(201);
    await rebuildsEnded(0);
    const hoursBefore = (await card(tree.wenlan.id, '2026-Q2')).burdenHours;
    await breakRollups();
    try {
      // A small demand's registration adjusts the unit rollups in the request: with them broken it fails.
      expect((await t.http.post(`${API}/demands`).set(bearer(users.issuer)).send(demandBody('document', tree, { issuedOn: '2026-05-06', dueOn: '2026-05-20' }))).status).toBe(500);
      // The big demand's edit does not: it succeeds, and its rebuild fails.
      const at = await lastJobId();
      await t.http.patch(`${API}/demands/${created.body.id as number}`).set(bearer(users.issuer)).send({ version: created.body.version, estimatedHoursPerTarget: 5 }).expect(200);
      expect((await rebuildsEnded(at)).map((j) => j.status)).toEqual(['failed']);
    } finally {
      await repairRollups();
    }
    const stale = await state();
    expect(stale).toMatchObject({ dirtyFromMonth: '2026-04', dirtySince: expect.any(String) });
    const q2 = await card(tree.wenlan.id, '2026-Q2');
    expect(q2.inputs.rollups).toMatchObject({ stale: true, dirtyFromMonth: '2026-04' });
    expect(q2.burdenHours).toBe(hoursBefore); // the old figures, said to be stale
    expect((await card(tree.wenlan.id, '2026-Q1')).inputs.rollups.stale).toBe(false);
    const issuers = await t.http.get(`${API}/metrics/issuers?period=2026`).set(bearer(users.coordinator)).expect(200);
    expect(issuers.body.inputs.rollups).toMatchObject({ stale: true, dirtyFromMonth: '2026-04' });

    // The next write of a big demand asks for a rebuild again; it covers the mark and clears it.
    const at = await lastJobId();
    const latest = await t.http.get(`${API}/demands/${created.body.id as number}`).set(bearer(users.issuer)).expect(200);
    await t.http.patch(`${API}/demands/${created.body.id as number}`).set(bearer(users.issuer)).send({ version: latest.body.version, title: '全镇周报（修订）' }).expect(200);
    expect((await rebuildsEnded(at)).map((j) => j.status)).toEqual(['succeeded']);
    expect(await state()).toMatchObject({ dirtyFromMonth: null, dirtySince: null });
    const after = await card(tree.wenlan.id, '2026-Q2');
    expect(after.inputs.rollups.stale).toBe(false);
    expect(after.burdenHours).toBeGreaterThan(hoursBefore); // 5 h a month per target now
    const current = await snapshot();
    await fullRebuild();
    expect(await snapshot()).toEqual(current);
  });

  it('the issuer year and quarter rows kept write by write equal those summed from the month rows and a full recompute', async () => {
    rebuild.maxCells = 1_000_000; // every write below adjusts in the request
    try {
      const r = prng(2026_6);
      const live: { id: number; version: number }[] = [];
      const day = (year: number) => `${year}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`;
      for (let step = 0; step < 36; step++) {
        const op = live.length === 0 ? 0 : r.int(0, 3);
        if (op <= 1) {
          // Across quarters and years: issued late in 2025 or in 2026, some recurring into the next quarter or year.
          const issuedOn = day(r.next() < 0.3 ? 2025 : 2026);
          const recurring = r.next() < 0.5;
          const body = demandBody(r.next() < 0.7 ? 'report' : 'inspection', tree, {
            title: `事项${step}`,
            issuedOn,
            dueOn: undefined,
            ...(recurring ? { recurrence: 'monthly', until: `${Number(issuedOn.slice(0, 4)) + (r.next() < 0.5 ? 1 : 0)}-03-31` } : {}),
            targetUnitIds: r.next() < 0.5 ? [tree.wenlan.id] : [tree.wenlan.id, tree.yuguopu.id],
          });
          const res = await t.http.post(`${API}/demands`).set(bearer(users.issuer)).send(body);
          if (res.status === 201) live.push({ id: res.body.id as number, version: res.body.version as number });
        } else if (op === 2) {
          const d = live[r.int(0, live.length - 1)];
          const res = await t.http.patch(`${API}/demands/${d.id}`).set(bearer(users.issuer)).send({ version: d.version, estimatedHoursPerTarget: r.int(1, 9), targetUnitIds: [tree.yuguopu.id] });
          if (res.status === 200) d.version = res.body.version as number;
        } else {
          const i = r.int(0, live.length - 1);
          const d = live[i];
          const res = await t.http.post(`${API}/demands/${d.id}/cancel`).set(bearer(users.issuer)).send({ reason: '撤回' });
          if (res.status === 200) live.splice(i, 1);
        }
      }
      const incremental = await snapshot();
      // Years and quarters of both years, so that rows crossing a quarter or a year were left out of some.
      expect(new Set(incremental.periods.filter((p) => p.period.length === 4).map((p) => p.period))).toEqual(new Set(['2025', '2026']));
      expect(incremental.periods.filter((p) => p.period.length === 7).length).toBeGreaterThan(4);
      expect(incremental.periods).toEqual(periodsFromMonths(incremental.issuers));
      // One month rebuilt alone, then everything: the same rows each time.
      await recomputeRollups({ period: '2026-02' }, { tx: t.app.get(TransactionRunner), audit: t.app.get(AuditService), actor: null, progress: () => undefined });
      expect(await snapshot()).toEqual(incremental);
      await fullRebuild();
      expect(await snapshot()).toEqual(incremental);
    } finally {
      rebuild.maxCells = 4;
    }
  });
});
