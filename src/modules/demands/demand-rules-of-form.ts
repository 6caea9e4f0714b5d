import type { ErrorDetail } from '@/common/errors/domain-error';
import type { Recurrence } from '@/modules/policy/policy-document';
import { daysBetween, isCalendarDate } from './calendar/working-days';
import type { DemandKind } from './estimate';
import { landingDate, MAX_RECURRENCE_DAYS } from './occurrences';

/** The kind-specific fields, and which kind each belongs to. */
const FIELD_KIND: Record<string, DemandKind> = {
  fields: 'report',
  durationMinutes: 'meeting',
  attendeesPerTarget: 'meeting',
  attendeeLevels: 'meeting',
  planItemId: 'inspection',
  onSiteDays: 'inspection',
  jointWith: 'inspection',
  charCount: 'document',
  special: 'document',
  subtype: 'other',
  appRequirements: 'other',
};

const REQUIRED: Record<DemandKind, string[]> = {
  report: ['fields'],
  meeting: ['durationMinutes', 'attendeesPerTarget'],
  inspection: ['onSiteDays'],
  document: ['charCount'],
  other: ['subtype'],
};

/**
 * What a body of this kind lacks or carries that belongs to another kind: a report needs fields,
 * a meeting duration and attendees, an inspection its days on site, a document its length,
 * `other` a subtype; app requirements only for an app task.
 */
export function kindProblems(kind: DemandKind, body: Record<string, unknown>): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  for (const field of REQUIRED[kind]) {
    if (body[field] === undefined) problems.push({ field, message: `a ${kind} needs ${field}` });
  }
  for (const [field, owner] of Object.entries(FIELD_KIND)) {
    if (owner !== kind && body[field] !== undefined) problems.push({ field, message: `${field} belongs to a ${owner}, not a ${kind}` });
  }
  if (kind === 'other' && body.appRequirements !== undefined && body.subtype !== 'app_task') {
    problems.push({ field: 'appRequirements', message: 'app requirements belong to subtype app_task' });
  }
  return problems;
}

/** The parts of a demand the form rules look at. */
export interface DemandForm {
  kind: DemandKind;
  issuedOn: string;
  startsOn?: string;
  dueOn?: string;
  recurrence: Recurrence;
  until?: string;
  targetUnitIds?: unknown[];
  targetScopes?: unknown[];
  [field: string]: unknown;
}

/**
 * Everything wrong with a demand that needs no database: kind-specific fields, real calendar
 * dates, due and start not before issue, an end date exactly when recurring (at most five years),
 * and at least one target. Shared by registration, editing and the bulk import.
 */
export function formProblems(form: DemandForm): ErrorDetail[] {
  const problems: ErrorDetail[] = kindProblems(form.kind, form);
  let datesOk = true;
  for (const field of ['issuedOn', 'startsOn', 'dueOn', 'until'] as const) {
    const value = form[field];
    if (value !== undefined && !isCalendarDate(value)) {
      problems.push({ field, message: `${String(value)} is not a calendar date` });
      datesOk = false;
    }
  }
  if (!form.targetUnitIds?.length && !form.targetScopes?.length) problems.push({ field: 'targetUnitIds', message: 'name the targets: targetUnitIds and/or targetScopes' });
  if (!datesOk) return problems;
  if (form.dueOn !== undefined && daysBetween(form.issuedOn, form.dueOn) < 0) problems.push({ field: 'dueOn', message: `is before the issue date ${form.issuedOn}` });
  if (form.startsOn !== undefined && daysBetween(form.issuedOn, form.startsOn) < 0) problems.push({ field: 'startsOn', message: `is before the issue date ${form.issuedOn}` });
  if (form.startsOn !== undefined && form.dueOn !== undefined && daysBetween(form.startsOn, form.dueOn) < 0) {
    problems.push({ field: 'dueOn', message: `is before the start ${form.startsOn}` });
  }
  const lands = landingDate(form);
  if (form.recurrence === 'once') {
    if (form.until !== undefined) problems.push({ field: 'until', message: 'only a recurring demand has an end date' });
  } else if (form.until === undefined) {
    problems.push({ field: 'until', message: `a ${form.recurrence} demand needs the last day it recurs` });
  } else if (daysBetween(lands, form.until) < 0) {
    problems.push({ field: 'until', message: `is before the first landing ${lands}` });
  } else if (daysBetween(lands, form.until) > MAX_RECURRENCE_DAYS) {
    problems.push({ field: 'until', message: 'a demand may recur for at most five years' });
  }
  return problems;
}
