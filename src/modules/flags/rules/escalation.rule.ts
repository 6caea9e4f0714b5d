import type { ThresholdName } from '@/modules/policy/policy-document';
import type { DemandFacts, DemandRule, DemandRuleContext, Finding } from './rule';
import { RECURRENCE_FREQUENCY, RECURRENCE_NAMES, demandFinding, formatPercent, joinZh, quoteTitle, thresholdValues } from './rule-support';

type EscalationReason = 'addedFields' | 'moreFrequent' | 'lessTime';

/** Field keys named in the explanation; the evidence holds them all. */
const KEYS_IN_TEXT = 10;

/**
 * ESCALATION (层层加码): a demand passed on (context.parent) that
 * - adds report field keys the parent did not ask for (both reports),
 * - recurs more often than the parent (daily > weekly > monthly > quarterly > yearly > once), or
 * - leaves the lower level fewer working days (issuedOn → dueOn) than
 *   escalationMinShareOfParentWorkingDays × the parent's (both with a due date; strict).
 * One finding names every reason that holds.
 */
export class EscalationRule implements DemandRule {
  readonly code = 'ESCALATION';
  readonly thresholdNames: readonly ThresholdName[] = ['escalationMinShareOfParentWorkingDays'];

  evaluate(demand: DemandFacts, context: DemandRuleContext): Finding[] {
    const parent = context.parent;
    if (parent === null) return [];
    const minShare = context.thresholds.escalationMinShareOfParentWorkingDays.value;
    const reasons: EscalationReason[] = [];
    const sentences: string[] = [];
    const evidence: Record<string, unknown> = {
      parentDemandId: parent.id,
      parentTitle: parent.title,
    };

    // A report passed on as a report: keys the child asks for that the parent never did.
    if (demand.kind === 'report' && parent.kind === 'report') {
      const parentKeys = new Set(parent.fieldKeys);
      const added = [...new Set(demand.fieldKeys.filter((key) => !parentKeys.has(key)))];
      if (added.length > 0) {
        reasons.push('addedFields');
        const shown = added.slice(0, KEYS_IN_TEXT);
        sentences.push(
          `在上级 ${parent.fieldKeys.length} 个字段之外新增 ${added.length} 个填报字段（${joinZh(shown)}${added.length > shown.length ? '等' : ''}）`,
        );
        Object.assign(evidence, {
          addedFieldKeys: added,
          parentFieldKeyCount: parentKeys.size,
          fieldKeyCount: new Set(demand.fieldKeys).size,
        });
      }
    }

    if (RECURRENCE_FREQUENCY[demand.recurrence] > RECURRENCE_FREQUENCY[parent.recurrence]) {
      reasons.push('moreFrequent');
      sentences.push(`报送频次由上级的${RECURRENCE_NAMES[parent.recurrence]}提高到${RECURRENCE_NAMES[demand.recurrence]}`);
    }
    Object.assign(evidence, { recurrence: demand.recurrence, parentRecurrence: parent.recurrence });

    if (demand.dueOn !== null && parent.dueOn !== null) {
      const workingDays = context.workingDaysBetween(demand.issuedOn, demand.dueOn);
      const parentWorkingDays = context.workingDaysBetween(parent.issuedOn, parent.dueOn);
      Object.assign(evidence, {
        issuedOn: demand.issuedOn,
        dueOn: demand.dueOn,
        workingDays,
        parentIssuedOn: parent.issuedOn,
        parentDueOn: parent.dueOn,
        parentWorkingDays,
      });
      if (workingDays < minShare * parentWorkingDays) {
        reasons.push('lessTime');
        sentences.push(
          `留给下级的时间为 ${workingDays} 个工作日（${demand.issuedOn} 至 ${demand.dueOn}），` +
            `不足上级 ${parentWorkingDays} 个工作日（${parent.issuedOn} 至 ${parent.dueOn}）的 ${formatPercent(minShare)}`,
        );
      }
    }

    if (reasons.length === 0) return [];
    const explanation =
      `${quoteTitle(demand.title)}转发上级事项${quoteTitle(parent.title)}时层层加码：${sentences.join('；')}。` +
      `建议按上级原要求转发，不擅自增加内容、频次或压缩时限。`;
    return [
      demandFinding(this.code, demand, explanation, {
        reasons,
        ...evidence,
        thresholds: thresholdValues(context.thresholds, this.thresholdNames),
      }),
    ];
  }
}
