import { checkTransition, FLAG_STATUSES, FlagStatus, isStanding, isWithdrawable, nextStates } from './flag-state';

describe('flag review state machine', () => {
  it.each<[FlagStatus, FlagStatus, 'coordinator' | 'issuer' | 'system', { comment?: string; dueOn?: string }]>([
    ['open', 'under_review', 'coordinator', {}],
    ['under_review', 'confirmed', 'coordinator', { comment: '属实' }],
    ['under_review', 'dismissed', 'coordinator', { comment: '不属实' }],
    ['confirmed', 'rectifying', 'coordinator', { comment: '限期整改', dueOn: '2026-12-31' }],
    ['rectifying', 'rectified', 'issuer', { comment: '已合并报表' }],
    ['rectified', 'verified', 'coordinator', {}],
    ['rectified', 'rectifying', 'coordinator', { comment: '整改不到位' }],
    ['rectified', 'rectifying', 'coordinator', { comment: '整改不到位', dueOn: '2027-01-15' }],
    ['open', 'withdrawn', 'system', { comment: 'no longer holds' }],
    ['under_review', 'withdrawn', 'system', { comment: 'no longer holds' }],
    ['withdrawn', 'open', 'system', { comment: 'holds again' }],
  ])('%s → %s by %s is allowed', (from, to, party, supplied) => {
    expect(checkTransition(from, to, party, supplied)).toEqual({ ok: true });
  });

  it('refuses moves the design does not list, naming the allowed ones', () => {
    expect(checkTransition('open', 'confirmed', 'coordinator', { comment: 'x' })).toEqual({ ok: false, reason: 'not-allowed', allowed: ['under_review', 'withdrawn'] });
    expect(checkTransition('verified', 'rectifying', 'coordinator', { comment: 'x' })).toMatchObject({ ok: false, reason: 'not-allowed', allowed: [] });
    expect(checkTransition('dismissed', 'open', 'system', { comment: 'x' })).toMatchObject({ ok: false, reason: 'not-allowed' });
  });

  it('confirmed findings are never withdrawn', () => {
    for (const status of ['confirmed', 'rectifying', 'rectified', 'verified', 'dismissed'] as const) {
      expect(isWithdrawable(status)).toBe(false);
      expect(checkTransition(status, 'withdrawn', 'system', { comment: 'gone' })).toMatchObject({ ok: false, reason: 'not-allowed' });
    }
  });

  it('only the issuer reports a rectification, only coordinators review', () => {
    expect(checkTransition('rectifying', 'rectified', 'coordinator', { comment: 'done' })).toEqual({ ok: false, reason: 'wrong-party', party: 'issuer' });
    expect(checkTransition('open', 'under_review', 'issuer', {})).toEqual({ ok: false, reason: 'wrong-party', party: 'coordinator' });
    expect(checkTransition('open', 'withdrawn', 'coordinator', { comment: 'x' })).toEqual({ ok: false, reason: 'wrong-party', party: 'system' });
  });

  it('asks for the comment, the due date, and refuses a due date where none belongs', () => {
    expect(checkTransition('under_review', 'confirmed', 'coordinator', { comment: '  ' })).toEqual({ ok: false, reason: 'missing', field: 'comment' });
    expect(checkTransition('confirmed', 'rectifying', 'coordinator', { comment: '整改' })).toEqual({ ok: false, reason: 'missing', field: 'dueOn' });
    expect(checkTransition('rectifying', 'rectified', 'issuer', {})).toEqual({ ok: false, reason: 'missing', field: 'comment' });
    expect(checkTransition('open', 'under_review', 'coordinator', { dueOn: '2026-12-01' })).toEqual({ ok: false, reason: 'unexpected', field: 'dueOn' });
  });

  it('lists next states per party', () => {
    expect(nextStates('rectified', 'coordinator')).toEqual(['verified', 'rectifying']);
    expect(nextStates('rectifying', 'issuer')).toEqual(['rectified']);
    expect(nextStates('open', 'issuer')).toEqual([]);
  });

  it('standing flags are all but dismissed and withdrawn', () => {
    expect(FLAG_STATUSES.filter(isStanding)).toEqual(['open', 'under_review', 'confirmed', 'rectifying', 'rectified', 'verified']);
  });
});
