import type { Finding } from './rule';
import { CHINESE, byDemand, day, landing, unitContext, unitOf } from './rule-spec-fixtures';
import { fixtureTitles } from './rule-spec-fixtures';
import { SplitInspectionRule } from './split-inspection.rule';
import type { Landing, UnitRuleContext } from './unit-rule';

describe('SplitInspectionRule (SPLIT_INSPECTION)', () => {
  const rule = new SplitInspectionRule();
  /** Unit-rule findings are stored without text; the explanation is rendered from the evidence when read. */
  const explained = (finding: Finding) => {
    expect(finding.explanation).toBe('');
    return rule.explain(finding, fixtureTitles);
  };
  const inspection = (demandId: number, days: string[], planItemId: number | null = 31, extra: Partial<Landing> = {}) =>
    landing({ demandId, issuerId: 5, kind: 'inspection', topic: '教育', days, planItemId, ...extra });
  const planned = (visits: Record<number, number | null>) => unitContext({ plannedVisits: (id) => (id in visits ? visits[id] : null) });
  const evaluate = (landings: Landing[], context: UnitRuleContext = planned({ 31: 1 })) => rule.evaluateUnit(unitOf(landings), context);

  it('reads no policy threshold (planned visits come from the plan)', () => {
    expect(rule.code).toBe('SPLIT_INSPECTION');
    expect(rule.thresholdNames).toEqual([]);
  });

  it('flags the second visit of an item planned once, the first visit in evidence', () => {
    const findings = evaluate([inspection(1, ['2026-04-01']), inspection(2, ['2026-06-01'])]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'SPLIT_INSPECTION',
      demandId: 2,
      issuerId: 5,
      target: { kind: 'unit', unitId: 900 },
      period: '',
      landsOn: '2026-06-01',
      evidence: {
        planItemId: 31,
        plannedVisits: 1,
        visitNumber: 2,
        earlierVisits: [{ demandId: 1, on: '2026-04-01' }],
        earlierDemandIds: [1],
      },
    });
    expect(explained(findings[0])).toMatch(CHINESE);
    expect(explained(findings[0])).toContain('事项甲2');
    expect(explained(findings[0])).toContain('第 2 次');
    expect(explained(findings[0])).toContain('计划的 1 次');
  });

  it('does not fire within the planned visits', () => {
    expect(evaluate([inspection(1, ['2026-04-01']), inspection(2, ['2026-06-01'])], planned({ 31: 2 }))).toEqual([]);
    const third = evaluate(
      [inspection(1, ['2026-04-01']), inspection(2, ['2026-06-01']), inspection(3, ['2026-06-02'])],
      planned({ 31: 2 }),
    );
    expect(third.map((f) => f.demandId)).toEqual([3]);
  });

  it('counts a recurring inspection own landings: one planned visit split into months', () => {
    const [finding, ...rest] = evaluate([inspection(1, ['2026-03-01', '2026-04-01', '2026-05-01'])]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      demandId: 1,
      landsOn: '2026-04-01',
      evidence: { visitNumber: 2, triggeredOn: ['2026-04-01', '2026-05-01'], triggerCount: 2 },
    });
  });

  it('keeps plan items apart and skips items the plan does not know or landings without an item', () => {
    const findings = evaluate(
      [
        inspection(1, ['2026-04-01'], 31),
        inspection(2, ['2026-04-02'], 32),
        inspection(3, ['2026-04-03'], 99),
        inspection(4, ['2026-04-04'], 99),
        inspection(5, ['2026-04-05'], null),
        inspection(6, ['2026-04-06'], null),
      ],
      planned({ 31: 1, 32: 1, 99: null }),
    );
    expect(findings).toEqual([]);
  });

  it('does not count a demand passing on another inspection of the same item as a visit', () => {
    expect(evaluate([inspection(1, ['2026-04-01']), inspection(2, ['2026-04-03'], 31, { ancestors: [1] })])).toEqual([]);
  });

  it('numbers visits from the start of the data but flags only days in [fromDay, toDay]', () => {
    const landings = [
      inspection(1, ['2026-01-10']),
      inspection(2, ['2026-02-10']),
      inspection(3, ['2026-04-10']),
      inspection(4, ['2026-07-10']),
    ];
    const secondQuarter = unitContext({ plannedVisits: () => 1, fromDay: day('2026-04-01'), toDay: day('2026-06-30') });
    const findings = byDemand(rule.evaluateUnit(unitOf(landings), secondQuarter));
    expect([...findings.keys()]).toEqual([3]);
    expect(findings.get(3)?.evidence).toMatchObject({ visitNumber: 3, earlierDemandIds: [1, 2] });
  });

  it('orders same-day visits by id', () => {
    expect(evaluate([inspection(9, ['2026-04-01']), inspection(3, ['2026-04-01'])]).map((f) => f.demandId)).toEqual([9]);
  });
});
