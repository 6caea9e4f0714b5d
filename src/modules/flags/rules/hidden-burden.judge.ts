import { monthBounds } from '@/modules/demands/calendar/working-days';
import type { PolicyThresholds, ThresholdName } from '@/modules/policy/policy-document';
import type { Finding } from './rule';
import { formatHours, quoteTitle, thresholdValues } from './rule-support';

/**
 * HIDDEN_BURDEN (隐形负担), judged on aggregates the engine gathers (DESIGN §4, §5): a registered
 * demand whose reported hours on a unit in a month reach hiddenBurdenRatio × the estimate, and
 * every shadow demand (one that arrived without registration).
 */
export const HIDDEN_BURDEN_THRESHOLD_NAMES: readonly ThresholdName[] = ['hiddenBurdenRatio'];

export interface HiddenBurdenInput {
  demandId: number;
  issuerId: number;
  unitId: number;
  /** `YYYY-MM`. */
  month: string;
  reportedMinutes: number;
  estimatedMinutes: number;
  title: string;
}

/** A registered demand on one unit in one month: fires when estimatedMinutes > 0 and reported ≥ ratio × estimated. */
export function hiddenBurdenFinding(input: HiddenBurdenInput, thresholds: PolicyThresholds): Finding | null {
  const ratio = thresholds.hiddenBurdenRatio.value;
  const { reportedMinutes, estimatedMinutes } = input;
  // Compared as a quotient, not reported ≥ ratio × estimated, so a ratio like 1.1 is not lost to rounding.
  if (!(estimatedMinutes > 0) || reportedMinutes / estimatedMinutes < ratio) return null;
  const actualRatio = reportedMinutes / estimatedMinutes;
  const explanation =
    `${quoteTitle(input.title)}在本单位 ${input.month} 实际耗时 ${formatHours(reportedMinutes)} 小时，` +
    `是测算的 ${formatHours(estimatedMinutes)} 小时的 ${actualRatio.toFixed(2)} 倍，达到 ${ratio} 倍的隐形负担界限。` +
    `建议核实工作量，向发文单位反映并调整要求或测算。`;
  return {
    rule: 'HIDDEN_BURDEN',
    demandId: input.demandId,
    reportId: null,
    issuerId: input.issuerId,
    target: { kind: 'unit', unitId: input.unitId },
    period: input.month,
    landsOn: monthBounds(input.month).first,
    explanation,
    evidence: {
      month: input.month,
      reportedMinutes,
      estimatedMinutes,
      reportedHours: formatHours(reportedMinutes),
      estimatedHours: formatHours(estimatedMinutes),
      ratio: actualRatio,
      hiddenMinutes: reportedMinutes - estimatedMinutes,
      thresholds: thresholdValues(thresholds, HIDDEN_BURDEN_THRESHOLD_NAMES),
    },
  };
}

export interface ShadowBurdenInput {
  reportId: number;
  unitId: number;
  /** `YYYY-MM`. */
  month: string;
  minutes: number;
  /** The issuer as the unit named it (free text): who sent the demand, not who reported it. */
  issuerName: string;
  title: string;
  /** 微信群, 电话, APP, 纸质通知, … */
  channel: string;
  /** The day the shadow demand arrived; null falls back to the month's first day. */
  receivedOn: string | null;
}

/**
 * A shadow demand: always a finding, about the report (no registered demand, no issuer id). It
 * never names who reported it — DESIGN §1: issuers see the flag, never the reporter — so the
 * evidence is built from the fields listed here and nothing else.
 */
export function shadowBurdenFinding(input: ShadowBurdenInput): Finding {
  const landsOn = input.receivedOn ?? monthBounds(input.month).first;
  const explanation =
    `本单位 ${input.month} 收到未登记事项${quoteTitle(input.title)}（${input.issuerName.trim()}，经${input.channel}下达，${landsOn} 收到），` +
    `耗时 ${formatHours(input.minutes)} 小时，计入隐形负担。建议核实后要求发文单位补办登记，或予以叫停。`;
  return {
    rule: 'HIDDEN_BURDEN',
    demandId: null,
    reportId: input.reportId,
    issuerId: null,
    target: { kind: 'unit', unitId: input.unitId },
    period: input.month,
    landsOn,
    explanation,
    evidence: {
      shadow: true,
      month: input.month,
      minutes: input.minutes,
      hours: formatHours(input.minutes),
      issuerName: input.issuerName,
      title: input.title,
      channel: input.channel,
      receivedOn: input.receivedOn,
    },
  };
}
