import { addDays, CalendarDate, officialCalendar, toEpochDay, WorkingDayCalendar } from '@/modules/demands/calendar/working-days';
import { assertCount } from './guards';

/** DESIGN §5: a working day is 8 hours of each staff member in force. */
export const WORKING_MINUTES_PER_DAY = 8 * 60;

/** One entry of a unit's staff history: the count in force from `effectiveFrom` until the next entry. */
export interface StaffChange {
  effectiveFrom: CalendarDate;
  staffCount: number;
}

/** A stretch of days with one staff count, for answers that show how capacity was reached. */
export interface CapacitySegment {
  from: CalendarDate;
  to: CalendarDate;
  staffCount: number;
  workingDays: number;
  minutes: number;
}

const compareDays = (a: CalendarDate, b: CalendarDate) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The history in effective order; of two entries on the same day the later one listed wins.
 * Validated `YYYY-MM-DD` strings sort and compare chronologically as plain strings.
 */
function ordered(history: readonly StaffChange[]): StaffChange[] {
  for (const change of history) {
    toEpochDay(change.effectiveFrom, 'effectiveFrom');
    assertCount(change.staffCount, 'staffCount');
  }
  const sorted = history.map((change, index) => ({ change, index }));
  sorted.sort((a, b) => compareDays(a.change.effectiveFrom, b.change.effectiveFrom) || a.index - b.index);
  return sorted
    .map(({ change }) => change)
    .filter((change, i, all) => i === all.length - 1 || all[i + 1].effectiveFrom !== change.effectiveFrom);
}

/** Staff in force on `day`: the entry with the latest effectiveFrom ≤ day; none yet → 0. */
export function staffInForce(history: readonly StaffChange[], day: CalendarDate): number {
  toEpochDay(day, 'day');
  let count = 0;
  for (const change of ordered(history)) {
    if (change.effectiveFrom > day) break;
    count = change.staffCount;
  }
  return count;
}

/** Working days in `from..to`, both included, in the official calendar (holidays off, make-up days on). */
export function workingDaysIn(from: CalendarDate, to: CalendarDate, calendar: WorkingDayCalendar = officialCalendar): number {
  return calendar.workingDaysInRange(from, to);
}

/**
 * `from..to` cut where the staff count changes, each stretch with its working days and minutes.
 * A change inside the range counts exactly from its effective day. `to` before `from` → 422.
 */
export function capacitySegments(
  history: readonly StaffChange[],
  from: CalendarDate,
  to: CalendarDate,
  calendar: WorkingDayCalendar = officialCalendar,
): CapacitySegment[] {
  calendar.workingDaysInRange(from, to); // validates both days and their order
  const changes = ordered(history).filter((c) => c.effectiveFrom > from && c.effectiveFrom <= to);
  const starts = [{ effectiveFrom: from, staffCount: staffInForce(history, from) }, ...changes];
  return starts.map((start, i) => {
    const end = i + 1 < starts.length ? addDays(starts[i + 1].effectiveFrom, -1) : to;
    const workingDays = calendar.workingDaysInRange(start.effectiveFrom, end);
    return {
      from: start.effectiveFrom,
      to: end,
      staffCount: start.staffCount,
      workingDays,
      minutes: start.staffCount * workingDays * WORKING_MINUTES_PER_DAY,
    };
  });
}

/** Σ over working days d in `from..to` of staffInForce(d) × 8 h, in minutes (DESIGN §5 capacityHours). */
export function capacityMinutes(
  history: readonly StaffChange[],
  from: CalendarDate,
  to: CalendarDate,
  calendar: WorkingDayCalendar = officialCalendar,
): number {
  return capacitySegments(history, from, to, calendar).reduce((sum, segment) => sum + segment.minutes, 0);
}
