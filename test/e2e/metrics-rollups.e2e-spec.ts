import { DomainEvents } from '@/common/events/domain-events';
import { selectRows, toInt } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { EvaluateCommand } from '@/modules/flags/evaluate.command';
import { ROLLUP_REBUILD, RollupRebuild } from '@/modules/flags/rollup-rebuild';
import type { RuleCode } from '@/modules/flags/rules/rule';
import { burdenSums, DemandMonthRow, ReportOnlyRow, ShadowReportMinutes } from '@/modules/metrics/calculators';
import { RecomputeCommand } from '@/modules/metrics/recompute.command';
import { IssuerMonthRow, RollupRepository, UnitMonthBurden } from '@/modules/metrics/rollup.repository';
import { bearer, standardTree, StandardTree, standardUsers, StandardUsers, UserRef } from '../factories';
import { demandBody } from '../factories/demands';
import { reportBody, shadowBody } from '../factories/reports';
import { TestApp } from '../utils/test-app';
import { prng } from '../utils/prng';
import { recomputeByCli } from '../utils/recompute-cli';


const num = (v: unknown): number => toInt(v);

/**
 * The rollups from the ledger through the pure calculators (DESIGN §5), unit by unit and month by
 * month: the reference the SQL of both the incremental and the full path must match.
 */
async function expectedFromCalculators(t: TestApp): Promise<UnitMonthBurden[]> {
  const targets = await selectRows<{ demand_id: number; unit_id: number; estimated_minutes: number }>(t.db, 'SELECT demand_id, unit_id, estimated_minutes FROM demand_targets');
  const occurrences = await selectRows<{ demand_id: number; month: string; occurrences: number }>(t.db, 'SELECT demand_id, month, occurrences FROM demand_occurrences');
  const reports = await selectRows<{ id: number; unit_id: number; demand_id: number | null; month: string; minutes_spent: number }>(t.db, 'SELECT id, unit_id, demand_id, month, minutes_spent FROM burden_reports');
  const flags = await selectRows<{ demand_id: number | null; unit_id: number | null; rule_code: RuleCode; status: string }>(t.db, 'SELECT demand_id, unit_id, rule_code, status FROM flags');
  const standing = (demandId: number, unitId: number): RuleCode[] => [
    ...new Set(flags.filter((f) => f.demand_id !== null && num(f.demand_id) === demandId && (f.unit_id === null || num(f.unit_id) === unitId) && f.status !== 'dismissed' && f.status !== 'withdrawn').map((f) => f.rule_code)),
  ];
  const report = new Map(reports.filter((r) => r.demand_id !== null).map((r) => [`${num(r.unit_id)}|${num(r.demand_id)}|${r.month}`, num(r.minutes_spent)]));
  const cells = new Map<string, { rows: DemandMonthRow[]; reportOnlyRows: ReportOnlyRow[]; shadowReports: ShadowReportMinutes[]; occurrences: number }>();
  const cell = (unitId: number, month: string) => {
    const key = `${unitId}|${month}`;
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { rows: [], reportOnlyRows: [], shadowReports: [], occurrences: 0 }));
    return c;
  };
  const landed = new Set<string>();
  for (const target of targets) {
    for (const o of occurrences.filter((x) => num(x.demand_id) === num(target.demand_id))) {
      const unitId = num(target.unit_id);
      const demandId = num(target.demand_id);
      landed.add(`${unitId}|${demandId}|${o.month}`);
      const c = cell(unitId, o.month);
      c.occurrences += num(o.occurrences);
      c.rows.push({
        demandId,
        month: o.month,
        occurrences: num(o.occurrences),
        estimatePerOccurrenceMinutes: num(target.estimated_minutes),
        reportedMinutes: report.get(`${unitId}|${demandId}|${o.month}`) ?? null,
        flaggedRules: standing(demandId, unitId),
      });
    }
  }
  for (const r of reports) {
    const unitId = num(r.unit_id);
    if (r.demand_id === null) cell(unitId, r.month).shadowReports.push({ month: r.month, minutes: num(r.minutes_spent) });
    else if (!landed.has(`${unitId}|${num(r.demand_id)}|${r.month}`)) {
      cell(unitId, r.month).reportOnlyRows.push({ demandId: num(r.demand_id), month: r.month, reportedMinutes: num(r.minutes_spent), flaggedRules: standing(num(r.demand_id), unitId) });
    }
  }
  const out: UnitMonthBurden[] = [];
  for (const [key, c] of cells) {
    const [unitId, month] = key.split('|');
    const sums = burdenSums({ rows: c.rows, reportOnlyRows: c.reportOnlyRows, shadowReports: c.shadowReports });
    const shadowMinutes = c.shadowReports.reduce((n, s) => n + s.minutes, 0);
    const row = { unitId: Number(unitId), month, occurrences: c.occurrences, ...sums, shadowMinutes };
    if (Object.values(sums).some((v) => v !== 0) || c.occurrences !== 0 || shadowMinutes !== 0) out.push(row);
  }
  return out.sort((a, b) => a.unitId - b.unitId || (a.month < b.month ? -1 : a.month > b.month ? 1 : 0));
}

/**
 * The issuer rollups from the ledger: per demand, its minutes per occurrence month on all targets
 * and a count row on its landing month, flagged when a flag of any rule but OBJECTION stands on it.
 */
async function expectedIssuerRows(t: TestApp): Promise<IssuerMonthRow[]> {
  const demands = await selectRows<{ id: number; issuer_id: number; lands_on: string; status: string; kind: string }>(t.db, 'SELECT id, issuer_id, lands_on, status, kind FROM demands');
  const flags = await selectRows<{ demand_id: number | null; rule_code: string; status: string }>(t.db, 'SELECT demand_id, rule_code, status FROM flags');
  const flagged = new Set(flags.filter((f) => f.demand_id !== null && f.rule_code !== 'OBJECTION' && f.status !== 'dismissed' && f.status !== 'withdrawn').map((f) => num(f.demand_id)));
  const targets = await selectRows<{ demand_id: number; estimated_minutes: number }>(t.db, 'SELECT demand_id, estimated_minutes FROM demand_targets');
  const occurrences = await selectRows<{ demand_id: number; month: string; occurrences: number }>(t.db, 'SELECT demand_id, month, occurrences FROM demand_occurrences');
  const rows = new Map<string, IssuerMonthRow>();
  const row = (issuerId: number, landsMonth: string, month: string) => {
    const key = `${issuerId}|${landsMonth}|${month}`;
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { issuerId, landsMonth, month, minutes: 0, demands: 0, cancelled: 0, inspections: 0, flagged: 0 }));
    return r;
  };
  for (const d of demands) {
    const issuerId = num(d.issuer_id);
    const landsMonth = d.lands_on.slice(0, 7);
    const counted = row(issuerId, landsMonth, landsMonth);
    counted.demands += 1;
    if (d.status === 'cancelled') counted.cancelled += 1;
    if (d.kind === 'inspection') counted.inspections += 1;
    if (flagged.has(num(d.id))) counted.flagged += 1;
    const perOccurrence = targets.filter((x) => num(x.demand_id) === num(d.id)).reduce((n, x) => n + num(x.estimated_minutes), 0);
    for (const o of occurrences.filter((x) => num(x.demand_id) === num(d.id))) row(issuerId, landsMonth, o.month).minutes += num(o.occurrences) * perOccurrence;
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...rows.values()]
    .filter((r) => r.minutes !== 0 || r.demands !== 0 || r.cancelled !== 0 || r.inspections !== 0 || r.flagged !== 0)
    .sort((a, b) => a.issuerId - b.issuerId || cmp(a.landsMonth, b.landsMonth) || cmp(a.month, b.month));
}

/**
 * Issue 6 point 2: the rollups kept current write by write (demands, edits, cancellations,
 * reports, amendments, shadow reports, links, confirmations, flag reviews) equal a full
 * recompute afterwards, and both equal the calculators over the raw ledger.
 */
describe('metrics: incremental rollups equal the full recompute and the calculators (e2e)', () => {
  jest.setTimeout(180_000);
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
  });
  afterAll(() => t.close());

  const rollups = () => t.app.get(RollupRepository).allRows(t.db);
  const issuerRows = () => t.app.get(RollupRepository).allIssuerRows(t.db);

  const recompute = (period?: string) => recomputeByCli(t, period);


  const evaluate = async () => {
    const command = new EvaluateCommand(t.app.get(TransactionRunner), t.app.get(AuditService), t.app.get(DomainEvents), t.app.get<RollupRebuild>(ROLLUP_REBUILD));
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await command.run([], { period: '2026' });
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  };

  it('after 120 random writes through the API, the rollups equal a recompute and the calculators', async () => {
    const r = prng(6_2026);
    const demands: { id: number; version: number; kind: string; targets: number[] }[] = [];
    const reports: { id: number; version: number; reporter: UserRef; shadow: boolean; unitId: number }[] = [];
    // Reports most often, so that forms overlap on the same units within the duplicate window.
    const kinds = ['report', 'report', 'report', 'meeting', 'document', 'inspection', 'other'] as const;
    const month = () => `2026-${String(r.int(1, 11)).padStart(2, '0')}`;
    const day = () => `${month()}-${String(r.int(1, 28)).padStart(2, '0')}`;
    const reporterOf = (unitId: number) => (unitId === tree.village.id ? users.villageReporter : users.reporter);
    const done = new Map<string, number>();
    // A month the demand lands in (most of the time), so that reports and links mostly succeed.
    const landingMonth = async (demandId: number): Promise<string> => {
      const rows = await selectRows<{ month: string }>(t.db, 'SELECT month FROM demand_occurrences WHERE demand_id = ? ORDER BY month', [demandId]);
      return rows.length && r.next() < 0.85 ? r.pick(rows).month : month();
    };
    const count = (op: string) => done.set(op, (done.get(op) ?? 0) + 1);

    for (let step = 0; step < 120; step++) {
      // Halfway, an evaluation raises the findings that compare demands (duplicates), which the reviews then move.
      if (step === 60) await evaluate();
      const op = demands.length < 4 ? 'create' : r.pick(['create', 'create', 'edit', 'retarget', 'cancel', 'report', 'report', 'amend', 'shadow', 'link', 'confirm', 'review'] as const);
      if (op === 'create') {
        const kind = r.pick(kinds);
        const issuedOn = `2026-0${r.int(3, 5)}-${String(r.int(1, 28)).padStart(2, '0')}`;
        const targets = r.pick([[tree.wenlan.id], [tree.wenlan.id, tree.yuguopu.id], [tree.village.id], [tree.wenlan.id, tree.village.id]]);
        const overrides: Record<string, unknown> = { title: `事项${step}`, topic: r.pick(['education', 'statistics', 'work_safety']), issuedOn, dueOn: undefined, targetUnitIds: targets };
        if (r.next() < 0.4) Object.assign(overrides, { recurrence: r.pick(['weekly', 'monthly', 'quarterly']), until: '2026-12-31' });
        if (r.next() < 0.5) overrides.estimatedHoursPerTarget = r.int(1, 12);
        // The same fields again and again, so that duplicate flags (and their review) come into play.
        if (kind === 'report') overrides.fields = r.pick([['户籍人口（人）', '常住人口数', '在校学生数'], ['户籍人口', '常住人口（人）', '留守儿童数'], ['企业名称', '从业人员数']]);
        const res = await t.http.post('/api/v1/demands').set(bearer(users.issuer)).send(demandBody(kind, tree, overrides));
        if (res.status === 201) {
          demands.push({ id: res.body.id, version: res.body.version, kind, targets });
          count(op);
        }
      } else if (op === 'edit' || op === 'retarget') {
        const d = r.pick(demands);
        const change = op === 'retarget' ? { targetUnitIds: (d.targets = r.pick([[tree.yuguopu.id], [tree.wenlan.id, tree.village.id], [tree.village.id]])) } : r.pick([{ estimatedHoursPerTarget: r.int(1, 9) }, { startsOn: day() }, { title: `改${step}` }]);
        const res = await t.http.patch(`/api/v1/demands/${d.id}`).set(bearer(users.issuer)).send({ ...change, version: d.version });
        if (res.status === 200) {
          d.version = res.body.version;
          count(op);
        }
      } else if (op === 'cancel') {
        const d = r.pick(demands);
        const res = await t.http.post(`/api/v1/demands/${d.id}/cancel`).set(bearer(users.issuer)).send({ reason: '撤销', cancelledOn: day() });
        if (res.status === 200) count(op);
      } else if (op === 'report') {
        const d = r.pick(demands);
        const unitId = r.pick(d.targets);
        const reporter = reporterOf(unitId);
        const res = await t.http.post('/api/v1/burden-reports').set(bearer(reporter)).send({ ...reportBody(d.id, await landingMonth(d.id), { hoursSpent: r.int(1, 30) }), unitId });
        if (res.status === 201) {
          reports.push({ id: res.body.id, version: res.body.version, reporter, shadow: false, unitId });
          count(op);
        }
      } else if (op === 'amend' && reports.length) {
        const rep = r.pick(reports);
        const res = await t.http.post(`/api/v1/burden-reports/${rep.id}/amend`).set(bearer(rep.reporter)).send({ hoursSpent: r.int(0, 40), version: rep.version });
        if (res.status === 200 || res.status === 201) {
          rep.version = res.body.version;
          count(op);
        }
      } else if (op === 'shadow') {
        const unitId = r.pick([tree.wenlan.id, tree.village.id]);
        const reporter = reporterOf(unitId);
        const res = await t.http.post('/api/v1/burden-reports').set(bearer(reporter)).send({ ...shadowBody({ hoursSpent: r.int(1, 12) }, { receivedOn: day() }), unitId });
        if (res.status === 201) {
          reports.push({ id: res.body.id, version: res.body.version, reporter, shadow: true, unitId });
          count(op);
        }
      } else if (op === 'link') {
        const rep = reports.find((x) => x.shadow);
        const candidates = rep ? demands.filter((x) => x.targets.includes(rep.unitId)) : [];
        if (!rep || !candidates.length) continue;
        const d = r.pick(candidates);
        const res = await t.http.post(`/api/v1/burden-reports/${rep.id}/link`).set(bearer(users.coordinator)).send({ demandId: d.id, month: await landingMonth(d.id) });
        if (res.status === 200 || res.status === 201) {
          rep.shadow = false;
          rep.version = res.body.version;
          count(op);
        }
      } else if (op === 'confirm') {
        const unitId = r.pick([tree.wenlan.id, tree.village.id]);
        const candidates = demands.filter((d) => d.targets.includes(unitId)).map((d) => d.id);
        if (!candidates.length) continue;
        const demandId = r.pick(candidates);
        const res = await t.http.post('/api/v1/burden-reports/confirm').set(bearer(reporterOf(unitId))).send({ unitId, month: await landingMonth(demandId), demandIds: [demandId] });
        if (res.status === 200 || res.status === 201) count(op);
      } else if (op === 'review') {
        const list = await t.http.get('/api/v1/flags?pageSize=500').set(bearer(users.coordinator)).expect(200);
        const open = (list.body.items as { id: number; status: string; version: number }[]).filter((f) => ['open', 'under_review', 'confirmed'].includes(f.status));
        if (!open.length) continue;
        const f = r.pick(open);
        const to = f.status === 'open' ? 'under_review' : f.status === 'under_review' ? r.pick(['dismissed', 'confirmed']) : 'rectifying';
        const body: Record<string, unknown> = { to, comment: '复核意见', version: f.version };
        if (to === 'rectifying') body.dueOn = '2099-12-31';
        const res = await t.http.post(`/api/v1/flags/${f.id}/transitions`).set(bearer(users.coordinator)).send(body);
        if (res.status === 200) count(`review:${to}`);
      }
    }
    // The comparison means something only if every kind of write happened.
    for (const op of ['create', 'edit', 'retarget', 'cancel', 'report', 'amend', 'shadow', 'link', 'confirm', 'review:under_review', 'review:dismissed']) expect({ op, n: (done.get(op) ?? 0) > 0 }).toEqual({ op, n: true });

    const incremental = await rollups();
    expect(incremental.length).toBeGreaterThan(10);
    expect(incremental.some((x) => x.duplicateMinutes > 0)).toBe(true);
    expect(incremental.some((x) => x.excessMinutes > 0)).toBe(true);
    expect(incremental.some((x) => x.shadowMinutes > 0)).toBe(true);
    expect(incremental.some((x) => x.hiddenMinutes > 0)).toBe(true);
    expect(incremental).toEqual(await expectedFromCalculators(t));
    const issuersIncremental = await issuerRows();
    expect(issuersIncremental.some((x) => x.cancelled > 0)).toBe(true);
    expect(issuersIncremental.some((x) => x.inspections > 0)).toBe(true);
    expect(issuersIncremental.some((x) => x.flagged > 0)).toBe(true);
    expect(issuersIncremental).toEqual(await expectedIssuerRows(t));

    const result = await recompute();
    expect(result.rows).toBeGreaterThan(0);
    expect(await rollups()).toEqual(incremental);
    expect(await issuerRows()).toEqual(issuersIncremental);
  });

  const waitForJob = async (jobId: number): Promise<{ status: string; result: unknown }> => {
    for (let i = 0; i < 600; i++) {
      const res = await t.http.get(`/api/v1/jobs/${jobId}`).set(bearer(users.coordinator)).expect(200);
      if (res.body.status === 'failed') throw new Error(JSON.stringify(res.body.error));
      if (res.body.status === 'succeeded') return res.body as { status: string; result: unknown };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`job ${jobId} did not end`);
  };

  it('POST /flags/evaluate is followed by a recompute job: afterwards the rollups follow the findings', async () => {
    // Two forms asking 文澜街道 for the same data in May: only an evaluation finds the duplicate, so
    // the duplicate hours can reach the rollups only through the follow-up job.
    const fields = ['辖区企业数（家）', '从业人员数', '安全检查次数'];
    for (const issuedOn of ['2026-05-04', '2026-05-11']) {
      await t.http.post('/api/v1/demands').set(bearer(users.issuer)).send(demandBody('report', tree, { title: `企业统计${issuedOn}`, issuedOn, dueOn: undefined, targetUnitIds: [tree.wenlan.id], fields })).expect(201);
    }
    const dupBefore = (await rollups()).filter((x) => x.unitId === tree.wenlan.id && x.month === '2026-05').map((x) => x.duplicateMinutes);
    const job = await t.http.post('/api/v1/flags/evaluate').set(bearer(users.coordinator)).send({ period: '2026-Q2' }).expect(202);
    const evaluated = (await waitForJob(job.body.jobId)).result as { byRule: Record<string, { raised: number }>; rollupsFromMonth: string };
    expect(evaluated.byRule.DUPLICATE_DATA_REQUEST?.raised).toBeGreaterThan(0);
    // From the period's first month, or earlier when a demand flagged in it landed before.
    expect(evaluated.rollupsFromMonth <= '2026-04').toBe(true);
    let followUp: { id: number } | undefined;
    for (let i = 0; i < 100 && !followUp; i++) {
      const jobs = await t.http.get('/api/v1/jobs?kind=metrics-recompute').set(bearer(users.coordinator)).expect(200);
      followUp = (jobs.body.items as { id: number }[]).find((j) => j.id > job.body.jobId);
      if (!followUp) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(followUp).toBeDefined();
    const done = await waitForJob(followUp!.id);
    expect(done.result).toMatchObject({ period: null, fromMonth: evaluated.rollupsFromMonth });
    expect((done.result as { months: string[] }).months[0]).toBe(evaluated.rollupsFromMonth);
    const after = await rollups();
    expect(after).toEqual(await expectedFromCalculators(t));
    const dupAfter = after.filter((x) => x.unitId === tree.wenlan.id && x.month === '2026-05').map((x) => x.duplicateMinutes);
    expect(dupAfter[0]).toBeGreaterThan(dupBefore[0] ?? 0);
  });

  it('an evaluation of a later period rebuilds the earlier months a flagged recurring demand lands in', async () => {
    // A monthly inspection of 雨过铺 since January and another office's inspection in July: the July
    // finding stands on the monthly inspection, whose hours count as duplicate from January on.
    const monthly = await t.http
      .post('/api/v1/demands')
      .set(bearer(users.issuer))
      .send(demandBody('inspection', tree, { title: '每月安全巡查', topic: 'work_safety', issuedOn: '2026-01-05', startsOn: '2026-01-10', dueOn: undefined, recurrence: 'monthly', until: '2026-12-31', targetUnitIds: [tree.yuguopu.id] }));
    expect([monthly.status, monthly.body.details]).toEqual([201, undefined]);
    await t.http
      .post('/api/v1/demands')
      .set(bearer(users.issuer))
      .send(demandBody('inspection', tree, { title: '七月安全检查', topic: 'work_safety', issuedOn: '2026-07-01', startsOn: '2026-07-05', dueOn: undefined, targetUnitIds: [tree.yuguopu.id] }))
      .expect(201);
    const job = await t.http.post('/api/v1/flags/evaluate').set(bearer(users.coordinator)).send({ period: '2026-Q3' }).expect(202);
    const evaluated = (await waitForJob(job.body.jobId)).result as { rollupsFromMonth: string };
    expect(evaluated.rollupsFromMonth).toBe('2026-01');
    let followUp: { id: number } | undefined;
    for (let i = 0; i < 100 && !followUp; i++) {
      const jobs = await t.http.get('/api/v1/jobs?kind=metrics-recompute').set(bearer(users.coordinator)).expect(200);
      followUp = (jobs.body.items as { id: number }[]).find((j) => j.id > job.body.jobId);
      if (!followUp) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await waitForJob(followUp!.id)).result).toMatchObject({ fromMonth: '2026-01' });
    const flagged = await selectRows<{ n: number | string }>(t.db, "SELECT COUNT(*) AS n FROM flags WHERE demand_id = ? AND rule_code = 'DUPLICATE_INSPECTION' AND status = 'open'", [monthly.body.id]);
    expect(num(flagged[0].n)).toBeGreaterThan(0);
    const after = await rollups();
    expect(after).toEqual(await expectedFromCalculators(t));
    expect(after.find((x) => x.unitId === tree.yuguopu.id && x.month === '2026-02')?.duplicateMinutes).toBeGreaterThan(0);
  });

  it('on both databases a rebuild running beside writes to the same month loses nothing', async () => {
    const writes = [tree.wenlan.id, tree.yuguopu.id, tree.village.id].map((unitId, i) =>
      t.http.post('/api/v1/demands').set(bearer(users.issuer)).send(demandBody('document', tree, { title: `八月文件${i}`, issuedOn: '2026-08-03', dueOn: undefined, targetUnitIds: [unitId] })),
    );
    const [, ...statuses] = await Promise.all([recompute('2026-08'), ...writes.map(async (w) => (await w).status)]);
    expect(statuses).toEqual([201, 201, 201]);
    expect(await rollups()).toEqual(await expectedFromCalculators(t));
  });

  it('an issuer reads neither from a card nor from GET /flags which unit objected; a card of year 1 has no year before', async () => {
    const d = await t.http.post('/api/v1/demands').set(bearer(users.issuer)).send(demandBody('document', tree, { title: '异议测试文件', issuedOn: '2026-09-01', dueOn: undefined, targetUnitIds: [tree.wenlan.id, tree.yuguopu.id] })).expect(201);
    const cardBefore = await t.http.get(`/api/v1/metrics/units/${tree.wenlan.id}?period=2026`).set(bearer(users.issuer)).expect(200);
    await t.http.post(`/api/v1/demands/${d.body.id}/objections`).set(bearer(users.reporter)).send({ reason: '不属于街道职责' }).expect(201);
    const issuerCard = await t.http.get(`/api/v1/metrics/units/${tree.wenlan.id}?period=2026`).set(bearer(users.issuer)).expect(200);
    expect(issuerCard.body.flags).toEqual(cardBefore.body.flags);
    const coordinatorCard = await t.http.get(`/api/v1/metrics/units/${tree.wenlan.id}?period=2026`).set(bearer(users.coordinator)).expect(200);
    expect(coordinatorCard.body.flags.open).toBeGreaterThan(0);
    const byUnit = await t.http.get(`/api/v1/flags?unitId=${tree.wenlan.id}&rule=OBJECTION`).set(bearer(users.issuer)).expect(200);
    expect(byUnit.body.total).toBe(0);
    const all = await t.http.get('/api/v1/flags?rule=OBJECTION').set(bearer(users.issuer)).expect(200);
    expect(all.body.total).toBeGreaterThan(0);
    const first = await t.http.get(`/api/v1/metrics/units/${tree.wenlan.id}?period=0001`).set(bearer(users.coordinator)).expect(200);
    expect(first.body.yearBefore).toEqual({ period: null, burdenHours: 0, change: null });
  });

  it('an evaluation leaves the rollups equal to a recompute (flags raised or withdrawn in bulk)', async () => {
    await evaluate();
    const afterEvaluation = await rollups();
    expect(afterEvaluation).toEqual(await expectedFromCalculators(t));
    await recompute('2026');
    expect(await rollups()).toEqual(afterEvaluation);
  });

  it('concurrent writes touching the same units in different orders all land, and the rollups stay exact', async () => {
    // Two demands reaching the same two townships and village, written and edited at once: on
    // PostgreSQL the rollup rows are locked in whatever order each statement meets them.
    const [a, b] = await Promise.all(
      [
        [tree.wenlan.id, tree.yuguopu.id, tree.village.id],
        [tree.village.id, tree.yuguopu.id, tree.wenlan.id],
      ].map(async (targetUnitIds, i) => {
        const res = await t.http.post('/api/v1/demands').set(bearer(users.issuer)).send(demandBody('meeting', tree, { title: `并发会议${i}`, issuedOn: '2026-07-06', dueOn: undefined, targetUnitIds }));
        expect(res.status).toBe(201);
        return res.body as { id: number; version: number };
      }),
    );
    const writes = [
      ...[a, b].map((d, i) => t.http.patch(`/api/v1/demands/${d.id}`).set(bearer(users.issuer)).send({ estimatedHoursPerTarget: 3 + i, version: d.version })),
      ...[a, b].map((d) => t.http.post('/api/v1/burden-reports').set(bearer(users.reporter)).send({ ...reportBody(d.id, '2026-07', { hoursSpent: 7 }), unitId: tree.wenlan.id })),
      ...[a, b].map((d) => t.http.post('/api/v1/burden-reports').set(bearer(users.villageReporter)).send({ ...reportBody(d.id, '2026-07', { hoursSpent: 2 }), unitId: tree.village.id })),
    ];
    const statuses = (await Promise.all(writes)).map((res) => res.status);
    expect(statuses).toEqual([200, 200, 201, 201, 201, 201]);
    expect(await rollups()).toEqual(await expectedFromCalculators(t));
    expect(await issuerRows()).toEqual(await expectedIssuerRows(t));
  });

  it('a recompute of one period leaves the other months alone and is audited; a bad period exits 2', async () => {
    const before = await rollups();
    const issuersBefore = await issuerRows();
    const result = await recompute('2026-Q2');
    expect(result.months).toEqual(['2026-04', '2026-05', '2026-06']);
    expect(await rollups()).toEqual(before);
    expect(await issuerRows()).toEqual(issuersBefore);
    const audit = await selectRows<{ actor: string; action: string }>(t.db, "SELECT actor, action FROM audit_log WHERE action = 'metrics.recompute' ORDER BY id DESC LIMIT 1");
    expect(audit).toEqual([{ actor: 'recompute', action: 'metrics.recompute' }]);
    const command = new RecomputeCommand(t.app.get(TransactionRunner), t.app.get(AuditService));
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await command.run([], { period: '2026-Q5' });
      expect(process.exitCode).toBe(2);
    } finally {
      process.exitCode = undefined;
      err.mockRestore();
    }
  });
});
