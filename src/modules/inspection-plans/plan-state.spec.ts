import { allowedActions, isPlanStatus, nextStatus, PLAN_ACTIONS, PLAN_STATUSES, PlanAction, PlanStatus, requiredStatus } from './plan-state';

/** Every (status, action) pair and its outcome; anything not listed is refused. */
const ALLOWED: Record<string, PlanStatus> = {
  'draft edit': 'draft',
  'draft submit': 'submitted',
  'submitted approve': 'approved',
  'submitted reject': 'rejected',
  'rejected rework': 'draft',
  'approved revise': 'approved',
};

describe('inspection plan states', () => {
  const pairs: [PlanStatus, PlanAction][] = PLAN_STATUSES.flatMap((s) => PLAN_ACTIONS.map((a): [PlanStatus, PlanAction] => [s, a]));

  it.each(pairs)('%s + %s', (status, action) => {
    expect(nextStatus(status, action)).toBe(ALLOWED[`${status} ${action}`] ?? null);
  });

  it('allows exactly the listed transitions (24 pairs, 6 allowed)', () => {
    expect(pairs).toHaveLength(24);
    expect(pairs.filter(([s, a]) => nextStatus(s, a) !== null)).toHaveLength(Object.keys(ALLOWED).length);
  });

  it('freezes an approved version: it can only be revised, and revising leaves it approved', () => {
    expect(allowedActions('approved')).toEqual(['revise']);
    expect(nextStatus('approved', 'revise')).toBe('approved');
    for (const action of ['edit', 'submit', 'approve', 'reject', 'rework'] as const) expect(nextStatus('approved', action)).toBeNull();
  });

  it('names the status each action needs', () => {
    expect(PLAN_ACTIONS.map((a) => [a, requiredStatus(a)])).toEqual([
      ['edit', 'draft'],
      ['submit', 'draft'],
      ['approve', 'submitted'],
      ['reject', 'submitted'],
      ['rework', 'rejected'],
      ['revise', 'approved'],
    ]);
  });

  it('lists the actions of each status', () => {
    expect(allowedActions('draft')).toEqual(['edit', 'submit']);
    expect(allowedActions('submitted')).toEqual(['approve', 'reject']);
    expect(allowedActions('rejected')).toEqual(['rework']);
  });

  it('recognises statuses', () => {
    for (const s of PLAN_STATUSES) expect(isPlanStatus(s)).toBe(true);
    for (const s of ['', 'Draft', 'cancelled', 'superseded']) expect(isPlanStatus(s)).toBe(false);
  });
});
