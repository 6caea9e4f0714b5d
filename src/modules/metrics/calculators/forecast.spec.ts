import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '@/common/errors/domain-error';
import { validatePolicyDocument } from '@/modules/policy/policy-document';
import { addForecastCells, emptyForecastCell, forecastFigures, plannedInspectionMinutes, quarterOfMonth, quartersOf, quotaLine, visitsLeft } from './forecast';

const validation = validatePolicyDocument(JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'data', 'policy.json'), 'utf8')));
if (!validation.ok) throw new Error('data/policy.json is invalid');
const times = validation.policy.standardTimes;

describe('visitsLeft', () => {
  it('is the planned visits less those registered, never below 0', () => {
    expect(visitsLeft(2, 0)).toBe(2);
    expect(visitsLeft(2, 1)).toBe(1);
    expect(visitsLeft(2, 2)).toBe(0);
    // Carried out more often than planned (a SPLIT_INSPECTION case): nothing is left, not −1.
    expect(visitsLeft(1, 3)).toBe(0);
  });

  it('rejects a fraction or a negative count', () => {
    expect(() => visitsLeft(1.5, 0)).toThrow(DomainError);
    expect(() => visitsLeft(1, -1)).toThrow(DomainError);
  });
});

describe('plannedInspectionMinutes (policy version 1: 8 h a day, 2 escorts, 240 min preparation)', () => {
  it('one on-site day, one visit: 1 × 8 × 60 × 2 + 240 = 1 200 min', () => {
    expect(plannedInspectionMinutes(1, 1, times)).toBe(1_200);
  });

  it('two on-site days, one visit: 2 × 8 × 60 × 2 + 240 = 2 160 min', () => {
    expect(plannedInspectionMinutes(2, 1, times)).toBe(2_160);
  });

  it('is per visit: one day × 3 visits = 3 × 1 200 = 3 600 min', () => {
    expect(plannedInspectionMinutes(1, 3, times)).toBe(3_600);
  });

  it('a records-only inspection (0 on-site days) still costs the preparation: 240 min', () => {
    expect(plannedInspectionMinutes(0, 1, times)).toBe(240);
  });

  it('no visit left, no minutes', () => {
    expect(plannedInspectionMinutes(2, 0, times)).toBe(0);
  });

  it('follows the policy: 3 escorts and 120 min preparation make one day 1 × 8 × 60 × 3 + 120 = 1 560 min', () => {
    const changed = {
      ...times,
      inspectionEscorts: { ...times.inspectionEscorts, value: 3 },
      inspectionPreparationMinutes: {
        ...times.inspectionPreparationMinutes,
        value: 120,
      },
    };
    expect(plannedInspectionMinutes(1, 1, changed)).toBe(1_560);
  });
});

describe('forecastFigures', () => {
  it('adds registered and planned, as hours, against capacity', () => {
    // November 2026: a monthly report of 120 min already registered, a planned 2-day inspection
    // (2 160 min); 10 staff × 21 working days × 480 = 100 800 min of capacity.
    // forecast = 2 280 min = 38 h; share = 2 280 / 100 800 = 0.022619…
    const figures = forecastFigures({
      registeredMinutes: 120,
      plannedMinutes: 2_160,
      capacityMinutes: 100_800,
      registeredInspections: 0,
      plannedInspections: 1,
    });
    expect(figures).toEqual({
      registeredHours: 2,
      plannedHours: 36,
      forecastHours: 38,
      capacityHours: 1_680,
      burdenShare: 2_280 / 100_800,
      registeredInspections: 0,
      plannedInspections: 1,
    });
    expect(figures.burdenShare).toBeCloseTo(0.0226, 4);
  });

  it('no capacity (no staff recorded) gives a null share, not Infinity', () => {
    expect(forecastFigures({ ...emptyForecastCell(), registeredMinutes: 60 }).burdenShare).toBeNull();
  });

  it('totals are rounded once from the summed minutes, not summed from rounded months', () => {
    // Three months of 100 min: each shows 1.67 h, the total 300 min = 5 h (not 5.01).
    const month = { ...emptyForecastCell(), registeredMinutes: 100 };
    expect(forecastFigures(month).registeredHours).toBe(1.67);
    const total = [month, month, month].reduce(addForecastCells, emptyForecastCell());
    expect(total.registeredMinutes).toBe(300);
    expect(forecastFigures(total).registeredHours).toBe(5);
  });

  it('addForecastCells adds every field', () => {
    const a = {
      registeredMinutes: 1,
      plannedMinutes: 2,
      capacityMinutes: 3,
      registeredInspections: 4,
      plannedInspections: 5,
    };
    expect(addForecastCells(a, a)).toEqual({
      registeredMinutes: 2,
      plannedMinutes: 4,
      capacityMinutes: 6,
      registeredInspections: 8,
      plannedInspections: 10,
    });
  });
});

describe('quotaLine (INSPECTION_QUOTA: strictly more than the quota fires)', () => {
  it('within the quota: 1 registered + 2 planned = 3 of a township’s 6', () => {
    expect(quotaLine('2026-Q4', 6, 1, 2)).toEqual({
      quarter: '2026-Q4',
      limit: 6,
      registered: 1,
      planned: 2,
      total: 3,
      excess: 0,
      exceeds: false,
    });
  });

  it('exactly at the quota does not exceed it', () => {
    expect(quotaLine('2026-Q4', 3, 2, 1)).toMatchObject({
      total: 3,
      excess: 0,
      exceeds: false,
    });
  });

  it('over the quota: a village with 2 registered + 3 planned = 5 of 3, the last 2 would carry the flag', () => {
    expect(quotaLine('2026-Q4', 3, 2, 3)).toMatchObject({
      total: 5,
      excess: 2,
      exceeds: true,
    });
  });

  it('a level without a quota (a county) never exceeds', () => {
    expect(quotaLine('2026-Q4', null, 20, 20)).toMatchObject({
      limit: null,
      total: 40,
      excess: 0,
      exceeds: false,
    });
  });
});

describe('quarters', () => {
  it.each([
    ['2026-01', '2026-Q1'],
    ['2026-03', '2026-Q1'],
    ['2026-04', '2026-Q2'],
    ['2026-09', '2026-Q3'],
    ['2026-10', '2026-Q4'],
    ['2026-12', '2026-Q4'],
  ])('%s is in %s', (month, quarter) => {
    expect(quarterOfMonth(month)).toBe(quarter);
  });

  it('a month lies in one quarter, a quarter is itself, a year has four', () => {
    expect(quartersOf(['2026-11'])).toEqual(['2026-Q4']);
    expect(quartersOf(['2026-10', '2026-11', '2026-12'])).toEqual(['2026-Q4']);
    expect(quartersOf(Array.from({ length: 12 }, (_, i) => `2027-${String(i + 1).padStart(2, '0')}`))).toEqual(['2027-Q1', '2027-Q2', '2027-Q3', '2027-Q4']);
  });
});
