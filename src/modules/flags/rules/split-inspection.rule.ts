import type { ThresholdName } from '@/modules/policy/policy-document';
import type { Finding } from './rule';
import type { DemandTitles, ExplainedFlag, Landing, UnitLandings, UnitRule, UnitRuleContext } from './unit-rule';
import {
  EARLIER_LIMIT,
  FindingsOncePerSubject,
  LandingEvent,
  demandLabel,
  evidenceOf,
  landingEvents,
  passedOnLandings,
  unitFinding,
  dateOfDay,
} from './unit-rule-support';

/**
 * SPLIT_INSPECTION (拆包分包): a plan item carried out on one unit more often than its planned
 * visits. Per plan item, the landings on this unit of every inspection linked to it are numbered
 * in (day, id) order from the start of the data given (a recurring inspection's own landings
 * count: that is how one planned visit gets split); the landings numbered beyond
 * plannedVisits(item) fire. An item the context does not know (null) is skipped. A landing of a
 * demand that passes on (parentDemandId chain) another inspection of the same item on this unit
 * is that inspection handed down, not a visit of its own, and is not numbered.
 * Cost: O(E log E) for E landing days.
 */
export class SplitInspectionRule implements UnitRule {
  readonly code = 'SPLIT_INSPECTION';
  readonly thresholdNames: readonly ThresholdName[] = [];

  evaluateUnit(unit: UnitLandings, context: UnitRuleContext): Finding[] {
    const byItem = new Map<number, Landing[]>();
    for (const landing of unit.landings) {
      if (landing.kind !== 'inspection' || landing.planItemId === null) continue;
      const group = byItem.get(landing.planItemId);
      if (group) group.push(landing);
      else byItem.set(landing.planItemId, [landing]);
    }

    const findings = new FindingsOncePerSubject();
    for (const [planItemId, group] of byItem) {
      const plannedVisits = context.plannedVisits(planItemId);
      if (plannedVisits === null) continue;
      const passedOn = passedOnLandings(group);
      const visits = landingEvents(
        group.filter((landing) => !passedOn.has(landing.demandId)),
        -Infinity,
        context.toDay,
      );
      visits.forEach(({ day, landing }, index) => {
        const visitNumber = index + 1;
        if (visitNumber <= plannedVisits || day < context.fromDay) return;
        findings.record(String(landing.demandId), day, () =>
          this.finding(unit, landing, day, planItemId, plannedVisits, visitNumber, visits.slice(0, index)),
        );
      });
    }
    return findings.findings();
  }

  private finding(
    unit: UnitLandings,
    landing: Landing,
    day: number,
    planItemId: number,
    plannedVisits: number,
    visitNumber: number,
    earlier: LandingEvent[],
  ): Finding {
    return unitFinding(this.code, landing, unit.unitId, day, {
      planItemId,
      plannedVisits,
      visitNumber,
      earlierVisits: earlier.slice(-EARLIER_LIMIT).map((event) => ({ demandId: event.landing.demandId, on: dateOfDay(event.day) })),
      earlierDemandIds: [...new Set(earlier.map((event) => event.landing.demandId))].sort((a, b) => a - b),
    });
  }

  namedDemands(): number[] {
    return [];
  }

  explain(flag: ExplainedFlag, titles: DemandTitles): string {
    const ev = evidenceOf(flag.evidence);
    return (
      `${demandLabel(titles, flag.demandId)}于 ${flag.landsOn} 到本单位的检查是计划项目#${ev.number('planItemId')}在本单位的第 ${ev.number('visitNumber')} 次，` +
      `超过计划的 ${ev.number('plannedVisits')} 次，属于拆包分包、变相增加检查。建议按计划的次数合并开展。`
    );
  }
}
