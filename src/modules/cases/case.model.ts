import type { FlagStatus } from '@/modules/flags/flag-state';
import type { RuleCode } from '@/modules/flags/rules/rule';
import type { CasePerson } from './bulletin/anonymise';
import type { CaseCategory, HandlingType } from './case-category';

export const CASE_STATUSES = ['draft', 'final'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export interface UnitRef {
  id: number;
  code: string;
  name: string;
}

/** One flag as it stood when the case was built, with its review history. */
export interface FrozenFlag {
  id: number;
  rule: RuleCode;
  ruleTitle: string;
  status: FlagStatus;
  demandId: number | null;
  reportId: number | null;
  unit: { id: number; name: string } | null;
  issuer: { id: number; name: string } | null;
  period: string;
  landsOn: string;
  explanation: string;
  evidence: Record<string, unknown>;
  policyVersion: number;
  raisedAt: string;
  transitions: { from: FlagStatus; to: FlagStatus; actor: string | null; at: string; comment: string; dueOn: string | null }[];
}

/**
 * A flagged demand as it stood when the case was built, with its hours on the units the case is
 * about: the flagged units, or every target when a flag is about the whole demand.
 */
export interface FrozenDemand {
  id: number;
  registrationNo: string;
  title: string;
  kind: string;
  topic: string;
  issuer: UnitRef;
  issuedOn: string;
  landsOn: string;
  dueOn: string | null;
  recurrence: string;
  status: string;
  targetCount: number;
  /** Units whose hours are counted here: the flagged ones, or all targets (`allTargets`). */
  allTargets: boolean;
  units: number;
  occurrences: number;
  estimatedMinutes: number;
  reportedMinutes: number;
  /** Reported where reported, estimated where not (DESIGN §5). */
  burdenMinutes: number;
}

/** The evidence of a case, frozen at creation: later edits to the ledger never change it. */
export interface CaseEvidence {
  frozenAt: string;
  flags: FrozenFlag[];
  demands: FrozenDemand[];
  /** Grassroots units the flagged demands weighed on (ids, so a bulletin can count them once across cases). */
  affectedUnitIds: number[];
  totals: { flags: number; demands: number; affectedUnits: number; estimatedMinutes: number; reportedMinutes: number; burdenMinutes: number; earliestDay: string | null; latestDay: string | null };
}

/** The editable content of a case. */
export interface CaseContent {
  title: string;
  persons: CasePerson[];
  conductFrom: string | null;
  conductTo: string | null;
  facts: string;
  provision: string;
  handlingType: HandlingType | null;
  handlingOn: string | null;
  handlingNote: string | null;
  category: CaseCategory;
  categorySource: 'rule' | 'manual';
}

export interface CaseRow extends CaseContent {
  id: number;
  issuer: (UnitRef & { path: string }) | null;
  unit: (UnitRef & { path: string }) | null;
  status: CaseStatus;
  evidence: CaseEvidence;
  evidenceHash: string;
  flagIds: number[];
  createdBy: number;
  createdAt: string;
  updatedBy: number;
  updatedAt: string;
  finalisedAt: string | null;
  rowVersion: number;
}

/** A case's flag as it stands now (the rectification status is live, the evidence is not). */
export interface LiveFlag {
  id: number;
  status: FlagStatus;
  dueOn: string | null;
}
