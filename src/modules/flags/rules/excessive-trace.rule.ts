import type { ThresholdName, TraceKind } from '@/modules/policy/policy-document';
import type { DemandFacts, DemandRule, DemandRuleContext, Finding } from './rule';
import { demandFinding, intersect, joinZh, quoteTitle, thresholdValues } from './rule-support';

export const TRACE_KIND_NAMES: Record<TraceKind, string> = {
  photos: '照片',
  screenshots: '截图',
  paper_ledgers: '纸质台账',
  videos: '视频',
};

function traceName(kind: string): string {
  return kind in TRACE_KIND_NAMES ? TRACE_KIND_NAMES[kind as TraceKind] : kind;
}

/** EXCESSIVE_TRACE (过度留痕): proof of work of a kind the policy lists (photos, screenshots, …). */
export class ExcessiveTraceRule implements DemandRule {
  readonly code = 'EXCESSIVE_TRACE';
  readonly thresholdNames: readonly ThresholdName[] = ['excessiveTraceKinds'];

  evaluate(demand: DemandFacts, context: DemandRuleContext): Finding[] {
    const listed: readonly string[] = context.thresholds.excessiveTraceKinds.value;
    const demanded = intersect(demand.requiresTrace, listed);
    if (demanded.length === 0) return [];
    const explanation =
      `${quoteTitle(demand.title)}要求基层以${joinZh(demanded.map(traceName))}作为工作痕迹，属于过度留痕。` +
      `建议以工作实效评价，取消上述留痕要求。`;
    return [
      demandFinding(this.code, demand, explanation, {
        requiresTrace: demand.requiresTrace,
        excessiveTrace: demanded,
        thresholds: thresholdValues(context.thresholds, this.thresholdNames),
      }),
    ];
  }
}
