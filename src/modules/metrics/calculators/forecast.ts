import { standardMinutes } from '@/modules/demands/estimate';
import type { PolicyStandardTimes } from '@/modules/policy/policy-document';
import { assertCount } from './guards';
import { burdenShare, minutesToHours } from './shares';

/**
 * The burden ahead of a unit (issue 6 point 5): what is already registered for a month (the
 * rollups' estimated minutes, recurrences included) plus the approved plan items not yet carried
 * out there, against the capacity of the month, and the inspections of each quarter against the
 * INSPECTION_QUOTA of the unit's level. Integer minutes in, hours with two decimals out.
 */

/** Visits of a plan item still to come on a unit: planned visits less those already registered there, never below 0. */
export function visitsLeft(plannedVisits: number, registeredVisits: number): number {
  assertCount(plannedVisits, 'plannedVisits');
  assertCount(registeredVisits, 'registeredVisits');
  return Math.max(0, plannedVisits - registeredVisits);
}

/**
 * Minutes a planned inspection will cost the unit: the policy's standard time of an inspection
 * (on-site days × on-site day hours × 60 × escorts + preparation, as a demand without an
 * estimate gets it) × the visits still to come.
 */
export function plannedInspectionMinutes(onSiteDays: number, visits: number, times: PolicyStandardTimes): number {
  assertCount(onSiteDays, 'onSiteDays');
  assertCount(visits, 'visits');
  return standardMinutes({ kind: 'inspection', onSiteDays }, times) * visits;
}

/** One month (or the sum of several) of a forecast, in minutes and counts. */
export interface ForecastCell {
  registeredMinutes: number;
  plannedMinutes: number;
  capacityMinutes: number;
  registeredInspections: number;
  plannedInspections: number;
}

/** A forecast cell as the API shows it. */
export interface ForecastFigures {
  registeredHours: number;
  plannedHours: number;
  /** registered + planned. */
  forecastHours: number;
  capacityHours: number;
  /** forecast ÷ capacity; null without capacity. */
  burdenShare: number | null;
  registeredInspections: number;
  plannedInspections: number;
}

export function emptyForecastCell(): ForecastCell {
  return {
    registeredMinutes: 0,
    plannedMinutes: 0,
    capacityMinutes: 0,
    registeredInspections: 0,
    plannedInspections: 0,
  };
}

export function addForecastCells(a: ForecastCell, b: ForecastCell): ForecastCell {
  return {
    registeredMinutes: a.registeredMinutes + b.registeredMinutes,
    plannedMinutes: a.plannedMinutes + b.plannedMinutes,
    capacityMinutes: a.capacityMinutes + b.capacityMinutes,
    registeredInspections: a.registeredInspections + b.registeredInspections,
    plannedInspections: a.plannedInspections + b.plannedInspections,
  };
}

/** Hours from the minutes of the cell, summed before rounding (totals are exact, not sums of rounded months). */
export function forecastFigures(cell: ForecastCell): ForecastFigures {
  const forecastMinutes = cell.registeredMinutes + cell.plannedMinutes;
  return {
    registeredHours: minutesToHours(cell.registeredMinutes),
    plannedHours: minutesToHours(cell.plannedMinutes),
    forecastHours: minutesToHours(forecastMinutes),
    capacityHours: minutesToHours(cell.capacityMinutes),
    burdenShare: burdenShare(forecastMinutes, cell.capacityMinutes),
    registeredInspections: cell.registeredInspections,
    plannedInspections: cell.plannedInspections,
  };
}

/** The inspections of one quarter against the quota (INSPECTION_QUOTA: strictly more than the quota fires). */
export interface QuotaLine {
  quarter: string;
  /** Inspections allowed in the quarter for the unit's level; null when the level has none. */
  limit: number | null;
  registered: number;
  planned: number;
  total: number;
  /** Inspections beyond the quota: those that would carry the flag (0 without a quota). */
  excess: number;
  exceeds: boolean;
}

export function quotaLine(quarter: string, limit: number | null, registered: number, planned: number): QuotaLine {
  assertCount(registered, 'registered');
  assertCount(planned, 'planned');
  const total = registered + planned;
  const excess = limit === null ? 0 : Math.max(0, total - limit);
  return {
    quarter,
    limit,
    registered,
    planned,
    total,
    excess,
    exceeds: excess > 0,
  };
}

/** `2026-08` → `2026-Q3`. */
export function quarterOfMonth(month: string): string {
  return `${month.slice(0, 4)}-Q${Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1}`;
}

/** The quarters the months fall in, in order of first appearance (a month, quarter or year period → 1, 1 or 4). */
export function quartersOf(months: readonly string[]): string[] {
  return [...new Set(months.map(quarterOfMonth))];
}
