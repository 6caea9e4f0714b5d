import type { CalendarMonth } from '@/modules/demands/calendar/working-days';
import { occurrencesByMonth, type OccurrenceSchedule } from '@/modules/demands/occurrences';
import type { Period } from '@/modules/demands/calendar/period';

export interface MonthOccurrences {
  month: CalendarMonth;
  occurrences: number;
}

export interface OccurrencesInPeriod {
  /** Every month of the period in order, months without a landing included with 0. */
  byMonth: MonthOccurrences[];
  total: number;
}

/**
 * How often a demand lands in a period (DESIGN §2 Occurrences): calendar landings, so a landing on
 * a holiday still counts; recurrences clamp to month ends; nothing after a cancellation counts.
 */
export function occurrencesInPeriod(schedule: OccurrenceSchedule, period: Pick<Period, 'months'>): OccurrencesInPeriod {
  const counts = occurrencesByMonth(schedule);
  const byMonth = period.months.map((month) => ({ month, occurrences: counts.get(month) ?? 0 }));
  return { byMonth, total: byMonth.reduce((sum, m) => sum + m.occurrences, 0) };
}
