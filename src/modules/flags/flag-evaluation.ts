import type { Actor } from '@/common/auth/actor';
import { DomainError, ErrorCode } from '@/common/errors/domain-error';
import type { DomainEvents } from '@/common/events/domain-events';
import { MAX_ID } from '@/common/http/id-param';
import { nowIso } from '@/common/time';
import type { Tx } from '@/database/dialect';
import type { TransactionRunner } from '@/database/transaction-runner';
import type { AuditService } from '@/modules/audit/audit.service';
import { parsePeriod } from '@/modules/demands/calendar/period';
import { addDays, toEpochDay } from '@/modules/demands/calendar/working-days';
import type { PolicySnapshot } from '@/modules/policy/policy.service';
import { FlagRepository, FlagWrite, StoredFinding } from './flag.repository';
import { addCounts, DemandJudge, emptyCounts, FindingsReconciler, newJudgeCache, ReconcileCounts, toWrite } from './findings';
import { FieldKeyNames } from '@/modules/demands/fields/field-key-names';
import { EvaluationScanRepository } from './evaluation-scan.repository';
import { IssuerBudgetRepository } from './issuer-budget.repository';
import { LandingBuilder } from './landings';
import { ObjectionFindingRepository } from './objection-finding.repository';
import { RuleFactsRepository } from './rule-facts.repository';
import { DEMAND_RULES, hiddenBurdenFinding, issuerBudgetFinding, objectionFinding, shadowBurdenFinding, UNIT_RULES } from './rules';
import type { Finding, RuleCode } from './rules/rule';
import type { Landing, UnitLandings, UnitRuleContext } from './rules/unit-rule';

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
  /** Wall time of each phase of the rules. */
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
}

const DEMAND_BATCH = 1_000;
const TARGET_BATCH = 20_000;
const WRITE_BATCH = 8_000;
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
 * Work grows with the data, never its square: demands are judged in (landing day, id) batches; the
 * rules that compare demands read the targets in (unit, demand) order and see one unit's demands
 * of the window at a time, loading each demand when the scan meets it and dropping it once past;
 * reports and budgets are aggregates. Every read is a keyset range; every write
 * a short transaction, so a request thread waits at most one batch for the SQLite write lock.
 */
export class FlagEvaluation {
  private readonly flags = new FlagRepository();
  /** The field key texts met by this evaluation, shared by its two readers of report fields. */
  private readonly keyNames = new FieldKeyNames();
  private readonly facts = RuleFactsRepository.forEvaluation(this.keyNames);
  private readonly scan = new EvaluationScanRepository(this.keyNames);
  private readonly landings = new LandingBuilder(this.scan);
  private readonly reconciler = new FindingsReconciler(this.flags);
  private readonly judge = new DemandJudge(this.facts, DEMAND_RULES);
  private readonly judgeCache = newJudgeCache();
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
    const demandsJudged = await timed('demands', '一事一判的规则', () => this.judgeDemands(from, to));
    const unitsCompared = await timed('units', '同一单位的事项比对', () => this.compareOnUnits(from, to));
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

  // -- 1. rules about one demand ---------------------------------------------------------------

  private async judgeDemands(from: string, to: string): Promise<number> {
    let after = { landsOn: from, id: 0 };
    let judged = 0;
    for (;;) {
      const batch = await this.deps.tx.snapshot((reader) => this.scan.demandsLandingIn(reader, after, to, DEMAND_BATCH));
      if (!batch.length) break;
      after = batch[batch.length - 1];
      this.report(PHASES.demands, (toEpochDay(after.landsOn) - toEpochDay(from)) / Math.max(1, toEpochDay(to) - toEpochDay(from)), '一事一判的规则');
      const ids = batch.map((d) => d.id);
      const desired = await this.deps.tx.snapshot((reader) => this.judge.judge(reader, ids, this.deps.policy, this.judgeCache));
      const scope = await this.deps.tx.snapshot((reader) => this.flags.findingsOfDemands(reader, ids, this.judge.codes));
      await this.reconcileByRule(desired, scope);
      judged += ids.length;
    }
    return judged;
  }

  // -- 2. rules comparing the demands reaching one unit ----------------------------------------

  private async compareOnUnits(from: string, to: string): Promise<number> {
    const t = this.deps.policy.document.thresholds;
    const window = Math.max(t.duplicateDataWindowDays.value, t.duplicateInspectionWindowDays.value);
    // Earlier landings serve as evidence: the longest window before `from`, and the whole year for plan visits and quarters.
    const yearStart = `${from.slice(0, 4)}-01-01`;
    const windowStart = addDays(from, -window);
    const loadFrom = windowStart < yearStart ? windowStart : yearStart;
    const window_ = new LandingWindow(this.deps.tx, this.scan, this.landings, this.facts, loadFrom, to);
    const levels = await this.deps.tx.snapshot((reader) => this.scan.areaLevels(reader));
    let lastUnitId = 1;
    for (const id of levels.keys()) if (id > lastUnitId) lastUnitId = id;
    const context: UnitRuleContext = {
      thresholds: t,
      fromDay: toEpochDay(from),
      toDay: toEpochDay(to),
      keyName: (key) => this.landings.keyName(key),
      plannedVisits: (item) => window_.plannedVisits(item),
    };
    const unitRuleCodes = [...new Set(UNIT_RULES.map((r) => r.code))];
    // Findings are reconciled per run of whole units, against the stored flags of exactly those
    // units, so memory holds one batch of findings, never the province's (775 k flags at province scale).
    let pending: FlagWrite[] = [];
    let flushedThrough = 0;
    let units = 0;

    const flush = async (throughUnit: number) => {
      const batch = pending;
      pending = [];
      const scope = await this.deps.tx.snapshot((reader) => this.flags.findingsOnUnits(reader, unitRuleCodes, flushedThrough + 1, throughUnit, from, to));
      flushedThrough = throughUnit;
      if (batch.length || scope.length) await this.reconcileByRule(batch, scope);
    };
    const judgeUnit = async (unitId: number, onUnit: Landing[]) => {
      const level = levels.get(unitId);
      if (!level || !onUnit.length) return;
      units++;
      onUnit.sort((a, b) => a.days[0] - b.days[0] || a.demandId - b.demandId);
      const unit: UnitLandings = { unitId, level, landings: onUnit };
      for (const rule of UNIT_RULES) {
        for (const finding of rule.evaluateUnit(unit, context)) pending.push(toWrite(finding, unitId, this.deps.policy.version));
      }
      if (pending.length >= WRITE_BATCH) await flush(unitId);
    };

    let cursor = { unitId: 0, demandId: 0 };
    let currentUnit = -1;
    let onUnit: Landing[] = [];
    for (;;) {
      const rows = await this.deps.tx.snapshot((reader) => this.scan.targetsAfter(reader, cursor.unitId, cursor.demandId, TARGET_BATCH));
      if (!rows.length) break;
      cursor = rows[rows.length - 1];
      await window_.ensure(rows.map((r) => r.demandId));
      for (const row of rows) {
        if (row.unitId !== currentUnit) {
          await judgeUnit(currentUnit, onUnit);
          currentUnit = row.unitId;
          onUnit = [];
        }
        const landing = window_.get(row.demandId);
        if (landing) onUnit.push(landing);
      }
      // Units come in id order (tree order at import): demands whose last target lies behind are done with.
      window_.evictBefore(currentUnit);
      this.report(PHASES.units, currentUnit / lastUnitId, '同一单位的事项比对');
    }
    await judgeUnit(currentUnit, onUnit);
    // The last run reaches past every unit: flags on units no demand targets any more are withdrawn too.
    await flush(MAX_ID);
    return units;
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

/**
 * The landings the unit scan needs, loaded as the scan first meets each demand and dropped once
 * the scan has passed the demand's last target unit, so memory holds the demands of the units
 * around the scan (and the few that reach the whole province), not every demand of the period.
 */
class LandingWindow {
  private readonly landings = new Map<number, Landing | null>();
  private readonly lastUnit = new Map<number, number>();
  private readonly visits = new Map<number, number | null>();

  constructor(
    private readonly tx: TransactionRunner,
    private readonly scan: EvaluationScanRepository,
    private readonly builder: LandingBuilder,
    private readonly facts: RuleFactsRepository,
    private readonly from: string,
    private readonly to: string,
  ) {}

  get(demandId: number): Landing | undefined {
    return this.landings.get(demandId) ?? undefined;
  }

  plannedVisits(item: number): number | null {
    return this.visits.get(item) ?? null;
  }

  async ensure(demandIds: readonly number[]): Promise<void> {
    const missing = [...new Set(demandIds)].filter((id) => !this.landings.has(id)).sort((a, b) => a - b);
    if (!missing.length) return;
    await this.tx.snapshot(async (reader) => {
      const fresh = new Map<number, Landing>();
      for (let i = 0; i < missing.length; i += DEMAND_BATCH) {
        const chunk = missing.slice(i, i + DEMAND_BATCH);
        const scanned = await this.scan.comparableDemands(reader, this.from, this.to, 0, chunk.length, chunk);
        await this.builder.add(reader, scanned, this.from, this.to, fresh);
      }
      await this.builder.complete(reader, fresh);
      for (const id of missing) this.landings.set(id, fresh.get(id) ?? null);
      for (const [id, last] of await this.scan.lastTargetUnits(reader, missing)) this.lastUnit.set(id, last);
      const items = [...new Set([...fresh.values()].map((l) => l.planItemId).filter((p): p is number => p !== null && !this.visits.has(p)))];
      const visits = await this.facts.plannedVisits(reader, items);
      for (const item of items) this.visits.set(item, visits.get(item) ?? null);
    });
  }

  /** Forgets the demands whose last target unit is below `unitId` (the scan will not meet them again). */
  evictBefore(unitId: number): void {
    // A demand that is not compared in this window stays remembered as null while the scan is among its targets.
    for (const id of this.landings.keys()) {
      if ((this.lastUnit.get(id) ?? -1) >= unitId) continue;
      this.landings.delete(id);
      this.lastUnit.delete(id);
      this.builder.forget(id);
    }
  }
}
