import { LEVELS } from '@/common/auth/actor';
import type { DutyKind, ThresholdName } from '@/modules/policy/policy-document';
import type { DemandFacts, DemandRule, DemandRuleContext, Finding } from './rule';
import { LEVEL_NAMES, demandFinding, intersect, joinZh, quoteTitle, thresholdValues } from './rule-support';

const DUTY_KIND_NAMES: Record<DutyKind, string> = {
  core: '基本履职事项',
  supporting: '配合履职事项',
  withdrawn: '收回事项',
  negative: '负面清单',
};

/**
 * OUT_OF_SCOPE (清单外事项、负面清单): for each level the demand targets, a finding when the
 * topic is on that level's duty list as one of outOfScopeDutyKinds (negative, withdrawn). The
 * finding covers every target of that level (`targets-at-level`), which the engine expands
 * set-based; a topic listed for some other level says nothing about this one.
 */
export class OutOfScopeRule implements DemandRule {
  readonly code = 'OUT_OF_SCOPE';
  readonly thresholdNames: readonly ThresholdName[] = ['outOfScopeDutyKinds'];

  evaluate(demand: DemandFacts, context: DemandRuleContext): Finding[] {
    const outOfScope = context.thresholds.outOfScopeDutyKinds.value;
    const targetLevels = new Set(demand.targetLevels);
    const findings: Finding[] = [];
    for (const level of LEVELS) {
      if (!targetLevels.has(level)) continue;
      const matched = intersect(context.dutyKindsByLevel[level] ?? [], outOfScope);
      if (matched.length === 0) continue;
      const levelName = LEVEL_NAMES[level];
      const explanation =
        `${quoteTitle(demand.title)}的主题“${demand.topic}”列入${levelName}职责清单的` +
        `${joinZh(matched.map((kind) => DUTY_KIND_NAMES[kind]))}，不应派给${levelName}单位。` +
        `建议撤回对${levelName}单位的部署，由本级或有关部门承担。`;
      findings.push(
        demandFinding(
          this.code,
          demand,
          explanation,
          {
            topic: demand.topic,
            level,
            dutyKinds: matched,
            thresholds: thresholdValues(context.thresholds, this.thresholdNames),
          },
          { kind: 'targets-at-level', level },
        ),
      );
    }
    return findings;
  }
}
