import type { Finding } from './rule';
import type { Level } from '@/common/auth/actor';
import type { PolicyThresholds } from '@/modules/policy/policy-document';
import { InspectionQuotaRule } from './inspection-quota.rule';
import { CHINESE, day, landing, thresholdsWith, unitContext, unitOf } from './rule-spec-fixtures';
import { fixtureTitles } from './rule-spec-fixtures';
import type { Landing, UnitRuleContext } from './unit-rule';

describe('InspectionQuotaRule (INSPECTION_QUOTA)', () => {
  const rule = new InspectionQuotaRule();
  /** Unit-rule findings are stored without text; the explanation is rendered from the evidence when read. */
  const explained = (finding: Finding) => {
    expect(finding.explanation).toBe('');
    return rule.explain(finding, fixtureTitles);
  };
  const inspection = (demandId: number, days: (string | number)[], extra: Partial<Landing> = {}) =>
    landing({ demandId, issuerId: 100 + demandId, kind: 'inspection', topic: '党建', days, ...extra });
  const evaluate = (landings: Landing[], level: Level = 'village', context: UnitRuleContext = unitContext()) =>
    rule.evaluateUnit(unitOf(landings, { level }), context);
  const fourInQ1 = () => [
    inspection(1, ['2026-01-05']),
    inspection(2, ['2026-02-05']),
    inspection(3, ['2026-03-05']),
    inspection(4, ['2026-03-20']),
  ];

  it('reads inspectionQuotaPerQuarter', () => {
    expect(rule.code).toBe('INSPECTION_QUOTA');
    expect(rule.thresholdNames).toEqual(['inspectionQuotaPerQuarter']);
  });

  it('flags the fourth inspection of a village in a quarter, with the period, the count and the earlier ones', () => {
    const findings = evaluate(fourInQ1());
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'INSPECTION_QUOTA',
      demandId: 4,
      issuerId: 104,
      target: { kind: 'unit', unitId: 900 },
      period: '2026-Q1',
      landsOn: '2026-03-20',
      evidence: {
        quarter: '2026-Q1',
        level: 'village',
        quota: 3,
        position: 4,
        inspectionsInQuarter: 4,
        earlierDemandIds: [1, 2, 3],
        thresholds: { inspectionQuotaPerQuarter: { township: 6, village: 3 } },
      },
    });
    expect(explained(findings[0])).toMatch(CHINESE);
    expect(explained(findings[0])).toContain('事项甲4');
    expect(explained(findings[0])).toContain('2026-Q1');
    expect(explained(findings[0])).toContain('第 4 次');
    expect(explained(findings[0])).toContain('3 次');
  });

  it('does not fire at the quota, and each quarter starts again', () => {
    expect(evaluate(fourInQ1().slice(0, 3))).toEqual([]);
    const threePerQuarter = [
      ...fourInQ1().slice(0, 3),
      inspection(5, ['2026-04-01']),
      inspection(6, ['2026-05-01']),
      inspection(7, ['2026-06-30']),
    ];
    expect(evaluate(threePerQuarter)).toEqual([]);
  });

  it('uses the quota of the unit level: six for a township, none for a county', () => {
    expect(evaluate(fourInQ1(), 'township')).toEqual([]);
    const seven = Array.from({ length: 7 }, (_, i) => inspection(i + 1, [`2026-0${1 + (i % 3)}-1${i}`]));
    expect(evaluate(seven, 'township').map((f) => f.evidence.quota)).toEqual([6]);
    expect(evaluate(seven, 'county')).toEqual([]);
  });

  it('counts every landing of a recurring inspection and flags it once per quarter', () => {
    const weekly = Array.from({ length: 20 }, (_, k) => day('2026-01-05') + 7 * k); // 01-05 … 03-30: 13 in Q1; 04-06 … 05-18: 7 in Q2
    const findings = evaluate([inspection(1, weekly)]);
    expect(findings.map((f) => [f.period, f.landsOn, f.evidence.triggerCount])).toEqual([
      ['2026-Q1', '2026-01-26', 10],
      ['2026-Q2', '2026-04-27', 4],
    ]);
  });

  it('orders same-day inspections by id and counts a passed-on inspection as its parent', () => {
    const sameDay = [4, 2, 3, 1].map((id) => inspection(id, ['2026-05-06']));
    expect(evaluate(sameDay).map((f) => f.demandId)).toEqual([4]);
    const passedOn = [...fourInQ1().slice(0, 3), inspection(4, ['2026-03-20'], { ancestors: [3] })];
    expect(evaluate(passedOn)).toEqual([]);
  });

  it('counts the whole quarter but flags only days in [fromDay, toDay]', () => {
    const landings = [...fourInQ1(), inspection(5, ['2026-03-25']), inspection(6, ['2026-04-02'])];
    const march = unitContext({ fromDay: day('2026-03-10'), toDay: day('2026-03-22') });
    const findings = evaluate(landings, 'village', march);
    expect(findings.map((f) => f.demandId)).toEqual([4]);
    expect(findings[0].evidence).toMatchObject({ position: 4, inspectionsInQuarter: 5 });
  });

  it('follows the policy quota', () => {
    const context = unitContext({
      thresholds: thresholdsWith({
        // The policy type asks for every level (a quirk of its keyed spec); a level left out has no quota.
        inspectionQuotaPerQuarter: { township: 6, village: 2, county: 1 } as PolicyThresholds['inspectionQuotaPerQuarter']['value'],
      }),
    });
    expect(evaluate(fourInQ1(), 'village', context).map((f) => f.demandId)).toEqual([3, 4]);
    expect(evaluate(fourInQ1(), 'county', context).map((f) => f.demandId)).toEqual([2, 3, 4]);
  });

  it('ignores other kinds', () => {
    expect(evaluate(fourInQ1().map((l) => ({ ...l, kind: 'meeting' as const })))).toEqual([]);
  });
});
