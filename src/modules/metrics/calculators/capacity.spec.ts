import { DomainError } from '@/common/errors/domain-error';
import { WorkingDayCalendar } from '@/modules/demands/calendar/working-days';
import { capacityMinutes, capacitySegments, staffInForce, workingDaysIn, WORKING_MINUTES_PER_DAY, type StaffChange } from './capacity';

// 10 staff since the start of 2026, 12 from Saturday 2026-08-15 (listed out of order on purpose).
const history: StaffChange[] = [
  { effectiveFrom: '2026-08-15', staffCount: 12 },
  { effectiveFrom: '2026-01-01', staffCount: 10 },
];

describe('staffInForce', () => {
  it('is the count with the latest effective date on or before the day', () => {
    expect(staffInForce(history, '2026-01-01')).toBe(10);
    expect(staffInForce(history, '2026-08-14')).toBe(10);
    expect(staffInForce(history, '2026-08-15')).toBe(12);
    expect(staffInForce(history, '2027-03-01')).toBe(12);
  });

  it('is 0 before the first entry and for an empty history', () => {
    expect(staffInForce(history, '2025-12-31')).toBe(0);
    expect(staffInForce([], '2026-07-01')).toBe(0);
  });

  it('of two entries on the same day, the one listed later wins', () => {
    const corrected = [...history, { effectiveFrom: '2026-08-15', staffCount: 11 }];
    expect(staffInForce(corrected, '2026-08-15')).toBe(11);
  });

  it('rejects a malformed day or staff count', () => {
    expect(() => staffInForce(history, '2026-8-15')).toThrow(DomainError);
    expect(() => staffInForce([{ effectiveFrom: '2026-01-01', staffCount: -1 }], '2026-02-01')).toThrow(DomainError);
    expect(() => staffInForce([{ effectiveFrom: '2026-01-01', staffCount: 2.5 }], '2026-02-01')).toThrow(DomainError);
  });
});

describe('workingDaysIn (official 2026 calendar)', () => {
  it('counts the working days of 2026-Q3 month by month', () => {
    // July: starts Wednesday, 31 days = 4 weeks (20) + Wed–Fri 29–31 (3) = 23, no holiday.
    expect(workingDaysIn('2026-07-01', '2026-07-31')).toBe(23);
    // August: starts Saturday, 4 weeks (20) + Sat 29, Sun 30, Mon 31 (1) = 21, no holiday.
    expect(workingDaysIn('2026-08-01', '2026-08-31')).toBe(21);
    // September: starts Tuesday, 4 weeks (20) + Tue 29, Wed 30 (2) = 22 weekdays;
    // 中秋 Fri 09-25 off (−1), make-up Sunday 09-20 on (+1) → 22.
    expect(workingDaysIn('2026-09-01', '2026-09-30')).toBe(22);
    expect(workingDaysIn('2026-07-01', '2026-09-30')).toBe(23 + 21 + 22);
  });

  it('counts across 国庆: holidays off, the make-up Saturday on', () => {
    // October: 22 weekdays − Thu 1, Fri 2, Mon 5, Tue 6, Wed 7 off + Sat 10 on = 18.
    expect(workingDaysIn('2026-10-01', '2026-10-31')).toBe(18);
    // Wed 09-30, Thu 10-08, Fri 10-09, Sat 10-10 (make-up) = 4.
    expect(workingDaysIn('2026-09-30', '2026-10-10')).toBe(4);
    expect(workingDaysIn('2026-10-01', '2026-10-07')).toBe(0);
  });

  it('uses the calendar it is given', () => {
    const weekendsOnly = new WorkingDayCalendar({ coveredYears: new Set(), holidays: new Set(), makeUpWorkdays: new Set() });
    expect(workingDaysIn('2026-10-01', '2026-10-31', weekendsOnly)).toBe(22);
  });
});

describe('capacityMinutes', () => {
  it('counts a staff change mid-quarter exactly from its effective day (2026-Q3, 10 → 12 on 08-15)', () => {
    // 07-01 … 08-14: July 23 + Aug 3–7 and 10–14 (10) = 33 working days × 10 staff = 330 staff-days.
    // 08-15 … 09-30: Aug 17–21, 24–28, 31 (11) + September 22 = 33 working days × 12 = 396 staff-days.
    // (330 + 396) × 480 min = 726 × 480 = 348 480 min (5 808 h).
    expect(capacitySegments(history, '2026-07-01', '2026-09-30')).toEqual([
      { from: '2026-07-01', to: '2026-08-14', staffCount: 10, workingDays: 33, minutes: 158_400 },
      { from: '2026-08-15', to: '2026-09-30', staffCount: 12, workingDays: 33, minutes: 190_080 },
    ]);
    expect(capacityMinutes(history, '2026-07-01', '2026-09-30')).toBe(348_480);
  });

  it('the months of the quarter add up to the quarter', () => {
    // July 23 × 10 × 480 = 110 400; August (10 × 10 + 11 × 12) × 480 = 232 × 480 = 111 360;
    // September 22 × 12 × 480 = 126 720. Sum 348 480.
    const july = capacityMinutes(history, '2026-07-01', '2026-07-31');
    const august = capacityMinutes(history, '2026-08-01', '2026-08-31');
    const september = capacityMinutes(history, '2026-09-01', '2026-09-30');
    expect([july, august, september]).toEqual([110_400, 111_360, 126_720]);
    expect(july + august + september).toBe(capacityMinutes(history, '2026-07-01', '2026-09-30'));
  });

  it('a change on a weekend first counts on the next working day; one a day earlier counts a day more', () => {
    // Sat 08-15 and Mon 08-17 give the same capacity: the weekend in between has no working day.
    const fromMonday = [{ effectiveFrom: '2026-01-01', staffCount: 10 }, { effectiveFrom: '2026-08-17', staffCount: 12 }];
    expect(capacityMinutes(fromMonday, '2026-07-01', '2026-09-30')).toBe(348_480);
    // Fri 08-14 moves one working day to 12 staff: (32 × 10 + 34 × 12) × 480 = 728 × 480 = 349 440.
    const fromFriday = [{ effectiveFrom: '2026-01-01', staffCount: 10 }, { effectiveFrom: '2026-08-14', staffCount: 12 }];
    expect(capacityMinutes(fromFriday, '2026-07-01', '2026-09-30')).toBe(349_440);
  });

  it('a unit staffed only from 09-01 has capacity only from then', () => {
    // 22 September working days × 5 × 480 = 52 800.
    expect(capacityMinutes([{ effectiveFrom: '2026-09-01', staffCount: 5 }], '2026-07-01', '2026-09-30')).toBe(52_800);
  });

  it('is 0 without staff, which makes burdenShare null', () => {
    expect(capacityMinutes([], '2026-07-01', '2026-09-30')).toBe(0);
  });

  it('a holiday week has no capacity', () => {
    expect(capacityMinutes(history, '2026-10-01', '2026-10-07')).toBe(0);
    // One day: Thu 10-08, 12 staff × 480 = 5 760.
    expect(capacityMinutes(history, '2026-10-08', '2026-10-08')).toBe(12 * WORKING_MINUTES_PER_DAY);
  });

  it('rejects an end before the start', () => {
    expect(() => capacityMinutes(history, '2026-09-30', '2026-07-01')).toThrow(DomainError);
  });
});
