/**
 * Plausibility of the figures in a burden report (issue 4): pure, no I/O, every problem at once,
 * each naming the body field that is wrong (answered as 422).
 *
 * Definitions:
 * - `hoursSpent` is all the time the report covers, overtime included; `overtimeHours` is the part
 *   of it worked outside office hours, so it can never exceed `hoursSpent`.
 * - What the staff could have worked in the month = staff × working days of the month (official
 *   calendar, holidays off, make-up days on) × 8 h, plus the overtime reported. The staff is
 *   `staffInvolved` when given, else the unit's staff in force for the month.
 * - Overtime itself is bounded by the hours outside office hours: staff × (calendar days × 24 h −
 *   working days × 8 h); beyond that the figure is impossible.
 * - `staffInvolved` is at least 1 and at most the unit's staff in force for the month.
 * - Negative numbers are 422 here (not 400 from validation), so every range problem has one shape.
 */
import type { ErrorDetail } from '@/common/errors/domain-error';

export const HOURS_PER_WORKING_DAY = 8;
/** Pages and photos beyond this are typing errors, and would overflow a 32-bit column long before. */
export const MAX_COUNT = 1_000_000;

export interface ReportFigures {
  hoursSpent: number;
  overtimeHours: number;
  /** Null when the reporter did not say (confirmations, or left out). */
  staffInvolved: number | null;
  pages: number;
  photos: number;
}

export interface MonthCapacity {
  /** The unit's staff in force for the month. */
  staffInForce: number;
  workingDays: number;
  calendarDays: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Hours the staff could have worked in office hours in the month. */
export function officeHoursCapacity(staff: number, workingDays: number): number {
  return staff * workingDays * HOURS_PER_WORKING_DAY;
}

export function figureProblems(f: ReportFigures, month: string, capacity: MonthCapacity): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  if (f.hoursSpent < 0) add('hoursSpent', 'must not be negative');
  if (f.overtimeHours < 0) add('overtimeHours', 'must not be negative');
  for (const field of ['pages', 'photos'] as const) {
    if (f[field] < 0) add(field, 'must not be negative');
    else if (f[field] > MAX_COUNT) add(field, `must not exceed ${MAX_COUNT}`);
  }
  if (f.staffInvolved !== null) {
    if (f.staffInvolved < 1) add('staffInvolved', 'must be at least 1');
    else if (f.staffInvolved > capacity.staffInForce) {
      add('staffInvolved', `is more than the ${capacity.staffInForce} staff the unit had in ${month}`);
    }
  }
  if (problems.length) return problems;

  if (f.overtimeHours > f.hoursSpent) add('overtimeHours', 'cannot exceed hoursSpent: overtime is part of the hours spent');
  const staff = f.staffInvolved ?? capacity.staffInForce;
  const office = officeHoursCapacity(staff, capacity.workingDays);
  if (f.hoursSpent > office + f.overtimeHours) {
    add(
      'hoursSpent',
      `is more than ${staff} staff could have worked in ${month}: ${staff} × ${capacity.workingDays} working days × ${HOURS_PER_WORKING_DAY} h + ${round2(f.overtimeHours)} h overtime = ${round2(office + f.overtimeHours)} h`,
    );
  }
  const offHours = staff * (capacity.calendarDays * 24 - capacity.workingDays * HOURS_PER_WORKING_DAY);
  if (f.overtimeHours > offHours) add('overtimeHours', `is more than the ${round2(offHours)} h outside office hours ${staff} staff had in ${month}`);
  return problems;
}

/** Whether `month` (YYYY-MM) lies after the month of `today` (YYYY-MM-DD); string order is calendar order. */
export function isFutureMonth(month: string, today: string): boolean {
  return month > today.slice(0, 7);
}

/** Whether `date` (YYYY-MM-DD) lies after `today`. */
export function isFutureDate(date: string, today: string): boolean {
  return date > today;
}

/** Hours to whole minutes, the stored unit; 0.01 h rounds to 1 min. */
export function hoursToMinutes(hours: number): number {
  return Math.round(hours * 60);
}

/** Whole minutes to hours with two decimals, as the API shows them. */
export function minutesToHours(minutes: number): number {
  return Math.round((minutes / 60) * 100) / 100;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
/** A real month written YYYY-MM. */
export function isCalendarMonth(value: string): boolean {
  const m = MONTH.exec(value);
  return m !== null && Number(m[1]) >= 1;
}
