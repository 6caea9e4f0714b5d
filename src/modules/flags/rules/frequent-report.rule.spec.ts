import { FrequentReportRule } from './frequent-report.rule';
import { CHINESE, demandContext, demandFacts, thresholdsWith } from './rule-spec-fixtures';
import type { Recurrence } from '@/modules/policy/policy-document';

describe('FrequentReportRule (FREQUENT_REPORT)', () => {
  const rule = new FrequentReportRule();
  const report = (recurrence: Recurrence) =>
    demandFacts({ kind: 'report', title: '森林防火日报', recurrence, until: recurrence === 'once' ? null : '2026-06-30' });

  it('reads frequentReportRecurrences', () => {
    expect(rule.code).toBe('FREQUENT_REPORT');
    expect(rule.thresholdNames).toEqual(['frequentReportRecurrences']);
  });

  it.each(['daily', 'weekly'] as const)('fires on a %s report', (recurrence) => {
    const [finding] = rule.evaluate(report(recurrence), demandContext());
    expect(finding).toMatchObject({
      rule: 'FREQUENT_REPORT',
      demandId: 101,
      target: { kind: 'demand' },
      evidence: { recurrence, until: '2026-06-30', thresholds: { frequentReportRecurrences: ['daily', 'weekly'] } },
    });
    expect(finding.explanation).toMatch(CHINESE);
    expect(finding.explanation).toContain('森林防火日报');
    expect(finding.explanation).toContain(recurrence === 'daily' ? '每日' : '每周');
  });

  it.each(['once', 'monthly', 'quarterly', 'yearly'] as const)('does not fire on a %s report', (recurrence) => {
    expect(rule.evaluate(report(recurrence), demandContext())).toEqual([]);
  });

  it('does not fire on a daily demand that is not a report', () => {
    expect(rule.evaluate(demandFacts({ kind: 'other', subtype: 'app_task', recurrence: 'daily' }), demandContext())).toEqual([]);
  });

  it('follows the policy list', () => {
    const monthlyToo = demandContext({ thresholds: thresholdsWith({ frequentReportRecurrences: ['monthly'] }) });
    expect(rule.evaluate(report('monthly'), monthlyToo)).toHaveLength(1);
    expect(rule.evaluate(report('daily'), monthlyToo)).toEqual([]);
    expect(rule.evaluate(report('daily'), demandContext({ thresholds: thresholdsWith({ frequentReportRecurrences: [] }) }))).toEqual([]);
  });
});
