import type { OccurrenceSchedule } from '@/modules/demands/occurrences';
import { occurrencesInPeriod } from './occurrences-in-period';
import { parsePeriod, type Period } from '@/modules/demands/calendar/period';

function period(p: string): Period {
  const parsed = parsePeriod(p);
  if (!parsed) throw new Error(`bad period ${p}`);
  return parsed;
}

describe('occurrencesInPeriod', () => {
  // A weekly report landing on Thursdays from 2026-09-03 to 2026-10-29.
  // September Thursdays: 3, 10, 17, 24 → 4. October: 1, 8, 15, 22, 29 → 5,
  // although 10-01 is 国庆 and October has only 18 working days: occurrences are calendar landings.
  const weeklyThursdays: OccurrenceSchedule = { issuedOn: '2026-08-28', startsOn: '2026-09-03', recurrence: 'weekly', until: '2026-10-29' };

  it('counts a weekly report on every Thursday of October 2026, the National Day holiday included', () => {
    expect(occurrencesInPeriod(weeklyThursdays, period('2026-10'))).toEqual({ byMonth: [{ month: '2026-10', occurrences: 5 }], total: 5 });
  });

  it('splits the same report over the months of a quarter, empty months shown as 0', () => {
    expect(occurrencesInPeriod(weeklyThursdays, period('2026-Q3'))).toEqual({
      byMonth: [
        { month: '2026-07', occurrences: 0 },
        { month: '2026-08', occurrences: 0 },
        { month: '2026-09', occurrences: 4 },
      ],
      total: 4,
    });
    // Q4: October 5, nothing after until 10-29.
    expect(occurrencesInPeriod(weeklyThursdays, period('2026-Q4')).total).toBe(5);
    // The year holds both: 4 + 5 = 9.
    expect(occurrencesInPeriod(weeklyThursdays, period('2026')).total).toBe(9);
  });

  it('stops after a cancellation, the cancel day itself still counting', () => {
    // Cancelled on Thursday 10-08: Oct 1 and Oct 8 remain.
    expect(occurrencesInPeriod({ ...weeklyThursdays, cancelledOn: '2026-10-08' }, period('2026-10')).total).toBe(2);
    // Cancelled on Wednesday 10-07: only Oct 1.
    expect(occurrencesInPeriod({ ...weeklyThursdays, cancelledOn: '2026-10-07' }, period('2026-10')).total).toBe(1);
  });

  it('clamps a monthly demand from the 31st to month ends, once a month', () => {
    // 01-31, 02-28, 03-31, …: one landing each month of 2026.
    const monthly: OccurrenceSchedule = { issuedOn: '2026-01-31', recurrence: 'monthly', until: '2026-12-31' };
    expect(occurrencesInPeriod(monthly, period('2026-Q1')).byMonth.map((m) => m.occurrences)).toEqual([1, 1, 1]);
    expect(occurrencesInPeriod(monthly, period('2026')).total).toBe(12);
  });

  it('counts only the part of a demand that runs into the period', () => {
    // Monthly from 2025-11-15 to 2026-02-15: Nov, Dec 2025 fall outside 2026; Jan and Feb inside.
    const monthly: OccurrenceSchedule = { issuedOn: '2025-11-15', recurrence: 'monthly', until: '2026-02-15' };
    expect(occurrencesInPeriod(monthly, period('2026')).total).toBe(2);
    expect(occurrencesInPeriod(monthly, period('2025-Q4')).total).toBe(2);
  });

  it('a one-off demand lands once, in the month of startsOn, else dueOn, else issuedOn', () => {
    const once: OccurrenceSchedule = { issuedOn: '2026-06-20', dueOn: '2026-07-02', recurrence: 'once' };
    expect(occurrencesInPeriod(once, period('2026-Q2')).total).toBe(0);
    expect(occurrencesInPeriod(once, period('2026-Q3')).byMonth).toEqual([
      { month: '2026-07', occurrences: 1 },
      { month: '2026-08', occurrences: 0 },
      { month: '2026-09', occurrences: 0 },
    ]);
  });

  it('a daily demand counts every calendar day, weekends and holidays too', () => {
    // 2026-09-28 to 2026-10-04: Sep 28, 29, 30 → 3; Oct 1–4 (all 国庆) → 4.
    const daily: OccurrenceSchedule = { issuedOn: '2026-09-28', recurrence: 'daily', until: '2026-10-04' };
    expect(occurrencesInPeriod(daily, period('2026-09')).total).toBe(3);
    expect(occurrencesInPeriod(daily, period('2026-10')).total).toBe(4);
  });
});
