import { burdenShare, duplicateShare, excessShare, minutesToHours, ratio } from './shares';

describe('ratio', () => {
  it('divides; a zero denominator gives null, never 0, NaN or Infinity', () => {
    expect(ratio(1, 4)).toBe(0.25);
    expect(ratio(0, 5)).toBe(0);
    expect(ratio(5, 0)).toBeNull();
    expect(ratio(0, 0)).toBeNull();
  });
});

describe('shares', () => {
  it('burdenShare = burden ÷ capacity', () => {
    // 2026-Q3 capacity 348 480 min (10 → 12 staff on 08-15); a quarter of it is 87 120.
    expect(burdenShare(87_120, 348_480)).toBe(0.25);
    expect(burdenShare(1_305, 0)).toBeNull();
  });

  it('burdenShare is not capped: a unit over capacity shows above 1', () => {
    // 1 staff, 18 October working days × 480 = 8 640 min; 10 800 min of burden → 1.25.
    expect(burdenShare(10_800, 8_640)).toBe(1.25);
  });

  it('duplicate and excess shares are of the burden', () => {
    // 600 of 1 305 duplicate, 750 of 1 305 excess (the hand-worked month in burden.spec).
    expect(duplicateShare({ duplicateMinutes: 600, burdenMinutes: 1_305 })).toBeCloseTo(0.4598, 4);
    expect(excessShare({ excessMinutes: 750, burdenMinutes: 1_305 })).toBeCloseTo(0.5747, 4);
    expect(duplicateShare({ duplicateMinutes: 0, burdenMinutes: 0 })).toBeNull();
    expect(excessShare({ excessMinutes: 0, burdenMinutes: 0 })).toBeNull();
  });
});

describe('minutesToHours', () => {
  it.each([
    [0, 0],
    [60, 1],
    [90, 1.5],
    [100, 1.67], // 1.666… rounds up
    [1, 0.02], //   0.0166… rounds up
    [59, 0.98], //  0.9833… rounds down
    [1_305, 21.75],
    [348_480, 5_808],
  ])('%p min → %p h', (minutes, hours) => {
    expect(minutesToHours(minutes)).toBe(hours);
  });
});
