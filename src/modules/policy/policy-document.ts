/**
 * The policy document (DESIGN §2 Policy): the thresholds of the rules (§4) and the standard times
 * that fill missing estimates (§5), each number with its source. `data/policy.json` is version 1;
 * PUT /policy stores a new version after `validatePolicyDocument` accepts it.
 *
 * Pure: no I/O, no framework. The entries are described once, in THRESHOLD_SPECS and
 * STANDARD_TIME_SPECS; the TypeScript types are derived from those tables, so a threshold cannot
 * be added to the type without being validated, or the other way round.
 */
import { LEVELS, Level } from '@/common/auth/actor';
import { isCalendarDate } from '@/common/time';

export const RECURRENCES = ['once', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly'] as const;
export type Recurrence = (typeof RECURRENCES)[number];
export const APP_REQUIREMENTS = [
  'clock_in',
  'usage_ranking',
  'online_time',
  'forced_install',
  'photo_upload',
  'location_upload',
  'instant_reply',
] as const;
export type AppRequirement = (typeof APP_REQUIREMENTS)[number];
export const TRACE_KINDS = ['photos', 'screenshots', 'paper_ledgers', 'videos'] as const;
export type TraceKind = (typeof TRACE_KINDS)[number];
export const DUTY_KINDS = ['core', 'supporting', 'withdrawn', 'negative'] as const;
export type DutyKind = (typeof DUTY_KINDS)[number];
export const OTHER_SUBTYPES = ['app_task', 'certificate', 'campaign', 'responsibility_letter', 'veto_item', 'secondment'] as const;
export type OtherSubtype = (typeof OTHER_SUBTYPES)[number];

/** A veto item or responsibility letter the policy allows (VETO_OR_LETTER does not fire on it). */
export interface WhitelistEntry {
  subtype: 'veto_item' | 'responsibility_letter';
  title: string;
  /** The document that allows it. */
  basis: string;
  topic?: string;
}

/** One number (or list) of the policy with where it comes from. */
export interface PolicyEntry<T> {
  value: T;
  source: string;
  unit?: string;
  note?: string;
}

export interface PolicyProblem {
  /** JSON path of the offending value, e.g. `thresholds.meetingMaxMinutes.value`. */
  path: string;
  message: string;
}

// ---------------------------------------------------------------------------------------------
// Value specifications
// ---------------------------------------------------------------------------------------------

interface ValueSpec<T> {
  parse(value: unknown, path: string, problems: PolicyProblem[]): T | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A whole number in [min, max]. */
function integer(min: number, max: number): ValueSpec<number> {
  return {
    parse(value, path, problems) {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        problems.push({ path, message: 'must be a whole number' });
        return undefined;
      }
      if (value < min || value > max) {
        problems.push({ path, message: `must be between ${min} and ${max}, got ${value}` });
        return undefined;
      }
      return value;
    },
  };
}

/** A finite number with exclusiveMin < value ≤ max. */
function real(exclusiveMin: number, max: number): ValueSpec<number> {
  return {
    parse(value, path, problems) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        problems.push({ path, message: 'must be a number' });
        return undefined;
      }
      if (value <= exclusiveMin || value > max) {
        problems.push({ path, message: `must be greater than ${exclusiveMin} and at most ${max}, got ${value}` });
        return undefined;
      }
      return value;
    },
  };
}

/** A list of distinct members of `allowed`; an empty list is valid and means the rule never fires on it. */
function enumList<T extends string>(allowed: readonly T[]): ValueSpec<T[]> {
  const isMember = (item: unknown): item is T => typeof item === 'string' && (allowed as readonly string[]).includes(item);
  return {
    parse(value, path, problems) {
      if (!Array.isArray(value)) {
        problems.push({ path, message: `must be a list of ${allowed.join(' | ')}` });
        return undefined;
      }
      const before = problems.length;
      const seen = new Set<T>();
      value.forEach((item: unknown, i) => {
        if (!isMember(item)) problems.push({ path: `${path}[${i}]`, message: `must be one of ${allowed.join(' | ')}` });
        else if (seen.has(item)) problems.push({ path: `${path}[${i}]`, message: `${item} is listed twice` });
        else seen.add(item);
      });
      return problems.length === before ? [...seen] : undefined;
    },
  };
}

/** An object with all the `required` keys and any of the `optional` ones, each value parsed by `item`. */
function keyed<R extends string, O extends string, T>(
  required: readonly R[],
  optional: readonly O[],
  item: ValueSpec<T>,
): ValueSpec<Record<R, T> & Partial<Record<O, T>>> {
  const allowed: readonly string[] = [...required, ...optional];
  return {
    parse(value, path, problems) {
      if (!isRecord(value)) {
        problems.push({ path, message: `must be an object keyed by ${allowed.join(' | ')}` });
        return undefined;
      }
      const before = problems.length;
      const result: Record<string, T> = {};
      for (const key of required) {
        if (!(key in value)) problems.push({ path: `${path}.${key}`, message: 'is required' });
      }
      for (const [key, raw] of Object.entries(value)) {
        if (!allowed.includes(key)) {
          problems.push({ path: `${path}.${key}`, message: `is not one of ${allowed.join(' | ')}` });
          continue;
        }
        const parsed = item.parse(raw, `${path}.${key}`, problems);
        if (parsed !== undefined) result[key] = parsed;
      }
      // No new problem: every required key is present and every key is allowed and parsed.
      return problems.length === before ? (result as Record<R, T> & Partial<Record<O, T>>) : undefined;
    },
  };
}

function nonBlank(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

const whitelist: ValueSpec<WhitelistEntry[]> = {
  parse(value, path, problems) {
    if (!Array.isArray(value)) {
      problems.push({ path, message: 'must be a list of { subtype, title, basis, topic? }' });
      return undefined;
    }
    const before = problems.length;
    const entries: WhitelistEntry[] = [];
    value.forEach((raw: unknown, i) => {
      const at = `${path}[${i}]`;
      if (!isRecord(raw)) {
        problems.push({ path: at, message: 'must be { subtype, title, basis, topic? }' });
        return;
      }
      const { subtype, title, basis, topic, ...rest } = raw;
      if (subtype !== 'veto_item' && subtype !== 'responsibility_letter') {
        problems.push({ path: `${at}.subtype`, message: 'must be veto_item | responsibility_letter' });
      }
      if (!nonBlank(title)) problems.push({ path: `${at}.title`, message: 'must be a non-empty string' });
      if (!nonBlank(basis)) problems.push({ path: `${at}.basis`, message: 'must name the document that allows it' });
      if (topic !== undefined && !nonBlank(topic)) problems.push({ path: `${at}.topic`, message: 'must be a non-empty string' });
      for (const key of Object.keys(rest)) problems.push({ path: `${at}.${key}`, message: 'is not a whitelist field' });
      if ((subtype === 'veto_item' || subtype === 'responsibility_letter') && nonBlank(title) && nonBlank(basis)) {
        entries.push(nonBlank(topic) ? { subtype, title, basis, topic } : { subtype, title, basis });
      }
    });
    return problems.length === before ? entries : undefined;
  },
};

const DAYS = integer(1, 3660);
const MINUTES = integer(1, 100_000);
const SHARE = real(0, 1);

// ---------------------------------------------------------------------------------------------
// The entries
// ---------------------------------------------------------------------------------------------

export const THRESHOLD_SPECS = {
  duplicateDataShare: SHARE,
  duplicateDataWindowDays: DAYS,
  duplicateInspectionCount: integer(2, 1000),
  duplicateInspectionWindowDays: DAYS,
  inspectionQuotaPerQuarter: keyed<Level, Level, number>(['township', 'village'], ['province', 'prefecture', 'county'], integer(1, 10_000)),
  meetingMaxMinutes: integer(1, 24 * 60),
  meetingMaxGrassrootsAttendees: integer(1, 1_000_000),
  meetingAttendeeLevelsDown: integer(1, LEVELS.length - 1),
  shortDeadlineWorkingDays: integer(1, 366),
  frequentReportRecurrences: enumList(RECURRENCES),
  escalationMinShareOfParentWorkingDays: SHARE,
  documentMaxChars: integer(1, 10_000_000),
  specialDocumentMaxChars: integer(1, 10_000_000),
  hiddenBurdenRatio: real(1, 1000),
  vetoLetterWhitelist: whitelist,
  digitalFormalismAppRequirements: enumList(APP_REQUIREMENTS),
  excessiveTraceKinds: enumList(TRACE_KINDS),
  // core and supporting duties are the level's own work: only these two can put a topic out of scope.
  outOfScopeDutyKinds: enumList(['withdrawn', 'negative'] as const satisfies readonly DutyKind[]),
  jointInspectionWindowDays: DAYS,
} satisfies Record<string, ValueSpec<unknown>>;

export const STANDARD_TIME_SPECS = {
  reportMinutesPerField: MINUTES,
  reportOverheadMinutes: MINUTES,
  meetingTravelMinutes: MINUTES,
  onSiteDayHours: integer(1, 24),
  inspectionEscorts: integer(1, 1000),
  inspectionPreparationMinutes: MINUTES,
  documentReadingCharsPerMinute: integer(1, 100_000),
  documentHandlingMinutes: MINUTES,
  otherMinutesBySubtype: keyed<OtherSubtype, never, number>(OTHER_SUBTYPES, [], MINUTES),
} satisfies Record<string, ValueSpec<unknown>>;

type ValueOf<S> = S extends ValueSpec<infer T> ? T : never;
type EntriesOf<Specs> = { readonly [K in keyof Specs]: PolicyEntry<ValueOf<Specs[K]>> };

export type PolicyThresholds = EntriesOf<typeof THRESHOLD_SPECS>;
export type PolicyStandardTimes = EntriesOf<typeof STANDARD_TIME_SPECS>;
export type ThresholdName = keyof PolicyThresholds;
export type StandardTimeName = keyof PolicyStandardTimes;

export interface PolicyDocument {
  version: number;
  /** The first day (YYYY-MM-DD) the version applies to. */
  effectiveFrom: string;
  note?: string;
  thresholds: PolicyThresholds;
  standardTimes: PolicyStandardTimes;
}

export type PolicyValidation = { ok: true; policy: PolicyDocument } | { ok: false; errors: PolicyProblem[] };

const ENTRY_FIELDS = ['value', 'source', 'unit', 'note'];

function parseEntries<Specs extends Record<string, ValueSpec<unknown>>>(
  specs: Specs,
  raw: unknown,
  path: string,
  problems: PolicyProblem[],
): EntriesOf<Specs> | undefined {
  if (!isRecord(raw)) {
    problems.push({ path, message: 'must be an object of name → { value, source, unit?, note? }' });
    return undefined;
  }
  const before = problems.length;
  const result: Record<string, PolicyEntry<unknown>> = {};
  for (const name of Object.keys(specs)) {
    const at = `${path}.${name}`;
    const entry = raw[name];
    if (entry === undefined) {
      problems.push({ path: at, message: 'is required' });
      continue;
    }
    if (!isRecord(entry)) {
      problems.push({ path: at, message: 'must be { value, source, unit?, note? }' });
      continue;
    }
    for (const key of Object.keys(entry)) {
      if (!ENTRY_FIELDS.includes(key)) problems.push({ path: `${at}.${key}`, message: 'is not one of value | source | unit | note' });
    }
    if (!nonBlank(entry.source)) problems.push({ path: `${at}.source`, message: 'must cite where the number comes from' });
    for (const key of ['unit', 'note'] as const) {
      if (entry[key] !== undefined && typeof entry[key] !== 'string') problems.push({ path: `${at}.${key}`, message: 'must be a string' });
    }
    if (!('value' in entry)) {
      problems.push({ path: `${at}.value`, message: 'is required' });
      continue;
    }
    const value = specs[name].parse(entry.value, `${at}.value`, problems);
    if (value !== undefined && nonBlank(entry.source)) {
      result[name] = {
        value,
        source: entry.source,
        ...(typeof entry.unit === 'string' ? { unit: entry.unit } : {}),
        ...(typeof entry.note === 'string' ? { note: entry.note } : {}),
      };
    }
  }
  for (const name of Object.keys(raw)) {
    if (!(name in specs)) problems.push({ path: `${path}.${name}`, message: 'is not a known entry (misspelt?)' });
  }
  // The loop above filled every key of `specs` with a value its spec accepted.
  return problems.length === before ? (result as EntriesOf<Specs>) : undefined;
}

/**
 * Checks a policy document (the shipped `data/policy.json` or a PUT /policy body): version a
 * positive integer, effectiveFrom a date, every threshold and standard time present with a
 * valid value and a non-empty source, nothing unknown, and the cross-entry rule
 * specialDocumentMaxChars ≤ documentMaxChars. Returns a fresh object, never the input.
 */
export function validatePolicyDocument(json: unknown): PolicyValidation {
  const problems: PolicyProblem[] = [];
  if (!isRecord(json)) return { ok: false, errors: [{ path: '', message: 'must be a JSON object' }] };

  const { version, effectiveFrom, note, thresholds, standardTimes, ...rest } = json;
  const validVersion = typeof version === 'number' && Number.isInteger(version) && version >= 1 ? version : undefined;
  if (validVersion === undefined) problems.push({ path: 'version', message: 'must be a whole number ≥ 1' });
  const validEffectiveFrom = typeof effectiveFrom === 'string' && isCalendarDate(effectiveFrom) ? effectiveFrom : undefined;
  if (validEffectiveFrom === undefined) problems.push({ path: 'effectiveFrom', message: 'must be a date YYYY-MM-DD' });
  if (note !== undefined && typeof note !== 'string') problems.push({ path: 'note', message: 'must be a string' });
  for (const key of Object.keys(rest)) problems.push({ path: key, message: 'is not a policy field' });

  const parsedThresholds = parseEntries(THRESHOLD_SPECS, thresholds, 'thresholds', problems);
  const parsedStandardTimes = parseEntries(STANDARD_TIME_SPECS, standardTimes, 'standardTimes', problems);

  if (parsedThresholds && parsedThresholds.specialDocumentMaxChars.value > parsedThresholds.documentMaxChars.value) {
    problems.push({
      path: 'thresholds.specialDocumentMaxChars.value',
      message: `must not exceed documentMaxChars (${parsedThresholds.documentMaxChars.value})`,
    });
  }

  if (problems.length > 0 || !parsedThresholds || !parsedStandardTimes || validVersion === undefined || validEffectiveFrom === undefined) {
    return { ok: false, errors: problems };
  }
  return {
    ok: true,
    policy: {
      version: validVersion,
      effectiveFrom: validEffectiveFrom,
      ...(typeof note === 'string' ? { note } : {}),
      thresholds: parsedThresholds,
      standardTimes: parsedStandardTimes,
    },
  };
}
