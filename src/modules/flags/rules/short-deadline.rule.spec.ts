import { dayOfWeek, isWorkingDay, workingDaysBetween } from '@/modules/demands/calendar/working-days';
import { CHINESE, demandContext, demandFacts, thresholdsWith } from './rule-spec-fixtures';
import { ShortDeadlineRule } from './short-deadline.rule';

describe('ShortDeadlineRule (SHORT_DEADLINE) on the official calendar', () => {
  const rule = new ShortDeadlineRule();
  const report = (issuedOn: string, dueOn: string | null) =>
    demandFacts({ kind: 'report', title: '国庆期间安全隐患排查情况统计表', issuedOn, dueOn, landsOn: dueOn ?? issuedOn });

  it('reads shortDeadlineWorkingDays', () => {
    expect(rule.code).toBe('SHORT_DEADLINE');
    expect(rule.thresholdNames).toEqual(['shortDeadlineWorkingDays']);
  });

  it('fires on 2026-09-30 → 2026-10-09: two working days over the National Day holiday', () => {
    const [finding, ...rest] = rule.evaluate(report('2026-09-30', '2026-10-09'), demandContext());
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: 'SHORT_DEADLINE',
      demandId: 101,
      target: { kind: 'demand' },
      period: '',
      landsOn: '2026-10-09',
      evidence: { issuedOn: '2026-09-30', dueOn: '2026-10-09', workingDays: 2, thresholds: { shortDeadlineWorkingDays: 3 } },
    });
    expect(finding.explanation).toMatch(CHINESE);
    expect(finding.explanation).toContain('国庆期间安全隐患排查情况统计表');
    expect(finding.explanation).toContain('2 个工作日');
    expect(finding.explanation).toContain('3 个工作日');
  });

  it('does not fire on 2026-09-30 → 2026-10-10: exactly three working days across the holiday and a make-up Saturday', () => {
    // The premise: 10-01..10-07 are off, 10-10 is a Saturday worked in exchange (调休上班).
    expect(dayOfWeek('2026-10-10')).toBe(6);
    expect(isWorkingDay('2026-10-10')).toBe(true);
    expect(isWorkingDay('2026-10-05')).toBe(false);
    expect(workingDaysBetween('2026-09-30', '2026-10-10')).toBe(3);
    expect(rule.evaluate(report('2026-09-30', '2026-10-10'), demandContext())).toEqual([]);
  });

  it('fires on a same-day deadline (zero working days) and not on an ordinary week', () => {
    expect(rule.evaluate(report('2026-03-02', '2026-03-02'), demandContext())[0].evidence).toMatchObject({ workingDays: 0 });
    expect(rule.evaluate(report('2026-03-02', '2026-03-05'), demandContext())).toEqual([]);
  });

  it('never fires without a due date, whatever the kind', () => {
    expect(rule.evaluate(report('2026-09-30', null), demandContext())).toEqual([]);
    expect(rule.evaluate(demandFacts({ kind: 'meeting', issuedOn: '2026-03-02', dueOn: '2026-03-03' }), demandContext())).toHaveLength(1);
  });

  it('follows the policy: with five working days required, three fires', () => {
    const context = demandContext({ thresholds: thresholdsWith({ shortDeadlineWorkingDays: 5 }) });
    expect(rule.evaluate(report('2026-09-30', '2026-10-10'), context)[0].evidence).toMatchObject({
      workingDays: 3,
      thresholds: { shortDeadlineWorkingDays: 5 },
    });
  });

  it('asks the context for working days, so the engine decides the calendar', () => {
    const asked: [string, string][] = [];
    const context = demandContext({
      workingDaysBetween: (issuedOn, dueOn) => {
        asked.push([issuedOn, dueOn]);
        return 10;
      },
    });
    expect(rule.evaluate(report('2026-09-30', '2026-10-09'), context)).toEqual([]);
    expect(asked).toEqual([['2026-09-30', '2026-10-09']]);
  });
});
