import { addDays, addMonthsClamped, CalendarDate, CalendarMonth, daysBetween, monthOf } from './calendar/working-days';
import type { Recurrence } from '@/modules/policy/policy-document';

/** What decides when a demand lands: DESIGN §2 Occurrences. */
export interface OccurrenceSchedule {
  issuedOn: CalendarDate;
  startsOn?: CalendarDate | null;
  dueOn?: CalendarDate | null;
  recurrence: Recurrence;
  /** Inclusive last day a recurring demand may land; null for `once`. */
  until?: CalendarDate | null;
  /** Occurrences landing after this day do not count (the demand was cancelled). */
  cancelledOn?: CalendarDate | null;
}

/** A recurring demand may run at most this long, so a typo cannot create a century of work. */
export const MAX_RECURRENCE_DAYS = 5 * 366;

/** The day a demand lands: startsOn, else dueOn, else issuedOn. */
export function landingDate(s: Pick<OccurrenceSchedule, 'issuedOn' | 'startsOn' | 'dueOn'>): CalendarDate {
  return s.startsOn ?? s.dueOn ?? s.issuedOn;
}

/** The k-th landing (k = 0 is the first), each interval counted from the first so months never drift. */
function nthLanding(first: CalendarDate, recurrence: Recurrence, k: number): CalendarDate {
  switch (recurrence) {
    case 'once':
      return first;
    case 'daily':
      return addDays(first, k);
    case 'weekly':
      return addDays(first, 7 * k);
    case 'monthly':
      return addMonthsClamped(first, k);
    case 'quarterly':
      return addMonthsClamped(first, 3 * k);
    case 'yearly':
      return addMonthsClamped(first, 12 * k);
  }
}

/** Every landing date, in order, up to `until` and not after a cancellation. */
export function landingDates(s: OccurrenceSchedule): CalendarDate[] {
  const first = landingDate(s);
  const stop = [s.recurrence === 'once' ? first : (s.until ?? first), s.cancelledOn ?? null]
    .filter((d): d is CalendarDate => d !== null)
    .reduce((a, b) => (daysBetween(a, b) < 0 ? b : a));
  const dates: CalendarDate[] = [];
  for (let k = 0; ; k++) {
    const date = nthLanding(first, s.recurrence, k);
    if (daysBetween(date, stop) < 0) break;
    dates.push(date);
    if (s.recurrence === 'once') break;
  }
  return dates;
}

/** Occurrences per month, the shape the registry stores (one row per demand and month, not per target). */
export function occurrencesByMonth(s: OccurrenceSchedule): Map<CalendarMonth, number> {
  const counts = new Map<CalendarMonth, number>();
  for (const date of landingDates(s)) {
    const month = monthOf(date);
    counts.set(month, (counts.get(month) ?? 0) + 1);
  }
  return counts;
}
