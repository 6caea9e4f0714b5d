import type { Level } from '@/common/auth/actor';
import type { DutyKind, PolicyThresholds, Recurrence } from '@/modules/policy/policy-document';

/**
 * The contract between the rules (pure, no I/O) and the flag engine that feeds them and stores
 * what they find. DESIGN §4 lists the rules; the codes are part of the API contract.
 */
export const RULE_CODES = [
  'DUPLICATE_DATA_REQUEST',
  'DUPLICATE_INSPECTION',
  'UNPLANNED_INSPECTION',
  'SPLIT_INSPECTION',
  'INSPECTION_QUOTA',
  'MEETING_OVERLOAD',
  'SHORT_DEADLINE',
  'FREQUENT_REPORT',
  'ESCALATION',
  'OUT_OF_SCOPE',
  'EXCESSIVE_TRACE',
  'VETO_OR_LETTER',
  'DIGITAL_FORMALISM',
  'DOCUMENT_TOO_LONG',
  'HIDDEN_BURDEN',
  'ISSUER_BUDGET',
  'OBJECTION',
] as const;
export type RuleCode = (typeof RULE_CODES)[number];

/** The problem each rule names, as the typical-case bulletins word it (DESIGN §4). */
export const RULE_TITLES: Record<RuleCode, string> = {
  DUPLICATE_DATA_REQUEST: '多头填报、重复索要数据',
  DUPLICATE_INSPECTION: '多头督查、重复检查',
  UNPLANNED_INSPECTION: '计划外督查检查',
  SPLIT_INSPECTION: '拆包分包',
  INSPECTION_QUOTA: '督查检查过多',
  MEETING_OVERLOAD: '会海、层层陪会',
  SHORT_DEADLINE: '临时报表、时限过短',
  FREQUENT_REPORT: '随意日报周报',
  ESCALATION: '层层加码',
  OUT_OF_SCOPE: '清单外事项、负面清单',
  EXCESSIVE_TRACE: '过度留痕',
  VETO_OR_LETTER: '一票否决、责任书泛滥',
  DIGITAL_FORMALISM: '指尖上的形式主义',
  DOCUMENT_TOO_LONG: '文件过长',
  HIDDEN_BURDEN: '隐形负担',
  ISSUER_BUDGET: '总量管控',
  OBJECTION: '基层异议',
};

export type DemandKind = 'inspection' | 'report' | 'meeting' | 'document' | 'other';

/** A demand as the rules see it: everything a rule about this one demand may look at. */
export interface DemandFacts {
  id: number;
  issuerId: number;
  /** The level the issuer acts at (a department acts at its area unit's level). */
  issuerLevel: Level;
  kind: DemandKind;
  subtype: string | null;
  title: string;
  topic: string;
  basis: string | null;
  issuedOn: string;
  startsOn: string | null;
  dueOn: string | null;
  /** The first landing date (DESIGN §2 Occurrences). */
  landsOn: string;
  recurrence: Recurrence;
  until: string | null;
  status: 'active' | 'cancelled';
  requiresTrace: string[];
  /** Report field keys, normalised (empty for other kinds). */
  fieldKeys: string[];
  durationMinutes: number | null;
  attendeesPerTarget: number | null;
  attendeeLevels: Level[];
  charCount: number | null;
  special: boolean;
  appRequirements: string[];
  parentDemandId: number | null;
  planItemId: number | null;
  /**
   * Number of target units and the distinct levels among them. The engine reads the levels only
   * when the demand's topic has duty-list entries (otherwise they decide nothing) and leaves the
   * list empty otherwise.
   */
  targetCount: number;
  targetLevels: Level[];
}

/** What a rule about one demand may know beyond the demand itself; gathered by the engine. */
export interface DemandRuleContext {
  thresholds: PolicyThresholds;
  /** Working days d with issuedOn < d ≤ dueOn in the official calendar (DESIGN §4). */
  workingDaysBetween(issuedOn: string, dueOn: string): number;
  /** The demand this one passes on (parentDemandId), or null. */
  parent: DemandFacts | null;
  /**
   * The issuer's inspection plan for the year of the demand's issue date, as far as
   * UNPLANNED_INSPECTION needs it: null when the issuer has no approved plan for that year;
   * `item` is the plan item the demand links to when it belongs to that approved plan.
   */
  approvedPlan: { planId: number; year: number; item: { id: number; topic: string } | null } | null;
  /** Duty-list kinds recorded for the demand's topic, per level (only levels with entries). */
  dutyKindsByLevel: Partial<Record<Level, DutyKind[]>>;
}

/**
 * Where a finding attaches (DESIGN §2): to the demand as a whole, to the demand on one unit, to
 * the demand on every target of one level (the engine expands that set-based, so a provincial
 * demand reaching 15,000 villages never builds 15,000 objects), or to an issuer.
 */
export type FindingTarget =
  | { kind: 'demand' }
  | { kind: 'unit'; unitId: number }
  | { kind: 'targets-at-level'; level: Level }
  | { kind: 'issuer' };

export interface Finding {
  rule: RuleCode;
  /** Null only for issuer-level findings and for a shadow report's HIDDEN_BURDEN. */
  demandId: number | null;
  /** The shadow burden report a HIDDEN_BURDEN finding is about, else null. */
  reportId?: number | null;
  issuerId: number | null;
  target: FindingTarget;
  /**
   * The period part of the fingerprint: '' for findings about a demand as a whole or a demand on
   * a unit; `2026-Q3` for INSPECTION_QUOTA; `2026-07` for HIDDEN_BURDEN; `2026` for ISSUER_BUDGET.
   */
  period: string;
  /** The day the finding is about (the demand's landing date, the period's first day...), YYYY-MM-DD. */
  landsOn: string;
  /** One or two sentences in Simplified Chinese a coordinator can act on. */
  explanation: string;
  /** Structured evidence: related demand ids, shared field keys, counts against the quota, dates, working days. */
  evidence: Record<string, unknown>;
}

/** A rule about one demand's own properties (DESIGN §4); runs when the demand is written. */
export interface DemandRule {
  readonly code: RuleCode;
  /** The threshold names this rule reads from the policy (shown with the flag). */
  readonly thresholdNames: readonly (keyof PolicyThresholds)[];
  evaluate(demand: DemandFacts, context: DemandRuleContext): Finding[];
}

/** rule | subject | unit | period (DESIGN §2): re-evaluation never duplicates a flag. */
export function fingerprintOf(f: Pick<Finding, 'rule' | 'demandId' | 'reportId' | 'issuerId' | 'period'>, unitId: number | null): string {
  const subject = f.demandId !== null ? `demand:${f.demandId}` : f.reportId ? `report:${f.reportId}` : `issuer:${f.issuerId ?? '-'}`;
  return `${f.rule}|${subject}|${unitId ?? '-'}|${f.period}`;
}
