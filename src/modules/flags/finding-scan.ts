import { MAX_ID } from '@/common/http/id-param';
import type { TransactionRunner } from '@/database/transaction-runner';

/** All the scan needs of a runner: consistent reads (the app's TransactionRunner, or a read-only connection's). */
export type ReadSnapshots = Pick<TransactionRunner, 'snapshot'>;
import { addDays, toEpochDay } from '@/modules/demands/calendar/working-days';
import { FieldKeyNames } from '@/modules/demands/fields/field-key-names';
import type { PolicySnapshot } from '@/modules/policy/policy.service';
import { EvaluationScanRepository } from './evaluation-scan.repository';
import type { FlagWrite } from './flag.repository';
import { DemandJudge, newJudgeCache, toWrite } from './findings';
import { LandingBuilder } from './landings';
import { RuleFactsRepository } from './rule-facts.repository';
import { DEMAND_RULES, UNIT_RULES } from './rules';
import type { RuleCode } from './rules/rule';
import type { Landing, UnitLandings, UnitRuleContext } from './rules/unit-rule';

/** The findings of the rules about one demand, for a batch of demands (reconciled against those demands' stored flags). */
export interface DemandFindingBatch {
  phase: 'demands';
  demandIds: number[];
  writes: FlagWrite[];
  /** How far through the phase (0..1). */
  fraction: number;
}

/**
 * The findings of the unit rules on a run of whole units: every unit with an id up to
 * `throughUnit` not covered by an earlier batch (reconciled against the stored flags of exactly
 * those units). The last batch reaches `MAX_ID`, so flags on units no demand targets any more are
 * withdrawn too.
 */
export interface UnitFindingBatch {
  phase: 'units';
  throughUnit: number;
  writes: FlagWrite[];
  /** Units compared so far. */
  units: number;
  fraction: number;
}

/**
 * The unit rules' batches as the evaluation takes them: from the scan below in the evaluating
 * thread, or from the scan run in a thread of its own (finding-producer.ts). Batches come in scan
 * order and are reconciled in that order.
 */
export interface UnitFindingStream {
  /** The next batch, or null once the scan is done. */
  next(): Promise<UnitFindingBatch | null>;
  /** True when `next` has a batch at hand (the other thread is ahead); always false in one thread. */
  ready(): boolean;
  /** Stops the scan (early on a failure) and frees what it holds. */
  close(): Promise<void>;
}

/** Starts the unit scan of a period. */
export type UnitFindingSource = (from: string, to: string) => UnitFindingStream;

/** The scan in this thread: batches are made when asked for. */
export function unitFindingsHere(scan: FindingScan): UnitFindingSource {
  return (from, to) => {
    const batches = scan.unitBatches(from, to);
    return {
      next: async () => {
        const step = await batches.next();
        return step.done ? null : step.value;
      },
      ready: () => false,
      close: async () => {
        await batches.return(undefined);
      },
    };
  };
}

/**
 * The rule codes each kind of batch reconciles: its scope of stored flags is read for these. No
 * code is in both (a test keeps it so), so demand batches and unit batches touch different flags
 * and may be reconciled interleaved.
 */
export const DEMAND_RULE_CODES: readonly RuleCode[] = [...new Set(DEMAND_RULES.map((r) => r.code))];
export const UNIT_RULE_CODES: readonly RuleCode[] = [...new Set(UNIT_RULES.map((r) => r.code))];

const DEMAND_BATCH = 1_000;
const TARGET_BATCH = 20_000;

/** Findings per batch of units (a batch ends with a whole unit, so it may hold a few more). */
export const WRITE_BATCH = 8_000;

/**
 * The reading half of a full evaluation (FlagEvaluation does the writing): runs the rules over a
 * period and yields their findings in batches, reading through snapshots only and never the flags
 * themselves, so the unit scan can run on a connection and a thread of its own while the
 * evaluating thread judges demands and writes the findings before it.
 *
 * Work grows with the data, never its square: demands are judged in (landing day, id) batches; the
 * rules that compare demands read the targets in (unit, demand) order and see one unit's demands
 * of the window at a time, loading each demand when the scan meets it and dropping it once past.
 * Every read is a keyset range.
 */
export class FindingScan {
  /** The field key texts met by this scan, shared by its two readers of report fields. */
  private readonly keyNames = new FieldKeyNames();
  private readonly facts = RuleFactsRepository.forEvaluation(this.keyNames);
  private readonly scan = new EvaluationScanRepository(this.keyNames);
  private readonly landings = new LandingBuilder(this.scan);
  private readonly judge = new DemandJudge(this.facts, DEMAND_RULES);
  private readonly judgeCache = newJudgeCache();

  constructor(
    private readonly tx: ReadSnapshots,
    private readonly policy: PolicySnapshot,
    private readonly writeBatch = WRITE_BATCH,
  ) {}

  // -- 1. rules about one demand ---------------------------------------------------------------

  async *demandBatches(from: string, to: string): AsyncGenerator<DemandFindingBatch> {
    let after = { landsOn: from, id: 0 };
    for (;;) {
      const batch = await this.tx.snapshot((reader) => this.scan.demandsLandingIn(reader, after, to, DEMAND_BATCH));
      if (!batch.length) break;
      after = batch[batch.length - 1];
      const demandIds = batch.map((d) => d.id);
      const writes = await this.tx.snapshot((reader) => this.judge.judge(reader, demandIds, this.policy, this.judgeCache));
      const fraction = (toEpochDay(after.landsOn) - toEpochDay(from)) / Math.max(1, toEpochDay(to) - toEpochDay(from));
      yield { phase: 'demands', demandIds, writes, fraction };
    }
  }

  // -- 2. rules comparing the demands reaching one unit ----------------------------------------

  async *unitBatches(from: string, to: string): AsyncGenerator<UnitFindingBatch> {
    const t = this.policy.document.thresholds;
    const window = Math.max(t.duplicateDataWindowDays.value, t.duplicateInspectionWindowDays.value);
    // Earlier landings serve as evidence: the longest window before `from`, and the whole year for plan visits and quarters.
    const yearStart = `${from.slice(0, 4)}-01-01`;
    const windowStart = addDays(from, -window);
    const loadFrom = windowStart < yearStart ? windowStart : yearStart;
    const window_ = new LandingWindow(this.tx, this.scan, this.landings, this.facts, loadFrom, to);
    const levels = await this.tx.snapshot((reader) => this.scan.areaLevels(reader));
    let lastUnitId = 1;
    for (const id of levels.keys()) if (id > lastUnitId) lastUnitId = id;
    const context: UnitRuleContext = {
      thresholds: t,
      fromDay: toEpochDay(from),
      toDay: toEpochDay(to),
      keyName: (key) => this.landings.keyName(key),
      plannedVisits: (item) => window_.plannedVisits(item),
    };
    // Findings go out per run of whole units, so memory holds one batch of findings, never the
    // province's (775 k flags at province scale).
    let pending: FlagWrite[] = [];
    let units = 0;
    const judgeUnit = (unitId: number, onUnit: Landing[]): void => {
      const level = levels.get(unitId);
      if (!level || !onUnit.length) return;
      units++;
      onUnit.sort((a, b) => a.days[0] - b.days[0] || a.demandId - b.demandId);
      const unit: UnitLandings = { unitId, level, landings: onUnit };
      for (const rule of UNIT_RULES) {
        for (const finding of rule.evaluateUnit(unit, context)) pending.push(toWrite(finding, unitId, this.policy.version));
      }
    };
    const take = (throughUnit: number): UnitFindingBatch => {
      const writes = pending;
      pending = [];
      return { phase: 'units', throughUnit, writes, units, fraction: Math.min(1, throughUnit / lastUnitId) };
    };

    let cursor = { unitId: 0, demandId: 0 };
    let currentUnit = -1;
    let onUnit: Landing[] = [];
    for (;;) {
      const rows = await this.tx.snapshot((reader) => this.scan.targetsAfter(reader, cursor.unitId, cursor.demandId, TARGET_BATCH));
      if (!rows.length) break;
      cursor = rows[rows.length - 1];
      await window_.ensure(rows.map((r) => r.demandId));
      for (const row of rows) {
        if (row.unitId !== currentUnit) {
          judgeUnit(currentUnit, onUnit);
          if (pending.length >= this.writeBatch) yield take(currentUnit);
          currentUnit = row.unitId;
          onUnit = [];
        }
        const landing = window_.get(row.demandId);
        if (landing) onUnit.push(landing);
      }
      // Units come in id order (tree order at import): demands whose last target lies behind are done with.
      window_.evictBefore(currentUnit);
    }
    judgeUnit(currentUnit, onUnit);
    // The last run reaches past every unit: flags on units no demand targets any more are withdrawn too.
    yield take(MAX_ID);
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
    private readonly tx: ReadSnapshots,
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
