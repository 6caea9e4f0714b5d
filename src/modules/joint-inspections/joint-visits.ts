import type { CalendarDate } from '@/modules/demands/calendar/working-days';
import { daysBetween } from '@/modules/demands/calendar/working-days';
import { landingDates, OccurrenceSchedule } from '@/modules/demands/occurrences';

/**
 * 综合查一次 (进一次门、查多项事), DESIGN §4: inspections of one unit by different issuers whose
 * landing dates lie within a window are proposed as one joint visit. Pure: no I/O, dates are
 * `YYYY-MM-DD` strings throughout.
 */

/** One inspection demand reaching the unit, as the grouping needs it. */
export interface UnitInspection {
  demandId: number;
  issuerId: number;
  status: 'active' | 'cancelled';
  /** Issuers the demand records as inspecting in the same visit (`jointWith`). */
  jointWith: readonly number[];
  schedule: OccurrenceSchedule;
}

/** One landing of an inspection on the unit: a recurring inspection lands several times. */
export interface Landing<T extends UnitInspection> {
  inspection: T;
  date: CalendarDate;
}

/** A proposed joint visit: landings of different issuers, all within the window of the first. */
export interface JointVisitGroup<T extends UnitInspection> {
  /** The group's first and last landing dates. */
  from: CalendarDate;
  to: CalendarDate;
  /** Sorted by (date, demand id); at most one landing per issuer. */
  landings: Landing<T>[];
  /** Separate visits the landings stand for today (landings already done jointly count once). */
  visits: number;
  /** visits − 1: the visits saved by making them one. */
  visitsSaved: number;
}

/**
 * The landings of the unit's inspections in [from, to], sorted by (date, demand id). A cancelled
 * inspection yields none: the suggestions plan visits, and a cancelled inspection will not be
 * made (its landings before the cancellation can no longer be merged into anything either).
 */
export function landingsInPeriod<T extends UnitInspection>(inspections: readonly T[], from: CalendarDate, to: CalendarDate): Landing<T>[] {
  const landings: Landing<T>[] = [];
  for (const inspection of inspections) {
    if (inspection.status !== 'active') continue;
    for (const date of landingDates(inspection.schedule)) {
      if (date > to) break;
      if (date >= from) landings.push({ inspection, date });
    }
  }
  return landings.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.inspection.demandId - b.inspection.demandId));
}

/** Two landings were already made as one visit when either demand names the other's issuer in `jointWith`. */
function doneJointly(a: UnitInspection, b: UnitInspection): boolean {
  return a.jointWith.includes(b.issuerId) || b.jointWith.includes(a.issuerId);
}

/** How many separate visits a set of landings stands for: the groups of landings linked by `jointWith`. */
function separateVisits<T extends UnitInspection>(landings: readonly Landing<T>[]): number {
  const parent = landings.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i])));
  for (let i = 0; i < landings.length; i++) {
    for (let j = i + 1; j < landings.length; j++) {
      if (doneJointly(landings[i].inspection, landings[j].inspection)) parent[root(j)] = root(i);
    }
  }
  return new Set(landings.map((_, i) => root(i))).size;
}

/**
 * Greedy grouping of one unit's landings (already sorted by date, then demand id): a group starts
 * at the first landing not yet grouped and takes every later ungrouped landing at most
 * `windowDays` after that first landing whose issuer is not in the group yet (the same issuer
 * twice is a repeat inspection, not a joint one); then the next group starts.
 *
 * Landings already done jointly (one demand's `jointWith` names the other's issuer) go into the
 * group like any other, but count as one visit: they save nothing more. A group that is a single
 * visit (one landing, or landings already done jointly) is not a suggestion and is left out.
 */
export function proposeJointVisits<T extends UnitInspection>(landings: readonly Landing<T>[], windowDays: number): JointVisitGroup<T>[] {
  const grouped = new Array<boolean>(landings.length).fill(false);
  const groups: JointVisitGroup<T>[] = [];
  for (let i = 0; i < landings.length; i++) {
    if (grouped[i]) continue;
    grouped[i] = true;
    const first = landings[i];
    const members = [first];
    const issuers = new Set([first.inspection.issuerId]);
    for (let j = i + 1; j < landings.length; j++) {
      const next = landings[j];
      if (daysBetween(first.date, next.date) > windowDays) break;
      if (grouped[j] || issuers.has(next.inspection.issuerId)) continue;
      grouped[j] = true;
      members.push(next);
      issuers.add(next.inspection.issuerId);
    }
    const visits = separateVisits(members);
    if (visits < 2) continue;
    groups.push({ from: first.date, to: members[members.length - 1].date, landings: members, visits, visitsSaved: visits - 1 });
  }
  return groups;
}
