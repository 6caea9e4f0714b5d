import type { ThresholdName } from '@/modules/policy/policy-document';
import { DigitalFormalismRule } from './digital-formalism.rule';
import { DocumentTooLongRule } from './document-too-long.rule';
import { DuplicateDataRequestRule } from './duplicate-data-request.rule';
import { DuplicateInspectionRule } from './duplicate-inspection.rule';
import { EscalationRule } from './escalation.rule';
import { ExcessiveTraceRule } from './excessive-trace.rule';
import { FrequentReportRule } from './frequent-report.rule';
import { HIDDEN_BURDEN_THRESHOLD_NAMES } from './hidden-burden.judge';
import { InspectionQuotaRule } from './inspection-quota.rule';
import { ISSUER_BUDGET_THRESHOLD_NAMES } from './issuer-budget.judge';
import { MeetingOverloadRule } from './meeting-overload.rule';
import { OBJECTION_THRESHOLD_NAMES } from './objection.judge';
import { OutOfScopeRule } from './out-of-scope.rule';
import type { DemandRule, RuleCode } from './rule';
import { ShortDeadlineRule } from './short-deadline.rule';
import { SplitInspectionRule } from './split-inspection.rule';
import type { UnitRule } from './unit-rule';
import { UnplannedInspectionRule } from './unplanned-inspection.rule';
import { VetoOrLetterRule } from './veto-or-letter.rule';

export * from './rule';
export * from './unit-rule';
export { hiddenBurdenFinding, shadowBurdenFinding, HIDDEN_BURDEN_THRESHOLD_NAMES } from './hidden-burden.judge';
export type { HiddenBurdenInput, ShadowBurdenInput } from './hidden-burden.judge';
export { issuerBudgetFinding, ISSUER_BUDGET_THRESHOLD_NAMES } from './issuer-budget.judge';
export type { IssuerBudgetInput } from './issuer-budget.judge';
export { objectionFinding, OBJECTION_THRESHOLD_NAMES } from './objection.judge';
export type { ObjectionInput } from './objection.judge';
export {
  DigitalFormalismRule,
  DocumentTooLongRule,
  DuplicateDataRequestRule,
  DuplicateInspectionRule,
  EscalationRule,
  ExcessiveTraceRule,
  FrequentReportRule,
  InspectionQuotaRule,
  MeetingOverloadRule,
  OutOfScopeRule,
  ShortDeadlineRule,
  SplitInspectionRule,
  UnplannedInspectionRule,
  VetoOrLetterRule,
};

/** The rules about one demand's own properties, run when a demand is written (and by evaluation jobs). */
export const DEMAND_RULES: readonly DemandRule[] = [
  new UnplannedInspectionRule(),
  new MeetingOverloadRule(),
  new ShortDeadlineRule(),
  new FrequentReportRule(),
  new EscalationRule(),
  new OutOfScopeRule(),
  new ExcessiveTraceRule(),
  new VetoOrLetterRule(),
  new DigitalFormalismRule(),
  new DocumentTooLongRule(),
];

/** The rules comparing the demands landing on one unit, run per unit by evaluation jobs. */
export const UNIT_RULES: readonly UnitRule[] = [
  new DuplicateDataRequestRule(),
  new DuplicateInspectionRule(),
  new SplitInspectionRule(),
  new InspectionQuotaRule(),
];

/** The policy thresholds each rule reads, for every code (shown with a flag). */
export const RULE_THRESHOLD_NAMES: Readonly<Record<RuleCode, readonly ThresholdName[]>> = Object.freeze({
  ...(Object.fromEntries([...DEMAND_RULES, ...UNIT_RULES].map((rule) => [rule.code, rule.thresholdNames])) as Record<
    Exclude<RuleCode, 'HIDDEN_BURDEN' | 'ISSUER_BUDGET' | 'OBJECTION'>,
    readonly ThresholdName[]
  >),
  HIDDEN_BURDEN: HIDDEN_BURDEN_THRESHOLD_NAMES,
  ISSUER_BUDGET: ISSUER_BUDGET_THRESHOLD_NAMES,
  OBJECTION: OBJECTION_THRESHOLD_NAMES,
});
