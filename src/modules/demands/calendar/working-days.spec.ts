import { isWorkday as packageIsWorkday } from 'chinese-days';
import { DomainError, ErrorCode } from '@/common/errors/domain-error';
import {
  CHINESE_DAYS_CALENDAR_DATA,
  OfficialCalendarData,
  WorkingDayCalendar,
  addDays,
  addMonthsClamped,
  addWorkingDays,
  calendarDataFromChineseDays,
  dayOfWeek,
  daysBetween,
  daysInMonth,
  fromEpochDay,
  isCalendarDate,
  isLeapYear,
  isWorkingDay,
  isYearCovered,
  monthBounds,
  monthOf,
  officialCalendar,
  toEpochDay,
  uncoveredYearsIn,
  withOfficialYears,
  workingDaysBetween,
  workingDaysInMonth,
  workingDaysInRange,
} from './working-days';

/** The error a call raises, for asserting its code and field. */
function errorOf(call: () => unknown): DomainError {
  try {
    call();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError, nothing was thrown');
}

const EMPTY_DATA: OfficialCalendarData = { coveredYears: new Set(), holidays: new Set(), makeUpWorkdays: new Set() };

describe('working-day calendar', () => {
  describe('DESIGN §4 examples around 国庆 2026 (10-01..10-07 off, 09-20 Sun and 10-10 Sat on)', () => {
    it('2026-09-30 → 2026-10-09 is 2 working days (10-08, 10-09)', () => {
      expect(workingDaysBetween('2026-09-30', '2026-10-09')).toBe(2);
    });

    it('2026-09-30 → 2026-10-10 is 3: the make-up Saturday counts', () => {
      expect(workingDaysBetween('2026-09-30', '2026-10-10')).toBe(3);
    });

    it('→ 2026-10-11 (an ordinary Sunday) is still 3, → 2026-10-12 (Monday) is 4', () => {
      expect(workingDaysBetween('2026-09-30', '2026-10-11')).toBe(3);
      expect(workingDaysBetween('2026-09-30', '2026-10-12')).toBe(4);
    });

    it('the issue day itself never counts, the due day does', () => {
      // 09-29 (Tue) → 09-30 (Wed): only 09-30 counts.
      expect(workingDaysBetween('2026-09-29', '2026-09-30')).toBe(1);
      // Issued on the last working day before the holiday, due on its last day: nothing.
      expect(workingDaysBetween('2026-09-30', '2026-10-07')).toBe(0);
    });

    it('the make-up Sunday 2026-09-20 is a working day, the holiday Thursday 10-01 is not', () => {
      expect(isWorkingDay('2026-09-20')).toBe(true);
      expect(isWorkingDay('2026-10-01')).toBe(false);
      expect(isWorkingDay('2026-10-03')).toBe(false); // a Saturday inside the holiday
      expect(isWorkingDay('2026-10-10')).toBe(true);
      expect(isWorkingDay('2026-10-11')).toBe(false);
      // Week of 09-14 (Mon) .. 09-20 (Sun): 5 weekdays + the make-up Sunday.
      expect(workingDaysInRange('2026-09-14', '2026-09-20')).toBe(6);
    });

    it('October 2026 has 18 working days: 31 − 9 weekend days − 5 weekday holidays + 1 make-up Saturday', () => {
      expect(workingDaysInMonth('2026-10')).toBe(18);
    });

    it('中秋 2026 (09-25 Fri .. 09-27 Sun) takes one weekday', () => {
      // 09-21 (Mon) .. 09-27 (Sun): Mon–Thu only.
      expect(workingDaysInRange('2026-09-21', '2026-09-27')).toBe(4);
      // September 2026: 22 weekdays − 09-25 + make-up 09-20 = 22.
      expect(workingDaysInMonth('2026-09')).toBe(22);
    });
  });

  describe('春节 2026 (02-15 Sun .. 02-23 Mon off, 02-14 Sat and 02-28 Sat on)', () => {
    it('issued the Friday before, due the Tuesday after: only 02-14 and 02-24 count', () => {
      // (02-13, 02-24]: 02-14 make-up Sat, 02-15..02-23 off, 02-24 Tue.
      expect(workingDaysBetween('2026-02-13', '2026-02-24')).toBe(2);
    });

    it('the whole holiday week is off, weekday or not', () => {
      for (const date of ['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-23']) {
        expect(isWorkingDay(date)).toBe(false);
      }
      expect(workingDaysBetween('2026-02-14', '2026-02-23')).toBe(0);
    });

    it('February 2026 has 16 working days: 20 weekdays − 6 weekday holidays + 2 make-up Saturdays', () => {
      // 2026-02-01 is a Sunday. Weekdays: 02..06, 09..13, 16..20, 23..27 = 20; holidays among
      // them: 16..20 and 23 = 6; make-up Saturdays 14 and 28 = 2.
      expect(workingDaysInMonth('2026-02')).toBe(16);
    });

    it('元旦 2026: 01-01..01-03 off, Sunday 01-04 on', () => {
      expect(isWorkingDay('2026-01-01')).toBe(false);
      expect(isWorkingDay('2026-01-02')).toBe(false);
      expect(isWorkingDay('2026-01-04')).toBe(true);
      // Issued 2025-12-31 (Wed), due 2026-01-05 (Mon): 01-04 and 01-05.
      expect(workingDaysBetween('2025-12-31', '2026-01-05')).toBe(2);
    });
  });

  describe('ordinary weeks and edge cases', () => {
    it('issued on a Friday, due the Monday: 1 working day', () => {
      expect(dayOfWeek('2026-03-06')).toBe(5);
      expect(workingDaysBetween('2026-03-06', '2026-03-09')).toBe(1);
    });

    it('issued on a Friday, due the Saturday or Sunday: 0', () => {
      expect(workingDaysBetween('2026-03-06', '2026-03-07')).toBe(0);
      expect(workingDaysBetween('2026-03-06', '2026-03-08')).toBe(0);
    });

    it('same day is 0, even on a working day', () => {
      expect(workingDaysBetween('2026-03-09', '2026-03-09')).toBe(0);
    });

    it('a due date before the issue date is rejected with a 422 on dueOn, not answered 0', () => {
      const error = errorOf(() => workingDaysBetween('2026-03-09', '2026-03-08'));
      expect(error.code).toBe(ErrorCode.Unprocessable);
      expect(error.details).toEqual([{ field: 'dueOn', message: '2026-03-08 is before issuedOn 2026-03-09' }]);
    });

    it('a range whose end is before its start is rejected on `to`', () => {
      expect(errorOf(() => workingDaysInRange('2026-03-09', '2026-03-08')).details).toEqual([
        { field: 'to', message: '2026-03-08 is before from 2026-03-09' },
      ]);
    });

    it('three working days between issue and due: Monday → Thursday', () => {
      expect(workingDaysBetween('2026-03-09', '2026-03-12')).toBe(3);
      expect(workingDaysBetween('2026-03-09', '2026-03-11')).toBe(2);
    });

    it('workingDaysInRange includes both ends; a single day is 1 or 0', () => {
      expect(workingDaysInRange('2026-03-09', '2026-03-09')).toBe(1);
      expect(workingDaysInRange('2026-03-08', '2026-03-08')).toBe(0);
      expect(workingDaysInRange('2026-03-09', '2026-03-13')).toBe(5);
    });

    it('workingDaysBetween(a, b) = workingDaysInRange(a + 1, b) across a year boundary', () => {
      expect(workingDaysBetween('2025-12-20', '2026-03-10')).toBe(workingDaysInRange('2025-12-21', '2026-03-10'));
    });
  });

  describe('whole years (capacity)', () => {
    it('2026 and 2025 each have 248 official working days', () => {
      // 2026: 261 weekdays − 19 weekday holidays + 6 make-up days. Weekday holidays: 元旦 01-01/02 (2),
      // 春节 02-16..20, 02-23 (6), 清明 04-06 (1), 劳动节 05-01/04/05 (3), 端午 06-19 (1), 中秋 09-25 (1),
      // 国庆 10-01/02/05/06/07 (5). Make-up: 01-04, 02-14, 02-28, 05-09, 09-20, 10-10.
      expect(workingDaysInRange('2026-01-01', '2026-12-31')).toBe(261 - 19 + 6);
      // 2025: 261 weekdays − 18 weekday holidays + 5 make-up days. Weekday holidays: 01-01 (1),
      // 春节 01-28..31, 02-03/04 (6), 04-04 (1), 05-01/02/05 (3), 06-02 (1), 10-01..03, 10-06..08 (6).
      // Make-up: 01-26, 02-08, 04-27, 09-28, 10-11.
      expect(workingDaysInRange('2025-01-01', '2025-12-31')).toBe(261 - 18 + 5);
    });

    it('the months of 2026 add up to the year', () => {
      let sum = 0;
      for (let month = 1; month <= 12; month++) sum += workingDaysInMonth(`2026-${String(month).padStart(2, '0')}`);
      expect(sum).toBe(248);
    });

    it('agrees with chinese-days isWorkday() on every day of 2004–2026 (package read in UTC)', () => {
      const originalTz = process.env.TZ;
      process.env.TZ = 'UTC'; // the package's own function is only right at UTC or east of it
      try {
        const mismatches: string[] = [];
        for (let day = toEpochDay('2004-01-01'); day <= toEpochDay('2026-12-31'); day++) {
          const date = fromEpochDay(day);
          if (isWorkingDay(date) !== packageIsWorkday(date)) mismatches.push(date);
        }
        expect(mismatches).toEqual([]);
      } finally {
        if (originalTz === undefined) delete process.env.TZ;
        else process.env.TZ = originalTz;
      }
    });

    it('answers the same whatever the server time zone', () => {
      const originalTz = process.env.TZ;
      try {
        for (const tz of ['America/New_York', 'Asia/Shanghai', 'Pacific/Kiritimati', 'UTC']) {
          process.env.TZ = tz;
          const calendar = new WorkingDayCalendar(CHINESE_DAYS_CALENDAR_DATA);
          expect(calendar.workingDaysBetween('2026-09-30', '2026-10-12')).toBe(4);
          expect(calendar.isWorkingDay('2026-10-12')).toBe(true);
          expect(calendar.workingDaysInRange('2026-01-01', '2026-12-31')).toBe(248);
        }
      } finally {
        if (originalTz === undefined) delete process.env.TZ;
        else process.env.TZ = originalTz;
      }
    });
  });

  describe('years the data do not cover', () => {
    it('chinese-days covers 2004–2026, not 2003 or 2027', () => {
      expect(isYearCovered(2026)).toBe(true);
      expect(isYearCovered(2004)).toBe(true);
      expect(isYearCovered(2027)).toBe(false);
      expect(isYearCovered(2003)).toBe(false);
      expect(officialCalendar.coveredYears()[0]).toBe(2004);
      expect(officialCalendar.coveredYears().at(-1)).toBe(2026);
    });

    it('in 2027 only weekends are off: 元旦 2027-01-01 (a Friday) counts as a working day', () => {
      expect(dayOfWeek('2027-01-01')).toBe(5);
      expect(isWorkingDay('2027-01-01')).toBe(true);
      // 2027 has 261 weekdays; no holiday is known.
      expect(workingDaysInRange('2027-01-01', '2027-12-31')).toBe(261);
    });

    it('uncoveredYearsIn names the uncovered years a range touches', () => {
      expect(uncoveredYearsIn('2026-12-01', '2027-01-31')).toEqual([2027]);
      expect(uncoveredYearsIn('2026-01-01', '2026-12-31')).toEqual([]);
      expect(uncoveredYearsIn('2002-06-01', '2004-01-01')).toEqual([2002, 2003]);
    });

    it('withOfficialYears adds a published year, which then counts its holidays', () => {
      // A hypothetical 2027 arrangement: 01-01 (Fri) off, Sunday 01-03 made a working day.
      const data = withOfficialYears(CHINESE_DAYS_CALENDAR_DATA, [
        { year: 2027, holidays: ['2027-01-01'], makeUpWorkdays: ['2027-01-03'] },
      ]);
      const calendar = new WorkingDayCalendar(data);
      expect(calendar.isYearCovered(2027)).toBe(true);
      expect(calendar.isWorkingDay('2027-01-01')).toBe(false);
      expect(calendar.isWorkingDay('2027-01-03')).toBe(true);
      // 2026 is untouched.
      expect(calendar.workingDaysBetween('2026-09-30', '2026-10-10')).toBe(3);
      // The shared calendar is not affected.
      expect(isWorkingDay('2027-01-01')).toBe(true);
    });

    it('withOfficialYears replaces, not merges, a year the base already had', () => {
      const data = withOfficialYears(CHINESE_DAYS_CALENDAR_DATA, [{ year: 2026, holidays: [], makeUpWorkdays: [] }]);
      const calendar = new WorkingDayCalendar(data);
      expect(calendar.isWorkingDay('2026-10-01')).toBe(true);
      expect(calendar.isWorkingDay('2026-10-10')).toBe(false);
      expect(calendar.workingDaysInRange('2026-01-01', '2026-12-31')).toBe(261);
      expect(calendar.isWorkingDay('2025-10-01')).toBe(false);
    });

    it('withOfficialYears rejects inconsistent arrangements', () => {
      const base = CHINESE_DAYS_CALENDAR_DATA;
      expect(errorOf(() => withOfficialYears(base, [{ year: 2027, holidays: ['2026-12-31'], makeUpWorkdays: [] }])).message).toMatch(
        /not in 2027/,
      );
      expect(errorOf(() => withOfficialYears(base, [{ year: 2027, holidays: [], makeUpWorkdays: ['2027-01-04'] }])).message).toMatch(
        /not a Saturday or Sunday/,
      );
      expect(
        errorOf(() => withOfficialYears(base, [{ year: 2027, holidays: ['2027-01-02'], makeUpWorkdays: ['2027-01-02'] }])).message,
      ).toMatch(/also a holiday/);
      expect(
        errorOf(() =>
          withOfficialYears(base, [
            { year: 2027, holidays: [], makeUpWorkdays: [] },
            { year: 2027, holidays: [], makeUpWorkdays: [] },
          ]),
        ).message,
      ).toMatch(/twice/);
      expect(errorOf(() => withOfficialYears(base, [{ year: 2027, holidays: ['2027-02-30'], makeUpWorkdays: [] }])).code).toBe(
        ErrorCode.Unprocessable,
      );
    });

    it('a calendar over empty data knows only weekends', () => {
      const calendar = new WorkingDayCalendar(EMPTY_DATA);
      expect(calendar.workingDaysBetween('2026-09-30', '2026-10-09')).toBe(7);
      expect(calendar.isYearCovered(2026)).toBe(false);
    });

    it('calendarDataFromChineseDays reads holidays and make-up days and derives the covered years', () => {
      const data = calendarDataFromChineseDays({
        holidays: { '2030-01-01': 'New Year', '2030-01-02': 'New Year' },
        workdays: { '2030-01-05': 'New Year' },
      });
      expect([...data.coveredYears]).toEqual([2030]);
      expect(data.holidays.has('2030-01-02')).toBe(true);
      expect(data.makeUpWorkdays.has('2030-01-05')).toBe(true);
    });
  });

  describe('addWorkingDays', () => {
    it('the n-th working day after a date, skipping 国庆 2026', () => {
      expect(addWorkingDays('2026-09-30', 1)).toBe('2026-10-08');
      expect(addWorkingDays('2026-09-30', 2)).toBe('2026-10-09');
      expect(addWorkingDays('2026-09-30', 3)).toBe('2026-10-10');
      expect(addWorkingDays('2026-09-30', 4)).toBe('2026-10-12');
    });

    it('0 returns the date itself, even on a holiday', () => {
      expect(addWorkingDays('2026-10-01', 0)).toBe('2026-10-01');
    });

    it('negative n walks back: the |n|-th working day before', () => {
      expect(addWorkingDays('2026-10-08', -1)).toBe('2026-09-30');
      expect(addWorkingDays('2026-09-21', -1)).toBe('2026-09-20'); // the make-up Sunday
      expect(addWorkingDays('2026-09-21', -2)).toBe('2026-09-18');
    });

    it('crosses years and is consistent with workingDaysBetween', () => {
      expect(addWorkingDays('2025-12-31', 1)).toBe('2026-01-04');
      for (const [date, n] of [
        ['2026-02-10', 5],
        ['2026-09-25', 10],
        ['2025-12-25', 30],
        ['2026-01-01', 248],
      ] as const) {
        const result = addWorkingDays(date, n);
        expect(workingDaysBetween(date, result)).toBe(n);
        expect(workingDaysBetween(date, addDays(result, -1))).toBe(n - 1);
      }
    });

    it('rejects a non-integer count', () => {
      expect(errorOf(() => addWorkingDays('2026-10-01', 1.5)).details).toEqual([
        { field: 'n', message: 'must be an integer, got 1.5' },
      ]);
    });
  });

  describe('plain date arithmetic', () => {
    it('daysBetween is signed calendar days', () => {
      expect(daysBetween('2026-02-27', '2026-03-01')).toBe(2);
      expect(daysBetween('2024-02-27', '2024-03-01')).toBe(3);
      expect(daysBetween('2026-03-01', '2026-02-27')).toBe(-2);
      expect(daysBetween('2026-01-01', '2026-01-01')).toBe(0);
      expect(daysBetween('2025-01-01', '2026-01-01')).toBe(365);
      expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
    });

    it('addMonthsClamped clamps the day to the end of a shorter month', () => {
      expect(addMonthsClamped('2026-01-31', 1)).toBe('2026-02-28');
      expect(addMonthsClamped('2024-01-31', 1)).toBe('2024-02-29');
      expect(addMonthsClamped('2026-01-31', 2)).toBe('2026-03-31');
      expect(addMonthsClamped('2026-03-31', 1)).toBe('2026-04-30');
      expect(addMonthsClamped('2024-02-29', 12)).toBe('2025-02-28');
      expect(addMonthsClamped('2024-02-29', 48)).toBe('2028-02-29');
      expect(addMonthsClamped('2026-11-15', 3)).toBe('2027-02-15');
      expect(addMonthsClamped('2026-01-15', -1)).toBe('2025-12-15');
      expect(addMonthsClamped('2026-03-31', -1)).toBe('2026-02-28');
      expect(addMonthsClamped('2026-05-31', 0)).toBe('2026-05-31');
    });

    it('monthOf and monthBounds', () => {
      expect(monthOf('2026-10-09')).toBe('2026-10');
      expect(monthBounds('2024-02')).toEqual({ first: '2024-02-01', last: '2024-02-29' });
      expect(monthBounds('2026-02')).toEqual({ first: '2026-02-01', last: '2026-02-28' });
      expect(monthBounds('2026-12')).toEqual({ first: '2026-12-01', last: '2026-12-31' });
    });

    it('leap years: 2024 and 2000 are, 2026 and 1900 are not', () => {
      expect([2024, 2000, 2026, 1900].map(isLeapYear)).toEqual([true, true, false, false]);
      expect(daysInMonth(2024, 2)).toBe(29);
      expect(daysInMonth(1900, 2)).toBe(28);
      expect(isCalendarDate('2024-02-29')).toBe(true);
      expect(isCalendarDate('2000-02-29')).toBe(true);
      expect(isCalendarDate('2026-02-29')).toBe(false);
      expect(isCalendarDate('1900-02-29')).toBe(false);
      // 2028-02-29 is a Tuesday, a working day as far as anyone knows (2028 is uncovered).
      expect(dayOfWeek('2028-02-29')).toBe(2);
      expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
      expect(addDays('2028-02-29', 1)).toBe('2028-03-01');
    });

    it('epoch days agree with Date.UTC over four centuries', () => {
      for (let day = toEpochDay('1900-01-01'); day <= toEpochDay('2300-12-31'); day += 53) {
        const date = fromEpochDay(day);
        expect(toEpochDay(date)).toBe(day);
        expect(new Date(day * 86_400_000).toISOString().slice(0, 10)).toBe(date);
      }
      expect(toEpochDay('1970-01-01')).toBe(0);
      expect(toEpochDay('1969-12-31')).toBe(-1);
      expect(dayOfWeek('1970-01-01')).toBe(4);
      expect(dayOfWeek('2026-10-10')).toBe(6);
      expect(dayOfWeek('0001-01-01')).toBe(1); // proleptic Gregorian: a Monday
    });

    it.each([
      ['2026-02-30'],
      ['2026-13-01'],
      ['2026-00-10'],
      ['2026-1-5'],
      ['2026/01/05'],
      ['20260105'],
      ['2026-01-05T00:00:00Z'],
      [' 2026-01-05'],
      ['0000-01-01'],
      [''],
    ])('rejects %j with a 422 naming the field', (bad) => {
      expect(isCalendarDate(bad)).toBe(false);
      const error = errorOf(() => workingDaysBetween(bad, '2026-12-31'));
      expect(error.code).toBe(ErrorCode.Unprocessable);
      expect(error.details).toEqual([{ field: 'issuedOn', message: expect.stringContaining('YYYY-MM-DD') }]);
      expect(errorOf(() => isWorkingDay(bad)).code).toBe(ErrorCode.Unprocessable);
      expect(errorOf(() => addMonthsClamped(bad, 1)).code).toBe(ErrorCode.Unprocessable);
      expect(errorOf(() => monthOf(bad)).code).toBe(ErrorCode.Unprocessable);
    });

    it('rejects non-strings and bad months', () => {
      expect(isCalendarDate(20260105)).toBe(false);
      expect(isCalendarDate(null)).toBe(false);
      expect(errorOf(() => workingDaysInMonth('2026-13')).details).toEqual([
        { field: 'month', message: 'must be a month YYYY-MM, got "2026-13"' },
      ]);
      expect(errorOf(() => workingDaysInMonth('2026-1')).code).toBe(ErrorCode.Unprocessable);
    });

    it('refuses to move past year 9999', () => {
      expect(errorOf(() => addDays('9999-12-31', 1)).code).toBe(ErrorCode.Unprocessable);
      expect(errorOf(() => addMonthsClamped('9999-12-15', 1)).code).toBe(ErrorCode.Unprocessable);
    });
  });

  describe('reading YYYY-MM-DD without a regex', () => {
    // What the character-by-character reader must accept: exactly the strings /^(\d{4})-(\d{2})-(\d{2})$/
    // matches (ASCII digits only), naming a day of the calendar.
    const byPattern = (text: string): boolean => {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
      if (!m) return false;
      const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
      return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
    };

    it('accepts and refuses what the pattern does, on near misses and random strings', () => {
      const nearMisses = [
        '2026-02-28', '2026-02-29', '2024-02-29', '2026-12-31', '2026-13-01', '2026-00-10', '2026-01-00', '0000-01-01', '0001-01-01', '9999-12-31',
        '2026-1-01', '2026-01-1', '2026/01/01', '20260101', ' 2026-01-01', '2026-01-01 ', '2026-01-01\n', '２０２６-01-01', '2026-0a-01', '2026-01-0:',
        '2026-01-0/', '202a-01-01', '-2026-01-0', '2026--1-01', '', '2026-01-011',
      ];
      for (const text of nearMisses) expect([text, isCalendarDate(text)]).toEqual([text, byPattern(text)]);
      let seed = 2026;
      const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
      const alphabet = '0123456789-/:a ';
      for (let i = 0; i < 20_000; i++) {
        const text = Array.from({ length: 8 + (next() % 4) }, () => alphabet[next() % alphabet.length]).join('');
        const dated = `${String(next() % 10000).padStart(4, '0')}-${String(next() % 14).padStart(2, '0')}-${String(next() % 33).padStart(2, '0')}`;
        for (const t of [text, dated]) expect([t, isCalendarDate(t)]).toEqual([t, byPattern(t)]);
      }
      expect([undefined, null, 20260101, new Date()].map(isCalendarDate)).toEqual([false, false, false, false]);
    });
  });
});
