/**
 * 压减比例: the change against the same period a year before, (previous − current) ÷ previous.
 * Positive means the load fell (0.25 = a quarter less), negative that it grew; null when either
 * side is unknown or the year before had nothing to reduce from (previous = 0).
 */
export function reductionRatio(change: { previous: number | null; current: number | null }): number | null {
  const { previous, current } = change;
  if (previous === null || current === null || previous === 0) return null;
  return (previous - current) / previous;
}
