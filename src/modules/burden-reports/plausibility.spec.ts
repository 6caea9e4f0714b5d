import { figureProblems, hoursToMinutes, isCalendarMonth, isFutureDate, isFutureMonth, minutesToHours, MonthCapacity, officeHoursCapacity, ReportFigures } from './plausibility';

const ok: ReportFigures = { hoursSpent: 3.5, overtimeHours: 0, staffInvolved: 2, pages: 4, photos: 0 };
// 2026-10: 31 days, 16 working days (国庆 1–8 off, make-up Saturday 10-10 on).
const october: MonthCapacity = { staffInForce: 10, workingDays: 16, calendarDays: 31 };
const fields = (f: Partial<ReportFigures>, cap: MonthCapacity = october) => figureProblems({ ...ok, ...f }, '2026-10', cap).map((p) => p.field);

describe('burden report plausibility', () => {
  it('accepts ordinary figures, including zero hours and unstated staff', () => {
    expect(fields({})).toEqual([]);
    expect(fields({ hoursSpent: 0 })).toEqual([]);
    expect(fields({ staffInvolved: null })).toEqual([]);
  });

  it('names each negative figure', () => {
    expect(fields({ hoursSpent: -1 })).toEqual(['hoursSpent']);
    expect(fields({ overtimeHours: -0.5 })).toEqual(['overtimeHours']);
    expect(fields({ pages: -1, photos: -2 })).toEqual(['pages', 'photos']);
  });

  it('bounds staff involved by 1 and by the staff in force', () => {
    expect(fields({ staffInvolved: 0 })).toEqual(['staffInvolved']);
    expect(fields({ staffInvolved: 10 })).toEqual([]);
    const [problem] = figureProblems({ ...ok, staffInvolved: 11 }, '2026-10', october);
    expect(problem).toEqual({ field: 'staffInvolved', message: 'is more than the 10 staff the unit had in 2026-10' });
  });

  it('caps hours at staff × working days × 8 h + overtime, at the limit and one minute past it', () => {
    expect(officeHoursCapacity(2, 16)).toBe(256);
    expect(fields({ hoursSpent: 256 })).toEqual([]);
    expect(fields({ hoursSpent: 256.01 })).toEqual(['hoursSpent']);
    expect(fields({ hoursSpent: 300, overtimeHours: 44 })).toEqual([]);
    expect(fields({ hoursSpent: 300, overtimeHours: 43 })).toEqual(['hoursSpent']);
    // Without staffInvolved the unit's whole staff in force is the limit.
    expect(fields({ staffInvolved: null, hoursSpent: 1280 })).toEqual([]);
    expect(fields({ staffInvolved: null, hoursSpent: 1281 })).toEqual(['hoursSpent']);
    expect(figureProblems({ ...ok, hoursSpent: 257 }, '2026-10', october)[0].message).toContain('2 × 16 working days × 8 h + 0 h overtime = 256 h');
  });

  it('keeps overtime within the hours spent and within the hours outside office time', () => {
    expect(fields({ hoursSpent: 2, overtimeHours: 3 })).toEqual(['overtimeHours']);
    // 2 staff × (31 × 24 − 16 × 8) = 1232 h outside office hours.
    expect(fields({ hoursSpent: 1488, overtimeHours: 1232 })).toEqual([]);
    expect(fields({ hoursSpent: 1489, overtimeHours: 1233 })).toEqual(['overtimeHours']);
  });

  it('a unit with no staff in force can report nothing', () => {
    expect(fields({ staffInvolved: null, hoursSpent: 1 }, { ...october, staffInForce: 0 })).toEqual(['hoursSpent']);
    expect(fields({ staffInvolved: 1 }, { ...october, staffInForce: 0 })).toEqual(['staffInvolved']);
  });

  it('rejects absurd counts', () => {
    expect(fields({ pages: 1_000_001 })).toEqual(['pages']);
  });

  it('judges the future by the China calendar day it is given', () => {
    expect(isFutureMonth('2026-12', '2026-11-30')).toBe(true);
    expect(isFutureMonth('2026-11', '2026-11-30')).toBe(false);
    expect(isFutureMonth('2025-12', '2026-01-01')).toBe(false);
    expect(isFutureDate('2026-12-01', '2026-11-30')).toBe(true);
    expect(isFutureDate('2026-11-30', '2026-11-30')).toBe(false);
  });

  it('converts hours to whole minutes and back to two decimals', () => {
    expect(hoursToMinutes(1.25)).toBe(75);
    expect(hoursToMinutes(0.01)).toBe(1);
    expect(minutesToHours(75)).toBe(1.25);
    expect(minutesToHours(1)).toBe(0.02);
  });

  it('knows a month when it sees one', () => {
    expect(isCalendarMonth('2026-09')).toBe(true);
    expect(isCalendarMonth('2026-13')).toBe(false);
    expect(isCalendarMonth('2026-00')).toBe(false);
    expect(isCalendarMonth('26-09')).toBe(false);
  });
});
