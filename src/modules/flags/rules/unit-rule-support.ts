import { fromEpochDay } from '@/modules/demands/calendar/working-days';
import type { Finding, RuleCode } from './rule';
import { quoteTitle } from './rule-support';
import type { DemandTitles, Landing } from './unit-rule';

/* Helpers of the rules that compare the demands landing on one unit (unit-rule.ts). */

const dateCache = new Map<number, string>();
const DATE_CACHE_LIMIT = 100_000;

/**
 * `fromEpochDay`, memoised: findings and their evidence name the same few hundred days over and
 * over (every earlier request of every finding), and formatting a date is the costliest step left.
 */
export function dateOfDay(day: number): string {
  let date = dateCache.get(day);
  if (date === undefined) {
    if (dateCache.size >= DATE_CACHE_LIMIT) dateCache.clear();
    date = fromEpochDay(day);
    dateCache.set(day, date);
  }
  return date;
}

/** One landing day of one demand on the unit. */
export interface LandingEvent {
  readonly day: number;
  readonly landing: Landing;
}

/**
 * Every landing day of `landings` within [fromDay, toDay] (epoch days), ordered by
 * (day, demand id) — the order "earlier" means in DESIGN §2. O(E log E) for E landing days.
 */
export function landingEvents(landings: readonly Landing[], fromDay = -Infinity, toDay = Infinity): LandingEvent[] {
  const events: LandingEvent[] = [];
  for (const landing of landings) {
    for (const day of landing.days) {
      if (day > toDay) break; // days are ascending
      if (day >= fromDay) events.push({ day, landing });
    }
  }
  events.sort((a, b) => a.day - b.day || a.landing.demandId - b.landing.demandId);
  return events;
}

/**
 * The parentDemandId chains among the demands landing on a unit. A demand is never compared with
 * itself (its own recurrences), with its ancestors, or with the demands that pass it on.
 */
export class DemandChains {
  private readonly descendants = new Map<number, Set<number>>();

  constructor(landings: readonly Landing[]) {
    for (const landing of landings) {
      for (const ancestor of landing.ancestors) {
        let passedOnBy = this.descendants.get(ancestor);
        if (!passedOnBy) this.descendants.set(ancestor, (passedOnBy = new Set<number>()));
        passedOnBy.add(landing.demandId);
      }
    }
  }

  /** Whether `otherDemandId` is `landing`'s own demand, one of its ancestors, or a demand passing it on. */
  related(landing: Landing, otherDemandId: number): boolean {
    return (
      otherDemandId === landing.demandId ||
      landing.ancestors.includes(otherDemandId) ||
      (this.descendants.get(landing.demandId)?.has(otherDemandId) ?? false)
    );
  }
}

/**
 * The landings that pass on (parentDemandId chain) another of the given landings: counted as
 * that one's inspection, not as a visit of their own.
 */
export function passedOnLandings(landings: readonly Landing[]): Set<number> {
  const ids = new Set(landings.map((landing) => landing.demandId));
  return new Set(landings.filter((landing) => landing.ancestors.some((id) => ids.has(id))).map((landing) => landing.demandId));
}

/** A demand as an explanation names it: its title when known, else its id. */
export function demandLabel(titles: DemandTitles, demandId: number | null): string {
  if (demandId === null) return '该事项';
  const title = titles(demandId);
  return title !== undefined && title.trim() !== '' ? quoteTitle(title) : `事项#${demandId}`;
}

/** The demands named first, and how many there are when more than shown (`等 N 个事项`). */
export function namedDemandsText(titles: DemandTitles, demandIds: readonly number[], shown: number): string {
  const named = demandIds.slice(0, shown).map((id) => demandLabel(titles, id));
  return named.join('、') + (demandIds.length > named.length ? `等 ${demandIds.length} 个事项` : '');
}

/**
 * Typed reads of stored evidence (JSON read back from the database): a missing or mistyped value
 * reads as `?` or empty rather than failing the page a coordinator opened.
 */
export const evidenceOf = (evidence: Record<string, unknown>) => ({
  number(name: string): number | '?' {
    const value = evidence[name];
    return typeof value === 'number' && Number.isFinite(value) ? value : '?';
  },
  text(name: string): string {
    const value = evidence[name];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : '?';
  },
  ids(name: string): number[] {
    const value = evidence[name];
    return Array.isArray(value) ? value.filter((id): id is number => Number.isInteger(id)) : [];
  },
  threshold(name: string): number | '?' {
    const thresholds = evidence.thresholds;
    const value = thresholds !== null && typeof thresholds === 'object' ? (thresholds as Record<string, unknown>)[name] : undefined;
    return typeof value === 'number' && Number.isFinite(value) ? value : '?';
  },
  list(name: string): Record<string, unknown>[] {
    const value = evidence[name];
    return Array.isArray(value) ? value.filter((item): item is Record<string, unknown> => item !== null && typeof item === 'object') : [];
  },
});

/** Triggering dates listed in a finding's evidence at most; `triggerCount` says how many there were. */
export const TRIGGER_DATES_LIMIT = 31;
/** Earlier landings listed in a finding's evidence at most. */
export const EARLIER_LIMIT = 50;

/**
 * At most one finding per subject (a demand, or a demand and quarter): the first triggering day
 * builds it and names it in `landsOn`; later triggering days are only listed in the evidence
 * (`triggeredOn`, `triggerCount`).
 */
export class FindingsOncePerSubject {
  private readonly found = new Map<string, { finding: Finding; dates: string[]; count: number }>();

  has(subject: string): boolean {
    return this.found.has(subject);
  }

  record(subject: string, day: number, build: () => Finding): void {
    const seen = this.found.get(subject);
    if (seen) {
      seen.count++;
      if (seen.dates.length < TRIGGER_DATES_LIMIT) seen.dates.push(dateOfDay(day));
      return;
    }
    const finding = build();
    this.found.set(subject, { finding, dates: [finding.landsOn], count: 1 });
  }

  findings(): Finding[] {
    return [...this.found.values()].map(({ finding, dates, count }) => {
      // The finding was built here and never handed out: completing it in place is safe.
      finding.evidence.triggeredOn = dates;
      finding.evidence.triggerCount = count;
      return finding;
    });
  }
}

/** A finding about the later demand on one unit; its explanation is rendered from the evidence when read (`UnitRule.explain`). */
export function unitFinding(rule: RuleCode, landing: Landing, unitId: number, day: number, evidence: Record<string, unknown>, period = ''): Finding {
  return {
    rule,
    demandId: landing.demandId,
    reportId: null,
    issuerId: landing.issuerId,
    target: { kind: 'unit', unitId },
    period,
    landsOn: dateOfDay(day),
    explanation: '',
    evidence,
  };
}
