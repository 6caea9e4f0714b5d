import { readFileSync } from 'node:fs';

/**
 * Dates for the generator: `YYYY-MM-DD` strings and integer day numbers (days since 1970-01-01,
 * computed with Date.UTC so the machine's time zone never shifts a day), and China's official
 * working-day calendar read from the data file of the `chinese-days` package (a dependency of the
 * product). Years the package does not cover fall back to Monday–Friday.
 */

const MS_PER_DAY = 86_400_000;

export function dayNumber(date: string): number {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  return Math.round(Date.UTC(y, m - 1, d) / MS_PER_DAY);
}

export function dateOf(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Adds months, clamping the day to the end of the target month (31 Jan + 1 month = 28/29 Feb). */
export function addMonthsClamped(date: string, months: number): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7)) - 1 + months;
  const year = y + Math.floor(m / 12);
  const month = (((m % 12) + 12) % 12) + 1;
  const day = Math.min(Number(date.slice(8, 10)), daysInMonth(year, month));
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

function loadChineseDays(): ChineseDaysData {
  const file = require.resolve('chinese-days/dist/chinese-days.json');
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<ChineseDaysData>;
  if (typeof raw.holidays !== 'object' || raw.holidays === null || typeof raw.workdays !== 'object' || raw.workdays === null) {
    throw new Error(`${file} lacks holidays/workdays`);
  }
  return { holidays: raw.holidays, workdays: raw.workdays };
}

/** A holiday stretch: consecutive days off that include an official holiday (春节, 国庆…). */
export interface HolidayBreak {
  name: string;
  /** Last working day before the break. */
  lastWorkday: number;
  /** First working day after it. */
  firstWorkday: number;
  daysOff: number;
}

/** The working-day calendar of one year (and the next, for due dates that run past 31 December). */
export class YearCalendar {
  readonly first: number;
  readonly last: number;
  /** Working days of the year in order. */
  readonly workdays: number[];
  /** Working days of the year by month (0–11). */
  readonly workdaysByMonth: number[][];
  readonly breaks: HolidayBreak[];
  readonly covered: boolean;
  private readonly off = new Set<number>();
  private readonly on = new Set<number>();
  private readonly holidayName = new Map<number, string>();

  constructor(readonly year: number) {
    const data = loadChineseDays();
    for (const [date, info] of Object.entries(data.holidays)) {
      const y = Number(date.slice(0, 4));
      if (y === year || y === year + 1) {
        const day = dayNumber(date);
        this.off.add(day);
        this.holidayName.set(day, info.split(',')[1] ?? 'holiday');
      }
    }
    for (const date of Object.keys(data.workdays)) {
      const y = Number(date.slice(0, 4));
      if (y === year || y === year + 1) this.on.add(dayNumber(date));
    }
    this.covered = Object.keys(data.holidays).some((d) => d.startsWith(`${year}-`));
    this.first = dayNumber(`${year}-01-01`);
    this.last = dayNumber(`${year}-12-31`);
    this.workdays = [];
    this.workdaysByMonth = Array.from({ length: 12 }, () => []);
    for (let d = this.first; d <= this.last; d++) {
      if (this.isWorkday(d)) {
        this.workdays.push(d);
        this.workdaysByMonth[Number(dateOf(d).slice(5, 7)) - 1].push(d);
      }
    }
    this.breaks = this.findBreaks();
  }

  isWorkday(day: number): boolean {
    if (this.on.has(day)) return true;
    if (this.off.has(day)) return false;
    const w = weekday(day);
    return w !== 0 && w !== 6;
  }

  /** The n-th working day after `day` (n ≥ 1), or `day` itself when n = 0. */
  addWorkdays(day: number, n: number): number {
    let d = day;
    for (let left = n; left > 0; ) {
      d++;
      if (this.isWorkday(d)) left--;
    }
    return d;
  }

  /** Working days d with from < d ≤ to (DESIGN §4). */
  workdaysBetween(from: number, to: number): number {
    let n = 0;
    for (let d = from + 1; d <= to; d++) if (this.isWorkday(d)) n++;
    return n;
  }

  /** The working day on or after `day`. */
  nextWorkday(day: number): number {
    let d = day;
    while (!this.isWorkday(d)) d++;
    return d;
  }

  private findBreaks(): HolidayBreak[] {
    const breaks: HolidayBreak[] = [];
    for (let d = this.first; d <= this.last; d++) {
      if (this.isWorkday(d)) continue;
      let end = d;
      while (!this.isWorkday(end + 1)) end++;
      let name = '';
      for (let x = d; x <= end; x++) name = name || (this.holidayName.get(x) ?? '');
      const daysOff = end - d + 1;
      if (name !== '' && daysOff >= 3 && d - 1 >= this.first) {
        breaks.push({ name, lastWorkday: d - 1, firstWorkday: end + 1, daysOff });
      }
      d = end;
    }
    return breaks;
  }
}
