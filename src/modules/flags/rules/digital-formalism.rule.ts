import type { AppRequirement, ThresholdName } from '@/modules/policy/policy-document';
import type { DemandFacts, DemandRule, DemandRuleContext, Finding } from './rule';
import { demandFinding, intersect, joinZh, quoteTitle, thresholdValues } from './rule-support';

export const APP_REQUIREMENT_NAMES: Record<AppRequirement, string> = {
  clock_in: '打卡',
  usage_ranking: '使用排名',
  online_time: '在线时长',
  forced_install: '强制下载安装',
  photo_upload: '上传照片',
  location_upload: '上传定位',
  instant_reply: '即时回复',
};

function requirementName(requirement: string): string {
  return requirement in APP_REQUIREMENT_NAMES ? APP_REQUIREMENT_NAMES[requirement as AppRequirement] : requirement;
}

/** DIGITAL_FORMALISM (指尖上的形式主义): an app task demanding what the policy lists (clock-ins, rankings, …). */
export class DigitalFormalismRule implements DemandRule {
  readonly code = 'DIGITAL_FORMALISM';
  readonly thresholdNames: readonly ThresholdName[] = ['digitalFormalismAppRequirements'];

  evaluate(demand: DemandFacts, context: DemandRuleContext): Finding[] {
    if (demand.kind !== 'other' || demand.subtype !== 'app_task') return [];
    const listed: readonly string[] = context.thresholds.digitalFormalismAppRequirements.value;
    const demanded = intersect(demand.appRequirements, listed);
    if (demanded.length === 0) return [];
    const explanation =
      `${quoteTitle(demand.title)}的政务App任务要求${joinZh(demanded.map(requirementName))}，属于指尖上的形式主义。` +
      `建议取消上述要求，不以App使用情况考核基层。`;
    return [
      demandFinding(this.code, demand, explanation, {
        appRequirements: demand.appRequirements,
        formalistRequirements: demanded,
        thresholds: thresholdValues(context.thresholds, this.thresholdNames),
      }),
    ];
  }
}
