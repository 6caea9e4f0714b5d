import { DomainEvents } from '@/common/events/domain-events';
import { selectRows, toInt } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { FlagEvaluation } from '@/modules/flags/flag-evaluation';
import { latestPolicy } from '@/modules/flags/flags-evaluate.job';
import { ROLLUP_REBUILD, RollupRebuild } from '@/modules/flags/rollup-rebuild';
import { IssuerMonthRow, IssuerPeriodRow, RollupRepository } from '@/modules/metrics/rollup.repository';
import { bearer, createUnit, createUser, standardTree, StandardTree, standardUsers, StandardUsers, UserRef } from '../factories';
import { demandBody } from '../factories/demands';
import { TestApp } from '../utils/test-app';
import { prng } from '../utils/prng';
import { recomputeByCli } from '../utils/recompute-cli';

const API = '/api/v1';


const num = (v: unknown): number => toInt(v);
const pad = (n: number) => String(n).padStart(2, '0');
const quarterOf = (month: string) => `${month.slice(0, 4)}-Q${Math.floor((Number(month.slice(5, 7)) + 2) / 3)}`;

interface Item {
  issuer: { id: number; code: string };
  demandsIssued: number;
  flaggedDemands: number;
  flaggedShare: number | null;
}

/**
 * Issue 6, last point: the flagged demands an issuer's rollups count (the key of
 * `sort=flaggedShare`), kept by every write that can make a demand flagged or not (the rules of a
 * demand write, edits that move its landing, cancellations, flag reviews, objections, an
 * evaluation raising and withdrawing findings), equal the live definition (a flag of any rule but
 * OBJECTION in any state but dismissed or withdrawn), after every stretch of writes, and a full
 * recompute changes none of them.
 */
describe('metrics: the issuers’ flagged demands kept write by write (e2e)', () => {
  jest.setTimeout(240_000);
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  let issuers: UserRef[];

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    const yjj = await createUnit(t, '532503-YJJ', '蒙自市应急管理局', tree.mengzi, { kind: 'department', level: 'county' });
    issuers = [users.issuer, await createUser(t, 'issuer', yjj)];
  });
  afterAll(() => t.close());

  const repo = () => t.app.get(RollupRepository);

  /** Per issuer and landing month, the demands that have a standing flag now (the live EXISTS). */
  const liveFlagged = async (): Promise<Map<string, number>> => {
    const rows = await selectRows<{ issuer_id: number | string; lands_month: string; n: number | string }>(
      t.db,
      `SELECT d.issuer_id, substr(d.lands_on, 1, 7) AS lands_month, COUNT(*) AS n FROM demands d
        WHERE EXISTS (SELECT 1 FROM flags f WHERE f.demand_id = d.id AND f.rule_code <> 'OBJECTION' AND f.status NOT IN ('dismissed', 'withdrawn'))
        GROUP BY d.issuer_id, substr(d.lands_on, 1, 7)`,
    );
    return new Map(rows.map((r) => [`${num(r.issuer_id)}|${r.lands_month}`, num(r.n)]));
  };

  /** The same, summed into the years and quarters the period rows hold. */
  const livePeriods = (months: Map<string, number>): Map<string, number> => {
    const out = new Map<string, number>();
    for (const [key, n] of months) {
      const [issuer, month] = key.split('|');
      for (const period of [month.slice(0, 4), quarterOf(month)]) out.set(`${issuer}|${period}`, (out.get(`${issuer}|${period}`) ?? 0) + n);
    }
    return out;
  };

  const flaggedOf = (rows: readonly IssuerMonthRow[]) => new Map(rows.filter((r) => r.flagged !== 0).map((r) => [`${r.issuerId}|${r.landsMonth}|${r.month}`, r.flagged]));
  const flaggedOfPeriods = (rows: readonly IssuerPeriodRow[]) => new Map(rows.filter((r) => r.flagged !== 0).map((r) => [`${r.issuerId}|${r.period}`, r.flagged]));

  /** The kept counts (month rows, period rows, `demand_flagged`) against the live definition. */
  const expectKeptEqualsLive = async (when: string) => {
    const live = await liveFlagged();
    const months = flaggedOf(await repo().allIssuerRows(t.db));
    expect({ when, months }).toEqual({ when, months: new Map([...live].map(([key, n]) => [`${key}|${key.split('|')[1]}`, n])) });
    expect({ when, periods: flaggedOfPeriods(await repo().allIssuerPeriodRows(t.db)) }).toEqual({ when, periods: livePeriods(live) });
    const kept = await selectRows<{ demand_id: number | string; issuer_id: number | string; lands_month: string }>(t.db, 'SELECT demand_id, issuer_id, lands_month FROM demand_flagged ORDER BY demand_id');
    const now = await selectRows<{ id: number | string; issuer_id: number | string; lands_month: string }>(
      t.db,
      `SELECT d.id, d.issuer_id, substr(d.lands_on, 1, 7) AS lands_month FROM demands d
        WHERE EXISTS (SELECT 1 FROM flags f WHERE f.demand_id = d.id AND f.rule_code <> 'OBJECTION' AND f.status NOT IN ('dismissed', 'withdrawn')) ORDER BY d.id`,
    );
    expect({ when, kept: kept.map((r) => [num(r.demand_id), num(r.issuer_id), r.lands_month]) }).toEqual({ when, kept: now.map((r) => [num(r.id), num(r.issuer_id), r.lands_month]) });
  };

  const recompute = () => recomputeByCli(t);


  /**
   * The evaluation and the rebuild the command line and the job follow it with: its batches mark
   * the months of the findings they change stale, and the rebuild of those months brings the
   * flagged counts back in line with the rest of the rollups.
   */
  const evaluate = async (period: string) => {
    const tx = t.app.get(TransactionRunner);
    const policy = await latestPolicy(tx);
    const result = await new FlagEvaluation({ tx, audit: t.app.get(AuditService), actor: null, policy, events: t.app.get(DomainEvents), progress: () => undefined }).run(period);
    await t.app.get<RollupRebuild>(ROLLUP_REBUILD).rebuildFrom(result.rollupsFromMonth, () => undefined);
    return result;
  };

  /** Every office of the coordinator's jurisdiction for a period, sorted on the flagged share. */
  const sorted = async (period: string, order: 'asc' | 'desc'): Promise<Item[]> => {
    const res = await t.http.get(`${API}/metrics/issuers?period=${period}&sort=flaggedShare&order=${order}&pageSize=500`).set(bearer(users.coordinator)).expect(200);
    return res.body.items as Item[];
  };

  const expectSortedOnFlaggedShare = async (period: string) => {
    const live = livePeriods(await liveFlagged());
    const month = period.length === 7 && !period.includes('Q') ? await liveFlagged() : null;
    for (const order of ['desc', 'asc'] as const) {
      const items = await sorted(period, order);
      for (const item of items) {
        // The page's figures are read live for the page (details): they are what the sort key counted.
        const counted = month ? (month.get(`${item.issuer.id}|${period}`) ?? 0) : (live.get(`${item.issuer.id}|${period}`) ?? 0);
        expect({ period, code: item.issuer.code, flagged: item.flaggedDemands }).toEqual({ period, code: item.issuer.code, flagged: counted });
        expect(item.flaggedShare).toBe(item.demandsIssued === 0 ? null : item.flaggedDemands / item.demandsIssued);
      }
      for (let i = 1; i < items.length; i++) {
        const [a, b] = [items[i - 1], items[i]];
        const sa = a.flaggedShare ?? 0;
        const sb = b.flaggedShare ?? 0;
        const inOrder = order === 'desc' ? sa > sb : sa < sb;
        expect({ period, order, pair: [a.issuer.code, b.issuer.code], ok: inOrder || (sa === sb && a.issuer.code < b.issuer.code) }).toEqual({ period, order, pair: [a.issuer.code, b.issuer.code], ok: true });
      }
    }
  };

  it('after a varied sequence of writes, the kept flagged counts equal the live definition and a full recompute', async () => {
    const r = prng(2026_1128);
    const demands: { id: number; version: number; issuer: UserRef; kind: 'document' | 'report'; issuedOn: string; targets: number[]; cancelled: boolean }[] = [];
    const done = new Map<string, number>();
    const count = (op: string) => done.set(op, (done.get(op) ?? 0) + 1);
    const dates = () => {
      const month = r.int(1, 12);
      const issued = r.int(1, 10);
      // Mostly the usual fortnight; now and then a due date a day or two after issue (SHORT_DEADLINE).
      const due = r.next() < 0.25 ? issued + r.int(1, 2) : issued + r.int(12, 18);
      return { issuedOn: `2026-${pad(month)}-${pad(issued)}`, dueOn: `2026-${pad(month)}-${pad(due)}` };
    };
    const fieldSets = [['户籍人口（人）', '常住人口数', '在校学生数'], ['户籍人口', '常住人口（人）', '留守儿童数'], ['企业名称', '从业人员数']];

    for (let step = 0; step < 90; step++) {
      if (step === 30 || step === 60) {
        await evaluate(r.pick(['2026', '2026-Q2', '2026-Q3']));
        count('evaluate');
        await expectKeptEqualsLive(`after the evaluation at step ${step}`);
      }
      if (step % 15 === 14) await expectKeptEqualsLive(`step ${step}`);
      const op = demands.length < 5 ? 'create' : r.pick(['create', 'create', 'create', 'edit', 'move', 'cancel', 'review', 'review', 'review', 'objection'] as const);
      if (op === 'create') {
        const issuer = r.pick(issuers);
        const kind = r.pick(['document', 'document', 'report'] as const);
        const targets = r.pick([[tree.wenlan.id], [tree.wenlan.id, tree.yuguopu.id], [tree.village.id]]);
        const when = dates();
        const overrides: Record<string, unknown> = { title: `事项${step}`, ...when, targetUnitIds: targets };
        // Documents over the length limit raise DOCUMENT_TOO_LONG at write time; the same fields again and again raise duplicates on evaluation.
        if (kind === 'document') overrides.charCount = r.pick([2000, 3200, 5500, 6000, 9000]);
        else overrides.fields = r.pick(fieldSets);
        const res = await t.http.post(`${API}/demands`).set(bearer(issuer)).send(demandBody(kind, tree, overrides));
        if (res.status === 201) {
          demands.push({ id: res.body.id, version: res.body.version, issuer, kind, issuedOn: when.issuedOn, targets, cancelled: false });
          count(op);
        }
      } else if (op === 'edit' || op === 'move') {
        const open = demands.filter((d) => !d.cancelled);
        if (!open.length) continue;
        const d = r.pick(open);
        // An edit that makes a document long or short again (a finding raised or withdrawn), or one
        // that moves its landing (the due date) to the month of issue or up to three months later,
        // a day or two after issue now and then (SHORT_DEADLINE).
        const issued = new Date(`${d.issuedOn}T00:00:00Z`);
        const due = new Date(issued.getTime() + (r.next() < 0.25 ? r.int(1, 2) : r.int(12, 100)) * 86_400_000).toISOString().slice(0, 10);
        const change: Record<string, unknown> = op === 'move' || d.kind !== 'document' ? { dueOn: due } : { charCount: r.pick([2000, 6000, 9000]) };
        const res = await t.http.patch(`${API}/demands/${d.id}`).set(bearer(d.issuer)).send({ ...change, version: d.version });
        if (res.status === 200) {
          d.version = res.body.version;
          count(op);
        }
      } else if (op === 'cancel') {
        const open = demands.filter((d) => !d.cancelled);
        if (!open.length) continue;
        const d = r.pick(open);
        const res = await t.http.post(`${API}/demands/${d.id}/cancel`).set(bearer(d.issuer)).send({ reason: '撤销', cancelledOn: d.issuedOn });
        if (res.status === 200) {
          d.cancelled = true;
          count(op);
        }
      } else if (op === 'review') {
        const list = await t.http.get(`${API}/flags?pageSize=500`).set(bearer(users.coordinator)).expect(200);
        const movable = (list.body.items as { id: number; rule: string; status: string; version: number }[]).filter((f) => f.rule !== 'OBJECTION' && ['open', 'under_review', 'confirmed'].includes(f.status));
        if (!movable.length) continue;
        const f = r.pick(movable);
        const to = f.status === 'open' ? 'under_review' : f.status === 'under_review' ? r.pick(['dismissed', 'dismissed', 'confirmed']) : 'rectifying';
        const body: Record<string, unknown> = { to, comment: '复核意见', version: f.version };
        if (to === 'rectifying') body.dueOn = '2099-12-31';
        const res = await t.http.post(`${API}/flags/${f.id}/transitions`).set(bearer(users.coordinator)).send(body);
        if (res.status === 200) count(`review:${to}`);
      } else if (op === 'objection') {
        const candidates = demands.filter((d) => d.targets.includes(tree.wenlan.id));
        if (!candidates.length) continue;
        const res = await t.http.post(`${API}/demands/${r.pick(candidates).id}/objections`).set(bearer(users.reporter)).send({ reason: '不属于街道职责' });
        if (res.status === 201) count(op);
      }
    }
    // The comparison means something only if every kind of write happened.
    for (const op of ['create', 'edit', 'move', 'cancel', 'objection', 'evaluate', 'review:under_review', 'review:dismissed', 'review:confirmed']) expect({ op, n: (done.get(op) ?? 0) > 0 }).toEqual({ op, n: true });
    const evaluated = await evaluate('2026');
    expect(evaluated.counts.raised + evaluated.counts.withdrawn).toBeGreaterThanOrEqual(0);
    await expectKeptEqualsLive('at the end');

    const months = await repo().allIssuerRows(t.db);
    const periods = await repo().allIssuerPeriodRows(t.db);
    expect(months.filter((m) => m.flagged > 0).length).toBeGreaterThan(3);
    // Some flagged demands and some not, under both issuers: the sort has something to order.
    expect(new Set(periods.filter((p) => p.period === '2026' && p.flagged > 0 && p.flagged < p.demands).map((p) => p.issuerId)).size).toBeGreaterThan(0);
    for (const period of ['2026', '2026-Q2', '2026-Q3', '2026-09']) await expectSortedOnFlaggedShare(period);

    await recompute();
    expect(await repo().allIssuerRows(t.db)).toEqual(months);
    expect(await repo().allIssuerPeriodRows(t.db)).toEqual(periods);
    await expectKeptEqualsLive('after the full recompute');
  });

  it('a full recompute rebuilds the kept counts from the flags when they were lost', async () => {
    const before = await repo().allIssuerPeriodRows(t.db);
    expect(before.some((p) => p.flagged > 0)).toBe(true);
    await t.db.query('DELETE FROM demand_flagged');
    await t.db.query('UPDATE issuer_month_burden SET flagged = 0');
    await t.db.query('UPDATE issuer_period_burden SET flagged = 0');
    await recompute();
    expect(await repo().allIssuerPeriodRows(t.db)).toEqual(before);
    await expectKeptEqualsLive('after a recompute from nothing');
  });
});
