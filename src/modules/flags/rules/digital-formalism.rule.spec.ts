import { DigitalFormalismRule } from './digital-formalism.rule';
import { CHINESE, demandContext, demandFacts, thresholdsWith } from './rule-spec-fixtures';

describe('DigitalFormalismRule (DIGITAL_FORMALISM)', () => {
  const rule = new DigitalFormalismRule();
  const appTask = (appRequirements: string[], subtype = 'app_task') =>
    demandFacts({ kind: 'other', subtype, title: '“学习强县”App推广使用', appRequirements });

  it('reads digitalFormalismAppRequirements', () => {
    expect(rule.code).toBe('DIGITAL_FORMALISM');
    expect(rule.thresholdNames).toEqual(['digitalFormalismAppRequirements']);
  });

  it('fires on an app task demanding clock-ins and a usage ranking', () => {
    const [finding] = rule.evaluate(appTask(['clock_in', 'usage_ranking']), demandContext());
    expect(finding).toMatchObject({
      rule: 'DIGITAL_FORMALISM',
      demandId: 101,
      target: { kind: 'demand' },
      evidence: { formalistRequirements: ['clock_in', 'usage_ranking'] },
    });
    expect((finding.evidence.thresholds as Record<string, unknown>).digitalFormalismAppRequirements).toContain('instant_reply');
    expect(finding.explanation).toMatch(CHINESE);
    expect(finding.explanation).toContain('“学习强县”App推广使用');
    expect(finding.explanation).toContain('打卡、使用排名');
  });

  it('does not fire on an app task without such requirements, nor on other subtypes', () => {
    expect(rule.evaluate(appTask([]), demandContext())).toEqual([]);
    expect(rule.evaluate(appTask(['clock_in'], 'campaign'), demandContext())).toEqual([]);
  });

  it('follows the policy list', () => {
    const context = demandContext({ thresholds: thresholdsWith({ digitalFormalismAppRequirements: ['instant_reply'] }) });
    expect(rule.evaluate(appTask(['clock_in']), context)).toEqual([]);
    expect(rule.evaluate(appTask(['clock_in', 'instant_reply']), context)[0].evidence).toMatchObject({
      formalistRequirements: ['instant_reply'],
    });
  });
});
