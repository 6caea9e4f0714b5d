import type { Level } from '@/common/auth/actor';
import type { ThresholdName } from '@/modules/policy/policy-document';
import type { DemandFacts, DemandRule, DemandRuleContext, Finding } from './rule';
import { LEVEL_NAMES, demandFinding, joinZh, levelDepth, quoteTitle, thresholdValues } from './rule-support';

type MeetingReason = 'duration' | 'attendees' | 'attendeeLevels';

/**
 * MEETING_OVERLOAD (会海、层层陪会): a meeting longer than meetingMaxMinutes, with more than
 * meetingMaxGrassrootsAttendees grassroots attendees in all (per target × targets), or calling
 * attendees from meetingAttendeeLevelsDown or more levels below the issuer. All limits strict;
 * one finding names every reason that holds.
 */
export class MeetingOverloadRule implements DemandRule {
  readonly code = 'MEETING_OVERLOAD';
  readonly thresholdNames: readonly ThresholdName[] = ['meetingMaxMinutes', 'meetingMaxGrassrootsAttendees', 'meetingAttendeeLevelsDown'];

  evaluate(demand: DemandFacts, context: DemandRuleContext): Finding[] {
    if (demand.kind !== 'meeting') return [];
    const maxMinutes = context.thresholds.meetingMaxMinutes.value;
    const maxAttendees = context.thresholds.meetingMaxGrassrootsAttendees.value;
    const levelsDown = context.thresholds.meetingAttendeeLevelsDown.value;

    const reasons: MeetingReason[] = [];
    const sentences: string[] = [];

    const duration = demand.durationMinutes;
    if (duration !== null && duration > maxMinutes) {
      reasons.push('duration');
      sentences.push(`会议时长 ${duration} 分钟，超过 ${maxMinutes} 分钟的上限`);
    }

    const totalAttendees = demand.attendeesPerTarget === null ? null : demand.attendeesPerTarget * demand.targetCount;
    if (totalAttendees !== null && totalAttendees > maxAttendees) {
      reasons.push('attendees');
      sentences.push(
        `基层参会 ${demand.attendeesPerTarget} 人 × ${demand.targetCount} 个单位 = ${totalAttendees} 人，超过 ${maxAttendees} 人的上限`,
      );
    }

    const issuerDepth = levelDepth(demand.issuerLevel);
    const tooFarDown: Level[] = [...new Set(demand.attendeeLevels)]
      .filter((level) => levelDepth(level) - issuerDepth >= levelsDown)
      .sort((a, b) => levelDepth(a) - levelDepth(b));
    if (tooFarDown.length > 0) {
      reasons.push('attendeeLevels');
      const deepest = tooFarDown[tooFarDown.length - 1];
      sentences.push(
        `${LEVEL_NAMES[demand.issuerLevel]}会议要求${joinZh(tooFarDown.map((level) => LEVEL_NAMES[level]))}人员参会，` +
          `最多低于发文单位 ${levelDepth(deepest) - issuerDepth} 级，达到“低 ${levelsDown} 级及以上”的层层陪会界限`,
      );
    }

    if (reasons.length === 0) return [];
    const explanation = `${quoteTitle(demand.title)}：${sentences.join('；')}。建议压缩会议时长、精简参会范围，可用视频会议的不要求基层到场，不搞层层陪会。`;
    return [
      demandFinding(this.code, demand, explanation, {
        reasons,
        durationMinutes: duration,
        attendeesPerTarget: demand.attendeesPerTarget,
        targetCount: demand.targetCount,
        totalAttendees,
        issuerLevel: demand.issuerLevel,
        attendeeLevels: demand.attendeeLevels,
        attendeeLevelsTooFarDown: tooFarDown,
        thresholds: thresholdValues(context.thresholds, this.thresholdNames),
      }),
    ];
  }
}
