import type { Actor } from '@/common/auth/actor';
import { DomainError, ErrorCode } from '@/common/errors/domain-error';
import type { DomainEvents } from '@/common/events/domain-events';
import { nowIso } from '@/common/time';
import type { Tx } from '@/database/dialect';
import type { TransactionRunner } from '@/database/transaction-runner';
import type { AuditService } from '@/modules/audit/audit.service';
import { parsePeriod } from '@/modules/demands/calendar/period';
import type { PolicySnapshot } from '@/modules/policy/policy.service';
import { FlagRepository, FlagWrite, StoredFinding } from './flag.repository';
import { FieldKeyNames } from '@/modules/demands/fields/field-key-names';
import { EvaluationScanRepository } from './evaluation-scan.repository';
import { DEMAND_RULE_CODES, FindingScan, UNIT_RULE_CODES, UnitFindingSource, unitFindingsHere } from './finding-scan';
import { addCounts, emptyCounts, FindingsReconciler, ReconcileCounts, toWrite } from './findings';
import { IssuerBudgetRepository } from './issuer-budget.repository';
import { ObjectionFindingRepository } from './objection-finding.repository';
import { hiddenBurdenFinding, issuerBudgetFinding, objectionFinding, shadowBurdenFinding } from './rules';
import type { Finding, RuleCode } from './rules/rule';

export interface EvaluationResult {
  period: string;
  from: string;
  to: string;
  policyVersion: number;
  demandsJudged: number;
  unitsCompared: number;
  reportsCompared: number;
  counts: ReconcileCounts;
  byRule: Partial<Record<RuleCode, ReconcileCounts>>;
  /**
   * The first month whose burden rollups these findings can change: a standing flag counts in
   * every month its demand lands in, and a recurring demand flagged in this period may have
   * started landing earlier. The rollups are rebuilt from here on: behind POST /flags/evaluate by
   * the metrics feature's follow-up job, from the command line right after the evaluation.
   */
  rollupsFromMonth: string;
  /**
   * Wall time of each phase of the rules. With the unit scan in a thread of its own (a helper
   * thread allowed), `demands` and `units` both count from the start of the scan and overlap.
   */
  phaseSeconds: Partial<Record<'demands' | 'units' | 'reports' | 'budgets' | 'objections', number>>;
}

export interface EvaluationDeps {
  tx: TransactionRunner;
  audit: AuditService;
  actor: Actor | null;
  policy: PolicySnapshot;
  /**
   * Where each batch of findings is announced before it is written (`burden.stale`, in the batch's
   * transaction), so the burden rollups are marked stale until the rebuild after the evaluation.
   */
  events: DomainEvents;
  progress(done: number, total: number | null, message?: string): void;
  /**
   * Where the unit rules' findings come from. Absent: the unit scan runs in this thread after the
   * rules about one demand. A job's worker passes the scan run in a thread of its own
   * (finding-producer.ts), which reads and compares the next units while this thread judges
   * demands and writes.
   */
  unitFindings?: UnitFindingSource;
}

const REPORT_BATCH = 2_000;

/** Each phase's slice of the progress (percent); the unit scan is most of the work. */
const PHASES = {
  demands: [0, 30],
  units: [30, 90],
  reports: [90, 95],
  budgets: [95, 98],
  objections: [98, 100],
} as const satisfies Record<string, readonly [number, number]>;

/** The first and last day of a period written 2026, 2026-Q3 or 2026-07. */
export function periodBounds(period: string): { from: string; to: string; months: string[] } {
  const parsed = parsePeriod(period);
  if (!parsed) throw new DomainError(ErrorCode.BadRequest, `period: ${period} is not 2026, 2026-Q3 or 2026-07`, [{ field: 'period', message: 'is not a year, quarter or month' }]);
  return { from: parsed.from, to: parsed.to, months: parsed.months };
}

/**
 * A full evaluation of every rule over a period (DESIGN §3 `POST /flags/evaluate`, §4). Idempotent:
 * each finding is keyed by its fingerprint, so a second run over unchanged data changes nothing;
 * findings of the period that no longer hold are withdrawn (from open or under review only).
 *
 * Work grows with the data, never its square: the rules about one demand and the unit rules come
 * from a FindingScan (see there how it reads); reports and budgets are aggregates. Every read is a
 * keyset range; every write a short transaction, so a request thread waits at most one batch for
 * the SQLite write lock.
 */
export class FlagEvaluation {
  private readonly flags = new FlagRepository();
  private readonly scan = new EvaluationScanRepository(new FieldKeyNames());
  private readonly reconciler = new FindingsReconciler(this.flags);
  private readonly byRule = new Map<RuleCode, ReconcileCounts>();
  private counts = emptyCounts();

  constructor(private readonly deps: EvaluationDeps) {}

  async run(period: string): Promise<EvaluationResult> {
    const { from, to, months } = periodBounds(period);
    const seconds: Partial<Record<keyof typeof PHASES, number>> = {};
    const timed = async <T>(phase: keyof typeof PHASES, message: string, work: () => Promise<T>): Promise<T> => {
      this.report(PHASES[phase], 0, message);
      const started = performance.now();
      const result = await work();
      seconds[phase] = Math.round(performance.now() - started) / 1000;
      return result;
    };
    const { demandsJudged, unitsCompared } = await this.reconcileScan(from, to, seconds);
    const reportsCompared = await timed('reports', '填报工时与估算', () => this.compareReports(months[0], months[months.length - 1], from, to));
    await timed('budgets', '总量管控', () => this.checkBudgets(Number(from.slice(0, 4)), Number(to.slice(0, 4))));
    await timed('objections', '基层异议', () => this.raiseObjections(from, to));
    this.deps.progress(100, 100, '完成');
    const result: EvaluationResult = {
      period,
      from,
      to,
      policyVersion: this.deps.policy.version,
      demandsJudged,
      unitsCompared,
      reportsCompared,
      counts: this.counts,
      byRule: Object.fromEntries(this.byRule),
      rollupsFromMonth: await this.deps.tx.snapshot(async (reader) => {
        const earliest = await this.scan.earliestLandingOfDemandsFlaggedIn(reader, from, to);
        return earliest !== null && earliest.slice(0, 7) < months[0] ? earliest.slice(0, 7) : months[0];
      }),
      phaseSeconds: seconds,
    };
    await this.deps.tx.run((tx) =>
      this.deps.audit.append(tx, {
        actor: this.deps.actor,
        systemActor: 'evaluation',
        action: 'flags.evaluate',
        entityType: 'flags',
        entityId: period,
        unitPath: null,
        after: result,
      }),
    );
    return result;
  }

  /** Progress in percent: each phase owns a slice of 0..100 and reports how far into it it is (0..1). */
  private report(phase: readonly [number, number], fraction: number, message?: string): void {
    const [start, end] = phase;
    this.deps.progress(Math.min(end, Math.floor(start + (end - start) * Math.max(0, Math.min(1, fraction)))), 100, message);
  }

  private tally(rule: RuleCode, counts: ReconcileCounts): void {
    this.byRule.set(rule, addCounts(this.byRule.get(rule) ?? emptyCounts(), counts));
    this.counts = addCounts(this.counts, counts);
  }

  /** Tallies per rule: reconciles each rule's slice of a batch separately (counts stay exact per rule). */
  private async reconcileByRule(desired: readonly FlagWrite[], scope: readonly StoredFinding[]): Promise<void> {
    const rules = new Set<RuleCode>([...desired.map((w) => w.rule), ...scope.map((s) => s.rule)]);
    await this.deps.tx.run(async (tx) => {
      await this.markRollupsStale(tx, desired, scope);
      for (const rule of rules) {
        const counts = await this.reconciler.reconcile(
          tx,
          desired.filter((w) => w.rule === rule),
          scope.filter((s) => s.rule === rule),
          nowIso(),
        );
        this.tally(rule, counts);
      }
    });
  }

  /**
   * Before a batch changes findings, in its transaction: the rollups of the months the demands
   * concerned land in are marked stale (the flags decide their duplicate and excess minutes, and
   * the issuers' counts of flagged demands). In the same transaction, so a rebuild that began
   * before this batch cannot clear the mark after the batch has changed what it rebuilt. The
   * rebuild that follows an evaluation reconciles the flagged counts of those months with the
   * rest; reconciling them batch by batch here cost a province evaluation ≈ 19 s (bench/README).
   */
  private async markRollupsStale(tx: Tx, desired: readonly FlagWrite[], scope: readonly StoredFinding[]): Promise<void> {
    const demandIds = desired.map((w) => w.demandId).filter((id): id is number => id !== null);
    if (demandIds.length || scope.length) await this.deps.events.publish({ type: 'burden.stale', tx, demandIds, flagIds: scope.map((s) => s.id) });
  }

  // -- 1 and 2. rules about one demand, and rules comparing the demands reaching one unit ------

  /**
   * Judges the demands of the period batch by batch and reconciles each batch against the stored
   * flags of those demands; reconciles the unit scan's batches (runs of whole units) against the
   * stored flags of exactly those units, in scan order. The two kinds of batch touch different
   * rules' flags, so they are taken as they come: when the unit scan runs in a thread of its own,
   * its batches are written as soon as they are at hand, and demands are judged while it reads.
   * Memory holds a batch of findings or two, never the province's.
   */
  private async reconcileScan(from: string, to: string, seconds: Partial<Record<keyof typeof PHASES, number>>): Promise<{ demandsJudged: number; unitsCompared: number }> {
    const started = performance.now();
    // In one thread the unit scan starts when the demands are done; in its own thread, at once.
    let unitsStarted = started;
    const since = (t0: number) => Math.round(performance.now() - t0) / 1000;
    const local = new FindingScan(this.deps.tx, this.deps.policy);
    const demands = local.demandBatches(from, to);
    const units = (this.deps.unitFindings ?? unitFindingsHere(local))(from, to);
    const done = { demands: 0, units: 0 };
    const progress = { demands: 0, units: 0 };
    let demandsLeft = true;
    let unitsLeft = true;
    let flushedThrough = 0;
    const report = (message: string) => {
      const [d0, d1] = PHASES.demands;
      const [u0, u1] = PHASES.units;
      this.deps.progress(Math.floor(d0 + (d1 - d0) * progress.demands + (u1 - u0) * progress.units), 100, message);
    };
    report('一事一判的规则');
    try {
      while (demandsLeft || unitsLeft) {
        // The scan thread's batches arrive as messages, which are only delivered when this loop
        // yields to the event loop: its reads and writes resolve as promises alone (SQLite's
        // driver is synchronous), so without this the demands would be judged to the last one
        // while the scan thread waited.
        if (this.deps.unitFindings) await new Promise<void>((resolve) => setImmediate(resolve));
        if (unitsLeft && (!demandsLeft || units.ready())) {
          const batch = await units.next();
          if (!batch) {
            unitsLeft = false;
            seconds.units = since(unitsStarted);
            continue;
          }
          const scope = await this.deps.tx.snapshot((reader) => this.flags.findingsOnUnits(reader, UNIT_RULE_CODES, flushedThrough + 1, batch.throughUnit, from, to));
          flushedThrough = batch.throughUnit;
          if (batch.writes.length || scope.length) await this.reconcileByRule(batch.writes, scope);
          done.units = batch.units;
          progress.units = batch.fraction;
          report('同一单位的事项比对');
        } else {
          const step = await demands.next();
          if (step.done) {
            demandsLeft = false;
            seconds.demands = since(started);
            if (!this.deps.unitFindings) unitsStarted = performance.now();
            continue;
          }
          const batch = step.value;
          const scope = await this.deps.tx.snapshot((reader) => this.flags.findingsOfDemands(reader, batch.demandIds, DEMAND_RULE_CODES));
          await this.reconcileByRule(batch.writes, scope);
          done.demands += batch.demandIds.length;
          progress.demands = batch.fraction;
          report('一事一判的规则');
        }
      }
    } finally {
      await units.close();
      await demands.return(undefined);
    }
    return { demandsJudged: done.demands, unitsCompared: done.units };
  }

  // -- 3. hours reported against the estimate, and shadow demands ------------------------------

  private async compareReports(fromMonth: string, toMonth: string, from: string, to: string): Promise<number> {
    const thresholds = this.deps.policy.document.thresholds;
    const scope = await this.deps.tx.snapshot((reader) => this.flags.findingsInPeriod(reader, ['HIDDEN_BURDEN'], from, to));
    const holding = new Set<string>();
    let compared = 0;
    let after = { month: fromMonth, id: 0 };
    for (;;) {
      const rows = await this.deps.tx.snapshot((reader) => this.scan.reportsAgainstEstimates(reader, after, toMonth, REPORT_BATCH));
      if (!rows.length) break;
      after = { month: rows[rows.length - 1].month, id: rows[rows.length - 1].reportId };
      compared += rows.length;
      const writes = rows
        .map((r) => hiddenBurdenFinding({ ...r }, thresholds))
        .filter((f): f is Finding => f !== null)
        .map((f) => this.unitWrite(f));
      writes.forEach((w) => holding.add(w.fingerprint));
      await this.reconcileByRule(writes, []);
    }
    after = { month: fromMonth, id: 0 };
    for (;;) {
      const rows = await this.deps.tx.snapshot((reader) => this.scan.shadowReports(reader, after, toMonth, REPORT_BATCH));
      if (!rows.length) break;
      after = { month: rows[rows.length - 1].month, id: rows[rows.length - 1].reportId };
      compared += rows.length;
      // Keyed to the report's month (not the day it was received) so the period scope of withdrawal matches the reports read.
      const writes = rows.map((r) => this.unitWrite({ ...shadowBurdenFinding(r), landsOn: `${r.month}-01` }));
      writes.forEach((w) => holding.add(w.fingerprint));
      await this.reconcileByRule(writes, []);
    }
    await this.deps.tx.run(async (tx) => {
      await this.markRollupsStale(tx, [], scope);
      for (const gone of await this.reconciler.withdrawMissing(tx, scope, holding, nowIso())) this.tally(gone.rule, { ...emptyCounts(), withdrawn: 1 });
    });
    return compared;
  }

  private unitWrite(f: Finding): FlagWrite {
    return toWrite(f, f.target.kind === 'unit' ? f.target.unitId : null, this.deps.policy.version);
  }

  // -- 4. issuers' budgets ---------------------------------------------------------------------

  private async checkBudgets(firstYear: number, lastYear: number): Promise<void> {
    const budgets = new IssuerBudgetRepository();
    for (let year = firstYear; year <= lastYear; year++) {
      const day = `${year}-01-01`;
      const scope = await this.deps.tx.snapshot((reader) => this.flags.findingsInPeriod(reader, ['ISSUER_BUDGET'], day, day));
      const set = await this.deps.tx.snapshot((reader) => budgets.budgetsOfYear(reader, year));
      const writes: FlagWrite[] = [];
      for (const b of set) {
        const imposedMinutes = await this.deps.tx.snapshot((reader) => budgets.imposedMinutes(reader, b.issuerId, year));
        const finding = issuerBudgetFinding({ issuerId: b.issuerId, issuerName: b.issuerName, year, imposedMinutes, budgetMinutes: b.budgetMinutes });
        if (finding) writes.push(toWrite(finding, null, this.deps.policy.version));
      }
      await this.reconcileByRule(writes, scope);
    }
  }

  // -- 5. objections ---------------------------------------------------------------------------

  /** Every objection keeps its OBJECTION flag (raised when filed; this only repairs a missing one). An objection is never withdrawn. */
  private async raiseObjections(from: string, to: string): Promise<void> {
    const objections = new ObjectionFindingRepository();
    let after = 0;
    for (;;) {
      const rows = await this.deps.tx.snapshot((reader) => objections.batchLandingIn(reader, from, to, after, REPORT_BATCH));
      if (!rows.length) break;
      after = rows[rows.length - 1].objectionId;
      await this.reconcileByRule(
        rows.map((o) => toWrite(objectionFinding(o), o.unitId, this.deps.policy.version)),
        [],
      );
    }
  }
}
