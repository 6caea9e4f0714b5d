import { invalid } from '@/common/errors/domain-error';

/** Minutes, staff counts and occurrences are whole and never negative; anything else is a caller's bug. */
export function assertCount(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw invalid(field, `must be a whole number ≥ 0, got ${value}`);
}
