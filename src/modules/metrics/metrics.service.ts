import { Injectable } from '@nestjs/common';
import { Actor, Level, LEVELS, withinJurisdiction } from '@/common/auth/actor';
import { forbidden, notFound } from '@/common/errors/domain-error';
import { Page, PageRequest } from '@/common/paging/page';
import { Tx } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { PolicyService } from '@/modules/policy/policy.service';
import {
  burdenShare,
  CapacitySegment,
  capacitySegments,
  countDemands,
  DemandCounts,
  duplicateShare,
  excessShare,
  minutesToHours,
  monthsBetween,
  parsePeriod,
  percentRanks,
  Period,
  reductionRatio,
  samePeriodLastYear,
  StaffChange,
  workingDaysIn,
} from './calculators';
import { badQuery } from './bad-query';
import { FlagTally, MetricsRepository, MetricsUnit } from './metrics.repository';
import { PeerRanksCache } from './peer-ranks.cache';
import { RollupStaleness, RollupStateRepository, stalenessFor } from './rollup-state.repository';
import { addRollupSums, RollupRepository, RollupSums, zeroSums } from './rollup.repository';

/** The figures of one unit and period, hours with two decimals, shares 0–1 or null. */
export interface BurdenFigures {
  estimatedHours: number;
  reportedHours: number;
  burdenHours: number;
  hiddenHours: number;
  duplicateHours: number;
  excessHours: number;
  capacityHours: number;
  burdenShare: number | null;
  duplicateShare: number | null;
  excessShare: number | null;
  occurrences: number;
}

export interface UnitRef {
  id: number;
  code: string;
  name: string;
  kind: 'area' | 'department';
  level: Level;
}

export interface StaffStretch {
  from: string;
  to: string;
  staffCount: number;
  workingDays: number;
}

/** What a reader needs to trust a number (issue 6 point 6). */
export interface MetricsInputs {
  period: string;
  from: string;
  to: string;
  workingDays: number;
  staff: StaffStretch[];
  policyVersion: number;
  /** False when the caller is an issuing office: shadow-demand hours are left out of its view. */
  shadowIncluded: boolean;
  /**
   * Whether the rollups behind these figures wait for a rebuild after a rule evaluation (its
   * findings move hours into and out of the duplicate and excess shares): `stale` when months of
   * the period are among those marked, from `dirtyFromMonth` on, since `dirtySince`.
   */
  rollups: RollupStaleness;
}

export interface Percentile {
  /** Percent rank of burdenShare, 0–100; null without capacity or without peers. */
  value: number | null;
  /** Units ranked (area units of the same level under `scope`). */
  among: number;
  scope: UnitRef | null;
}

export interface UnitCard extends BurdenFigures {
  unit: UnitRef;
  inputs: MetricsInputs;
  demands: DemandCounts;
  flags: FlagTally;
  percentile: Percentile;
  /** The same period a year before and the change (压减比例: positive = the load fell). */
  yearBefore: { period: string | null; burdenHours: number; change: number | null };
}

export interface RankedUnit extends BurdenFigures {
  unit: UnitRef;
  percentile: number | null;
}

export interface SeriesPoint extends BurdenFigures {
  period: string;
  workingDays: number;
}

export interface RankingQuery {
  level?: Level;
  underId?: number;
  period: string;
  sort?: RankingSort;
  order?: 'asc' | 'desc';
}

/** The whole ranking: every unit in order, with what it was computed from. */
export interface Ranking {
  items: RankedUnit[];
  level: Level;
  under: UnitRef | null;
  inputs: Omit<MetricsInputs, 'staff'>;
}

export const RANKING_SORTS = ['burdenShare', 'burdenHours', 'hiddenHours', 'duplicateShare', 'excessShare', 'code'] as const;
export type RankingSort = (typeof RANKING_SORTS)[number];

/** Series longer than this many months are refused (a card per month for five years is plenty). */
export const MAX_SERIES_MONTHS = 60;

const refOf = (u: MetricsUnit): UnitRef => ({ id: u.id, code: u.code, name: u.name, kind: u.kind, level: u.level });

/**
 * Burden metrics (DESIGN §5) read from the unit × month rollups, with capacity from the staff
 * history in force and the working-day calendar. Issuing offices read every figure without the
 * shadow-demand reports of the units (issue 4: an issuer never learns of shadow demands).
 */
@Injectable()
export class MetricsService {
  /** Peer ranks of cards, per scope, level, period and view, while the data version stands. */
  private readonly peerRanks = new PeerRanksCache();

  constructor(
    private readonly rollups: RollupRepository,
    private readonly state: RollupStateRepository,
    private readonly repo: MetricsRepository,
    private readonly tx: TransactionRunner,
    private readonly policy: PolicyService,
  ) {}

  async card(actor: Actor, unitId: number, periodText: string): Promise<UnitCard> {
    const period = this.period(periodText, 'period');
    const policy = await this.policy.current();
    return this.tx.snapshot(async (reader) => {
      const unit = await this.visibleUnit(reader, actor, unitId);
      const withShadow = actor.role !== 'issuer';
      const history = (await this.repo.staffHistories(reader, [unit.id])).get(unit.id) ?? [];
      const sums = viewOf(await this.rollups.sumsOfUnit(reader, unit.id, period.months), withShadow);
      const segments = capacitySegments(knownSince(history), period.from, period.to);
      const landing = await this.repo.demandsLandingOn(reader, unit.id, period.months[0], period.months[period.months.length - 1]);
      // Year 1 has no year before it in the calendar: the comparison is then with nothing.
      const lastYear = samePeriodLastYear(period.period);
      const before = viewOf(lastYear ? await this.rollups.sumsOfUnit(reader, unit.id, lastYear.months) : zeroSums(), withShadow);
      return {
        unit: refOf(unit),
        inputs: {
          period: period.period,
          from: period.from,
          to: period.to,
          workingDays: workingDaysIn(period.from, period.to),
          staff: stretchesOf(segments),
          policyVersion: policy.version,
          shadowIncluded: withShadow,
          rollups: stalenessFor(await this.state.read(reader), period.months),
        },
        ...figuresOf(sums, segments.reduce((n, s) => n + s.minutes, 0)),
        demands: countDemands(landing),
        flags: await this.repo.flagTally(reader, unit.id, landing.map((d) => d.demandId), period.from, period.to, withShadow ? null : actor.orgUnitId),
        percentile: await this.percentileOf(reader, actor, unit, period, withShadow),
        yearBefore: {
          period: lastYear?.period ?? null,
          burdenHours: minutesToHours(before.burdenMinutes),
          change: reductionRatio({ previous: before.burdenMinutes, current: sums.burdenMinutes }),
        },
      };
    });
  }

  /** Area units of a level under a unit, with their figures and percent ranks, sorted and paged. */
  async ranking(actor: Actor, query: RankingQuery, page: PageRequest): Promise<Page<RankedUnit> & Omit<Ranking, 'items'>> {
    const { items, ...rest } = await this.rankedUnits(actor, query);
    return { items: items.slice(page.offset, page.offset + page.pageSize), total: items.length, page: page.page, pageSize: page.pageSize, ...rest };
  }

  /**
   * Every unit of the ranking, sorted: each page of the ranking needs them all (percent ranks and
   * the sort span the whole list), so a download computes this once and pages through it.
   */
  async rankedUnits(actor: Actor, query: RankingQuery): Promise<Ranking> {
    const period = this.period(query.period, 'period');
    const policy = await this.policy.current();
    return this.tx.snapshot(async (reader) => {
      const under = query.underId !== undefined ? await this.visibleUnit(reader, actor, query.underId, 'underId') : await this.jurisdictionRoot(reader, actor);
      const level = query.level ?? nextLevel(under?.level ?? null);
      const withShadow = actor.role !== 'issuer';
      const units = await this.repo.areaUnitsUnder(reader, under?.path ?? '/', level);
      const figures = await this.figuresOf(reader, units, period, withShadow);
      const ranks = ranksWithinCounties(units, figures, level);
      const items = units.map((u, i) => ({ unit: refOf(u), ...figures[i], percentile: ranks[i] }));
      sortRanking(items, query.sort ?? 'burdenShare', query.order ?? (query.sort === 'code' ? 'asc' : 'desc'));
      return {
        items,
        level,
        under: under ? refOf(under) : null,
        inputs: {
          period: period.period,
          from: period.from,
          to: period.to,
          workingDays: workingDaysIn(period.from, period.to),
          policyVersion: policy.version,
          shadowIncluded: withShadow,
          rollups: stalenessFor(await this.state.read(reader), period.months),
        },
      };
    });
  }

  /** One unit month by month (or quarter by quarter) from `from` to `to` (YYYY-MM, inclusive). */
  async series(
    actor: Actor,
    unitId: number,
    query: { from: string; to: string; granularity?: 'month' | 'quarter' },
  ): Promise<{ unit: UnitRef; granularity: 'month' | 'quarter'; shadowIncluded: boolean; policyVersion: number; rollups: RollupStaleness; items: SeriesPoint[] }> {
    const from = this.period(query.from, 'from');
    const to = this.period(query.to, 'to');
    if (from.granularity !== 'month') throw badQuery('from', 'must be a month written YYYY-MM');
    if (to.granularity !== 'month') throw badQuery('to', 'must be a month written YYYY-MM');
    if (to.period < from.period) throw badQuery('to', 'is before from');
    const months = monthsBetween(from.period, to.period);
    if (months.length > MAX_SERIES_MONTHS) throw badQuery('to', `a series covers at most ${MAX_SERIES_MONTHS} months`);
    const granularity = query.granularity ?? 'month';
    const periods = granularity === 'month' ? months : [...new Set(months.map(quarterOf))];
    const policy = await this.policy.current();
    return this.tx.snapshot(async (reader) => {
      const unit = await this.visibleUnit(reader, actor, unitId);
      const withShadow = actor.role !== 'issuer';
      const history = knownSince((await this.repo.staffHistories(reader, [unit.id])).get(unit.id) ?? []);
      const rows = new Map((await this.rollups.monthsOfUnit(reader, unit.id, months)).map((r) => [r.month, r]));
      const items = periods.map((text) => {
        const p = parsePeriod(text)!;
        const inRange = p.months.filter((m) => m >= from.period && m <= to.period);
        const sums = viewOf(inRange.map((m) => rows.get(m) ?? zeroSums()).reduce(addRollupSums, zeroSums()), withShadow);
        const first = `${inRange[0]}-01`;
        const last = parsePeriod(inRange[inRange.length - 1])!.to;
        const capacity = capacitySegments(history, first, last).reduce((n, s) => n + s.minutes, 0);
        return { period: text, workingDays: workingDaysIn(first, last), ...figuresOf(sums, capacity) };
      });
      return { unit: refOf(unit), granularity, shadowIncluded: withShadow, policyVersion: policy.version, rollups: stalenessFor(await this.state.read(reader), months), items };
    });
  }

  private period(text: string, field: string): Period {
    const period = parsePeriod(text);
    if (!period) throw badQuery(field, 'must be written 2026, 2026-Q3 or 2026-07');
    return period;
  }

  /** The unit, when it lies in the caller's jurisdiction: 404 if unknown, 403 if outside. */
  private async visibleUnit(tx: Tx, actor: Actor, id: number, field = 'id'): Promise<MetricsUnit> {
    const unit = await this.repo.findUnit(tx, id);
    if (!unit) throw field === 'id' ? notFound('Org unit', id) : badQuery(field, `org unit ${id} does not exist`);
    if (!withinJurisdiction(actor, unit.path)) throw forbidden(`Org unit ${id} is outside your jurisdiction`);
    return unit;
  }

  /** The area unit at the top of the caller's jurisdiction; null for admin (the whole tree). */
  private async jurisdictionRoot(tx: Tx, actor: Actor): Promise<MetricsUnit | null> {
    if (actor.jurisdictionPath === null) return null;
    const root = await this.repo.areaAncestorAtLevel(tx, actor.jurisdictionPath, actor.level ?? 'province');
    if (!root) throw forbidden(`No area unit heads your jurisdiction ${actor.jurisdictionPath}`);
    return root;
  }

  private async figuresOf(tx: Tx, units: readonly MetricsUnit[], period: Period, withShadow: boolean): Promise<BurdenFigures[]> {
    const ids = units.map((u) => u.id);
    const sums = await this.rollups.sumsOfUnits(tx, ids, period.months);
    const histories = await this.repo.staffHistories(tx, ids);
    return units.map((u) => {
      const capacity = capacitySegments(knownSince(histories.get(u.id) ?? []), period.from, period.to).reduce((n, s) => n + s.minutes, 0);
      return figuresOf(viewOf(sums.get(u.id) ?? zeroSums(), withShadow), capacity);
    });
  }

  /**
   * DESIGN §5 percentile: the percent rank of burdenShare among area units of the same level under
   * the same county; for counties and above, among those under the caller's scope.
   */
  private async percentileOf(tx: Tx, actor: Actor, unit: MetricsUnit, period: Period, withShadow: boolean): Promise<Percentile> {
    if (unit.kind !== 'area') return { value: null, among: 0, scope: null };
    const scope = unit.level === 'township' || unit.level === 'village' ? await this.repo.areaAncestorAtLevel(tx, unit.path, 'county') : await this.jurisdictionRoot(tx, actor);
    // Ranking every peer is most of what a card costs, and the ranks only move when data does:
    // reuse them while the data version stands (SQLite snapshots only; see dataVersion).
    const key = `${scope?.path ?? '/'}|${unit.level}|${period.period}|${withShadow ? 'all' : 'issuer'}`;
    const version = await this.tx.dataVersion(tx);
    let ranks = version === null ? null : this.peerRanks.get(key, version);
    if (!ranks) {
      const peers = await this.repo.areaUnitsUnder(tx, scope?.path ?? '/', unit.level);
      const figures = await this.figuresOf(tx, peers, period, withShadow);
      const values = percentRanks(figures.map((f) => f.burdenShare));
      ranks = { among: peers.length, rankById: new Map(peers.map((p, i) => [p.id, values[i]])) };
      if (version !== null) this.peerRanks.set(key, version, ranks);
    }
    const value = ranks.rankById.get(unit.id);
    return { value: value === undefined ? null : value, among: ranks.among, scope: scope ? refOf(scope) : null };
  }
}

/** Percent ranks within each county for townships and villages, within the whole list above that. */
function ranksWithinCounties(units: readonly MetricsUnit[], figures: readonly BurdenFigures[], level: Level): (number | null)[] {
  const groupOf = (u: MetricsUnit): string => (level === 'township' || level === 'village' ? countyPathOf(u.path, level) : '');
  const groups = new Map<string, number[]>();
  units.forEach((u, i) => {
    const members = groups.get(groupOf(u)) ?? [];
    members.push(i);
    groups.set(groupOf(u), members);
  });
  const out: (number | null)[] = units.map(() => null);
  for (const members of groups.values()) {
    const ranks = percentRanks(members.map((i) => figures[i].burdenShare));
    members.forEach((unitIndex, j) => (out[unitIndex] = ranks[j]));
  }
  return out;
}

/** Adjacent stretches with the same staff count shown as one (the back-dated first count adds a cut). */
function stretchesOf(segments: readonly CapacitySegment[]): StaffStretch[] {
  const out: StaffStretch[] = [];
  for (const { from, to, staffCount, workingDays } of segments) {
    const last = out[out.length - 1];
    if (last && last.staffCount === staffCount) {
      last.to = to;
      last.workingDays += workingDays;
    } else out.push({ from, to, staffCount, workingDays });
  }
  return out;
}

/** The first recorded staff count stands for the time before it too: units are registered after they exist. */
function knownSince(history: readonly StaffChange[]): StaffChange[] {
  if (history.length === 0) return [];
  const sorted = [...history].sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : 0));
  return [{ effectiveFrom: '0001-01-01', staffCount: sorted[0].staffCount }, ...sorted];
}

/** The county's path of a township (its parent) or a village (its grandparent). */
function countyPathOf(path: string, level: Level): string {
  const parts = path.split('/').filter(Boolean);
  const up = level === 'township' ? 1 : 2;
  return `/${parts.slice(0, Math.max(0, parts.length - up)).join('/')}/`;
}

function nextLevel(level: Level | null): Level {
  if (level === null) return 'province';
  const i = LEVELS.indexOf(level);
  return LEVELS[Math.min(i + 1, LEVELS.length - 1)];
}

function quarterOf(month: string): string {
  return `${month.slice(0, 4)}-Q${Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1}`;
}

/** An issuer's view leaves the shadow-demand reports out of reported, burden and hidden. */
function viewOf(sums: RollupSums, withShadow: boolean): RollupSums {
  if (withShadow) return sums;
  const s = sums.shadowMinutes;
  return { ...sums, reportedMinutes: sums.reportedMinutes - s, burdenMinutes: sums.burdenMinutes - s, hiddenMinutes: sums.hiddenMinutes - s, shadowMinutes: 0 };
}

function figuresOf(sums: RollupSums, capacityMinutes: number): BurdenFigures {
  return {
    estimatedHours: minutesToHours(sums.estimatedMinutes),
    reportedHours: minutesToHours(sums.reportedMinutes),
    burdenHours: minutesToHours(sums.burdenMinutes),
    hiddenHours: minutesToHours(sums.hiddenMinutes),
    duplicateHours: minutesToHours(sums.duplicateMinutes),
    excessHours: minutesToHours(sums.excessMinutes),
    capacityHours: minutesToHours(capacityMinutes),
    burdenShare: burdenShare(sums.burdenMinutes, capacityMinutes),
    duplicateShare: duplicateShare(sums),
    excessShare: excessShare(sums),
    occurrences: sums.occurrences,
  };
}

function sortRanking(items: RankedUnit[], sort: RankingSort, order: 'asc' | 'desc'): void {
  const dir = order === 'asc' ? 1 : -1;
  const value = (item: RankedUnit): number | string | null => (sort === 'code' ? item.unit.code : item[sort]);
  items.sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    // Units without a figure (no capacity) go last either way; ties fall back to the code, a stable key.
    if (va === null || vb === null) return va === vb ? a.unit.code.localeCompare(b.unit.code) : va === null ? 1 : -1;
    if (va < vb) return -dir;
    if (va > vb) return dir;
    return a.unit.code < b.unit.code ? -1 : a.unit.code > b.unit.code ? 1 : 0;
  });
}
