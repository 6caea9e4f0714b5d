import { monthsOfPeriod, rate, reportingDeadline, totals, unitCompleteness } from './reporting-rates';

describe('reporting rates', () => {
  it('expands a month, a quarter and a year, and refuses anything else', () => {
    expect(monthsOfPeriod('2026-07')).toEqual(['2026-07']);
    expect(monthsOfPeriod('2026-Q3')).toEqual(['2026-07', '2026-08', '2026-09']);
    expect(monthsOfPeriod('2026')).toHaveLength(12);
    for (const bad of ['2026-13', '2026-Q0', '2026-Q5', '26', '2026-7', '0000']) expect(monthsOfPeriod(bad)).toBeNull();
  });

  it('puts the deadline on the 5th working day of the following month (official calendar)', () => {
    expect(reportingDeadline('2026-07')).toBe('2026-08-07');
    // National Day holidays push September's deadline into mid-October.
    expect(reportingDeadline('2026-09')).toBe('2026-10-13');
  });

  it('gives null for a zero denominator and never more than 100 %', () => {
    expect(rate(0, 0)).toBeNull();
    expect(rate(2, 3)).toBe(66.7);
    expect(rate(5, 3)).toBe(100);
    expect(totals([])).toEqual({ expected: 0, received: 0, onTime: 0, reportingRate: null, timelinessRate: null });
  });

  it('counts received and on time only where expected', () => {
    const months = ['2026-07', '2026-08'].map((month) => ({ month, monthEndIso: `${month}-31T16:00:00.000Z`, deadline: 'x', deadlineEndIso: `${month}-31T23:59:00.000Z` }));
    const reports = new Map([
      ['2026-07', '2026-07-10T00:00:00.000Z'],
      ['2026-08', '2026-08-10T00:00:00.000Z'],
    ]);
    const out = unitCompleteness({ fromMonth: '2026-08', toMonth: null }, '2025-01-01T00:00:00.000Z', months, '2026-11', reports);
    expect(out.map((m) => [m.expected, m.received, m.onTime])).toEqual([
      [0, 0, 0],
      [1, 1, 1],
    ]);
    const notOpen = unitCompleteness({ fromMonth: '2026-07', toMonth: null }, '2026-09-01T00:00:00.000Z', months, '2026-11', reports);
    expect(notOpen.every((m) => m.expected === 0 && m.received === 0)).toBe(true);
    const notDue = unitCompleteness({ fromMonth: '2026-07', toMonth: null }, '2025-01-01T00:00:00.000Z', months, '2026-07', reports);
    expect(notDue.map((m) => m.expected)).toEqual([1, 0]);
  });
});
