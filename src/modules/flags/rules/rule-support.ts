import { LEVELS, type Level } from '@/common/auth/actor';
import type { PolicyThresholds, Recurrence, ThresholdName } from '@/modules/policy/policy-document';
import type { DemandFacts, Finding, FindingTarget, RuleCode } from './rule';

/**
 * Small pure helpers the rules share: Chinese wording of levels, recurrences and amounts, the
 * threshold values a finding was judged with, and the shape of a finding about one demand.
 */

export const LEVEL_NAMES: Record<Level, string> = {
  province: '省级',
  prefecture: '市（州）级',
  county: '县级',
  township: '乡镇级',
  village: '村级',
};

/** 0 = province … 4 = village: a larger number is further down. */
export function levelDepth(level: Level): number {
  return LEVELS.indexOf(level);
}

export const RECURRENCE_NAMES: Record<Recurrence, string> = {
  once: '一次性',
  daily: '每日',
  weekly: '每周',
  monthly: '每月',
  quarterly: '每季度',
  yearly: '每年',
};

/** How often a recurrence lands: a larger number is more often (daily > weekly > … > once). */
export const RECURRENCE_FREQUENCY: Record<Recurrence, number> = {
  once: 0,
  yearly: 1,
  quarterly: 2,
  monthly: 3,
  weekly: 4,
  daily: 5,
};

/** Minutes shown as hours with two decimals (DESIGN §5: the API shows hours with two decimals). */
export function formatHours(minutes: number): string {
  return (minutes / 60).toFixed(2);
}

/** A share 0–1 as a percentage with at most one decimal: 0.5 → `50%`, 1/3 → `33.3%`. */
export function formatPercent(share: number): string {
  return `${Number((share * 100).toFixed(1))}%`;
}

/** Items joined the Chinese way: `照片、截图`. */
export function joinZh(items: readonly string[]): string {
  return items.join('、');
}

/** A demand named in an explanation: its title in corner brackets. */
export function quoteTitle(title: string): string {
  return `「${title.trim()}」`;
}

/** The values of the named thresholds, as a finding's evidence records them. */
export function thresholdValues(thresholds: PolicyThresholds, names: readonly ThresholdName[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const name of names) values[name] = thresholds[name].value;
  return values;
}

/** The members of `wanted` that `list` contains, in the order of `list`, without repeats. */
export function intersect<T>(list: readonly T[], wanted: readonly T[]): T[] {
  const allowed = new Set(wanted);
  return [...new Set(list.filter((item) => allowed.has(item)))];
}

/** The calendar quarter of a `YYYY-MM-DD` date, written `2026-Q3`. */
export function quarterOf(date: string): string {
  const month = Number(date.slice(5, 7));
  return `${date.slice(0, 4)}-Q${Math.floor((month - 1) / 3) + 1}`;
}

/** The first day (`YYYY-MM-DD`) of the quarter a `YYYY-MM-DD` date falls in. */
export function quarterStartOf(date: string): string {
  const month = Number(date.slice(5, 7));
  const firstMonth = Math.floor((month - 1) / 3) * 3 + 1;
  return `${date.slice(0, 4)}-${String(firstMonth).padStart(2, '0')}-01`;
}

/** A finding about one demand's own properties: attached to the demand, on its first landing date. */
export function demandFinding(
  rule: RuleCode,
  demand: DemandFacts,
  explanation: string,
  evidence: Record<string, unknown>,
  target: FindingTarget = { kind: 'demand' },
): Finding {
  return {
    rule,
    demandId: demand.id,
    reportId: null,
    issuerId: demand.issuerId,
    target,
    period: '',
    landsOn: demand.landsOn,
    explanation,
    evidence,
  };
}

/** The last day (`YYYY-MM-DD`) of the quarter a `YYYY-MM-DD` date falls in. */
export function quarterEndOf(date: string): string {
  const month = Number(date.slice(5, 7));
  const lastMonth = Math.floor((month - 1) / 3) * 3 + 3;
  const lastDay = lastMonth === 3 || lastMonth === 12 ? 31 : 30;
  return `${date.slice(0, 4)}-${String(lastMonth).padStart(2, '0')}-${lastDay}`;
}
