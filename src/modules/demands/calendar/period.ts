import { CalendarDate, CalendarMonth, monthBounds } from './working-days';

/** How long a period is: a calendar year, quarter or month. */
export type PeriodGranularity = 'year' | 'quarter' | 'month';

/** A metrics period (`2026`, `2026-Q3` or `2026-07`) with its first and last day and its months. */
export interface Period {
  period: string;
  granularity: PeriodGranularity;
  from: CalendarDate;
  to: CalendarDate;
  /** Every month of the period, in order. */
  months: CalendarMonth[];
}

const YEAR = /^(\d{4})$/;
const QUARTER = /^(\d{4})-Q(\d)$/;
const MONTH = /^(\d{4})-(\d{2})$/;
/** Year 0000 is outside the calendar (monthBounds would throw); four digits cap it at 9999. */
const MIN_YEAR = 1;

const pad2 = (n: number) => String(n).padStart(2, '0');
const pad4 = (n: number) => String(n).padStart(4, '0');

/** The month `offset` months after (year, month 1–12). */
function monthAt(year: number, month: number, offset = 0): CalendarMonth {
  const index = year * 12 + (month - 1) + offset;
  return `${pad4(Math.floor(index / 12))}-${pad2((index % 12) + 1)}`;
}

function periodOf(period: string, granularity: PeriodGranularity, year: number, firstMonth: number, length: number): Period {
  const months = Array.from({ length }, (_, i) => monthAt(year, firstMonth, i));
  return {
    period,
    granularity,
    from: monthBounds(months[0]).first,
    to: monthBounds(months[months.length - 1]).last,
    months,
  };
}

/**
 * Reads `2026` (year), `2026-Q3` (quarter) or `2026-07` (month); null for anything else —
 * `2026-13`, `2026-00`, `2026-Q5`, `2026-7`, `2026-q3`, year 0000, surrounding spaces.
 */
export function parsePeriod(p: string): Period | null {
  let match = YEAR.exec(p);
  if (match) {
    const year = Number(match[1]);
    return year >= MIN_YEAR ? periodOf(p, 'year', year, 1, 12) : null;
  }
  match = QUARTER.exec(p);
  if (match) {
    const year = Number(match[1]);
    const quarter = Number(match[2]);
    if (year < MIN_YEAR || quarter < 1 || quarter > 4) return null;
    return periodOf(p, 'quarter', year, (quarter - 1) * 3 + 1, 3);
  }
  match = MONTH.exec(p);
  if (match) {
    const year = Number(match[1]);
    const month = Number(match[2]);
    if (year < MIN_YEAR || month < 1 || month > 12) return null;
    return periodOf(p, 'month', year, month, 1);
  }
  return null;
}

/** The same period one year earlier (`2026-Q3` → `2025-Q3`); null when `p` is malformed or the year would be 0000. */
export function samePeriodLastYear(p: string): Period | null {
  const current = parsePeriod(p);
  if (!current) return null;
  const year = Number(current.period.slice(0, 4)) - 1;
  return year < MIN_YEAR ? null : parsePeriod(pad4(year) + current.period.slice(4));
}

/**
 * Every month from `fromMonth` to `toMonth`, both included, in order (a monthly series).
 * Empty when `toMonth` is before `fromMonth`; a malformed month is rejected (422) by monthBounds.
 */
export function monthsBetween(fromMonth: CalendarMonth, toMonth: CalendarMonth): CalendarMonth[] {
  monthBounds(fromMonth);
  monthBounds(toMonth);
  const [fromYear, fromNumber] = [Number(fromMonth.slice(0, 4)), Number(fromMonth.slice(5, 7))];
  const [toYear, toNumber] = [Number(toMonth.slice(0, 4)), Number(toMonth.slice(5, 7))];
  const count = (toYear - fromYear) * 12 + (toNumber - fromNumber) + 1;
  return Array.from({ length: Math.max(0, count) }, (_, i) => monthAt(fromYear, fromNumber, i));
}
