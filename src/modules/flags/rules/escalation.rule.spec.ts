import { workingDaysBetween } from '@/modules/demands/calendar/working-days';
import { EscalationRule } from './escalation.rule';
import { CHINESE, demandContext, demandFacts, thresholdsWith } from './rule-spec-fixtures';

describe('EscalationRule (ESCALATION)', () => {
  const rule = new EscalationRule();
  const parent = demandFacts({
    id: 50,
    issuerLevel: 'prefecture',
    kind: 'report',
    title: '全市农村低收入人口动态监测表',
    topic: '民政',
    issuedOn: '2026-03-02',
    dueOn: '2026-03-16',
    recurrence: 'monthly',
    fieldKeys: ['户籍人口', '低保户数', '特困人员数'],
  });
  const child = (overrides: Parameters<typeof demandFacts>[0] = {}) =>
    demandFacts({
      id: 60,
      kind: 'report',
      title: '转发全市农村低收入人口动态监测表的通知',
      topic: '民政',
      issuedOn: '2026-03-09',
      dueOn: '2026-03-16',
      recurrence: 'monthly',
      fieldKeys: ['户籍人口', '低保户数'],
      parentDemandId: 50,
      ...overrides,
    });
  const withParent = demandContext({ parent });

  it('reads escalationMinShareOfParentWorkingDays', () => {
    expect(rule.code).toBe('ESCALATION');
    expect(rule.thresholdNames).toEqual(['escalationMinShareOfParentWorkingDays']);
  });

  it('does not fire on a demand passed on as it came (same or fewer fields, same frequency, half the working days)', () => {
    // The premise: the parent leaves 10 working days, the child exactly half of them.
    expect(workingDaysBetween('2026-03-02', '2026-03-16')).toBe(10);
    expect(workingDaysBetween('2026-03-09', '2026-03-16')).toBe(5);
    expect(rule.evaluate(child(), withParent)).toEqual([]);
  });

  it('never fires without a parent', () => {
    expect(rule.evaluate(child({ fieldKeys: ['新字段'], recurrence: 'daily' }), demandContext())).toEqual([]);
  });

  it('fires when the child adds field keys, naming them', () => {
    const [finding, ...rest] = rule.evaluate(child({ fieldKeys: ['户籍人口', '脱贫户数', '务工人数', '务工人数'] }), withParent);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: 'ESCALATION',
      demandId: 60,
      target: { kind: 'demand' },
      period: '',
      evidence: {
        reasons: ['addedFields'],
        parentDemandId: 50,
        addedFieldKeys: ['脱贫户数', '务工人数'],
        parentFieldKeyCount: 3,
        fieldKeyCount: 3,
      },
    });
    expect(finding.explanation).toMatch(CHINESE);
    expect(finding.explanation).toContain('转发全市农村低收入人口动态监测表的通知');
    expect(finding.explanation).toContain('全市农村低收入人口动态监测表');
    expect(finding.explanation).toContain('脱贫户数');
  });

  it('compares field keys only between reports', () => {
    const documentParent = demandContext({ parent: { ...parent, kind: 'document', fieldKeys: [] } });
    expect(rule.evaluate(child({ fieldKeys: ['脱贫户数'] }), documentParent)).toEqual([]);
  });

  it.each([
    ['monthly', 'weekly', true],
    ['weekly', 'daily', true],
    ['once', 'yearly', true],
    ['yearly', 'quarterly', true],
    ['quarterly', 'monthly', true],
    ['monthly', 'monthly', false],
    ['weekly', 'monthly', false],
    ['daily', 'once', false],
  ] as const)('a %s parent passed on %s fires: %p', (parentRecurrence, childRecurrence, fires) => {
    const findings = rule.evaluate(
      child({ recurrence: childRecurrence }),
      demandContext({ parent: { ...parent, recurrence: parentRecurrence } }),
    );
    expect(findings).toHaveLength(fires ? 1 : 0);
    if (fires) {
      expect(findings[0].evidence).toMatchObject({ reasons: ['moreFrequent'], recurrence: childRecurrence, parentRecurrence });
    }
  });

  it('fires when the child leaves fewer than half of the parent working days (4 of 10)', () => {
    const [finding] = rule.evaluate(child({ issuedOn: '2026-03-10' }), withParent);
    expect(finding.evidence).toMatchObject({
      reasons: ['lessTime'],
      workingDays: 4,
      parentWorkingDays: 10,
      issuedOn: '2026-03-10',
      dueOn: '2026-03-16',
      parentIssuedOn: '2026-03-02',
      parentDueOn: '2026-03-16',
      thresholds: { escalationMinShareOfParentWorkingDays: 0.5 },
    });
    expect(finding.explanation).toContain('4 个工作日');
    expect(finding.explanation).toContain('10 个工作日');
    expect(finding.explanation).toContain('50%');
  });

  it('compares working days only when both have a due date', () => {
    expect(rule.evaluate(child({ issuedOn: '2026-03-13', dueOn: null }), withParent)).toEqual([]);
    expect(rule.evaluate(child({ issuedOn: '2026-03-13' }), demandContext({ parent: { ...parent, dueOn: null } }))).toEqual([]);
  });

  it('raises one finding with every reason', () => {
    const findings = rule.evaluate(child({ issuedOn: '2026-03-13', recurrence: 'weekly', fieldKeys: ['务工人数'] }), withParent);
    expect(findings).toHaveLength(1);
    expect(findings[0].evidence).toMatchObject({ reasons: ['addedFields', 'moreFrequent', 'lessTime'], workingDays: 1 });
  });

  it('follows the policy share', () => {
    const strict = demandContext({ parent, thresholds: thresholdsWith({ escalationMinShareOfParentWorkingDays: 0.6 }) });
    expect(rule.evaluate(child(), strict)[0].evidence).toMatchObject({ reasons: ['lessTime'], workingDays: 5 });
  });
});
