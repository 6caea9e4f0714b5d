import type { ThresholdName } from '@/modules/policy/policy-document';
import type { DemandFacts, DemandRule, DemandRuleContext, Finding } from './rule';
import { demandFinding, quoteTitle } from './rule-support';

type UnplannedReason = 'noApprovedPlan' | 'notInPlan' | 'topicMismatch';

/**
 * UNPLANNED_INSPECTION (计划外督查检查): an inspection whose issuer has no approved plan for the
 * year it is issued in, that is not linked to an item of that approved plan, or whose linked
 * item is on another topic. The engine resolves the plan (context.approvedPlan).
 */
export class UnplannedInspectionRule implements DemandRule {
  readonly code = 'UNPLANNED_INSPECTION';
  readonly thresholdNames: readonly ThresholdName[] = [];

  evaluate(demand: DemandFacts, context: DemandRuleContext): Finding[] {
    if (demand.kind !== 'inspection') return [];
    const plan = context.approvedPlan;
    const year = plan?.year ?? Number(demand.issuedOn.slice(0, 4));
    let reason: UnplannedReason;
    let sentence: string;
    if (plan === null) {
      reason = 'noApprovedPlan';
      sentence = `发文单位 ${year} 年没有经批准的督查检查计划`;
    } else if (plan.item === null) {
      reason = 'notInPlan';
      sentence = `未关联发文单位已批准的 ${year} 年督查检查计划中的任何项目`;
    } else if (plan.item.topic !== demand.topic) {
      reason = 'topicMismatch';
      sentence = `关联的 ${year} 年计划项目主题为“${plan.item.topic}”，与本次检查的主题“${demand.topic}”不符`;
    } else {
      return [];
    }
    const explanation = `${quoteTitle(demand.title)}属于计划外督查检查：${sentence}。建议纳入年度督查检查计划报批后再开展，或予以取消。`;
    return [
      demandFinding(this.code, demand, explanation, {
        reason,
        year,
        topic: demand.topic,
        planId: plan?.planId ?? null,
        planItemId: plan?.item?.id ?? demand.planItemId,
        planItemTopic: plan?.item?.topic ?? null,
        issuedOn: demand.issuedOn,
      }),
    ];
  }
}
