import { Injectable } from '@nestjs/common';
import { Actor, Level, withinJurisdiction } from '@/common/auth/actor';
import { notFound } from '@/common/errors/domain-error';
import { todayInChina } from '@/common/time';
import { TransactionRunner } from '@/database/transaction-runner';
import { PolicyService } from '@/modules/policy/policy.service';
import {
  addForecastCells,
  emptyForecastCell,
  ForecastCell,
  ForecastFigures,
  forecastFigures,
  minutesToHours,
  parsePeriod,
  plannedInspectionMinutes,
  quarterOfMonth,
  quartersOf,
  QuotaLine,
  quotaLine,
  visitsLeft,
} from './calculators';
import { badQuery } from './bad-query';
import { ForecastRepository, PlannedItemOnUnit } from './forecast.repository';
import { MetricsRepository } from './metrics.repository';
import { MetricsService, UnitRef } from './metrics.service';
import { RollupRepository } from './rollup.repository';

export interface ForecastMonth extends ForecastFigures {
  month: string;
  quarter: string;
  workingDays: number;
}

/** A plan item still to come on the unit in the period, as its issuer's plan states it. */
export interface PlannedItemView {
  issuer: { id: number; code: string; name: string };
  planVersion: number;
  itemKey: string;
  title: string;
  topic: string;
  plannedMonth: string;
  onSiteDays: number;
  visits: number;
  registeredVisits: number;
  visitsLeft: number;
  plannedHours: number;
}

export interface QuotaForecast {
  rule: 'INSPECTION_QUOTA';
  level: Level;
  /** The policy's quota per quarter for the unit's level; null when the level has none. */
  perQuarter: number | null;
  /** Every quarter the period touches, whole (the quota is per calendar quarter). */
  quarters: QuotaLine[];
}

export interface UnitForecast {
  unit: UnitRef;
  inputs: {
    period: string;
    from: string;
    to: string;
    /** The day the forecast was made (China): registered and planned as they stand then. */
    asOf: string;
    workingDays: number;
    policyVersion: number;
    /** The policy's standard times that price a planned inspection. */
    standardTimes: {
      onSiteDayHours: number;
      inspectionEscorts: number;
      inspectionPreparationMinutes: number;
    };
  };
  months: ForecastMonth[];
  totals: ForecastFigures & { workingDays: number };
  quota: QuotaForecast;
  /** The items behind plannedHours whose plan the caller may read (its own office's; an issuer's inside a coordinator's or inspector's jurisdiction). */
  plannedItems: PlannedItemView[];
}

/**
 * The burden a unit will carry in a coming month, quarter or year (issue 6 point 5): what is
 * registered already (recurrences included, from the rollups), the approved plan items not yet
 * carried out there, the capacity of each month, and the inspections of each quarter against
 * INSPECTION_QUOTA — so that a coordinator can act before the stacking happens.
 */
@Injectable()
export class ForecastService {
  constructor(
    private readonly metrics: MetricsService,
    private readonly units: MetricsRepository,
    private readonly rollups: RollupRepository,
    private readonly repo: ForecastRepository,
    private readonly tx: TransactionRunner,
    private readonly policy: PolicyService,
  ) {}

  async forecast(actor: Actor, unitId: number, periodText: string): Promise<UnitForecast> {
    const period = parsePeriod(periodText);
    if (!period) throw badQuery('period', 'must be written 2026, 2026-Q3 or 2026-07');
    const first = period.months[0];
    const last = period.months[period.months.length - 1];
    // The card's own series of the months: the same visibility (404 unknown, 403 outside the
    // jurisdiction) and the capacity of each month from the staff in force, as the card computes it.
    const series = await this.metrics.series(actor, unitId, {
      from: first,
      to: last,
      granularity: 'month',
    });
    const policy = await this.policy.current();
    const times = policy.document.standardTimes;
    const quarters = quartersOf(period.months);
    const quarterMonths = quarters.flatMap((q) => parsePeriod(q)!.months);
    const year = Number(first.slice(0, 4));

    return this.tx.snapshot(async (reader) => {
      const unit = await this.units.findUnit(reader, unitId);
      if (!unit) throw notFound('Org unit', unitId);
      const registered = new Map((await this.rollups.monthsOfUnit(reader, unit.id, period.months)).map((r) => [r.month, r.estimatedMinutes]));
      const landings = await this.repo.inspectionLandings(reader, unit.id, quarterMonths);
      const items = await this.repo.plannedItemsReaching(reader, unit, year, quarterMonths);
      const left = items
        .map((item) => ({
          item,
          visits: visitsLeft(item.visits, item.registeredVisits),
        }))
        .filter((x) => x.visits > 0);

      const cells = new Map<string, ForecastCell>(quarterMonths.map((m) => [m, emptyForecastCell()]));
      for (const point of series.items) {
        const cell = cells.get(point.period)!;
        cell.capacityMinutes = Math.round(point.capacityHours * 60);
        cell.registeredMinutes = registered.get(point.period) ?? 0;
      }
      for (const [month, n] of landings) cells.get(month)!.registeredInspections = n;
      for (const { item, visits } of left) {
        const cell = cells.get(item.plannedMonth)!;
        cell.plannedMinutes += plannedInspectionMinutes(item.onSiteDays, visits, times);
        cell.plannedInspections += visits;
      }

      const workingDays = new Map(series.items.map((p) => [p.period, p.workingDays]));
      const months: ForecastMonth[] = period.months.map((month) => ({
        month,
        quarter: quarterOfMonth(month),
        workingDays: workingDays.get(month) ?? 0,
        ...forecastFigures(cells.get(month)!),
      }));
      const total = period.months.map((m) => cells.get(m)!).reduce(addForecastCells, emptyForecastCell());
      const totalWorkingDays = months.reduce((n, m) => n + m.workingDays, 0);
      const quotas: Partial<Record<Level, number>> = policy.document.thresholds.inspectionQuotaPerQuarter.value;
      const perQuarter = unit.kind === 'area' ? (quotas[unit.level] ?? null) : null;

      return {
        unit: series.unit,
        inputs: {
          period: period.period,
          from: period.from,
          to: period.to,
          asOf: todayInChina(),
          workingDays: totalWorkingDays,
          policyVersion: policy.version,
          standardTimes: {
            onSiteDayHours: times.onSiteDayHours.value,
            inspectionEscorts: times.inspectionEscorts.value,
            inspectionPreparationMinutes: times.inspectionPreparationMinutes.value,
          },
        },
        months,
        totals: { workingDays: totalWorkingDays, ...forecastFigures(total) },
        quota: {
          rule: 'INSPECTION_QUOTA',
          level: unit.level,
          perQuarter,
          quarters: quarters.map((q) => {
            const inQuarter = parsePeriod(q)!.months.map((m) => cells.get(m)!);
            const sum = inQuarter.reduce(addForecastCells, emptyForecastCell());
            return quotaLine(q, perQuarter, sum.registeredInspections, sum.plannedInspections);
          }),
        },
        plannedItems: left
          .filter(({ item }) => period.months.includes(item.plannedMonth) && readsPlanOf(actor, item.issuer))
          .map(({ item, visits }) => itemView(item, visits, plannedInspectionMinutes(item.onSiteDays, visits, times))),
      };
    });
  }
}

/**
 * Who may read an issuer's plan (as GET /inspection-plans answers): the issuing office's own
 * users, and coordinators and inspectors whose jurisdiction holds the issuer. Others see the
 * planned hours and counts, not the items.
 */
function readsPlanOf(actor: Actor, issuer: { id: number; path: string }): boolean {
  switch (actor.role) {
    case 'issuer':
      return actor.orgUnitId === issuer.id;
    case 'coordinator':
    case 'inspector':
      return actor.jurisdictionPath !== null && withinJurisdiction(actor, issuer.path);
    case 'admin':
    case 'reporter':
      return false;
  }
}

function itemView(item: PlannedItemOnUnit, visits: number, minutes: number): PlannedItemView {
  return {
    issuer: {
      id: item.issuer.id,
      code: item.issuer.code,
      name: item.issuer.name,
    },
    planVersion: item.planVersion,
    itemKey: item.itemKey,
    title: item.title,
    topic: item.topic,
    plannedMonth: item.plannedMonth,
    onSiteDays: item.onSiteDays,
    visits: item.visits,
    registeredVisits: item.registeredVisits,
    visitsLeft: visits,
    plannedHours: minutesToHours(minutes),
  };
}
