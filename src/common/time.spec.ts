import { chinaDayEndIso, chinaDayStartIso, isCalendarDate, nowIso, todayInChina } from './time';

describe('time', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    // Assigning undefined would store the string "undefined".
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it('nowIso is an ISO-8601 UTC instant with milliseconds', () => {
    const before = Date.now();
    const now = nowIso();
    expect(now).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Date.parse(now)).toBeGreaterThanOrEqual(before);
  });

  it('todayInChina turns at 16:00 UTC, midnight in Asia/Shanghai', () => {
    expect(todayInChina(new Date('2026-01-01T15:59:59.999Z'))).toBe('2026-01-01');
    expect(todayInChina(new Date('2026-01-01T16:00:00.000Z'))).toBe('2026-01-02');
    expect(todayInChina(new Date('2026-12-31T16:00:00.000Z'))).toBe('2027-01-01');
    expect(todayInChina(new Date('2024-02-28T16:00:00.000Z'))).toBe('2024-02-29');
  });

  it('todayInChina does not depend on the server time zone', () => {
    const at = new Date('2026-07-01T17:30:00Z');
    for (const tz of ['UTC', 'America/Los_Angeles', 'Asia/Shanghai', 'Pacific/Kiritimati']) {
      process.env.TZ = tz;
      expect(todayInChina(at)).toBe('2026-07-02');
      expect(chinaDayStartIso('2026-07-02')).toBe('2026-07-01T16:00:00.000Z');
    }
  });

  it.each([
    ['2026-01-31', true],
    ['2024-02-29', true],
    ['2000-02-29', true],
    ['2026-12-31', true],
    ['2026-02-29', false],
    ['2100-02-29', false],
    ['2026-04-31', false],
    ['2026-13-01', false],
    ['2026-00-10', false],
    ['2026-01-00', false],
    ['2026-1-01', false],
    ['2026-01-01T00:00:00Z', false],
    ['', false],
  ])('isCalendarDate(%p) is %p', (value, expected) => {
    expect(isCalendarDate(value)).toBe(expected);
  });

  it('chinaDayStartIso and chinaDayEndIso bound a China calendar day in UTC', () => {
    expect(chinaDayStartIso('2026-07-01')).toBe('2026-06-30T16:00:00.000Z');
    expect(chinaDayEndIso('2026-07-01')).toBe('2026-07-01T16:00:00.000Z');
    expect(chinaDayStartIso('2026-01-01')).toBe('2025-12-31T16:00:00.000Z');
    expect(chinaDayEndIso('2024-02-29')).toBe('2024-02-29T16:00:00.000Z');
    expect(chinaDayEndIso('2026-12-31')).toBe('2026-12-31T16:00:00.000Z');
    expect(() => chinaDayStartIso('2026-02-30')).toThrow(/calendar date/);
  });
});
