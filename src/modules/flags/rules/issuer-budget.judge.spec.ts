import { issuerBudgetFinding } from './issuer-budget.judge';
import { fingerprintOf } from './rule';
import { CHINESE } from './rule-spec-fixtures';

describe('issuerBudgetFinding (ISSUER_BUDGET)', () => {
  const input = (imposedMinutes: number, budgetMinutes: number | null) => ({
    issuerId: 7,
    issuerName: '某县教育体育局',
    year: 2026,
    imposedMinutes,
    budgetMinutes,
  });

  it('fires when the hours imposed exceed the budget, on the issuer and year', () => {
    const finding = issuerBudgetFinding(input(60_030, 60_000));
    expect(finding).toMatchObject({
      rule: 'ISSUER_BUDGET',
      demandId: null,
      issuerId: 7,
      target: { kind: 'issuer' },
      period: '2026',
      landsOn: '2026-01-01',
      evidence: {
        year: 2026,
        imposedMinutes: 60_030,
        budgetMinutes: 60_000,
        excessMinutes: 30,
        imposedHours: '1000.50',
        budgetHours: '1000.00',
        excessHours: '0.50',
      },
    });
    expect(fingerprintOf(finding!, null)).toBe('ISSUER_BUDGET|issuer:7|-|2026');
    expect(finding?.explanation).toMatch(CHINESE);
    expect(finding?.explanation).toContain('某县教育体育局');
    expect(finding?.explanation).toContain('1000.50 小时');
    expect(finding?.explanation).toContain('1000.00 小时');
  });

  it('does not fire at exactly the budget, nor without one', () => {
    expect(issuerBudgetFinding(input(60_000, 60_000))).toBeNull();
    expect(issuerBudgetFinding(input(10_000_000, null))).toBeNull();
  });

  it('fires on any burden against a zero budget', () => {
    expect(issuerBudgetFinding(input(1, 0))?.evidence).toMatchObject({ excessMinutes: 1 });
  });
});
