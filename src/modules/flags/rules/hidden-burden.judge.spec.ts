import { hiddenBurdenFinding, shadowBurdenFinding, type ShadowBurdenInput } from './hidden-burden.judge';
import { fingerprintOf } from './rule';
import { CHINESE, shippedThresholds, thresholdsWith } from './rule-spec-fixtures';

describe('hiddenBurdenFinding (HIDDEN_BURDEN of a registered demand)', () => {
  const input = (reportedMinutes: number, estimatedMinutes: number) => ({
    demandId: 101,
    issuerId: 7,
    unitId: 900,
    month: '2026-07',
    reportedMinutes,
    estimatedMinutes,
    title: '脱贫人口收入监测表',
  });

  it('fires when the reported hours reach twice the estimate, on the unit and month', () => {
    const finding = hiddenBurdenFinding(input(240, 120), shippedThresholds());
    expect(finding).toMatchObject({
      rule: 'HIDDEN_BURDEN',
      demandId: 101,
      issuerId: 7,
      target: { kind: 'unit', unitId: 900 },
      period: '2026-07',
      landsOn: '2026-07-01',
      evidence: {
        month: '2026-07',
        reportedMinutes: 240,
        estimatedMinutes: 120,
        reportedHours: '4.00',
        estimatedHours: '2.00',
        ratio: 2,
        hiddenMinutes: 120,
        thresholds: { hiddenBurdenRatio: 2 },
      },
    });
    expect(finding?.explanation).toMatch(CHINESE);
    expect(finding?.explanation).toContain('脱贫人口收入监测表');
    expect(finding?.explanation).toContain('4.00 小时');
    expect(finding?.explanation).toContain('2.00 小时');
    expect(finding?.explanation).toContain('2 倍');
  });

  it('does not fire just under the ratio, nor without an estimate', () => {
    expect(hiddenBurdenFinding(input(239, 120), shippedThresholds())).toBeNull();
    expect(hiddenBurdenFinding(input(500, 0), shippedThresholds())).toBeNull();
  });

  it('follows the policy ratio, exactly at a ratio that floating point multiplication would miss', () => {
    const ratio = thresholdsWith({ hiddenBurdenRatio: 1.1 });
    // 1.1 × 30 = 33.000000000000004 in floating point; 33 / 30 = 1.1 exactly as the literal.
    expect(hiddenBurdenFinding(input(33, 30), ratio)).not.toBeNull();
    expect(hiddenBurdenFinding(input(32, 30), ratio)).toBeNull();
  });

  it('rounds hours to two decimals in the text', () => {
    expect(hiddenBurdenFinding(input(100, 45), shippedThresholds())?.explanation).toContain('1.67 小时');
  });
});

describe('shadowBurdenFinding (HIDDEN_BURDEN of a shadow demand)', () => {
  const input: ShadowBurdenInput = {
    reportId: 55,
    unitId: 900,
    month: '2026-07',
    minutes: 150,
    issuerName: '某县农业农村局',
    title: '微信群临时统计秸秆禁烧情况',
    channel: '微信群',
    receivedOn: '2026-07-08',
  };

  it('is always a finding about the report, with no demand and no issuer id', () => {
    const finding = shadowBurdenFinding(input);
    expect(finding).toMatchObject({
      rule: 'HIDDEN_BURDEN',
      demandId: null,
      reportId: 55,
      issuerId: null,
      target: { kind: 'unit', unitId: 900 },
      period: '2026-07',
      landsOn: '2026-07-08',
      evidence: { shadow: true, minutes: 150, hours: '2.50', channel: '微信群', issuerName: '某县农业农村局', receivedOn: '2026-07-08' },
    });
    expect(fingerprintOf(finding, 900)).toBe('HIDDEN_BURDEN|report:55|900|2026-07');
    expect(finding.explanation).toMatch(CHINESE);
    expect(finding.explanation).toContain('微信群临时统计秸秆禁烧情况');
    expect(finding.explanation).toContain('2.50 小时');
    expect(finding.explanation).toContain('某县农业农村局');
  });

  it('never carries who reported it, even when the caller passes more than it should', () => {
    const leaky = { ...input, reportedBy: 4242, reporterName: '张三丰', userId: 4242, username: 'zhang.sf' };
    const text = JSON.stringify(shadowBurdenFinding(leaky));
    for (const secret of ['4242', '张三丰', 'zhang.sf', 'reportedBy', 'reporterName', 'userId', 'username']) {
      expect(text).not.toContain(secret);
    }
  });

  it('lands on the first day of the month when the day received is unknown', () => {
    expect(shadowBurdenFinding({ ...input, receivedOn: null }).landsOn).toBe('2026-07-01');
  });
});
