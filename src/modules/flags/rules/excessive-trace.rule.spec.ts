import { ExcessiveTraceRule } from './excessive-trace.rule';
import { CHINESE, demandContext, demandFacts, thresholdsWith } from './rule-spec-fixtures';

describe('ExcessiveTraceRule (EXCESSIVE_TRACE)', () => {
  const rule = new ExcessiveTraceRule();
  const demand = (requiresTrace: string[]) =>
    demandFacts({ kind: 'other', subtype: 'campaign', title: '人居环境整治百日行动', requiresTrace });

  it('reads excessiveTraceKinds', () => {
    expect(rule.code).toBe('EXCESSIVE_TRACE');
    expect(rule.thresholdNames).toEqual(['excessiveTraceKinds']);
  });

  it('fires when photos or paper ledgers are demanded as proof of work', () => {
    const [finding] = rule.evaluate(demand(['photos', 'paper_ledgers']), demandContext());
    expect(finding).toMatchObject({
      rule: 'EXCESSIVE_TRACE',
      demandId: 101,
      target: { kind: 'demand' },
      evidence: {
        excessiveTrace: ['photos', 'paper_ledgers'],
        thresholds: { excessiveTraceKinds: ['photos', 'screenshots', 'paper_ledgers', 'videos'] },
      },
    });
    expect(finding.explanation).toMatch(CHINESE);
    expect(finding.explanation).toContain('人居环境整治百日行动');
    expect(finding.explanation).toContain('照片、纸质台账');
  });

  it('does not fire when no proof of work is demanded', () => {
    expect(rule.evaluate(demand([]), demandContext())).toEqual([]);
  });

  it('follows the policy list', () => {
    const videosOnly = demandContext({ thresholds: thresholdsWith({ excessiveTraceKinds: ['videos'] }) });
    expect(rule.evaluate(demand(['photos']), videosOnly)).toEqual([]);
    expect(rule.evaluate(demand(['photos', 'videos']), videosOnly)[0].evidence).toMatchObject({ excessiveTrace: ['videos'] });
  });
});
