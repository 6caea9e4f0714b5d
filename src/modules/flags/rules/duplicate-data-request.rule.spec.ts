import { fromEpochDay } from '@/modules/demands/calendar/working-days';
import { DuplicateDataRequestRule } from './duplicate-data-request.rule';
import type { Finding } from './rule';
import {
  CHINESE,
  byDemand,
  day,
  keyRange,
  landing,
  seededRandom,
  shippedThresholds,
  thresholdsWith,
  unitContext,
  unitOf,
} from './rule-spec-fixtures';
import { fixtureTitles } from './rule-spec-fixtures';
import type { Landing, UnitLandings, UnitRuleContext } from './unit-rule';

describe('DuplicateDataRequestRule (DUPLICATE_DATA_REQUEST)', () => {
  const rule = new DuplicateDataRequestRule();
  /** Unit-rule findings are stored without text; the explanation is rendered from the evidence when read. */
  const explained = (finding: Finding) => {
    expect(finding.explanation).toBe('');
    return rule.explain(finding, fixtureTitles);
  };
  const evaluate = (landings: Landing[], context: UnitRuleContext = unitContext()) => rule.evaluateUnit(unitOf(landings), context);

  it('reads duplicateDataShare and duplicateDataWindowDays', () => {
    expect(rule.code).toBe('DUPLICATE_DATA_REQUEST');
    expect(rule.thresholdNames).toEqual(['duplicateDataShare', 'duplicateDataWindowDays']);
  });

  it('flags the later report when half of its keys were asked before, with the earlier one in evidence', () => {
    const findings = evaluate([
      landing({ demandId: 1, issuerId: 11, days: ['2026-03-02'], keys: keyRange(1, 10) }),
      landing({ demandId: 2, issuerId: 22, days: ['2026-03-12'], keys: [...keyRange(1, 5), ...keyRange(11, 15)] }),
    ]);
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding).toMatchObject({
      rule: 'DUPLICATE_DATA_REQUEST',
      demandId: 2,
      issuerId: 22,
      target: { kind: 'unit', unitId: 900 },
      period: '',
      landsOn: '2026-03-12',
      evidence: {
        keyCount: 10,
        sharedKeyCount: 5,
        share: 0.5,
        earlierDemandIds: [1],
        windowDays: 90,
        thresholds: { duplicateDataShare: 0.5, duplicateDataWindowDays: 90 },
        triggeredOn: ['2026-03-12'],
        triggerCount: 1,
      },
    });
    expect(finding.evidence.earlierRequests).toEqual([{ demandId: 1, askedOn: '2026-03-02', keys: ['字段1', '字段2', '字段3', '字段4', '字段5'] }]);
    expect(explained(finding)).toMatch(CHINESE);
    expect(explained(finding)).toContain('事项甲2');
    expect(explained(finding)).toContain('事项甲1');
    expect(explained(finding)).toContain('10 个字段');
    expect(explained(finding)).toContain('5 个（50%）');
    expect(explained(finding)).toContain('90 天');
    expect(explained(finding)).toContain('字段3');
  });

  it('does not fire at 49 % overlap and fires at 50 %', () => {
    const earlier = landing({ demandId: 1, days: ['2026-03-02'], keys: keyRange(1, 50) });
    const overlap = (shared: number) => landing({ demandId: 2, days: ['2026-03-20'], keys: keyRange(51 - shared, 150 - shared) });
    expect(evaluate([earlier, overlap(49)])).toEqual([]);
    expect(evaluate([earlier, overlap(50)])[0].evidence).toMatchObject({ keyCount: 100, sharedKeyCount: 50, share: 0.5 });
  });

  it('counts the union of the keys several earlier reports asked for', () => {
    const [finding] = evaluate([
      landing({ demandId: 1, days: ['2026-03-02'], keys: [1, 2, 3] }),
      landing({ demandId: 2, days: ['2026-03-05'], keys: [3, 4, 5, 90] }),
      landing({ demandId: 3, days: ['2026-03-09'], keys: keyRange(1, 10) }),
    ]);
    expect(finding).toMatchObject({ demandId: 3, evidence: { sharedKeyCount: 5, earlierDemandIds: [1, 2] } });
  });

  it('looks back exactly duplicateDataWindowDays calendar days', () => {
    const earlier = landing({ demandId: 1, days: ['2026-01-05'], keys: [1, 2] });
    const at = (date: string) => landing({ demandId: 2, days: [date], keys: [1, 2] });
    expect(day('2026-04-05') - day('2026-01-05')).toBe(90);
    expect(evaluate([earlier, at('2026-04-05')])).toHaveLength(1);
    expect(evaluate([earlier, at('2026-04-06')])).toEqual([]);
    expect(evaluate([earlier, at('2026-01-26')], unitContext({ thresholds: thresholdsWith({ duplicateDataWindowDays: 20 }) }))).toEqual([]);
  });

  it('orders same-day reports by id: the higher id is the later one', () => {
    const findings = evaluate([
      landing({ demandId: 8, days: ['2026-05-06'], keys: [1, 2] }),
      landing({ demandId: 3, days: ['2026-05-06'], keys: [1, 2] }),
    ]);
    expect(findings.map((f) => f.demandId)).toEqual([8]);
    expect(findings[0].evidence).toMatchObject({ earlierDemandIds: [3] });
  });

  it('does not compare a monthly report with its own earlier months', () => {
    const monthly = landing({
      demandId: 1,
      days: ['2026-01-10', '2026-02-10', '2026-03-10', '2026-04-10', '2026-05-10', '2026-06-10'],
      keys: keyRange(1, 15),
    });
    const unrelated = landing({ demandId: 2, days: ['2026-02-01'], keys: keyRange(20, 30) });
    expect(evaluate([monthly, unrelated])).toEqual([]);
  });

  it('does not compare a demand with the chain it passes on, in either direction', () => {
    const parent = landing({ demandId: 1, issuerId: 11, days: ['2026-03-02'], keys: keyRange(1, 10) });
    const child = landing({ demandId: 2, issuerId: 22, days: ['2026-03-04'], keys: keyRange(1, 10), ancestors: [1] });
    const grandchild = landing({ demandId: 3, issuerId: 33, days: ['2026-03-06'], keys: keyRange(1, 10), ancestors: [2, 1] });
    expect(evaluate([parent, child, grandchild])).toEqual([]);
    // The child may land before the parent does (a township passes it on before the county's own date).
    const lateParent = landing({ demandId: 1, days: ['2026-03-20'], keys: keyRange(1, 10) });
    expect(evaluate([lateParent, child])).toEqual([]);
  });

  it('still compares a passed-on report with an unrelated earlier one', () => {
    const other = landing({ demandId: 9, issuerId: 99, days: ['2026-03-01'], keys: keyRange(1, 10) });
    const parent = landing({ demandId: 1, days: ['2026-03-02'], keys: keyRange(1, 10) });
    const child = landing({ demandId: 2, days: ['2026-03-04'], keys: keyRange(1, 10), ancestors: [1] });
    const found = byDemand(evaluate([other, parent, child]));
    expect([...found.keys()]).toEqual([1, 2]);
    expect(found.get(2)?.evidence).toMatchObject({ earlierDemandIds: [9] });
  });

  it('raises one finding per demand however many of its landings repeat earlier data', () => {
    const findings = evaluate([
      landing({ demandId: 1, days: ['2026-03-01'], keys: keyRange(1, 4), kind: 'report' }),
      landing({ demandId: 2, days: ['2026-03-10', '2026-04-10', '2026-05-10'], keys: keyRange(1, 4) }),
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      demandId: 2,
      landsOn: '2026-03-10',
      evidence: { triggeredOn: ['2026-03-10', '2026-04-10', '2026-05-10'], triggerCount: 3 },
    });
  });

  it('raises findings only for landing days in [fromDay, toDay], earlier ones serving as evidence', () => {
    const landings = [
      landing({ demandId: 1, days: ['2026-03-25'], keys: [1, 2] }),
      landing({ demandId: 2, days: ['2026-03-28'], keys: [1, 2] }),
      landing({ demandId: 3, days: ['2026-04-02'], keys: [1, 2] }),
      landing({ demandId: 4, days: ['2026-05-02'], keys: [1, 2] }),
    ];
    const april = unitContext({ fromDay: day('2026-04-01'), toDay: day('2026-04-30') });
    const findings = evaluate(landings, april);
    expect(findings.map((f) => f.demandId)).toEqual([3]);
    expect(findings[0].evidence).toMatchObject({ earlierDemandIds: [1] });
  });

  it('ignores other kinds and reports without keys', () => {
    expect(
      evaluate([
        landing({ demandId: 1, days: ['2026-03-01'], keys: [1, 2] }),
        landing({ demandId: 2, days: ['2026-03-02'], keys: [1, 2], kind: 'meeting' }),
        landing({ demandId: 3, days: ['2026-03-03'], keys: [] }),
      ]),
    ).toEqual([]);
  });

  it('names a demand by id when its title is unknown, and reads nothing but the evidence', () => {
    const [finding] = evaluate([landing({ demandId: 1, days: ['2026-03-01'], keys: [1] }), landing({ demandId: 2, days: ['2026-03-02'], keys: [1] })]);
    const text = rule.explain(finding, () => undefined);
    expect(text).toContain('事项#2');
    expect(text).toContain('事项#1');
    // A stored flag: its evidence read back as JSON gives the same text as the finding.
    const stored = { demandId: finding.demandId, landsOn: finding.landsOn, evidence: JSON.parse(JSON.stringify(finding.evidence)) as Record<string, unknown> };
    expect(rule.explain(stored, fixtureTitles)).toBe(explained(finding));
    expect(rule.namedDemands(stored.evidence)).toEqual([1]);
  });

  it('explains damaged evidence with question marks rather than failing', () => {
    const text = rule.explain({ demandId: 7, landsOn: '2026-03-02', evidence: { keyCount: 'x', earlierRequests: 'y' } }, fixtureTitles);
    expect(text).toContain('事项甲7');
    expect(text).toContain('? 个字段');
  });

  describe('against a direct all-pairs reading of the rule', () => {
    /** Per demand, the days in range that trigger, straight from the definition (O(n²), for checking only). */
    function allPairs(unit: UnitLandings, context: UnitRuleContext): Map<number, string[]> {
      const windowDays = context.thresholds.duplicateDataWindowDays.value;
      const minShare = context.thresholds.duplicateDataShare.value;
      const related = (a: Landing, b: Landing) =>
        a.demandId === b.demandId || a.ancestors.includes(b.demandId) || b.ancestors.includes(a.demandId);
      const result = new Map<number, string[]>();
      const reports = unit.landings.filter((l) => l.kind === 'report' && l.keys.length > 0);
      for (const b of reports) {
        for (const bDay of b.days) {
          if (bDay < context.fromDay || bDay > context.toDay) continue;
          const covered = new Set<number>();
          for (const a of reports) {
            if (related(a, b)) continue;
            for (const aDay of a.days) {
              const before = aDay < bDay || (aDay === bDay && a.demandId < b.demandId);
              if (before && bDay - aDay <= windowDays) for (const key of a.keys) if (b.keys.includes(key)) covered.add(key);
            }
          }
          if (covered.size / b.keys.length >= minShare) result.set(b.demandId, [...(result.get(b.demandId) ?? []), fromEpochDay(bDay)]);
        }
      }
      return result;
    }

    function randomUnit(seed: number): UnitLandings {
      const random = seededRandom(seed);
      const pick = (n: number) => Math.floor(random() * n);
      const landings: Landing[] = [];
      for (let id = 1; id <= 120; id++) {
        const first = day('2026-01-01') + pick(300);
        const step = [0, 0, 0, 7, 30][pick(5)];
        const count = step === 0 ? 1 : 1 + pick(6);
        const keys = [...new Set(Array.from({ length: 1 + pick(8) }, () => pick(25)))].sort((a, b) => a - b);
        const ancestors = id > 3 && random() < 0.2 ? [1 + pick(id - 1)] : [];
        landings.push(
          landing({
            demandId: id,
            kind: random() < 0.9 ? 'report' : 'inspection',
            days: Array.from({ length: count }, (_, k) => first + k * step),
            keys,
            ancestors,
          }),
        );
      }
      return unitOf(landings);
    }

    it.each([1, 2, 3, 4, 5, 6])('agrees on random unit #%i', (seed) => {
      const unit = randomUnit(seed);
      const context = unitContext({
        thresholds: thresholdsWith({ duplicateDataWindowDays: 10 + seed * 7, duplicateDataShare: 0.3 + seed * 0.1 }),
        fromDay: day('2026-02-01'),
        toDay: day('2026-10-31'),
      });
      const expected = allPairs(unit, context);
      const findings = rule.evaluateUnit(unit, context);
      const actual = new Map(findings.map((f: Finding) => [f.demandId as number, f.evidence.triggeredOn as string[]]));
      expect(actual).toEqual(expected);
      expect(expected.size).toBeGreaterThan(0);
      for (const finding of findings) expect(finding.landsOn).toBe(expected.get(finding.demandId as number)?.[0]);
    });
  });

  it('handles a unit with 5,000 report landings of 15 keys in a year without comparing every pair', () => {
    // Demand i asks for the 15 keys of group (i − 1) mod 250; the demand 250 before it, same
    // group, landed about 18 days earlier. So every demand but the first 250 repeats all its keys.
    const start = day('2026-01-01');
    const landings = Array.from({ length: 5000 }, (_, index) => {
      const group = index % 250;
      return landing({
        demandId: index + 1,
        issuerId: 1 + (index % 40),
        days: [start + Math.floor((index * 365) / 5000)],
        keys: keyRange(15 * group, 15 * group + 14),
      });
    });
    const findings = rule.evaluateUnit(unitOf(landings), unitContext({ thresholds: shippedThresholds() }));
    expect(findings).toHaveLength(4750);
    expect(findings.every((f) => (f.demandId as number) > 250)).toBe(true);
    expect(findings.every((f) => f.evidence.sharedKeyCount === 15 && (f.evidence.earlierDemandIds as number[]).length === 1)).toBe(true);
    expect(findings[0].evidence).toMatchObject({ earlierDemandIds: [1] });
  });
});
