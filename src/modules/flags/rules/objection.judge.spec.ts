import { objectionFinding } from './objection.judge';
import { fingerprintOf } from './rule';
import { CHINESE } from './rule-spec-fixtures';

describe('objectionFinding (OBJECTION)', () => {
  const input = {
    demandId: 101,
    issuerId: 7,
    unitId: 900,
    objectionId: 12,
    reason: '该事项属于县级部门执法职责，已列入村级负面清单',
    dutyItemRef: '村级负面清单第 5 项',
    title: '农村违法建房巡查',
    objectedOn: '2026-05-11',
  };

  it('opens a finding about the demand on the objecting unit', () => {
    const finding = objectionFinding(input);
    expect(finding).toMatchObject({
      rule: 'OBJECTION',
      demandId: 101,
      issuerId: 7,
      target: { kind: 'unit', unitId: 900 },
      period: '',
      landsOn: '2026-05-11',
      evidence: { objectionId: 12, reason: input.reason, dutyItemRef: '村级负面清单第 5 项', objectedOn: '2026-05-11' },
    });
    expect(fingerprintOf(finding, 900)).toBe('OBJECTION|demand:101|900|');
    expect(finding.explanation).toMatch(CHINESE);
    expect(finding.explanation).toContain('农村违法建房巡查');
    expect(finding.explanation).toContain(input.reason);
    expect(finding.explanation).toContain('村级负面清单第 5 项');
  });

  it('leaves the duty-list reference out when there is none', () => {
    const finding = objectionFinding({ ...input, dutyItemRef: undefined });
    expect(finding.evidence.dutyItemRef).toBeNull();
    expect(finding.explanation).not.toContain('职责清单依据');
  });
});
