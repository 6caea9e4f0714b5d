import type { ThresholdName } from '@/modules/policy/policy-document';
import type { DemandFacts, DemandRule, DemandRuleContext, Finding } from './rule';
import { RECURRENCE_NAMES, demandFinding, joinZh, quoteTitle, thresholdValues } from './rule-support';

/** FREQUENT_REPORT (随意日报周报): a report recurring as often as the policy lists (daily, weekly). */
export class FrequentReportRule implements DemandRule {
  readonly code = 'FREQUENT_REPORT';
  readonly thresholdNames: readonly ThresholdName[] = ['frequentReportRecurrences'];

  evaluate(demand: DemandFacts, context: DemandRuleContext): Finding[] {
    const listed = context.thresholds.frequentReportRecurrences.value;
    if (demand.kind !== 'report' || !listed.includes(demand.recurrence)) return [];
    const until = demand.until === null ? '' : `（至 ${demand.until}）`;
    const explanation =
      `${quoteTitle(demand.title)}要求基层${RECURRENCE_NAMES[demand.recurrence]}报送${until}，` +
      `属于政策列明的${joinZh(listed.map((recurrence) => RECURRENCE_NAMES[recurrence]))}报表。` +
      `建议降低报送频次、改为按需调取或从已有系统中提取数据。`;
    return [
      demandFinding(this.code, demand, explanation, {
        recurrence: demand.recurrence,
        landsOn: demand.landsOn,
        until: demand.until,
        thresholds: thresholdValues(context.thresholds, this.thresholdNames),
      }),
    ];
  }
}
