import { DomainError } from '@/common/errors/domain-error';
import { RULE_CODES } from '@/modules/flags/rules';
import {
  addBurdenSums,
  burdenSums,
  burdenSumsByMonth,
  DUPLICATE_SHARE_RULES,
  EXCESS_SHARE_EXCLUDED_RULES,
  EXCESS_SHARE_RULES,
  NO_BURDEN,
  rowBurdenMinutes,
  standingRules,
  type DemandMonthRow,
} from './burden';
import { occurrencesInPeriod } from './occurrences-in-period';
import { parsePeriod } from '@/modules/demands/calendar/period';

function row(overrides: Partial<DemandMonthRow> & Pick<DemandMonthRow, 'demandId'>): DemandMonthRow {
  return { month: '2026-10', occurrences: 1, estimatePerOccurrenceMinutes: 0, reportedMinutes: null, flaggedRules: [], ...overrides };
}

describe('share rule sets', () => {
  it('duplicate share: the three duplicate rules', () => {
    expect([...DUPLICATE_SHARE_RULES].sort()).toEqual(['DUPLICATE_DATA_REQUEST', 'DUPLICATE_INSPECTION', 'SPLIT_INSPECTION']);
  });

  it('no share: hidden burden, issuer budget, objection', () => {
    expect([...EXCESS_SHARE_EXCLUDED_RULES].sort()).toEqual(['HIDDEN_BURDEN', 'ISSUER_BUDGET', 'OBJECTION']);
  });

  it('excess share: every other rule; the three sets split the rule list', () => {
    expect(EXCESS_SHARE_RULES).toHaveLength(RULE_CODES.length - 6);
    expect(EXCESS_SHARE_RULES).toEqual(expect.arrayContaining(['UNPLANNED_INSPECTION', 'INSPECTION_QUOTA', 'FREQUENT_REPORT', 'OUT_OF_SCOPE']));
    expect([...DUPLICATE_SHARE_RULES, ...EXCESS_SHARE_EXCLUDED_RULES, ...EXCESS_SHARE_RULES].sort()).toEqual([...RULE_CODES].sort());
  });
});

describe('standingRules', () => {
  it('keeps the rules of flags in any state but dismissed and withdrawn, each once', () => {
    expect(
      standingRules([
        { rule: 'DUPLICATE_INSPECTION', status: 'open' },
        { rule: 'DUPLICATE_INSPECTION', status: 'verified' },
        { rule: 'SHORT_DEADLINE', status: 'dismissed' },
        { rule: 'FREQUENT_REPORT', status: 'withdrawn' },
        { rule: 'UNPLANNED_INSPECTION', status: 'rectifying' },
      ]),
    ).toEqual(['DUPLICATE_INSPECTION', 'UNPLANNED_INSPECTION']);
  });
});

describe('burdenSums (Standard Cost Model)', () => {
  it('a township month, worked by hand', () => {
    const sums = burdenSums({
      rows: [
        // 1: weekly report, 5 Thursdays in October × 30 min, no report yet; FREQUENT_REPORT (excess).
        //    estimated 150, burden 150, excess 150.
        row({ demandId: 1, occurrences: 5, estimatePerOccurrenceMinutes: 30, flaggedRules: ['FREQUENT_REPORT'] }),
        // 2: meeting, 120 min estimated; reported 200 then amended to 90 — only the current 90 is given.
        //    burden 90 (the report wins even below the estimate), hidden max(0, 90 − 120) = 0.
        row({ demandId: 2, estimatePerOccurrenceMinutes: 120, reportedMinutes: 90 }),
        // 3: inspection, 480 estimated, 600 reported; two duplicate rules and one excess rule.
        //    burden 600, hidden 120, duplicate 600 (once, not twice), excess 600.
        row({
          demandId: 3,
          estimatePerOccurrenceMinutes: 480,
          reportedMinutes: 600,
          flaggedRules: ['DUPLICATE_INSPECTION', 'SPLIT_INSPECTION', 'UNPLANNED_INSPECTION'],
        }),
        // 4: report, 60 estimated, 150 reported; HIDDEN_BURDEN and OBJECTION are in no share.
        //    burden 150, hidden 90.
        row({ demandId: 4, estimatePerOccurrenceMinutes: 60, reportedMinutes: 150, flaggedRules: ['HIDDEN_BURDEN', 'OBJECTION'] }),
      ],
      // 5: a report for a month the demand no longer lands in: estimate 0, burden 45, hidden 45.
      reportOnlyRows: [{ demandId: 5, month: '2026-10', reportedMinutes: 45, flaggedRules: [] }],
      // Two shadow demands (微信群, 电话): 240 + 30 = 270, all reported, burden and hidden.
      shadowReports: [
        { month: '2026-10', minutes: 240 },
        { month: '2026-10', minutes: 30 },
      ],
    });
    expect(sums).toEqual({
      estimatedMinutes: 810, //   150 + 120 + 480 + 60 + 0
      reportedMinutes: 1155, //   90 + 600 + 150 + 45 + 270
      burdenMinutes: 1305, //     150 + 90 + 600 + 150 + 45 + 270
      hiddenMinutes: 525, //      0 + 120 + 90 + 45 + 270
      duplicateMinutes: 600, //   demand 3
      excessMinutes: 750, //      demands 1 and 3
    });
  });

  it('an amended report: the current version replaces the estimate, whether above or below it', () => {
    // Estimate 2 × 60 = 120. First report 300 (hidden 180); amended to 100: burden 100, hidden 0.
    const first = burdenSums({ rows: [row({ demandId: 7, occurrences: 2, estimatePerOccurrenceMinutes: 60, reportedMinutes: 300 })] });
    const amended = burdenSums({ rows: [row({ demandId: 7, occurrences: 2, estimatePerOccurrenceMinutes: 60, reportedMinutes: 100 })] });
    expect(first).toMatchObject({ estimatedMinutes: 120, reportedMinutes: 300, burdenMinutes: 300, hiddenMinutes: 180 });
    expect(amended).toMatchObject({ estimatedMinutes: 120, reportedMinutes: 100, burdenMinutes: 100, hiddenMinutes: 0 });
  });

  it('a report of 0 minutes is a report: burden 0, not the estimate', () => {
    expect(rowBurdenMinutes(row({ demandId: 1, estimatePerOccurrenceMinutes: 60, reportedMinutes: 0 }))).toBe(0);
    expect(rowBurdenMinutes(row({ demandId: 1, estimatePerOccurrenceMinutes: 60, reportedMinutes: null }))).toBe(60);
  });

  it('a unit with only shadow demands: all of it is reported, burden and hidden, none duplicate or excess', () => {
    expect(burdenSums({ rows: [], shadowReports: [{ month: '2026-10', minutes: 95 }] })).toEqual({
      estimatedMinutes: 0,
      reportedMinutes: 95,
      burdenMinutes: 95,
      hiddenMinutes: 95,
      duplicateMinutes: 0,
      excessMinutes: 0,
    });
  });

  it('nothing at all sums to zeros', () => {
    expect(burdenSums({ rows: [] })).toEqual(NO_BURDEN);
  });

  it('a weekly report across 国庆, rows built from its occurrences', () => {
    // Thursdays from 09-03 to 10-29, 45 min each; the unit reported 200 for September, nothing for October.
    const quarter = parsePeriod('2026-Q4');
    const september = parsePeriod('2026-09');
    if (!quarter || !september) throw new Error('periods');
    const schedule = { issuedOn: '2026-08-28', startsOn: '2026-09-03', recurrence: 'weekly' as const, until: '2026-10-29' };
    const months = [...occurrencesInPeriod(schedule, september).byMonth, ...occurrencesInPeriod(schedule, quarter).byMonth];
    const rows = months
      .filter((m) => m.occurrences > 0)
      .map((m) => row({ demandId: 9, month: m.month, occurrences: m.occurrences, estimatePerOccurrenceMinutes: 45, reportedMinutes: m.month === '2026-09' ? 200 : null }));
    // September: 4 × 45 = 180 estimated, 200 reported → burden 200, hidden 20.
    // October: 5 × 45 = 225 estimated (10-01 a holiday, still a landing), no report → burden 225.
    expect(rows.map((r) => [r.month, r.occurrences])).toEqual([['2026-09', 4], ['2026-10', 5]]);
    expect(burdenSums({ rows })).toMatchObject({ estimatedMinutes: 405, reportedMinutes: 200, burdenMinutes: 425, hiddenMinutes: 20 });
  });

  it('per month, and the months add up to the period', () => {
    const input = {
      rows: [
        row({ demandId: 1, month: '2026-08', estimatePerOccurrenceMinutes: 60, flaggedRules: ['DUPLICATE_DATA_REQUEST'] }),
        row({ demandId: 1, month: '2026-09', estimatePerOccurrenceMinutes: 60, reportedMinutes: 80, flaggedRules: ['DUPLICATE_DATA_REQUEST'] }),
        row({ demandId: 2, month: '2026-09', occurrences: 2, estimatePerOccurrenceMinutes: 30 }),
      ],
      shadowReports: [{ month: '2026-07', minutes: 15 }],
    };
    const byMonth = burdenSumsByMonth(input);
    expect([...byMonth.keys()]).toEqual(['2026-07', '2026-08', '2026-09']);
    // July: shadow 15. August: 60 estimated, duplicate 60. September: 60 + 60 estimated; 80 + 60 burden; hidden 20; duplicate 80.
    expect(byMonth.get('2026-07')).toMatchObject({ burdenMinutes: 15, hiddenMinutes: 15 });
    expect(byMonth.get('2026-08')).toMatchObject({ estimatedMinutes: 60, burdenMinutes: 60, duplicateMinutes: 60 });
    expect(byMonth.get('2026-09')).toMatchObject({ estimatedMinutes: 120, reportedMinutes: 80, burdenMinutes: 140, hiddenMinutes: 20, duplicateMinutes: 80 });
    expect([...byMonth.values()].reduce(addBurdenSums, NO_BURDEN)).toEqual(burdenSums(input));
  });

  it('rejects a demand given twice for one month, and minutes that are not whole and ≥ 0', () => {
    expect(() => burdenSums({ rows: [row({ demandId: 1 }), row({ demandId: 1 })] })).toThrow(DomainError);
    expect(() => burdenSums({ rows: [row({ demandId: 1 })], reportOnlyRows: [{ demandId: 1, month: '2026-10', reportedMinutes: 5, flaggedRules: [] }] })).toThrow(DomainError);
    expect(() => burdenSums({ rows: [row({ demandId: 1, reportedMinutes: -5 })] })).toThrow(DomainError);
    expect(() => burdenSums({ rows: [row({ demandId: 1, estimatePerOccurrenceMinutes: 1.5 })] })).toThrow(DomainError);
    expect(() => burdenSums({ rows: [], shadowReports: [{ month: '2026-10', minutes: Number.NaN }] })).toThrow(DomainError);
  });
});
