import { fromEpochDay } from '@/modules/demands/calendar/working-days';
import type { Finding, RuleCode } from './rule';
import { quoteTitle } from './rule-support';
import type { Landing, UnitRuleContext } from './unit-rule';

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

/** A demand as an explanation names it: its title when the engine gave one, else its id. */
export function demandLabel(context: UnitRuleContext, demandId: number): string {
  const title = context.demandTitle?.(demandId);
  return title !== undefined && title.trim() !== '' ? quoteTitle(title) : `事项#${demandId}`;
}

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

/** A finding about the later demand on one unit. */
export function unitFinding(
  rule: RuleCode,
  landing: Landing,
  unitId: number,
  day: number,
  explanation: string,
  evidence: Record<string, unknown>,
  period = '',
): Finding {
  return {
    rule,
    demandId: landing.demandId,
    reportId: null,
    issuerId: landing.issuerId,
    target: { kind: 'unit', unitId },
    period,
    landsOn: dateOfDay(day),
    explanation,
    evidence,
  };
}
