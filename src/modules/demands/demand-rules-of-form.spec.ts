import { kindProblems } from './demand-rules-of-form';

describe('kind-specific fields of a demand', () => {
  it('accepts each kind with what it needs', () => {
    expect(kindProblems('report', { fields: ['户籍人口'] })).toEqual([]);
    expect(kindProblems('meeting', { durationMinutes: 90, attendeesPerTarget: 2, attendeeLevels: ['township'] })).toEqual([]);
    expect(kindProblems('inspection', { onSiteDays: 1, jointWith: [3] })).toEqual([]);
    expect(kindProblems('document', { charCount: 3000, special: true })).toEqual([]);
    expect(kindProblems('other', { subtype: 'app_task', appRequirements: ['clock_in'] })).toEqual([]);
  });

  it('names what is missing', () => {
    expect(kindProblems('report', {})).toEqual([{ field: 'fields', message: 'a report needs fields' }]);
    expect(kindProblems('meeting', { attendeesPerTarget: 2 })).toEqual([{ field: 'durationMinutes', message: 'a meeting needs durationMinutes' }]);
    expect(kindProblems('document', {}).map((p) => p.field)).toEqual(['charCount']);
    expect(kindProblems('other', {}).map((p) => p.field)).toEqual(['subtype']);
  });

  it('refuses fields of another kind, and app requirements outside an app task', () => {
    expect(kindProblems('report', { fields: ['x'], durationMinutes: 60 })).toEqual([{ field: 'durationMinutes', message: 'durationMinutes belongs to a meeting, not a report' }]);
    expect(kindProblems('other', { subtype: 'campaign', appRequirements: ['clock_in'] }).map((p) => p.field)).toEqual(['appRequirements']);
  });
});
