import type { Finding } from './rule';
import { DuplicateInspectionRule } from './duplicate-inspection.rule';
import { CHINESE, byDemand, day, landing, seededRandom, thresholdsWith, unitContext, unitOf } from './rule-spec-fixtures';
import { fixtureTitles } from './rule-spec-fixtures';
import type { Landing, UnitLandings, UnitRuleContext } from './unit-rule';

describe('DuplicateInspectionRule (DUPLICATE_INSPECTION)', () => {
  const rule = new DuplicateInspectionRule();
  /** Unit-rule findings are stored without text; the explanation is rendered from the evidence when read. */
  const explained = (finding: Finding) => {
    expect(finding.explanation).toBe('');
    return rule.explain(finding, fixtureTitles);
  };
  const inspection = (demandId: number, issuerId: number, days: string[], extra: Partial<Landing> = {}) =>
    landing({ demandId, issuerId, kind: 'inspection', topic: '安全生产', days, ...extra });
  const evaluate = (landings: Landing[], context: UnitRuleContext = unitContext()) => rule.evaluateUnit(unitOf(landings), context);

  it('reads duplicateInspectionCount and duplicateInspectionWindowDays', () => {
    expect(rule.code).toBe('DUPLICATE_INSPECTION');
    expect(rule.thresholdNames).toEqual(['duplicateInspectionCount', 'duplicateInspectionWindowDays']);
  });

  it('flags the later of two inspections on one topic 30 days apart, the earlier one in evidence', () => {
    const findings = evaluate([inspection(1, 11, ['2026-04-01']), inspection(2, 22, ['2026-05-01'])]);
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding).toMatchObject({
      rule: 'DUPLICATE_INSPECTION',
      demandId: 2,
      issuerId: 22,
      target: { kind: 'unit', unitId: 900 },
      period: '',
      landsOn: '2026-05-01',
      evidence: {
        topic: '安全生产',
        visits: 2,
        earlierInspections: [{ demandId: 1, issuerId: 11, on: '2026-04-01' }],
        earlierDemandIds: [1],
        jointDemandIds: [],
        windowDays: 30,
        thresholds: { duplicateInspectionCount: 2, duplicateInspectionWindowDays: 30 },
      },
    });
    expect(explained(finding)).toMatch(CHINESE);
    expect(explained(finding)).toContain('事项甲2');
    expect(explained(finding)).toContain('事项甲1');
    expect(explained(finding)).toContain('安全生产');
    expect(explained(finding)).toContain('30 天');
  });

  it('does not fire on inspections 31 days apart', () => {
    expect(day('2026-05-02') - day('2026-04-01')).toBe(31);
    expect(evaluate([inspection(1, 11, ['2026-04-01']), inspection(2, 22, ['2026-05-02'])])).toEqual([]);
  });

  it('does not fire on inspections of other topics or on other kinds', () => {
    expect(evaluate([inspection(1, 11, ['2026-04-01']), inspection(2, 22, ['2026-04-02'], { topic: '生态环境' })])).toEqual([]);
    expect(evaluate([inspection(1, 11, ['2026-04-01']), inspection(2, 22, ['2026-04-02'], { kind: 'meeting' })])).toEqual([]);
  });

  it('counts inspections made jointly in one visit once, whichever side names the other', () => {
    expect(evaluate([inspection(1, 11, ['2026-04-01']), inspection(2, 22, ['2026-04-01'], { jointIssuerIds: [11] })])).toEqual([]);
    expect(evaluate([inspection(1, 11, ['2026-04-01'], { jointIssuerIds: [22] }), inspection(2, 22, ['2026-04-01'])])).toEqual([]);
    const [finding] = evaluate([
      inspection(1, 11, ['2026-04-01'], { jointIssuerIds: [22] }),
      inspection(2, 22, ['2026-04-01']),
      inspection(3, 33, ['2026-04-10']),
    ]);
    expect(finding).toMatchObject({ demandId: 3, evidence: { visits: 3, earlierDemandIds: [1, 2] } });
    const withJoint = evaluate(
      [inspection(1, 11, ['2026-04-01']), inspection(2, 22, ['2026-04-05']), inspection(3, 33, ['2026-04-10'], { jointIssuerIds: [22] })],
      unitContext({ thresholds: thresholdsWith({ duplicateInspectionCount: 3 }) }),
    );
    expect(withJoint).toEqual([]);
  });

  it('never compares an inspection with its own recurrences or its parentDemandId chain', () => {
    expect(evaluate([inspection(1, 11, ['2026-04-01', '2026-04-08', '2026-04-15'])])).toEqual([]);
    expect(evaluate([inspection(1, 11, ['2026-04-01']), inspection(2, 22, ['2026-04-03'], { ancestors: [1] })])).toEqual([]);
    expect(evaluate([inspection(1, 11, ['2026-04-09']), inspection(2, 22, ['2026-04-03'], { ancestors: [1] })])).toEqual([]);
  });

  it('flags a recurring inspection once, listing the days it repeated another', () => {
    const findings = evaluate([
      inspection(1, 11, ['2026-04-01', '2026-05-01']),
      inspection(2, 22, ['2026-04-15', '2026-05-15', '2026-06-30']),
    ]);
    expect(byDemand(findings).get(2)).toMatchObject({
      landsOn: '2026-04-15',
      evidence: { triggeredOn: ['2026-04-15', '2026-05-15'], triggerCount: 2 },
    });
    // Demand 1's second landing (05-01) repeats demand 2's first (04-15): the later one carries the flag.
    expect(byDemand(findings).get(1)).toMatchObject({ landsOn: '2026-05-01', evidence: { earlierDemandIds: [2] } });
  });

  it('orders same-day inspections by id', () => {
    const findings = evaluate([inspection(7, 11, ['2026-04-01']), inspection(4, 22, ['2026-04-01'])]);
    expect(findings.map((f) => f.demandId)).toEqual([7]);
  });

  it('follows the policy count: three visits needed', () => {
    const context = unitContext({ thresholds: thresholdsWith({ duplicateInspectionCount: 3 }) });
    expect(evaluate([inspection(1, 11, ['2026-04-01']), inspection(2, 22, ['2026-04-10'])], context)).toEqual([]);
    const [finding] = evaluate(
      [inspection(1, 11, ['2026-04-01']), inspection(2, 22, ['2026-04-10']), inspection(3, 33, ['2026-04-20'])],
      context,
    );
    expect(finding).toMatchObject({ demandId: 3, evidence: { visits: 3 } });
    expect(explained(finding)).toContain('3 次');
  });

  it('raises findings only for days in [fromDay, toDay], earlier inspections serving as evidence', () => {
    const may = unitContext({ fromDay: day('2026-05-01'), toDay: day('2026-05-31') });
    const findings = evaluate(
      [
        inspection(1, 11, ['2026-04-20']),
        inspection(2, 22, ['2026-04-25']),
        inspection(3, 33, ['2026-05-05']),
        inspection(4, 44, ['2026-06-01']),
      ],
      may,
    );
    expect(findings.map((f) => f.demandId)).toEqual([3]);
    expect(findings[0].evidence).toMatchObject({ visits: 3, earlierDemandIds: [1, 2] });
  });

  describe('against a direct all-pairs reading of the rule', () => {
    function allPairs(unit: UnitLandings, context: UnitRuleContext): Map<number, number> {
      const windowDays = context.thresholds.duplicateInspectionWindowDays.value;
      const count = context.thresholds.duplicateInspectionCount.value;
      const result = new Map<number, number>();
      const inspections = unit.landings.filter((l) => l.kind === 'inspection');
      for (const b of inspections) {
        for (const bDay of b.days) {
          if (bDay < context.fromDay || bDay > context.toDay) continue;
          let visits = 1;
          for (const a of inspections) {
            if (a.demandId === b.demandId || a.topic !== b.topic) continue;
            if (a.ancestors.includes(b.demandId) || b.ancestors.includes(a.demandId)) continue;
            if (a.jointIssuerIds.includes(b.issuerId) || b.jointIssuerIds.includes(a.issuerId)) continue;
            for (const aDay of a.days) {
              if ((aDay < bDay || (aDay === bDay && a.demandId < b.demandId)) && bDay - aDay <= windowDays) visits++;
            }
          }
          if (visits >= count) result.set(b.demandId, (result.get(b.demandId) ?? 0) + 1);
        }
      }
      return result;
    }

    it.each([1, 2, 3, 4])('agrees on random unit #%i', (seed) => {
      const random = seededRandom(seed);
      const pick = (n: number) => Math.floor(random() * n);
      const landings = Array.from({ length: 60 }, (_, i) => {
        const first = day('2026-01-01') + pick(330);
        const step = [0, 0, 14, 30][pick(4)];
        return inspection(i + 1, 1 + pick(8), [], {
          days: Array.from({ length: step === 0 ? 1 : 1 + pick(4) }, (_, k) => first + k * step),
          topic: ['安全生产', '生态环境', '教育'][pick(3)],
          jointIssuerIds: random() < 0.3 ? [1 + pick(8)] : [],
          ancestors: i > 2 && random() < 0.2 ? [1 + pick(i)] : [],
        });
      });
      const context = unitContext({
        thresholds: thresholdsWith({ duplicateInspectionCount: 2 + (seed % 3), duplicateInspectionWindowDays: 20 + seed * 5 }),
        fromDay: day('2026-02-01'),
        toDay: day('2026-11-30'),
      });
      const unit = unitOf(landings);
      const expected = allPairs(unit, context);
      const actual = new Map(rule.evaluateUnit(unit, context).map((f) => [f.demandId as number, f.evidence.triggerCount as number]));
      expect(actual).toEqual(expected);
      expect(expected.size).toBeGreaterThan(0);
    });
  });
});
