import { landingDate, landingDates, occurrencesByMonth } from './occurrences';

describe('occurrences (DESIGN §2)', () => {
  it('lands on startsOn, else dueOn, else issuedOn', () => {
    expect(landingDate({ issuedOn: '2026-03-01', startsOn: '2026-03-05', dueOn: '2026-03-10' })).toBe('2026-03-05');
    expect(landingDate({ issuedOn: '2026-03-01', dueOn: '2026-03-10' })).toBe('2026-03-10');
    expect(landingDate({ issuedOn: '2026-03-01' })).toBe('2026-03-01');
  });

  it('a one-off demand occurs once, in its landing month', () => {
    expect([...occurrencesByMonth({ issuedOn: '2026-03-01', dueOn: '2026-04-02', recurrence: 'once' })]).toEqual([['2026-04', 1]]);
  });

  it('a weekly report from Friday 2026-09-25 to 2026-10-16 lands four times, across 国庆', () => {
    expect(landingDates({ issuedOn: '2026-09-20', startsOn: '2026-09-25', recurrence: 'weekly', until: '2026-10-16' })).toEqual([
      '2026-09-25',
      '2026-10-02',
      '2026-10-09',
      '2026-10-16',
    ]);
    expect([...occurrencesByMonth({ issuedOn: '2026-09-20', startsOn: '2026-09-25', recurrence: 'weekly', until: '2026-10-16' })]).toEqual([
      ['2026-09', 1],
      ['2026-10', 3],
    ]);
  });

  it('a monthly demand from the 31st is clamped to month ends without drifting', () => {
    expect(landingDates({ issuedOn: '2026-01-31', recurrence: 'monthly', until: '2026-05-31' })).toEqual([
      '2026-01-31',
      '2026-02-28',
      '2026-03-31',
      '2026-04-30',
      '2026-05-31',
    ]);
  });

  it('quarterly and yearly count from the first landing; until is inclusive', () => {
    expect(landingDates({ issuedOn: '2026-01-15', recurrence: 'quarterly', until: '2026-10-15' })).toEqual(['2026-01-15', '2026-04-15', '2026-07-15', '2026-10-15']);
    expect(landingDates({ issuedOn: '2024-02-29', recurrence: 'yearly', until: '2026-12-31' })).toEqual(['2024-02-29', '2025-02-28', '2026-02-28']);
  });

  it('a daily demand counts every calendar day of its span', () => {
    expect([...occurrencesByMonth({ issuedOn: '2026-02-26', recurrence: 'daily', until: '2026-03-02' })]).toEqual([
      ['2026-02', 3],
      ['2026-03', 2],
    ]);
  });

  it('occurrences after the cancel date stop counting; the cancel day itself still counts', () => {
    const s = { issuedOn: '2026-09-04', recurrence: 'weekly' as const, until: '2026-12-31' };
    expect(landingDates({ ...s, cancelledOn: '2026-09-18' })).toEqual(['2026-09-04', '2026-09-11', '2026-09-18']);
    expect(landingDates({ ...s, cancelledOn: '2026-09-03' })).toEqual([]);
    expect(landingDates({ issuedOn: '2026-09-04', dueOn: '2026-09-30', recurrence: 'once', cancelledOn: '2026-09-10' })).toEqual([]);
  });
});
