import type { OtherSubtype, PolicyStandardTimes } from '@/modules/policy/policy-document';

export const DEMAND_KINDS = ['inspection', 'report', 'meeting', 'document', 'other'] as const;
export type DemandKind = (typeof DEMAND_KINDS)[number];

/** The kind-specific facts a standard time is computed from. */
export interface EstimateInput {
  kind: DemandKind;
  fieldCount?: number;
  durationMinutes?: number;
  attendeesPerTarget?: number;
  onSiteDays?: number;
  charCount?: number;
  subtype?: OtherSubtype;
}

/**
 * Standard time per target and occurrence, in whole minutes (DESIGN §5):
 * report = fields × minutes per field + overhead; meeting = (duration + travel) × attendees;
 * inspection = on-site days × hours per day × 60 × escorts + preparation;
 * document = characters ÷ reading speed + handling; other = the subtype's standard minutes.
 */
export function standardMinutes(input: EstimateInput, times: PolicyStandardTimes): number {
  switch (input.kind) {
    case 'report':
      return (input.fieldCount ?? 0) * times.reportMinutesPerField.value + times.reportOverheadMinutes.value;
    case 'meeting':
      return ((input.durationMinutes ?? 0) + times.meetingTravelMinutes.value) * (input.attendeesPerTarget ?? 1);
    case 'inspection':
      return Math.round((input.onSiteDays ?? 0) * times.onSiteDayHours.value * 60 * times.inspectionEscorts.value) + times.inspectionPreparationMinutes.value;
    case 'document':
      return Math.ceil((input.charCount ?? 0) / times.documentReadingCharsPerMinute.value) + times.documentHandlingMinutes.value;
    case 'other':
      return input.subtype ? times.otherMinutesBySubtype.value[input.subtype] : 0;
  }
}

/** The issuer's own estimate in hours per target, as whole minutes. */
export function hoursToMinutes(hours: number): number {
  return Math.round(hours * 60);
}
