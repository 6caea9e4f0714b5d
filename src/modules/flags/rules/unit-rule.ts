import type { Level } from '@/common/auth/actor';
import type { PolicyThresholds } from '@/modules/policy/policy-document';
import type { DemandKind, Finding, RuleCode } from './rule';

/**
 * The rules that compare demands reaching the same unit (DUPLICATE_DATA_REQUEST,
 * DUPLICATE_INSPECTION, SPLIT_INSPECTION, INSPECTION_QUOTA). The evaluation job streams the
 * demand targets ordered by unit and hands each rule one unit's landings at a time, so the work
 * grows with the data (each unit's demands in a time window), never with its square.
 */

/** One demand as it lands on one unit. */
export interface Landing {
  demandId: number;
  issuerId: number;
  kind: DemandKind;
  topic: string;
  /** Epoch days (calendar/working-days `toEpochDay`) of every landing, ascending; none after a cancellation. */
  days: readonly number[];
  /** Report field keys interned as small integers, ascending and distinct; empty for other kinds. */
  keys: readonly number[];
  /** Ids up the parentDemandId chain (parent, grandparent, ...): never compared with this demand. */
  ancestors: readonly number[];
  /** Other issuers inspecting in the same visit (`jointWith`). */
  jointIssuerIds: readonly number[];
  planItemId: number | null;
}

/** One unit and the demands landing on it, ordered by (first landing day, demand id). */
export interface UnitLandings {
  unitId: number;
  level: Level;
  landings: readonly Landing[];
}

export interface UnitRuleContext {
  thresholds: PolicyThresholds;
  /** Findings are raised only for landings with a day in [fromDay, toDay]; earlier landings serve as evidence. */
  fromDay: number;
  toDay: number;
  /** The field name behind an interned key (for the evidence and the explanation). */
  keyName(key: number): string;
  /** Planned visits of a plan item (default 1), or null when the item is unknown. */
  plannedVisits(planItemId: number): number | null;
}

/**
 * The title of a demand, for the explanation a coordinator reads; undefined names the demand by
 * id (`事项#123`).
 */
export type DemandTitles = (demandId: number) => string | undefined;

/** What an explanation rendered on read knows of a unit rule's flag: its demand, day and evidence. */
export interface ExplainedFlag {
  demandId: number | null;
  landsOn: string;
  evidence: Record<string, unknown>;
}

export interface UnitRule {
  readonly code: RuleCode;
  readonly thresholdNames: readonly (keyof PolicyThresholds)[];
  /**
   * Findings of this rule on one unit: each with target `{ kind: 'unit', unitId }` on the later
   * demand, and an empty explanation: it is rendered from the evidence when the flag is read
   * (`explain`). At province scale these rules raise most of the flags, and their stored
   * explanation repeated what the evidence holds (≈ 45 % of a flag row).
   */
  evaluateUnit(unit: UnitLandings, context: UnitRuleContext): Finding[];
  /** The demands `explain` names besides the flagged one, from the evidence (their titles are read with the flag). */
  namedDemands(evidence: Record<string, unknown>): number[];
  /** The flag's explanation in Simplified Chinese, from its evidence alone and the titles of the demands it names. */
  explain(flag: ExplainedFlag, titles: DemandTitles): string;
}
