import type { ThresholdName } from '@/modules/policy/policy-document';
import type { Finding } from './rule';
import { quoteTitle } from './rule-support';

/** OBJECTION (基层异议) reads no policy threshold: every objection opens a flag. */
export const OBJECTION_THRESHOLD_NAMES: readonly ThresholdName[] = [];

export interface ObjectionInput {
  demandId: number;
  issuerId: number;
  unitId: number;
  objectionId: number;
  reason: string;
  /** The duty-list entry the unit cites, if any. */
  dutyItemRef?: string | null;
  title: string;
  /** `YYYY-MM-DD`. */
  objectedOn: string;
}

/**
 * A unit's objection to a demand reaching it (双向治理): a finding for the coordinator, about the
 * demand on that unit. Like the objection itself, it does not name the person who objected.
 */
export function objectionFinding(input: ObjectionInput): Finding {
  const ref = input.dutyItemRef?.trim() ? `（职责清单依据：${input.dutyItemRef.trim()}）` : '';
  const explanation =
    `本单位于 ${input.objectedOn} 对${quoteTitle(input.title)}提出异议：${input.reason.trim()}${ref}。` +
    `请协调机制办公室核实，认为不当的要求发文单位整改或撤回。`;
  return {
    rule: 'OBJECTION',
    demandId: input.demandId,
    reportId: null,
    issuerId: input.issuerId,
    target: { kind: 'unit', unitId: input.unitId },
    period: '',
    landsOn: input.objectedOn,
    explanation,
    evidence: {
      objectionId: input.objectionId,
      reason: input.reason,
      dutyItemRef: input.dutyItemRef ?? null,
      objectedOn: input.objectedOn,
    },
  };
}
