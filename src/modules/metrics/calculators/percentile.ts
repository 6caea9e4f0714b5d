/**
 * Percent rank (DESIGN §5 `percentile`): the share of the other units whose value is strictly
 * lower, 0–100: 100 × below ÷ (n − 1), n counting only units with a value.
 * - ties share the same rank (the lowest of the tied places), so equal loads never look different;
 * - a unit without a value (no capacity, burdenShare null) is left out of n and gets null;
 * - a unit with no peer that has a value gets null: n − 1 = 0 is a zero denominator.
 * Equal ratios of integers are equal doubles (division is correctly rounded), so 1/2 and 2/4 tie.
 */
export function percentRank(value: number | null, others: readonly (number | null)[]): number | null {
  if (value === null) return null;
  const peers = others.filter((other): other is number => other !== null);
  if (peers.length === 0) return null;
  return (100 * peers.filter((peer) => peer < value).length) / peers.length;
}

/** percentRank of every value among the rest of the list, in the list's order; O(n log n). */
export function percentRanks(values: readonly (number | null)[]): (number | null)[] {
  const sorted = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const peers = sorted.length - 1;
  return values.map((value) => {
    if (value === null || peers === 0) return null;
    return (100 * countBelow(sorted, value)) / peers;
  });
}

/** How many entries of an ascending list are strictly below `value` (binary search). */
function countBelow(ascending: readonly number[], value: number): number {
  let low = 0;
  let high = ascending.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (ascending[mid] < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
