import {
  DEMAND_RULES,
  RULE_CODES,
  RULE_THRESHOLD_NAMES,
  UNIT_RULES,
  hiddenBurdenFinding,
  issuerBudgetFinding,
  objectionFinding,
  shadowBurdenFinding,
} from './index';
import { shippedThresholds } from './rule-spec-fixtures';

describe('the rule set', () => {
  it('has one rule object or judge function per code, none twice', () => {
    const codes = [...DEMAND_RULES, ...UNIT_RULES].map((rule) => rule.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes, 'HIDDEN_BURDEN', 'ISSUER_BUDGET', 'OBJECTION'].sort()).toEqual([...RULE_CODES].sort());
    for (const judge of [hiddenBurdenFinding, shadowBurdenFinding, issuerBudgetFinding, objectionFinding])
      expect(typeof judge).toBe('function');
  });

  it('names thresholds the shipped policy has, for every code', () => {
    const thresholds = shippedThresholds();
    expect(Object.keys(RULE_THRESHOLD_NAMES).sort()).toEqual([...RULE_CODES].sort());
    for (const names of Object.values(RULE_THRESHOLD_NAMES)) {
      for (const name of names) expect(thresholds[name]).toBeDefined();
    }
    expect(RULE_THRESHOLD_NAMES.HIDDEN_BURDEN).toEqual(['hiddenBurdenRatio']);
    expect(RULE_THRESHOLD_NAMES.DUPLICATE_DATA_REQUEST).toEqual(['duplicateDataShare', 'duplicateDataWindowDays']);
  });
});
