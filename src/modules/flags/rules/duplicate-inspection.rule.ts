import type { ThresholdName } from '@/modules/policy/policy-document';
import type { Finding } from './rule';
import { thresholdValues } from './rule-support';
import type { DemandTitles, ExplainedFlag, Landing, UnitLandings, UnitRule, UnitRuleContext } from './unit-rule';
import {
  DemandChains,
  EARLIER_LIMIT,
  FindingsOncePerSubject,
  LandingEvent,
  demandLabel,
  evidenceOf,
  landingEvents,
  namedDemandsText,
  unitFinding,
  dateOfDay,
} from './unit-rule-support';

const DEMANDS_IN_TEXT = 3;

/** Two inspections made in one visit: either names the other's issuer among those inspecting with it. */
function jointly(a: Landing, b: Landing): boolean {
  return a.jointIssuerIds.includes(b.issuerId) || b.jointIssuerIds.includes(a.issuerId);
}

/** The landings of one topic within the window, oldest first (a queue: `head` is the first live entry). */
interface TopicWindow {
  events: LandingEvent[];
  head: number;
}

/**
 * DUPLICATE_INSPECTION (多头督查、重复检查). For a landing day b of an inspection B, the visits to
 * the unit on B's topic within [b − duplicateInspectionWindowDays, b]: B itself, plus each
 * earlier landing (a, A) < (b, B) of an inspection A that is not B (its own recurrences), not in
 * B's parentDemandId chain either way, and not made jointly with B (jointWith). B fires when
 * the visits reach duplicateInspectionCount.
 *
 * Cost: one pass in (day, id) order with a sliding window per topic; a landing day looks only at
 * the landings of its topic inside the window. O(E log E + E × w) for E landing days and at most
 * w landings of one topic on one unit within the window.
 */
export class DuplicateInspectionRule implements UnitRule {
  readonly code = 'DUPLICATE_INSPECTION';
  readonly thresholdNames: readonly ThresholdName[] = ['duplicateInspectionCount', 'duplicateInspectionWindowDays'];

  evaluateUnit(unit: UnitLandings, context: UnitRuleContext): Finding[] {
    const minVisits = context.thresholds.duplicateInspectionCount.value;
    const windowDays = context.thresholds.duplicateInspectionWindowDays.value;
    const inspections = unit.landings.filter((landing) => landing.kind === 'inspection');
    if (inspections.length < 2) return [];

    const chains = new DemandChains(inspections);
    const windows = new Map<string, TopicWindow>();
    const findings = new FindingsOncePerSubject();

    for (const event of landingEvents(inspections, context.fromDay - windowDays, context.toDay)) {
      const { day, landing } = event;
      let window = windows.get(landing.topic);
      if (!window) windows.set(landing.topic, (window = { events: [], head: 0 }));
      while (window.head < window.events.length && window.events[window.head].day < day - windowDays) window.head++;
      if (window.head > 256 && window.head * 2 > window.events.length) {
        window.events = window.events.slice(window.head);
        window.head = 0;
      }

      if (day >= context.fromDay) {
        const earlier: LandingEvent[] = [];
        const joint = new Set<number>();
        for (let i = window.head; i < window.events.length; i++) {
          const other = window.events[i].landing;
          if (chains.related(landing, other.demandId)) continue;
          if (jointly(landing, other)) joint.add(other.demandId);
          else earlier.push(window.events[i]);
        }
        const visits = 1 + earlier.length;
        if (visits >= minVisits) {
          findings.record(String(landing.demandId), day, () =>
            this.finding(
              unit,
              context,
              landing,
              day,
              visits,
              earlier,
              [...joint].sort((a, b) => a - b),
            ),
          );
        }
      }
      window.events.push(event);
    }
    return findings.findings();
  }

  private finding(
    unit: UnitLandings,
    context: UnitRuleContext,
    landing: Landing,
    day: number,
    visits: number,
    earlier: LandingEvent[],
    jointDemandIds: number[],
  ): Finding {
    return unitFinding(this.code, landing, unit.unitId, day, {
      topic: landing.topic,
      visits,
      earlierInspections: earlier.slice(-EARLIER_LIMIT).map((event) => ({
        demandId: event.landing.demandId,
        issuerId: event.landing.issuerId,
        on: dateOfDay(event.day),
      })),
      earlierDemandIds: [...new Set(earlier.map((event) => event.landing.demandId))].sort((a, b) => a - b),
      jointDemandIds,
      windowDays: context.thresholds.duplicateInspectionWindowDays.value,
      thresholds: thresholdValues(context.thresholds, this.thresholdNames),
    });
  }

  namedDemands(evidence: Record<string, unknown>): number[] {
    return evidenceOf(evidence).ids('earlierDemandIds').slice(0, DEMANDS_IN_TEXT);
  }

  explain(flag: ExplainedFlag, titles: DemandTitles): string {
    const ev = evidenceOf(flag.evidence);
    const windowDays = ev.number('windowDays');
    const visits = ev.number('visits');
    return (
      `${demandLabel(titles, flag.demandId)}于 ${flag.landsOn} 到本单位开展“${ev.text('topic')}”督查检查，` +
      `此前 ${windowDays} 天内已有 ${visits === '?' ? '?' : visits - 1} 次同主题检查（${namedDemandsText(titles, ev.ids('earlierDemandIds'), DEMANDS_IN_TEXT)}），合计 ${visits} 次，` +
      `达到 ${windowDays} 天内 ${ev.threshold('duplicateInspectionCount')} 次的重复检查界限。建议与有关部门联合开展（综合查一次）或共享检查结果。`
    );
  }
}
