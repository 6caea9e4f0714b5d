import { percentRank, percentRanks } from './percentile';

describe('percentRanks', () => {
  it('100 × (others strictly lower) ÷ (n − 1); ties share the lower rank; no value gives null', () => {
    // Four units with a burdenShare and one without capacity: n = 4, n − 1 = 3.
    // 0.1: 0 lower → 0; 0.2 (twice): 1 lower (0.1) → 33.3…; 0.4: 3 lower → 100.
    const ranks = percentRanks([0.2, 0.1, null, 0.4, 0.2]);
    expect(ranks[0]).toBeCloseTo(100 / 3, 10);
    expect(ranks[1]).toBe(0);
    expect(ranks[2]).toBeNull();
    expect(ranks[3]).toBe(100);
    expect(ranks[4]).toBe(ranks[0]);
  });

  it('all equal: everyone at 0', () => {
    expect(percentRanks([0.3, 0.3, 0.3])).toEqual([0, 0, 0]);
  });

  it('shares from different minutes but the same ratio tie (1 200/4 800 and 600/2 400)', () => {
    expect(percentRanks([1_200 / 4_800, 600 / 2_400, 0.1])).toEqual([50, 50, 0]);
  });

  it('a lone unit, or only one with capacity, has no peers: null', () => {
    expect(percentRanks([0.5])).toEqual([null]);
    expect(percentRanks([0.5, null])).toEqual([null, null]);
    expect(percentRanks([])).toEqual([]);
  });
});

describe('percentRank', () => {
  it('one unit against the others, the same answer as percentRanks', () => {
    // Others 0.1, 0.2, 0.4 and a unit without capacity; 0.2 has one lower of three → 33.3….
    expect(percentRank(0.2, [0.1, 0.2, 0.4, null])).toBeCloseTo(100 / 3, 10);
    expect(percentRank(0.5, [0.1, 0.2, 0.4])).toBe(100);
    expect(percentRank(0.05, [0.1, 0.2, 0.4])).toBe(0);
  });

  it('null without a value or without peers', () => {
    expect(percentRank(null, [0.1, 0.2])).toBeNull();
    expect(percentRank(0.3, [])).toBeNull();
    expect(percentRank(0.3, [null, null])).toBeNull();
  });
});
