import type { Level } from '@/common/auth/actor';
import { toEpochDay } from '@/modules/demands/calendar/working-days';
import type { ThresholdName } from '@/modules/policy/policy-document';
import type { Finding } from './rule';
import { LEVEL_NAMES, quarterEndOf, quarterOf, quarterStartOf, thresholdValues } from './rule-support';
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
 * INSPECTION_QUOTA (督查检查过多): a unit's inspections per calendar quarter (each landing one)
 * against inspectionQuotaPerQuarter for the unit's level (a level without a quota never fires).
 * The landings beyond the quota in (day, id) order carry the flag, one finding per
 * (demand, unit, quarter) with period `YYYY-Qn`. A landing of a demand passing on (parentDemandId
 * chain) another inspection landing on this unit is that inspection handed down, not counted.
 * The count covers the whole quarter of every day in [fromDay, toDay]: the engine must hand in
 * the landings from the first day of fromDay's quarter. Cost: O(E log E) for E landing days.
 */
export class InspectionQuotaRule implements UnitRule {
  readonly code = 'INSPECTION_QUOTA';
  readonly thresholdNames: readonly ThresholdName[] = ['inspectionQuotaPerQuarter'];

  evaluateUnit(unit: UnitLandings, context: UnitRuleContext): Finding[] {
    const quotas: Partial<Record<Level, number>> = context.thresholds.inspectionQuotaPerQuarter.value;
    const quota = quotas[unit.level];
    if (quota === undefined || context.toDay < context.fromDay) return [];
    const inspections = unit.landings.filter((landing) => landing.kind === 'inspection');
    const passedOn = passedOnLandings(inspections);
    const counted = inspections.filter((landing) => !passedOn.has(landing.demandId));

    const firstDay = toEpochDay(quarterStartOf(dateOfDay(context.fromDay)));
    const lastDay = toEpochDay(quarterEndOf(dateOfDay(context.toDay)));
    const byQuarter = new Map<string, LandingEvent[]>();
    for (const event of landingEvents(counted, firstDay, lastDay)) {
      const quarter = quarterOf(dateOfDay(event.day));
      const events = byQuarter.get(quarter);
      if (events) events.push(event);
      else byQuarter.set(quarter, [event]);
    }

    const findings = new FindingsOncePerSubject();
    for (const [quarter, events] of byQuarter) {
      for (let index = quota; index < events.length; index++) {
        const { day, landing } = events[index];
        if (day < context.fromDay || day > context.toDay) continue;
        findings.record(`${landing.demandId}|${quarter}`, day, () =>
          this.finding(unit, context, landing, day, quarter, quota, index + 1, events),
        );
      }
    }
    return findings.findings();
  }

  private finding(
    unit: UnitLandings,
    context: UnitRuleContext,
    landing: Landing,
    day: number,
    quarter: string,
    quota: number,
    position: number,
    quarterEvents: LandingEvent[],
  ): Finding {
    const earlier = quarterEvents.slice(0, position - 1);
    return unitFinding(
      this.code,
      landing,
      unit.unitId,
      day,
      {
        quarter,
        level: unit.level,
        quota,
        position,
        inspectionsInQuarter: quarterEvents.length,
        earlierInspections: earlier.slice(-EARLIER_LIMIT).map((event) => ({ demandId: event.landing.demandId, on: dateOfDay(event.day) })),
        earlierDemandIds: [...new Set(earlier.map((event) => event.landing.demandId))].sort((a, b) => a - b),
        thresholds: thresholdValues(context.thresholds, this.thresholdNames),
      },
      quarter,
    );
  }

  namedDemands(): number[] {
    return [];
  }

  explain(flag: ExplainedFlag, titles: DemandTitles): string {
    const ev = evidenceOf(flag.evidence);
    const level = ev.text('level');
    const levelName = level in LEVEL_NAMES ? LEVEL_NAMES[level as Level] : level;
    return (
      `${demandLabel(titles, flag.demandId)}于 ${flag.landsOn} 到本单位的督查检查是本单位 ${ev.text('quarter')} 的第 ${ev.number('position')} 次` +
      `（本季度共 ${ev.number('inspectionsInQuarter')} 次），超过${levelName}单位每季度 ${ev.number('quota')} 次的限额。` +
      `建议统筹压减，并入已开展的检查或改为书面了解。`
    );
  }
}
