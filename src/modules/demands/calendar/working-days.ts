/**
 * The working-day calendar (DESIGN §4): China's official calendar, where public holidays are off,
 * make-up Saturdays and Sundays (调休上班) are on, and other weekends are off.
 *
 * Pure: dates are `YYYY-MM-DD` strings end to end and all arithmetic is done on integer day
 * numbers (days since 1970-01-01 in the proleptic Gregorian calendar), never on a JS Date, so the
 * server's time zone cannot shift a day. The only I/O is loading the holiday data once, when the
 * module is first imported.
 *
 * Holiday source: the npm package `chinese-days`, read through its published data file
 * (`dist/chinese-days.json`, documented in its README) rather than its `isWorkday()` function,
 * because that function (a) reads the weekday with local-time getters, so on a server west of UTC
 * it answers for the wrong day (under TZ=America/New_York `isWorkday('2026-10-12')`, a Monday,
 * is false), and (b) costs ~1.4 ms per year of days, too slow per demand on the request path.
 * Here each year is turned once into a prefix-sum table; a count over any range is then a few
 * array reads.
 *
 * Years the data do not cover (chinese-days 1.5.7 covers 2004–2026; the State Council publishes
 * the next year's arrangement around November): only Saturdays and Sundays are off, so holidays
 * are counted as working days and working-day counts come out too high (a deadline over 春节 2027
 * looks longer than it is). `isYearCovered()` / `uncoveredYearsIn()` say when that happens so
 * callers can record it in a flag's evidence; `withOfficialYears()` adds a year's arrangement
 * before the package is updated.
 */
import chineseDaysData from 'chinese-days/dist/chinese-days.json';
import { invalid } from '@/common/errors/domain-error';

/** A calendar date written `YYYY-MM-DD` (Asia/Shanghai calendar day). */
export type CalendarDate = string;
/** A calendar month written `YYYY-MM`. */
export type CalendarMonth = string;

// ---------------------------------------------------------------------------------------------
// Plain date arithmetic (no holiday data)
// ---------------------------------------------------------------------------------------------

const MONTH_PATTERN = /^(\d{4})-(\d{2})$/;
const MIN_YEAR = 1;
const MAX_YEAR = 9999;

interface DateParts {
  year: number;
  month: number;
  day: number;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in a month (1–12) of a year. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The value of the ASCII digits of `text` from `start` to `end`, or -1 when one is not a digit. */
function digitsAt(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * `YYYY-MM-DD` (four, two and two ASCII digits) read character by character, without a regex and its
 * match array (the bulk import reads millions of dates).
 */
function partsOrUndefined(value: unknown): DateParts | undefined {
  if (typeof value !== 'string' || value.length !== 10 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45) return undefined;
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 7);
  const day = digitsAt(value, 8, 10);
  if (year < 0 || month < 0 || day < 0) return undefined;
  const valid = year >= MIN_YEAR && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
  return valid ? { year, month, day } : undefined;
}

function partsOf(value: unknown, field: string): DateParts {
  const parts = partsOrUndefined(value);
  if (!parts) throw invalid(field, `must be a calendar date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return parts;
}

/** Whether `value` is a real calendar date written `YYYY-MM-DD` (year 0001–9999). */
export function isCalendarDate(value: unknown): value is CalendarDate {
  return partsOrUndefined(value) !== undefined;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function epochDayOf({ year, month, day }: DateParts): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const marchBasedMonth = (month + 9) % 12;
  const dayOfYear = Math.floor((153 * marchBasedMonth + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** The inverse of `epochDayOf` (H. Hinnant's civil_from_days). */
function partsOfEpochDay(epochDay: number): DateParts {
  const z = epochDay + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const marchBasedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * marchBasedMonth + 2) / 5) + 1;
  const month = marchBasedMonth < 10 ? marchBasedMonth + 3 : marchBasedMonth - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function format({ year, month, day }: DateParts): CalendarDate {
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw invalid('date', `falls outside the years ${MIN_YEAR}–${MAX_YEAR}`);
  }
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Days since 1970-01-01 (negative before). Throws a 422 DomainError for anything but a real `YYYY-MM-DD`. */
export function toEpochDay(date: CalendarDate, field = 'date'): number {
  return epochDayOf(partsOf(date, field));
}

/** The date `epochDay` days after 1970-01-01. */
export function fromEpochDay(epochDay: number): CalendarDate {
  if (!Number.isSafeInteger(epochDay)) throw invalid('epochDay', `must be an integer, got ${epochDay}`);
  return format(partsOfEpochDay(epochDay));
}

/** 0 = Sunday … 6 = Saturday, as `Date#getDay` but without any time zone. */
export function dayOfWeek(date: CalendarDate): number {
  return weekdayOfEpochDay(toEpochDay(date));
}

function weekdayOfEpochDay(epochDay: number): number {
  // 1970-01-01 was a Thursday (4).
  return (((epochDay + 4) % 7) + 7) % 7;
}

/** Signed calendar days from `a` to `b`: `daysBetween('2026-02-27', '2026-03-01')` = 2; negative when b < a. */
export function daysBetween(a: CalendarDate, b: CalendarDate): number {
  return toEpochDay(b, 'b') - toEpochDay(a, 'a');
}

/** `date` moved by `days` calendar days (negative moves back). */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  if (!Number.isSafeInteger(days)) throw invalid('days', `must be an integer, got ${days}`);
  return fromEpochDay(toEpochDay(date) + days);
}

/**
 * `date` moved by `months` calendar months, the day clamped to the end of a shorter month:
 * 2026-01-31 + 1 = 2026-02-28, 2024-01-31 + 1 = 2024-02-29, 2024-02-29 + 12 = 2025-02-28.
 * For the k-th occurrence of a monthly recurrence, call it with k from the anchor date — chaining
 * month by month would drift (01-31 → 02-28 → 03-28 instead of 03-31).
 */
export function addMonthsClamped(date: CalendarDate, months: number): CalendarDate {
  if (!Number.isSafeInteger(months)) throw invalid('months', `must be an integer, got ${months}`);
  const { year, month, day } = partsOf(date, 'date');
  const monthIndex = year * 12 + (month - 1) + months;
  const newYear = Math.floor(monthIndex / 12);
  const newMonth = monthIndex - newYear * 12 + 1;
  if (newYear < MIN_YEAR || newYear > MAX_YEAR) {
    throw invalid('months', `moves ${date} outside the years ${MIN_YEAR}–${MAX_YEAR}`);
  }
  return format({ year: newYear, month: newMonth, day: Math.min(day, daysInMonth(newYear, newMonth)) });
}

/** The month a date falls in: `monthOf('2026-10-09')` = `'2026-10'`. */
export function monthOf(date: CalendarDate): CalendarMonth {
  partsOf(date, 'date');
  return date.slice(0, 7);
}

/** First and last day of a `YYYY-MM` month. */
export function monthBounds(month: CalendarMonth): { first: CalendarDate; last: CalendarDate } {
  const match = typeof month === 'string' ? MONTH_PATTERN.exec(month) : null;
  const year = match ? Number(match[1]) : NaN;
  const monthNumber = match ? Number(match[2]) : NaN;
  if (!match || year < MIN_YEAR || monthNumber < 1 || monthNumber > 12) {
    throw invalid('month', `must be a month YYYY-MM, got ${JSON.stringify(month)}`);
  }
  return {
    first: format({ year, month: monthNumber, day: 1 }),
    last: format({ year, month: monthNumber, day: daysInMonth(year, monthNumber) }),
  };
}

// ---------------------------------------------------------------------------------------------
// Official calendar data
// ---------------------------------------------------------------------------------------------

/** The official arrangement the calendar works from; replaceable (tests, a year published before the package). */
export interface OfficialCalendarData {
  /** Years whose official arrangement is complete in this data. Other years: weekends only. */
  readonly coveredYears: ReadonlySet<number>;
  /** Official days off (放假), weekend days among them included or not — both work. */
  readonly holidays: ReadonlySet<CalendarDate>;
  /** Saturdays and Sundays that are official working days (调休上班). */
  readonly makeUpWorkdays: ReadonlySet<CalendarDate>;
}

/** One year's arrangement as the State Council's notice (国务院办公厅关于 YYYY 年部分节假日安排的通知) lists it. */
export interface OfficialYearArrangement {
  year: number;
  holidays: readonly CalendarDate[];
  makeUpWorkdays: readonly CalendarDate[];
}

/** The shape of chinese-days' `dist/chinese-days.json` (values are "English,中文,n" labels we do not need). */
export interface ChineseDaysData {
  holidays: Readonly<Record<string, string>>;
  workdays: Readonly<Record<string, string>>;
}

/** Reads chinese-days' data file; a covered year is one with at least one holiday in it. */
export function calendarDataFromChineseDays(data: ChineseDaysData): OfficialCalendarData {
  const holidays = new Set<CalendarDate>();
  const makeUpWorkdays = new Set<CalendarDate>();
  const coveredYears = new Set<number>();
  for (const date of Object.keys(data.holidays)) {
    holidays.add(format(partsOf(date, 'holidays')));
    coveredYears.add(Number(date.slice(0, 4)));
  }
  for (const date of Object.keys(data.workdays)) makeUpWorkdays.add(format(partsOf(date, 'workdays')));
  return { coveredYears, holidays, makeUpWorkdays };
}

/**
 * `base` with the given years' arrangements replacing whatever `base` held for those years, and
 * those years marked covered. Each date must lie in its year; a date cannot be both off and on;
 * a make-up working day must be a Saturday or Sunday (a weekday is a working day anyway).
 */
export function withOfficialYears(
  base: OfficialCalendarData,
  years: readonly OfficialYearArrangement[],
): OfficialCalendarData {
  const replaced = new Set<number>();
  for (const { year } of years) {
    if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) throw invalid('year', `is not a year: ${year}`);
    if (replaced.has(year)) throw invalid('year', `${year} is given twice`);
    replaced.add(year);
  }
  const keep = (date: CalendarDate) => !replaced.has(Number(date.slice(0, 4)));
  const holidays = new Set([...base.holidays].filter(keep));
  const makeUpWorkdays = new Set([...base.makeUpWorkdays].filter(keep));
  for (const arrangement of years) {
    for (const date of arrangement.holidays) {
      const parts = partsOf(date, 'holidays');
      if (parts.year !== arrangement.year) throw invalid('holidays', `${date} is not in ${arrangement.year}`);
      holidays.add(format(parts));
    }
    for (const date of arrangement.makeUpWorkdays) {
      const parts = partsOf(date, 'makeUpWorkdays');
      if (parts.year !== arrangement.year) throw invalid('makeUpWorkdays', `${date} is not in ${arrangement.year}`);
      const weekday = weekdayOfEpochDay(epochDayOf(parts));
      if (weekday !== 0 && weekday !== 6) throw invalid('makeUpWorkdays', `${date} is not a Saturday or Sunday`);
      if (holidays.has(date)) throw invalid('makeUpWorkdays', `${date} is also a holiday`);
      makeUpWorkdays.add(format(parts));
    }
  }
  return { coveredYears: new Set([...base.coveredYears, ...replaced]), holidays, makeUpWorkdays };
}

// ---------------------------------------------------------------------------------------------
// The calendar
// ---------------------------------------------------------------------------------------------

interface YearTable {
  /** Epoch day of 1 January. */
  start: number;
  /** prefix[i] = working days among the first i days of the year; length = days in year + 1. */
  prefix: Uint16Array;
}

/** Working-day answers over one set of official data; per-year tables are built on first use and kept. */
export class WorkingDayCalendar {
  private readonly tables = new Map<number, YearTable>();

  constructor(private readonly data: OfficialCalendarData) {}

  /** Whether the official arrangement of `year` is known; if not, only weekends count as days off. */
  isYearCovered(year: number): boolean {
    return this.data.coveredYears.has(year);
  }

  /** The covered years, ascending. */
  coveredYears(): number[] {
    return [...this.data.coveredYears].sort((a, b) => a - b);
  }

  /** Years touched by `from..to` (inclusive) whose arrangement is unknown, ascending. */
  uncoveredYearsIn(from: CalendarDate, to: CalendarDate): number[] {
    const [first, last] = this.orderedRange(from, to);
    const years: number[] = [];
    for (let year = partsOfEpochDay(first).year; year <= partsOfEpochDay(last).year; year++) {
      if (!this.isYearCovered(year)) years.push(year);
    }
    return years;
  }

  isWorkingDay(date: CalendarDate): boolean {
    const epochDay = toEpochDay(date);
    const table = this.tableOf(partsOfEpochDay(epochDay).year);
    const index = epochDay - table.start;
    return table.prefix[index + 1] > table.prefix[index];
  }

  /**
   * DESIGN §4: the number of working days d with `issuedOn < d ≤ dueOn`.
   * 2026-09-30 → 2026-10-09 = 2; → 2026-10-10 = 3 (a make-up Saturday); same day = 0.
   * A due date before the issue date is rejected (422 on `dueOn`) rather than answered 0: the
   * registry refuses such demands, so reaching here with one is a caller's bug that a silent 0 —
   * which would look like "no time at all" to SHORT_DEADLINE — would hide.
   */
  workingDaysBetween(issuedOn: CalendarDate, dueOn: CalendarDate): number {
    const issued = toEpochDay(issuedOn, 'issuedOn');
    const due = toEpochDay(dueOn, 'dueOn');
    if (due < issued) throw invalid('dueOn', `${dueOn} is before issuedOn ${issuedOn}`);
    return due === issued ? 0 : this.countEpochRange(issued + 1, due);
  }

  /** Working days in `from..to`, both included (capacity of a period). `to` before `from` is rejected. */
  workingDaysInRange(from: CalendarDate, to: CalendarDate): number {
    const [first, last] = this.orderedRange(from, to);
    return this.countEpochRange(first, last);
  }

  /** Working days in a `YYYY-MM` month: 2026-10 has 18 (7 days of 国庆 off, 10-10 on). */
  workingDaysInMonth(month: CalendarMonth): number {
    const { first, last } = monthBounds(month);
    return this.workingDaysInRange(first, last);
  }

  /**
   * For n > 0, the n-th working day after `date` (so `workingDaysBetween(date, result)` = n and
   * no earlier date reaches n); for n < 0, the |n|-th working day before `date`; for 0, `date`.
   */
  addWorkingDays(date: CalendarDate, n: number): CalendarDate {
    if (!Number.isSafeInteger(n)) throw invalid('n', `must be an integer, got ${n}`);
    let epochDay = toEpochDay(date);
    const step = n > 0 ? 1 : -1;
    let remaining = Math.abs(n);
    let table: YearTable | undefined;
    while (remaining > 0) {
      epochDay += step;
      const index = table ? epochDay - table.start : -1;
      if (!table || index < 0 || index >= table.prefix.length - 1) {
        table = this.tableOf(partsOfEpochDay(epochDay).year);
      }
      const i = epochDay - table.start;
      if (table.prefix[i + 1] > table.prefix[i]) remaining--;
    }
    return fromEpochDay(epochDay);
  }

  private orderedRange(from: CalendarDate, to: CalendarDate): [number, number] {
    const first = toEpochDay(from, 'from');
    const last = toEpochDay(to, 'to');
    if (last < first) throw invalid('to', `${to} is before from ${from}`);
    return [first, last];
  }

  /** Working days among epoch days first..last inclusive (first ≤ last). */
  private countEpochRange(first: number, last: number): number {
    let count = 0;
    let cursor = first;
    while (cursor <= last) {
      const table = this.tableOf(partsOfEpochDay(cursor).year);
      const yearEnd = table.start + table.prefix.length - 2;
      const end = Math.min(last, yearEnd);
      count += table.prefix[end - table.start + 1] - table.prefix[cursor - table.start];
      cursor = end + 1;
    }
    return count;
  }

  private tableOf(year: number): YearTable {
    const cached = this.tables.get(year);
    if (cached) return cached;
    const start = epochDayOf({ year, month: 1, day: 1 });
    const length = isLeapYear(year) ? 366 : 365;
    const prefix = new Uint16Array(length + 1);
    for (let i = 0; i < length; i++) {
      prefix[i + 1] = prefix[i] + (this.computeIsWorkingDay(start + i) ? 1 : 0);
    }
    const table = { start, prefix };
    this.tables.set(year, table);
    return table;
  }

  private computeIsWorkingDay(epochDay: number): boolean {
    const date = format(partsOfEpochDay(epochDay));
    if (this.data.makeUpWorkdays.has(date)) return true;
    if (this.data.holidays.has(date)) return false;
    const weekday = weekdayOfEpochDay(epochDay);
    return weekday !== 0 && weekday !== 6;
  }
}

/** chinese-days' arrangement (2004–2026 in 1.5.7), loaded once. */
export const CHINESE_DAYS_CALENDAR_DATA: OfficialCalendarData = calendarDataFromChineseDays(chineseDaysData);

/** The calendar every caller uses unless it builds its own over other data. */
export const officialCalendar = new WorkingDayCalendar(CHINESE_DAYS_CALENDAR_DATA);

// Function forms over the official calendar, for callers that need no other data.

export const isYearCovered = (year: number): boolean => officialCalendar.isYearCovered(year);
export const uncoveredYearsIn = (from: CalendarDate, to: CalendarDate): number[] =>
  officialCalendar.uncoveredYearsIn(from, to);
export const isWorkingDay = (date: CalendarDate): boolean => officialCalendar.isWorkingDay(date);
export const workingDaysBetween = (issuedOn: CalendarDate, dueOn: CalendarDate): number =>
  officialCalendar.workingDaysBetween(issuedOn, dueOn);
export const workingDaysInRange = (from: CalendarDate, to: CalendarDate): number =>
  officialCalendar.workingDaysInRange(from, to);
export const workingDaysInMonth = (month: CalendarMonth): number => officialCalendar.workingDaysInMonth(month);
export const addWorkingDays = (date: CalendarDate, n: number): CalendarDate => officialCalendar.addWorkingDays(date, n);
