import { reductionRatio } from './change';

describe('reductionRatio (压减比例)', () => {
  it('(previous − current) ÷ previous; positive when the load fell', () => {
    // 2025-Q3 1 000 h, 2026-Q3 750 h: (1 000 − 750) ÷ 1 000 = 0.25.
    expect(reductionRatio({ previous: 1_000, current: 750 })).toBe(0.25);
    // Fell to nothing: 1.
    expect(reductionRatio({ previous: 500, current: 0 })).toBe(1);
    // Unchanged: 0.
    expect(reductionRatio({ previous: 500, current: 500 })).toBe(0);
  });

  it('negative when the load grew', () => {
    // (1 000 − 1 200) ÷ 1 000 = −0.2.
    expect(reductionRatio({ previous: 1_000, current: 1_200 })).toBeCloseTo(-0.2, 10);
  });

  it('null when the year before had nothing or either side is unknown', () => {
    expect(reductionRatio({ previous: 0, current: 300 })).toBeNull();
    expect(reductionRatio({ previous: 0, current: 0 })).toBeNull();
    expect(reductionRatio({ previous: null, current: 300 })).toBeNull();
    expect(reductionRatio({ previous: 300, current: null })).toBeNull();
  });
});
