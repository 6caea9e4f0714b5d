import type { RuleCode } from '@/modules/flags/rules/rule';

/**
 * The categories typical-case bulletins use (DOMAIN.md, 典型问题通报), plus 以文件落实文件 and
 * 多头填报、重复报表 for the documents and report forms the rules look at. 弄虚作假 and
 * 违规创建示范 are chosen by the inspector: no rule detects them.
 */
export const CASE_CATEGORIES = [
  '多头督查、重复检查',
  '多头填报、重复报表',
  '层层加码',
  '以会议落实会议',
  '以文件落实文件',
  '过度留痕',
  '指尖上的形式主义',
  '考核隐形变异',
  '违规创建示范',
  '弄虚作假',
] as const;
export type CaseCategory = (typeof CASE_CATEGORIES)[number];

/**
 * The category a rule's finding belongs to. Null where the finding says nothing about the kind of
 * conduct (a budget overrun, an objection, an unregistered demand): the inspector chooses.
 */
export const RULE_CATEGORY: Readonly<Record<RuleCode, CaseCategory | null>> = {
  DUPLICATE_DATA_REQUEST: '多头填报、重复报表',
  SHORT_DEADLINE: '多头填报、重复报表',
  FREQUENT_REPORT: '多头填报、重复报表',
  DUPLICATE_INSPECTION: '多头督查、重复检查',
  UNPLANNED_INSPECTION: '多头督查、重复检查',
  SPLIT_INSPECTION: '多头督查、重复检查',
  INSPECTION_QUOTA: '多头督查、重复检查',
  MEETING_OVERLOAD: '以会议落实会议',
  DOCUMENT_TOO_LONG: '以文件落实文件',
  ESCALATION: '层层加码',
  OUT_OF_SCOPE: '层层加码',
  EXCESSIVE_TRACE: '过度留痕',
  DIGITAL_FORMALISM: '指尖上的形式主义',
  VETO_OR_LETTER: '考核隐形变异',
  HIDDEN_BURDEN: null,
  ISSUER_BUDGET: null,
  OBJECTION: null,
};

/**
 * The category the flags of a case point to: the one most of them map to, ties going to the one
 * whose flag comes first. Null when no flag maps to a category.
 */
export function categoryFromRules(rules: readonly RuleCode[]): CaseCategory | null {
  const counts = new Map<CaseCategory, number>();
  for (const rule of rules) {
    const category = RULE_CATEGORY[rule];
    if (category !== null) counts.set(category, (counts.get(category) ?? 0) + 1);
  }
  let best: CaseCategory | null = null;
  for (const [category, n] of counts) if (best === null || n > counts.get(best)!) best = category;
  return best;
}

/**
 * 处理 (organisational handling) and 处分 (party and government sanctions) as bulletins name them,
 * lightest first; 立案审查调查 when an investigation was opened instead.
 */
export const HANDLING_TYPES = [
  '批评教育',
  '责令检查',
  '诫勉',
  '通报批评',
  '责令整改',
  '组织调整',
  '党内警告',
  '党内严重警告',
  '撤销党内职务',
  '留党察看',
  '开除党籍',
  '政务警告',
  '政务记过',
  '政务记大过',
  '政务降级',
  '政务撤职',
  '政务开除',
  '立案审查调查',
] as const;
export type HandlingType = (typeof HANDLING_TYPES)[number];
