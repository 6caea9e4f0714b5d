import { OutOfScopeRule } from './out-of-scope.rule';
import { CHINESE, demandContext, demandFacts, thresholdsWith } from './rule-spec-fixtures';

describe('OutOfScopeRule (OUT_OF_SCOPE)', () => {
  const rule = new OutOfScopeRule();
  const demand = demandFacts({ title: '关于开展城市管理综合执法的通知', topic: '城市管理', targetLevels: ['township', 'village'] });

  it('reads outOfScopeDutyKinds', () => {
    expect(rule.code).toBe('OUT_OF_SCOPE');
    expect(rule.thresholdNames).toEqual(['outOfScopeDutyKinds']);
  });

  it('fires for the targets of the level whose negative list holds the topic', () => {
    const [finding, ...rest] = rule.evaluate(demand, demandContext({ dutyKindsByLevel: { village: ['negative'], township: ['core'] } }));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: 'OUT_OF_SCOPE',
      demandId: 101,
      issuerId: 7,
      target: { kind: 'targets-at-level', level: 'village' },
      period: '',
      evidence: {
        topic: '城市管理',
        level: 'village',
        dutyKinds: ['negative'],
        thresholds: { outOfScopeDutyKinds: ['negative', 'withdrawn'] },
      },
    });
    expect(finding.explanation).toMatch(CHINESE);
    expect(finding.explanation).toContain('关于开展城市管理综合执法的通知');
    expect(finding.explanation).toContain('负面清单');
    expect(finding.explanation).toContain('村级');
  });

  it('does not fire on a topic negative for villages when the demand targets townships only', () => {
    const townshipsOnly = { ...demand, targetLevels: ['township' as const] };
    expect(rule.evaluate(townshipsOnly, demandContext({ dutyKindsByLevel: { village: ['negative', 'withdrawn'] } }))).toEqual([]);
  });

  it('fires once per level, in level order, for withdrawn and negative entries', () => {
    const findings = rule.evaluate(
      { ...demand, targetLevels: ['village', 'township'] },
      demandContext({ dutyKindsByLevel: { township: ['supporting', 'withdrawn'], village: ['negative'] } }),
    );
    expect(findings.map((f) => f.target)).toEqual([
      { kind: 'targets-at-level', level: 'township' },
      { kind: 'targets-at-level', level: 'village' },
    ]);
    expect(findings[0].evidence).toMatchObject({ dutyKinds: ['withdrawn'] });
    expect(findings[0].explanation).toContain('收回事项');
  });

  it('does not fire on core or supporting duties', () => {
    expect(rule.evaluate(demand, demandContext({ dutyKindsByLevel: { township: ['core'], village: ['supporting'] } }))).toEqual([]);
  });

  it('follows the policy list', () => {
    const negativeOnly = demandContext({
      thresholds: thresholdsWith({ outOfScopeDutyKinds: ['negative'] }),
      dutyKindsByLevel: { township: ['withdrawn'] },
    });
    expect(rule.evaluate(demand, negativeOnly)).toEqual([]);
  });
});
