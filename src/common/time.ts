/** Current instant as an ISO-8601 UTC string (how timestamps are stored). */
export function nowIso(): string {
  return new Date().toISOString();
}

/** Today's calendar date in China (Asia/Shanghai, UTC+8 without daylight saving), as YYYY-MM-DD. */
export function todayInChina(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written YYYY-MM-DD, checked without any Date time-zone shift. */
export function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[mo - 1];
}

/**
 * The instant a China calendar day (YYYY-MM-DD, Asia/Shanghai) begins, as a stored ISO-8601 UTC
 * string: 2026-07-01 begins at 2026-06-30T16:00:00.000Z. Filters on stored instants by calendar
 * day use `at >= chinaDayStartIso(from) AND at < chinaDayStartIso(to + 1 day)`.
 */
export function chinaDayStartIso(date: string): string {
  const m = DATE.exec(date);
  if (!m || !isCalendarDate(date)) throw new Error(`chinaDayStartIso: not a calendar date: ${date}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - 8 * 3600_000).toISOString();
}

/** The instant the China calendar day after `date` begins (the exclusive end of `date`). */
export function chinaDayEndIso(date: string): string {
  return new Date(new Date(chinaDayStartIso(date)).getTime() + 24 * 3600_000).toISOString();
}
