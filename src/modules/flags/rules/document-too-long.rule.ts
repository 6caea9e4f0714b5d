import type { ThresholdName } from '@/modules/policy/policy-document';
import type { DemandFacts, DemandRule, DemandRuleContext, Finding } from './rule';
import { demandFinding, quoteTitle, thresholdValues } from './rule-support';

/** DOCUMENT_TOO_LONG (文件过长): over documentMaxChars, or specialDocumentMaxChars for a special task (strict). */
export class DocumentTooLongRule implements DemandRule {
  readonly code = 'DOCUMENT_TOO_LONG';
  readonly thresholdNames: readonly ThresholdName[] = ['documentMaxChars', 'specialDocumentMaxChars'];

  evaluate(demand: DemandFacts, context: DemandRuleContext): Finding[] {
    if (demand.kind !== 'document' || demand.charCount === null) return [];
    const limit = demand.special ? context.thresholds.specialDocumentMaxChars.value : context.thresholds.documentMaxChars.value;
    if (demand.charCount <= limit) return [];
    const kindName = demand.special ? '专项工作文件' : '文件';
    const explanation =
      `${quoteTitle(demand.title)}正文 ${demand.charCount} 字，超过${kindName} ${limit} 字的篇幅上限（超出 ${demand.charCount - limit} 字）。` +
      `建议压缩篇幅，删减可不发的内容。`;
    return [
      demandFinding(this.code, demand, explanation, {
        charCount: demand.charCount,
        special: demand.special,
        limit,
        excessChars: demand.charCount - limit,
        thresholds: thresholdValues(context.thresholds, this.thresholdNames),
      }),
    ];
  }
}
