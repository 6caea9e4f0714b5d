import { CHINESE, demandContext, demandFacts } from './rule-spec-fixtures';
import { UnplannedInspectionRule } from './unplanned-inspection.rule';

describe('UnplannedInspectionRule (UNPLANNED_INSPECTION)', () => {
  const rule = new UnplannedInspectionRule();
  const inspection = demandFacts({
    kind: 'inspection',
    title: '汛期安全生产专项督查',
    topic: '安全生产',
    planItemId: 31,
    issuedOn: '2026-06-01',
  });
  const plan = (item: { id: number; topic: string } | null) => demandContext({ approvedPlan: { planId: 3, year: 2026, item } });

  it('reads no threshold', () => {
    expect(rule.code).toBe('UNPLANNED_INSPECTION');
    expect(rule.thresholdNames).toEqual([]);
  });

  it('does not fire on an inspection linked to an item of the approved plan on its topic', () => {
    expect(rule.evaluate(inspection, plan({ id: 31, topic: '安全生产' }))).toEqual([]);
  });

  it('fires when the issuer has no approved plan for the year', () => {
    const [finding] = rule.evaluate(inspection, demandContext({ approvedPlan: null }));
    expect(finding).toMatchObject({
      rule: 'UNPLANNED_INSPECTION',
      demandId: 101,
      target: { kind: 'demand' },
      period: '',
      evidence: { reason: 'noApprovedPlan', year: 2026, planId: null, topic: '安全生产' },
    });
    expect(finding.explanation).toMatch(CHINESE);
    expect(finding.explanation).toContain('汛期安全生产专项督查');
    expect(finding.explanation).toContain('2026');
  });

  it('fires when the inspection is not linked to an item of the approved plan', () => {
    const [finding] = rule.evaluate({ ...inspection, planItemId: null }, plan(null));
    expect(finding.evidence).toMatchObject({ reason: 'notInPlan', planId: 3, year: 2026, planItemId: null });
  });

  it('fires when the linked item is on another topic', () => {
    const [finding] = rule.evaluate(inspection, plan({ id: 31, topic: '生态环境' }));
    expect(finding.evidence).toMatchObject({ reason: 'topicMismatch', planItemId: 31, planItemTopic: '生态环境', topic: '安全生产' });
    expect(finding.explanation).toContain('生态环境');
  });

  it('judges inspections only', () => {
    expect(rule.evaluate({ ...inspection, kind: 'meeting' }, demandContext())).toEqual([]);
  });
});
