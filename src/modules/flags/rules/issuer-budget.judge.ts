import type { ThresholdName } from '@/modules/policy/policy-document';
import type { Finding } from './rule';
import { formatHours, formatPercent } from './rule-support';

/** ISSUER_BUDGET (总量管控) reads no policy threshold: the budget is set per issuer and year by a coordinator. */
export const ISSUER_BUDGET_THRESHOLD_NAMES: readonly ThresholdName[] = [];

export interface IssuerBudgetInput {
  issuerId: number;
  issuerName: string;
  year: number;
  imposedMinutes: number;
  /** Null when no coordinator set a budget for that issuer and year: no flag. */
  budgetMinutes: number | null;
}

/** An issuer's hours imposed in a year over its budget (strict); null when within it or no budget is set. */
export function issuerBudgetFinding(input: IssuerBudgetInput): Finding | null {
  const { imposedMinutes, budgetMinutes } = input;
  if (budgetMinutes === null || imposedMinutes <= budgetMinutes) return null;
  const excessMinutes = imposedMinutes - budgetMinutes;
  const usedShare = budgetMinutes > 0 ? imposedMinutes / budgetMinutes : null;
  const explanation =
    `${input.issuerName.trim()} ${input.year} 年下派事项给基层造成的负担为 ${formatHours(imposedMinutes)} 小时，` +
    `超过总量管控预算 ${formatHours(budgetMinutes)} 小时（超出 ${formatHours(excessMinutes)} 小时` +
    `${usedShare === null ? '' : `，为预算的 ${formatPercent(usedShare)}`}）。建议压减或合并该单位本年度后续下派事项。`;
  return {
    rule: 'ISSUER_BUDGET',
    demandId: null,
    reportId: null,
    issuerId: input.issuerId,
    target: { kind: 'issuer' },
    period: String(input.year),
    landsOn: `${String(input.year).padStart(4, '0')}-01-01`,
    explanation,
    evidence: {
      year: input.year,
      imposedMinutes,
      budgetMinutes,
      excessMinutes,
      imposedHours: formatHours(imposedMinutes),
      budgetHours: formatHours(budgetMinutes),
      excessHours: formatHours(excessMinutes),
    },
  };
}
