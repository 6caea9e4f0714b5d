/**
 * Test data for the rule specs (imported only by *.spec.ts): the shipped policy's thresholds,
 * demand facts and landings with readable defaults, and the real working-day calendar.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { toEpochDay, workingDaysBetween } from '@/modules/demands/calendar/working-days';
import { validatePolicyDocument, type PolicyThresholds, type ThresholdName } from '@/modules/policy/policy-document';
import type { DemandFacts, DemandRuleContext, Finding } from './rule';
import type { Landing, UnitLandings, UnitRuleContext } from './unit-rule';

/** Any Han character: the explanation is written in Chinese. */
export const CHINESE = /[\u4e00-\u9fff]/;

let shipped: PolicyThresholds | undefined;

/** The thresholds of data/policy.json (version 1), validated as the service validates them. */
export function shippedThresholds(): PolicyThresholds {
  if (!shipped) {
    const file = join(__dirname, '..', '..', '..', '..', 'data', 'policy.json');
    const validation = validatePolicyDocument(JSON.parse(readFileSync(file, 'utf8')));
    if (!validation.ok) throw new Error(`data/policy.json is invalid: ${JSON.stringify(validation.errors)}`);
    shipped = validation.policy.thresholds;
  }
  return shipped;
}

export type ThresholdValues = { [K in ThresholdName]?: PolicyThresholds[K]['value'] };

/** The shipped thresholds with some values replaced. */
export function thresholdsWith(values: ThresholdValues): PolicyThresholds {
  const base = shippedThresholds();
  const result: Record<string, unknown> = { ...base };
  for (const [name, value] of Object.entries(values)) {
    result[name] = { ...base[name as ThresholdName], value };
  }
  return result as PolicyThresholds;
}

/** A county department's once-only document to townships, unless told otherwise. */
export function demandFacts(overrides: Partial<DemandFacts> = {}): DemandFacts {
  return {
    id: 101,
    issuerId: 7,
    issuerLevel: 'county',
    kind: 'document',
    subtype: null,
    title: '关于开展安全生产大检查的通知',
    topic: '安全生产',
    basis: null,
    issuedOn: '2026-03-02',
    startsOn: null,
    dueOn: null,
    landsOn: '2026-03-02',
    recurrence: 'once',
    until: null,
    status: 'active',
    requiresTrace: [],
    fieldKeys: [],
    durationMinutes: null,
    attendeesPerTarget: null,
    attendeeLevels: [],
    charCount: null,
    special: false,
    appRequirements: [],
    parentDemandId: null,
    planItemId: null,
    targetCount: 12,
    targetLevels: ['township'],
    ...overrides,
  };
}

/** The shipped thresholds, the official calendar, no parent, no plan, no duty list entries. */
export function demandContext(overrides: Partial<DemandRuleContext> = {}): DemandRuleContext {
  return {
    thresholds: shippedThresholds(),
    workingDaysBetween,
    parent: null,
    approvedPlan: null,
    dutyKindsByLevel: {},
    ...overrides,
  };
}

/** Epoch day of a date. */
export function day(date: string): number {
  return toEpochDay(date);
}

export type LandingInput = Partial<Omit<Landing, 'days'>> & { demandId: number; days: readonly (string | number)[] };

/** A landing with dates written YYYY-MM-DD (or epoch days); a report by issuer 1 on 统计 unless told otherwise. */
export function landing(input: LandingInput): Landing {
  return {
    issuerId: 1,
    kind: 'report',
    topic: '统计',
    keys: [],
    ancestors: [],
    jointIssuerIds: [],
    planItemId: null,
    ...input,
    days: input.days.map((d) => (typeof d === 'number' ? d : day(d))),
  };
}

/** A village with the given landings, ordered by (first day, id) as the engine hands them in. */
export function unitOf(landings: readonly Landing[], overrides: Partial<Omit<UnitLandings, 'landings'>> = {}): UnitLandings {
  const ordered = [...landings].sort((a, b) => (a.days[0] ?? 0) - (b.days[0] ?? 0) || a.demandId - b.demandId);
  return { unitId: 900, level: 'village', landings: ordered, ...overrides };
}

/** Demand titles `事项甲n`, as the explanations of unit rules read them with the flag. */
export const fixtureTitles = (demandId: number): string | undefined => `事项甲${demandId}`;

/** The year 2026, the shipped thresholds, keys named `字段n`, one planned visit. */
export function unitContext(overrides: Partial<UnitRuleContext> = {}): UnitRuleContext {
  return {
    thresholds: shippedThresholds(),
    fromDay: day('2026-01-01'),
    toDay: day('2026-12-31'),
    keyName: (key) => `字段${key}`,
    plannedVisits: () => 1,
    ...overrides,
  };
}

/** The keys from `from` to `to` inclusive. */
export function keyRange(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Findings by demand id, for assertions. */
export function byDemand(findings: readonly Finding[]): Map<number | null, Finding> {
  return new Map(findings.map((finding) => [finding.demandId, finding]));
}

/** A small deterministic generator (mulberry32) for the randomised comparisons. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
