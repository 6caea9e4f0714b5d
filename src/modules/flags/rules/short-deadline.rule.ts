import type { ThresholdName } from '@/modules/policy/policy-document';
import type { DemandFacts, DemandRule, DemandRuleContext, Finding } from './rule';
import { demandFinding, quoteTitle, thresholdValues } from './rule-support';

/**
 * SHORT_DEADLINE (临时报表、时限过短): fewer than shortDeadlineWorkingDays working days d with
 * issuedOn < d ≤ dueOn in the official calendar (holidays off, make-up weekend days on).
 * A demand without a due date never fires.
 */
export class ShortDeadlineRule implements DemandRule {
  readonly code = 'SHORT_DEADLINE';
  readonly thresholdNames: readonly ThresholdName[] = ['shortDeadlineWorkingDays'];

  evaluate(demand: DemandFacts, context: DemandRuleContext): Finding[] {
    if (demand.dueOn === null) return [];
    const minimum = context.thresholds.shortDeadlineWorkingDays.value;
    const workingDays = context.workingDaysBetween(demand.issuedOn, demand.dueOn);
    if (workingDays >= minimum) return [];
    const explanation =
      `${quoteTitle(demand.title)}于 ${demand.issuedOn} 下发、要求 ${demand.dueOn} 前完成，其间只有 ${workingDays} 个工作日，` +
      `少于 ${minimum} 个工作日的最低时限。建议延长完成时限，确属紧急的应说明理由。`;
    return [
      demandFinding(this.code, demand, explanation, {
        issuedOn: demand.issuedOn,
        dueOn: demand.dueOn,
        workingDays,
        thresholds: thresholdValues(context.thresholds, this.thresholdNames),
      }),
    ];
  }
}
