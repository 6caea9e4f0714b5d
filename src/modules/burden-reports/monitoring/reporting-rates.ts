/**
 * Completeness and timeliness of monitoring points (减负监测点), in the style of DHIS2 reporting
 * rates. Pure: no I/O, no framework.
 *
 * Definitions (per designated unit and month of the period):
 * - **designated**: the month lies in the unit's designation window `from..to` (to open-ended).
 * - **open**: the unit existed by the month's end (org_units.created_at before the end of the
 *   month's last China calendar day). There is no closing date yet; when one exists it will make
 *   a unit closed before the month's start not open either.
 * - **due**: the month has begun (not after the current China month); later months expect nothing yet.
 * - **expected** = 1 when designated, open and due, else 0.
 * - **received** = 1 when expected and the unit has at least one burden report for that month
 *   (registered or shadow, filed or confirmed; amendments do not matter, the report exists).
 * - **onTime** = 1 when received and the first report for the month was stored by the end of the
 *   deadline day: the Nth working day (official calendar) of the following month.
 * - rates = received / expected and onTime / expected, in percent with one decimal; a zero
 *   denominator gives null. Received and on time are only ever counted where expected, so no
 *   rate can exceed 100 %.
 */
import { parsePeriod } from '@/modules/demands/calendar/period';
import { addWorkingDays, monthBounds } from '@/modules/demands/calendar/working-days';

/**
 * The reporting deadline: the Nth working day of the following month (次月第5个工作日).
 * A default of this product; it moves into the policy document when the policy gains the entry.
 */
export const REPORTING_DEADLINE_WORKING_DAYS = 5;

/** The months of a period written `2026`, `2026-Q3` or `2026-07`; null when it is none of these. */
export function monthsOfPeriod(period: string): string[] | null {
  return parsePeriod(period)?.months ?? null;
}

/** The last day by which a month's report is on time. */
export function reportingDeadline(month: string, workingDays = REPORTING_DEADLINE_WORKING_DAYS): string {
  return addWorkingDays(monthBounds(month).last, workingDays);
}

export interface DesignationWindow {
  fromMonth: string;
  toMonth: string | null;
}

export interface MonthInput {
  month: string;
  /** ISO instant the month's last China day ends (exclusive), for the "open" test. */
  monthEndIso: string;
  /** ISO instant the deadline day ends (exclusive). */
  deadlineEndIso: string;
  deadline: string;
}

export interface MonthCompleteness {
  month: string;
  designated: boolean;
  open: boolean;
  due: boolean;
  expected: 0 | 1;
  received: 0 | 1;
  onTime: 0 | 1;
  deadline: string;
  firstReportAt: string | null;
}

export interface RateTotals {
  expected: number;
  received: number;
  onTime: number;
  /** received / expected in percent (one decimal); null when nothing was expected. */
  reportingRate: number | null;
  /** onTime / expected in percent (one decimal); null when nothing was expected. */
  timelinessRate: number | null;
}

export function rate(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null;
  return Math.round((Math.min(numerator, denominator) / denominator) * 1000) / 10;
}

export function totals(months: { expected: number; received: number; onTime: number }[]): RateTotals {
  let expected = 0;
  let received = 0;
  let onTime = 0;
  for (const m of months) {
    expected += m.expected;
    received += m.received;
    onTime += m.onTime;
  }
  return { expected, received, onTime, reportingRate: rate(received, expected), timelinessRate: rate(onTime, expected) };
}

/** One unit's months: `firstReports` maps a month to the instant its first report was stored. */
export function unitCompleteness(
  window: DesignationWindow,
  unitCreatedAt: string,
  months: MonthInput[],
  currentMonth: string,
  firstReports: Map<string, string>,
): MonthCompleteness[] {
  return months.map((m) => {
    const designated = m.month >= window.fromMonth && (window.toMonth === null || m.month <= window.toMonth);
    const open = unitCreatedAt < m.monthEndIso;
    const due = m.month <= currentMonth;
    const expected = designated && open && due ? 1 : 0;
    const firstReportAt = firstReports.get(m.month) ?? null;
    const received = expected === 1 && firstReportAt !== null ? 1 : 0;
    const onTime = received === 1 && firstReportAt! < m.deadlineEndIso ? 1 : 0;
    return { month: m.month, designated, open, due, expected, received, onTime, deadline: m.deadline, firstReportAt };
  });
}
