import type { ThresholdName, WhitelistEntry } from '@/modules/policy/policy-document';
import type { DemandFacts, DemandRule, DemandRuleContext, Finding } from './rule';
import { demandFinding, quoteTitle, thresholdValues } from './rule-support';

const SUBTYPE_NAMES: Record<WhitelistEntry['subtype'], string> = {
  veto_item: '一票否决事项',
  responsibility_letter: '责任书',
};

function isVetoOrLetter(subtype: string | null): subtype is WhitelistEntry['subtype'] {
  return subtype === 'veto_item' || subtype === 'responsibility_letter';
}

/** A whitelist entry allows a demand of the same subtype and title (trimmed), and topic when the entry names one. */
function allows(entry: WhitelistEntry, demand: DemandFacts): boolean {
  return (
    entry.subtype === demand.subtype &&
    entry.title.trim() === demand.title.trim() &&
    (entry.topic === undefined || entry.topic === demand.topic)
  );
}

/** VETO_OR_LETTER (一票否决、责任书泛滥): a veto item or responsibility letter not on the policy's whitelist. */
export class VetoOrLetterRule implements DemandRule {
  readonly code = 'VETO_OR_LETTER';
  readonly thresholdNames: readonly ThresholdName[] = ['vetoLetterWhitelist'];

  evaluate(demand: DemandFacts, context: DemandRuleContext): Finding[] {
    if (demand.kind !== 'other' || !isVetoOrLetter(demand.subtype)) return [];
    const whitelist = context.thresholds.vetoLetterWhitelist.value;
    if (whitelist.some((entry) => allows(entry, demand))) return [];
    const name = SUBTYPE_NAMES[demand.subtype];
    const explanation =
      `${quoteTitle(demand.title)}是${name}，未列入政策白名单（当前白名单共 ${whitelist.length} 项）。` +
      `建议取消；确需保留的，应有专门文件依据并报经批准列入白名单。`;
    return [
      demandFinding(this.code, demand, explanation, {
        subtype: demand.subtype,
        title: demand.title,
        topic: demand.topic,
        basis: demand.basis,
        whitelistSize: whitelist.length,
        thresholds: thresholdValues(context.thresholds, this.thresholdNames),
      }),
    ];
  }
}
