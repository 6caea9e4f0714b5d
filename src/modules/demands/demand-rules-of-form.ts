import type { ErrorDetail } from '@/common/errors/domain-error';
import type { DemandKind } from './estimate';

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
