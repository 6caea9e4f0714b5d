import type { ThresholdName } from '@/modules/policy/policy-document';
import type { Finding } from './rule';
import { formatPercent, joinZh, thresholdValues } from './rule-support';
import type { DemandTitles, ExplainedFlag, Landing, UnitLandings, UnitRule, UnitRuleContext } from './unit-rule';
import {
  DemandChains,
  FindingsOncePerSubject,
  demandLabel,
  evidenceOf,
  landingEvents,
  namedDemandsText,
  unitFinding,
  dateOfDay,
} from './unit-rule-support';

/** Field names and earlier demands named in the explanation; the evidence holds them all. */
const KEYS_IN_TEXT = 10;
const DEMANDS_IN_TEXT = 3;

/** One field key of the new report already asked for by an earlier demand. */
interface EarlierRequest {
  key: number;
  demandId: number;
  day: number;
}

/**
 * DUPLICATE_DATA_REQUEST (多头填报、重复索要数据). For each landing day b of a report B with key
 * set K, the earlier report landings (a, A) < (b, B) with b − a ≤ duplicateDataWindowDays, of
 * demands A other than B itself, its ancestors and the demands passing B on, asked for some of
 * K; B fires when those keys make up at least duplicateDataShare of K.
 *
 * Cost: one pass over the unit's report landing days in (day, id) order, keeping per field key
 * the demands that asked for it with the last day each did (a Map in insertion order, which is
 * ascending last day because the pass goes forward in time: re-asking moves a demand to the end,
 * entries older than the window sit at the front and are dropped when reached). Deciding whether
 * a key was already asked stops at the first entry in the window from an unrelated demand, so a
 * landing day costs O(|K| × (1 + c)) where c is the number of chain-related demands (own,
 * ancestors, those passing it on: a handful) in that key's window. In all
 * O(E log E + E × k × (1 + c)) time for E landing days of k keys, and memory for the distinct
 * (key, demand) pairs of the data given — never a comparison of every pair of demands.
 */
export class DuplicateDataRequestRule implements UnitRule {
  readonly code = 'DUPLICATE_DATA_REQUEST';
  readonly thresholdNames: readonly ThresholdName[] = ['duplicateDataShare', 'duplicateDataWindowDays'];

  evaluateUnit(unit: UnitLandings, context: UnitRuleContext): Finding[] {
    const minShare = context.thresholds.duplicateDataShare.value;
    const windowDays = context.thresholds.duplicateDataWindowDays.value;
    const reports = unit.landings.filter((landing) => landing.kind === 'report' && landing.keys.length > 0);
    if (reports.length < 2) return [];

    const chains = new DemandChains(reports);
    /** key → (demand id → last day it asked for the key), ascending last day. */
    const askedBy = new Map<number, Map<number, number>>();
    const findings = new FindingsOncePerSubject();

    // Landings before fromDay − window can never be within the window of a day ≥ fromDay.
    for (const { day, landing } of landingEvents(reports, context.fromDay - windowDays, context.toDay)) {
      if (day >= context.fromDay) {
        const earlier = this.earlierRequests(landing, day - windowDays, askedBy, chains);
        if (earlier.length / landing.keys.length >= minShare) {
          findings.record(String(landing.demandId), day, () => this.finding(unit, context, landing, day, earlier));
        }
      }
      for (const key of landing.keys) {
        let askers = askedBy.get(key);
        if (!askers) askedBy.set(key, (askers = new Map<number, number>()));
        askers.delete(landing.demandId);
        askers.set(landing.demandId, day);
      }
    }
    return findings.findings();
  }

  /** For each key of `landing` asked within the window by an unrelated demand: that key, the demand and its day. */
  private earlierRequests(
    landing: Landing,
    windowStart: number,
    askedBy: Map<number, Map<number, number>>,
    chains: DemandChains,
  ): EarlierRequest[] {
    const earlier: EarlierRequest[] = [];
    for (const key of landing.keys) {
      const askers = askedBy.get(key);
      if (!askers) continue;
      for (const [demandId, lastDay] of askers) {
        if (lastDay < windowStart) {
          askers.delete(demandId); // out of the window for this and every later day
          continue;
        }
        if (!chains.related(landing, demandId)) {
          earlier.push({ key, demandId, day: lastDay });
          break;
        }
      }
    }
    return earlier;
  }

  private finding(unit: UnitLandings, context: UnitRuleContext, landing: Landing, day: number, earlier: EarlierRequest[]): Finding {
    return unitFinding(this.code, landing, unit.unitId, day, {
      keyCount: landing.keys.length,
      sharedKeyCount: earlier.length,
      share: earlier.length / landing.keys.length,
      // Grouped by the earlier demand (each key named once): at province scale there are hundreds of
      // thousands of these flags, and a row per key tripled the evidence stored.
      earlierRequests: groupByDemand(earlier).map(({ demandId, day: askedDay, keys }) => ({
        demandId,
        askedOn: dateOfDay(askedDay),
        keys: keys.map((key) => context.keyName(key)),
      })),
      earlierDemandIds: [...new Set(earlier.map(({ demandId }) => demandId))].sort((a, b) => a - b),
      windowDays: context.thresholds.duplicateDataWindowDays.value,
      thresholds: thresholdValues(context.thresholds, this.thresholdNames),
    });
  }

  namedDemands(evidence: Record<string, unknown>): number[] {
    return evidenceOf(evidence).ids('earlierDemandIds').slice(0, DEMANDS_IN_TEXT);
  }

  explain(flag: ExplainedFlag, titles: DemandTitles): string {
    const ev = evidenceOf(flag.evidence);
    const share = ev.number('share');
    const minShare = ev.threshold('duplicateDataShare');
    const sharedKeys = ev.list('earlierRequests').flatMap((request) => (Array.isArray(request.keys) ? request.keys.map(String) : []));
    const shownKeys = sharedKeys.slice(0, KEYS_IN_TEXT);
    return (
      `${demandLabel(titles, flag.demandId)}于 ${flag.landsOn} 向本单位索要的 ${ev.number('keyCount')} 个字段中，` +
      `有 ${ev.number('sharedKeyCount')} 个（${share === '?' ? '?' : formatPercent(share)}）已在此前 ${ev.number('windowDays')} 天内由` +
      `${namedDemandsText(titles, ev.ids('earlierDemandIds'), DEMANDS_IN_TEXT)}索要过，` +
      `达到 ${minShare === '?' ? '?' : formatPercent(minShare)} 的重复填报界限；重复的字段：${joinZh(shownKeys)}${sharedKeys.length > shownKeys.length ? '等' : ''}。` +
      `建议向已收集这些数据的部门共享调取，同一数据只填一次。`
    );
  }
}

/** The earlier requests per earlier demand, in demand-id order: its latest asking day in the window and the keys it asked. */
function groupByDemand(earlier: readonly EarlierRequest[]): { demandId: number; day: number; keys: number[] }[] {
  const groups = new Map<number, { demandId: number; day: number; keys: number[] }>();
  for (const e of earlier) {
    const group = groups.get(e.demandId) ?? { demandId: e.demandId, day: e.day, keys: [] };
    group.day = Math.max(group.day, e.day);
    group.keys.push(e.key);
    groups.set(e.demandId, group);
  }
  return [...groups.values()].sort((a, b) => a.demandId - b.demandId);
}
