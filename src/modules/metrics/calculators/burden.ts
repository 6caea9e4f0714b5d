import { invalid } from '@/common/errors/domain-error';
import type { CalendarMonth } from '@/modules/demands/calendar/working-days';
import { isStanding, type FlagStatus } from '@/modules/flags/flag-state';
import { RULE_CODES, type RuleCode } from '@/modules/flags/rules';
import { assertCount } from './guards';

/** Flags whose demand hours make up the duplicate share (DESIGN §5). */
export const DUPLICATE_SHARE_RULES: readonly RuleCode[] = RULE_CODES.filter(
  (code) => code === 'DUPLICATE_DATA_REQUEST' || code === 'DUPLICATE_INSPECTION' || code === 'SPLIT_INSPECTION',
);

/** Rules about the burden itself or about the issuer, not about a demand's form: in no share. */
export const EXCESS_SHARE_EXCLUDED_RULES: readonly RuleCode[] = RULE_CODES.filter(
  (code) => code === 'HIDDEN_BURDEN' || code === 'ISSUER_BUDGET' || code === 'OBJECTION',
);

/** Every other rule: its flagged demand hours make up the excess share. */
export const EXCESS_SHARE_RULES: readonly RuleCode[] = RULE_CODES.filter(
  (code) => !DUPLICATE_SHARE_RULES.includes(code) && !EXCESS_SHARE_EXCLUDED_RULES.includes(code),
);

/** One demand's occurrences on the unit in one month, with the unit's current report for them. */
export interface DemandMonthRow {
  demandId: number;
  month: CalendarMonth;
  occurrences: number;
  estimatePerOccurrenceMinutes: number;
  /** Minutes of the current version of the unit's report for this demand and month; null if none. */
  reportedMinutes: number | null;
  /** Rules of standing flags on this demand for this unit or on the demand as a whole (see standingRules). */
  flaggedRules: readonly RuleCode[];
}

/** A current report for a demand month with no occurrence (e.g. the demand was edited since): estimate 0. */
export interface ReportOnlyRow {
  demandId: number;
  month: CalendarMonth;
  reportedMinutes: number;
  flaggedRules: readonly RuleCode[];
}

/** A report of a shadow demand: all of it is reported, burden and hidden. */
export interface ShadowReportMinutes {
  month: CalendarMonth;
  minutes: number;
}

export interface BurdenInput {
  rows: readonly DemandMonthRow[];
  reportOnlyRows?: readonly ReportOnlyRow[];
  shadowReports?: readonly ShadowReportMinutes[];
}

/** DESIGN §5 sums for one unit and period, in minutes. */
export interface BurdenSums {
  estimatedMinutes: number;
  reportedMinutes: number;
  burdenMinutes: number;
  hiddenMinutes: number;
  duplicateMinutes: number;
  excessMinutes: number;
}

export const NO_BURDEN: Readonly<BurdenSums> = Object.freeze({
  estimatedMinutes: 0,
  reportedMinutes: 0,
  burdenMinutes: 0,
  hiddenMinutes: 0,
  duplicateMinutes: 0,
  excessMinutes: 0,
});

/** The rules of flags that still count against a demand: any state but dismissed and withdrawn. */
export function standingRules(flags: readonly { rule: RuleCode; status: FlagStatus }[]): RuleCode[] {
  return [...new Set(flags.filter((flag) => isStanding(flag.status)).map((flag) => flag.rule))];
}

/** A demand month's burden: the report when there is one (even of 0 minutes), else the estimate. */
export function rowBurdenMinutes(row: DemandMonthRow): number {
  return row.reportedMinutes ?? row.occurrences * row.estimatePerOccurrenceMinutes;
}

function asRow(r: ReportOnlyRow): DemandMonthRow {
  return { ...r, occurrences: 0, estimatePerOccurrenceMinutes: 0 };
}

function checkedRows(input: BurdenInput): DemandMonthRow[] {
  const rows = [...input.rows, ...(input.reportOnlyRows ?? []).map(asRow)];
  const seen = new Set<string>();
  for (const row of rows) {
    assertCount(row.occurrences, 'occurrences');
    assertCount(row.estimatePerOccurrenceMinutes, 'estimatePerOccurrenceMinutes');
    if (row.reportedMinutes !== null) assertCount(row.reportedMinutes, 'reportedMinutes');
    const key = `${row.demandId}|${row.month}`;
    if (seen.has(key)) throw invalid('rows', `demand ${row.demandId} appears twice for ${row.month}`);
    seen.add(key);
  }
  for (const shadow of input.shadowReports ?? []) assertCount(shadow.minutes, 'minutes');
  return rows;
}

/**
 * The Standard Cost Model sums (DESIGN §5) of one unit over the rows given (one period):
 * - estimated = Σ occurrences × estimate per occurrence;
 * - reported = Σ current reports, shadow reports included;
 * - burden = Σ per (demand, month) reported if reported else estimated, + shadow minutes;
 * - hidden = Σ max(0, reported − estimated) over reported rows, + shadow minutes;
 * - duplicate / excess = burden of the rows flagged under a rule of that share, each row once per
 *   share however many flags it has; a row with a duplicate and an excess rule is in both.
 */
export function burdenSums(input: BurdenInput): BurdenSums {
  const sums: BurdenSums = { ...NO_BURDEN };
  for (const row of checkedRows(input)) {
    const estimated = row.occurrences * row.estimatePerOccurrenceMinutes;
    const burden = rowBurdenMinutes(row);
    sums.estimatedMinutes += estimated;
    sums.burdenMinutes += burden;
    if (row.reportedMinutes !== null) {
      sums.reportedMinutes += row.reportedMinutes;
      sums.hiddenMinutes += Math.max(0, row.reportedMinutes - estimated);
    }
    if (row.flaggedRules.some((rule) => DUPLICATE_SHARE_RULES.includes(rule))) sums.duplicateMinutes += burden;
    if (row.flaggedRules.some((rule) => EXCESS_SHARE_RULES.includes(rule))) sums.excessMinutes += burden;
  }
  for (const shadow of input.shadowReports ?? []) {
    sums.reportedMinutes += shadow.minutes;
    sums.burdenMinutes += shadow.minutes;
    sums.hiddenMinutes += shadow.minutes;
  }
  return sums;
}

/** The same sums per month (the rollup's grain); every sum is additive, so months add up to the period. */
export function burdenSumsByMonth(input: BurdenInput): Map<CalendarMonth, BurdenSums> {
  const months = new Map<CalendarMonth, { rows: DemandMonthRow[]; shadowReports: ShadowReportMinutes[] }>();
  const of = (month: CalendarMonth) => {
    let part = months.get(month);
    if (!part) months.set(month, (part = { rows: [], shadowReports: [] }));
    return part;
  };
  for (const row of checkedRows(input)) of(row.month).rows.push(row);
  for (const shadow of input.shadowReports ?? []) of(shadow.month).shadowReports.push(shadow);
  const sorted = [...months].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return new Map(sorted.map(([month, part]) => [month, burdenSums(part)]));
}

/** a + b, field by field (quarter and year answers from their months). */
export function addBurdenSums(a: BurdenSums, b: BurdenSums): BurdenSums {
  return {
    estimatedMinutes: a.estimatedMinutes + b.estimatedMinutes,
    reportedMinutes: a.reportedMinutes + b.reportedMinutes,
    burdenMinutes: a.burdenMinutes + b.burdenMinutes,
    hiddenMinutes: a.hiddenMinutes + b.hiddenMinutes,
    duplicateMinutes: a.duplicateMinutes + b.duplicateMinutes,
    excessMinutes: a.excessMinutes + b.excessMinutes,
  };
}
