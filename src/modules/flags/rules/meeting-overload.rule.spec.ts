import { MeetingOverloadRule } from './meeting-overload.rule';
import { CHINESE, demandContext, demandFacts, thresholdsWith } from './rule-spec-fixtures';

describe('MeetingOverloadRule (MEETING_OVERLOAD)', () => {
  const rule = new MeetingOverloadRule();
  /** Within every limit: 240 min, 3 × 10 = 30 attendees, township cadres for a county meeting. */
  const meeting = (overrides: Parameters<typeof demandFacts>[0] = {}) =>
    demandFacts({
      kind: 'meeting',
      title: '全县防汛工作部署会',
      durationMinutes: 240,
      attendeesPerTarget: 3,
      targetCount: 10,
      attendeeLevels: ['township'],
      issuerLevel: 'county',
      ...overrides,
    });

  it('reads its thresholds from the policy', () => {
    expect(rule.code).toBe('MEETING_OVERLOAD');
    expect(rule.thresholdNames).toEqual(['meetingMaxMinutes', 'meetingMaxGrassrootsAttendees', 'meetingAttendeeLevelsDown']);
  });

  it('does not fire at exactly the limits: 240 minutes, 30 attendees, one level down', () => {
    expect(rule.evaluate(meeting(), demandContext())).toEqual([]);
  });

  it('fires on a meeting of 241 minutes, with the numbers in the explanation and the evidence', () => {
    const [finding, ...rest] = rule.evaluate(meeting({ durationMinutes: 241 }), demandContext());
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: 'MEETING_OVERLOAD',
      demandId: 101,
      issuerId: 7,
      target: { kind: 'demand' },
      period: '',
      landsOn: '2026-03-02',
      evidence: { reasons: ['duration'], durationMinutes: 241, thresholds: { meetingMaxMinutes: 240 } },
    });
    expect(finding.explanation).toMatch(CHINESE);
    expect(finding.explanation).toContain('全县防汛工作部署会');
    expect(finding.explanation).toContain('241');
    expect(finding.explanation).toContain('240');
  });

  it('fires on 31 grassroots attendees in all (per target × targets) and not on 30', () => {
    expect(rule.evaluate(meeting({ attendeesPerTarget: 1, targetCount: 30 }), demandContext())).toEqual([]);
    const [finding] = rule.evaluate(meeting({ attendeesPerTarget: 1, targetCount: 31 }), demandContext());
    expect(finding.evidence).toMatchObject({ reasons: ['attendees'], attendeesPerTarget: 1, targetCount: 31, totalAttendees: 31 });
    expect(finding.explanation).toContain('31');
    expect(finding.explanation).toContain('30');
  });

  it('fires when attendees come from two or more levels below the issuer', () => {
    const [countyToVillage] = rule.evaluate(meeting({ attendeeLevels: ['township', 'village'] }), demandContext());
    expect(countyToVillage.evidence).toMatchObject({
      reasons: ['attendeeLevels'],
      issuerLevel: 'county',
      attendeeLevelsTooFarDown: ['village'],
    });
    expect(countyToVillage.explanation).toContain('村级');

    const [prefectureToTownship] = rule.evaluate(meeting({ issuerLevel: 'prefecture', attendeeLevels: ['township'] }), demandContext());
    expect(prefectureToTownship.evidence).toMatchObject({ attendeeLevelsTooFarDown: ['township'] });

    expect(rule.evaluate(meeting({ issuerLevel: 'township', attendeeLevels: ['village'] }), demandContext())).toEqual([]);
  });

  it('raises one finding listing every reason', () => {
    const findings = rule.evaluate(
      meeting({ durationMinutes: 300, attendeesPerTarget: 5, targetCount: 150, attendeeLevels: ['village'] }),
      demandContext(),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0].evidence).toMatchObject({
      reasons: ['duration', 'attendees', 'attendeeLevels'],
      durationMinutes: 300,
      totalAttendees: 750,
      thresholds: { meetingMaxMinutes: 240, meetingMaxGrassrootsAttendees: 30, meetingAttendeeLevelsDown: 2 },
    });
  });

  it('follows the policy rather than built-in numbers', () => {
    const context = demandContext({
      thresholds: thresholdsWith({ meetingMaxMinutes: 120, meetingMaxGrassrootsAttendees: 100, meetingAttendeeLevelsDown: 1 }),
    });
    const [finding] = rule.evaluate(meeting({ durationMinutes: 121 }), context);
    expect(finding.evidence).toMatchObject({ reasons: ['duration', 'attendeeLevels'] });
    expect(rule.evaluate(meeting({ durationMinutes: 120, attendeeLevels: [] }), context)).toEqual([]);
  });

  it('ignores missing numbers and other kinds', () => {
    expect(rule.evaluate(meeting({ durationMinutes: null, attendeesPerTarget: null, attendeeLevels: [] }), demandContext())).toEqual([]);
    expect(rule.evaluate(meeting({ kind: 'report', durationMinutes: 600 }), demandContext())).toEqual([]);
  });
});
