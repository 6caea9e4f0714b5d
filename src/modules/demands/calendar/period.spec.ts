import { DomainError } from '@/common/errors/domain-error';
import { monthsBetween, parsePeriod, samePeriodLastYear } from './period';

describe('parsePeriod', () => {
  it('reads a year as its twelve months, 1 January to 31 December', () => {
    const year = parsePeriod('2026');
    expect(year).toMatchObject({ period: '2026', granularity: 'year', from: '2026-01-01', to: '2026-12-31' });
    expect(year?.months).toEqual([
      '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06',
      '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12',
    ]);
  });

  it('reads a quarter as its three months', () => {
    expect(parsePeriod('2026-Q3')).toEqual({
      period: '2026-Q3',
      granularity: 'quarter',
      from: '2026-07-01',
      to: '2026-09-30',
      months: ['2026-07', '2026-08', '2026-09'],
    });
    expect(parsePeriod('2026-Q1')).toMatchObject({ from: '2026-01-01', to: '2026-03-31', months: ['2026-01', '2026-02', '2026-03'] });
    expect(parsePeriod('2026-Q4')).toMatchObject({ from: '2026-10-01', to: '2026-12-31', months: ['2026-10', '2026-11', '2026-12'] });
  });

  it('reads a month, its last day leap-aware', () => {
    expect(parsePeriod('2026-07')).toEqual({ period: '2026-07', granularity: 'month', from: '2026-07-01', to: '2026-07-31', months: ['2026-07'] });
    expect(parsePeriod('2026-02')?.to).toBe('2026-02-28');
    expect(parsePeriod('2024-02')?.to).toBe('2024-02-29');
    expect(parsePeriod('2026-04')?.to).toBe('2026-04-30');
  });

  it.each([
    '2026-13', '2026-00', '2026-Q0', '2026-Q5', '2026-7', '2026-q3', '2026Q3', '2026-Q03',
    '26', '02026', '0000', '0000-Q1', '0000-01', '2026-07-01', ' 2026', '2026-07 ', '', '２０２６', 'abcd',
  ])('rejects %p', (malformed) => {
    expect(parsePeriod(malformed)).toBeNull();
  });
});

describe('samePeriodLastYear', () => {
  it('moves a year, a quarter or a month back one year', () => {
    expect(samePeriodLastYear('2026')).toMatchObject({ period: '2025', from: '2025-01-01', to: '2025-12-31' });
    expect(samePeriodLastYear('2026-Q3')).toMatchObject({ period: '2025-Q3', granularity: 'quarter', months: ['2025-07', '2025-08', '2025-09'] });
    expect(samePeriodLastYear('2026-10')).toMatchObject({ period: '2025-10', from: '2025-10-01', to: '2025-10-31' });
  });

  it('a February after a leap year ends on the 29th', () => {
    expect(samePeriodLastYear('2025-02')?.to).toBe('2024-02-29');
  });

  it('is null for a malformed period or one with no year before it', () => {
    expect(samePeriodLastYear('2026-Q5')).toBeNull();
    expect(samePeriodLastYear('0001')).toBeNull();
    expect(samePeriodLastYear('0001-Q1')).toBeNull();
    expect(samePeriodLastYear('0002-03')).toMatchObject({ period: '0001-03' });
  });
});

describe('monthsBetween', () => {
  it('lists the months of a series, both ends included, across a year end', () => {
    expect(monthsBetween('2025-11', '2026-02')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
  });

  it('one month when both ends are the same; none when the end comes first', () => {
    expect(monthsBetween('2026-07', '2026-07')).toEqual(['2026-07']);
    expect(monthsBetween('2026-08', '2026-07')).toEqual([]);
  });

  it('a year of months equals the year period', () => {
    expect(monthsBetween('2026-01', '2026-12')).toEqual(parsePeriod('2026')?.months);
  });

  it('rejects a malformed month (422 on month)', () => {
    expect(() => monthsBetween('2026-13', '2027-01')).toThrow(DomainError);
    expect(() => monthsBetween('2026-01', '2026-1')).toThrow(DomainError);
  });
});
