/** Small numeric helpers for the report. */

/** The nearest-rank percentile (p in 0..100) of unsorted values; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const MIB = 1024 * 1024;

export function mib(bytes: number): number {
  return round(bytes / MIB, 1);
}

/** 12,345 (thousands separators, for the printed table). */
export function grouped(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function seconds(fromMs: number, toMs: number): number {
  return (toMs - fromMs) / 1000;
}

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}
