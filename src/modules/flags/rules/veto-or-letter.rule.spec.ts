import type { WhitelistEntry } from '@/modules/policy/policy-document';
import { CHINESE, demandContext, demandFacts, shippedThresholds, thresholdsWith } from './rule-spec-fixtures';
import { VetoOrLetterRule } from './veto-or-letter.rule';

describe('VetoOrLetterRule (VETO_OR_LETTER)', () => {
  const rule = new VetoOrLetterRule();
  const demand = (subtype: string, overrides: Parameters<typeof demandFacts>[0] = {}) =>
    demandFacts({ kind: 'other', subtype, title: '安全生产目标责任书', topic: '安全生产', ...overrides });
  const allowing = (...entries: WhitelistEntry[]) => demandContext({ thresholds: thresholdsWith({ vetoLetterWhitelist: entries }) });
  const entry = (overrides: Partial<WhitelistEntry> = {}): WhitelistEntry => ({
    subtype: 'responsibility_letter',
    title: '安全生产目标责任书',
    basis: '《安全生产法》第二十二条',
    ...overrides,
  });

  it('reads vetoLetterWhitelist, empty in version 1', () => {
    expect(rule.code).toBe('VETO_OR_LETTER');
    expect(rule.thresholdNames).toEqual(['vetoLetterWhitelist']);
    expect(shippedThresholds().vetoLetterWhitelist.value).toEqual([]);
  });

  it.each([
    ['responsibility_letter', '责任书'],
    ['veto_item', '一票否决'],
  ])('fires on a %s under the empty whitelist', (subtype, word) => {
    const [finding] = rule.evaluate(demand(subtype), demandContext());
    expect(finding).toMatchObject({
      rule: 'VETO_OR_LETTER',
      demandId: 101,
      target: { kind: 'demand' },
      evidence: { subtype, title: '安全生产目标责任书', whitelistSize: 0, thresholds: { vetoLetterWhitelist: [] } },
    });
    expect(finding.explanation).toMatch(CHINESE);
    expect(finding.explanation).toContain('安全生产目标责任书');
    expect(finding.explanation).toContain(word);
  });

  it('does not fire on other subtypes or kinds', () => {
    expect(rule.evaluate(demand('campaign'), demandContext())).toEqual([]);
    expect(rule.evaluate(demand('responsibility_letter', { kind: 'document' }), demandContext())).toEqual([]);
  });

  it('does not fire on a whitelisted entry: same subtype, same title after trimming, any topic', () => {
    expect(
      rule.evaluate(demand('responsibility_letter', { title: '  安全生产目标责任书 ' }), allowing(entry({ title: '安全生产目标责任书 ' }))),
    ).toEqual([]);
  });

  it('matches the topic when the entry names one', () => {
    expect(rule.evaluate(demand('responsibility_letter'), allowing(entry({ topic: '安全生产' })))).toEqual([]);
    const [finding] = rule.evaluate(demand('responsibility_letter'), allowing(entry({ topic: '生态环境' })));
    expect(finding.evidence).toMatchObject({ whitelistSize: 1 });
    expect(finding.explanation).toContain('1 项');
  });

  it('fires when only the subtype or only the title matches', () => {
    expect(rule.evaluate(demand('veto_item'), allowing(entry()))).toHaveLength(1);
    expect(rule.evaluate(demand('responsibility_letter', { title: '安全生产责任书' }), allowing(entry()))).toHaveLength(1);
  });
});
