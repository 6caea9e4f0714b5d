import type { BurdenSums } from './burden';

/** n ÷ d; null when d is 0 (DESIGN §5: a zero denominator gives null, never 0 or Infinity). */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** burden ÷ capacity. Not capped at 1: a unit loaded beyond its capacity shows above 1. */
export function burdenShare(burdenMinutes: number, capacityMinutes: number): number | null {
  return ratio(burdenMinutes, capacityMinutes);
}

/** Hours of duplicate-flagged demands ÷ burden hours, 0–1. */
export function duplicateShare(sums: Pick<BurdenSums, 'duplicateMinutes' | 'burdenMinutes'>): number | null {
  return ratio(sums.duplicateMinutes, sums.burdenMinutes);
}

/** Hours of demands flagged under the other rules ÷ burden hours, 0–1. */
export function excessShare(sums: Pick<BurdenSums, 'excessMinutes' | 'burdenMinutes'>): number | null {
  return ratio(sums.excessMinutes, sums.burdenMinutes);
}

/** Minutes as hours with two decimals, as the API shows them: 100 min → 1.67. */
export function minutesToHours(minutes: number): number {
  // minutes × 5 / 3 is hundredths of an hour; for whole minutes it is never exactly half a hundredth, so no ties.
  return Math.round((minutes * 5) / 3) / 100;
}
