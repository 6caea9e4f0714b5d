import { assignItemKeys, generatedKey, highestSequence, itemProblems, TargetUnit, targetProblem } from './plan-items';

const item = (over: Partial<Parameters<typeof itemProblems>[2][number]> = {}) => ({ plannedMonth: '2026-05', targetLevel: 'township' as const, ...over });

describe('plan item keys', () => {
  it('generates P<year>-NNN keys', () => {
    expect(generatedKey(2026, 1)).toBe('P2026-001');
    expect(generatedKey(2026, 1234)).toBe('P2026-1234');
  });

  it('finds the highest generated sequence of the year only', () => {
    expect(highestSequence(2026, [])).toBe(0);
    expect(highestSequence(2026, ['P2026-002', 'P2026-010', 'P2025-099', 'X-1', 'P2026-abc', 'p2026-050'])).toBe(10);
  });

  it('keeps given keys and numbers the missing ones after every key the chain has used', () => {
    expect(assignItemKeys(2026, [undefined, 'SAFE-1', undefined], [])).toEqual(['P2026-001', 'SAFE-1', 'P2026-002']);
    // P2026-003 was used by an earlier version and dropped: it never comes back for another item.
    expect(assignItemKeys(2026, ['P2026-001', undefined], ['P2026-001', 'P2026-003'])).toEqual(['P2026-001', 'P2026-004']);
    // A given key of the generated form counts too.
    expect(assignItemKeys(2026, [undefined, 'P2026-007'], [])).toEqual(['P2026-008', 'P2026-007']);
  });
});

describe('itemProblems', () => {
  it('accepts well-formed items', () => {
    expect(itemProblems(2026, 'county', [item(), item({ targetLevel: 'village', itemKey: 'A' }), item({ targetLevel: undefined, targetUnitIds: [5] })])).toEqual([]);
  });

  it('names a duplicate key, a month outside the year, a missing target, a level not below the issuer, a unit listed twice', () => {
    const problems = itemProblems(2026, 'county', [
      item({ itemKey: 'A' }),
      item({ itemKey: 'A' }),
      item({ plannedMonth: '2027-01' }),
      item({ targetLevel: undefined }),
      item({ targetLevel: undefined, targetUnitIds: [] }),
      item({ targetLevel: 'county' }),
      item({ targetLevel: 'prefecture' }),
      item({ targetUnitIds: [3, 3] }),
    ]);
    expect(problems.map((p) => p.field)).toEqual([
      'items.1.itemKey',
      'items.2.plannedMonth',
      'items.3.targetLevel',
      'items.4.targetLevel',
      'items.5.targetLevel',
      'items.6.targetLevel',
      'items.7.targetUnitIds',
    ]);
    expect(problems[0].message).toContain('items.0');
  });
});

describe('targetProblem', () => {
  const issuer = { jurisdictionPath: '/53/5325/532503/', level: 'county' as const };
  const unit = (over: Partial<TargetUnit>): TargetUnit => ({ id: 9, kind: 'area', level: 'township', path: '/53/5325/532503/532503001/', ...over });

  it('accepts an area unit below the issuer inside its jurisdiction', () => {
    expect(targetProblem(unit({}), 9, issuer, undefined)).toBeNull();
    expect(targetProblem(unit({}), 9, issuer, 'township')).toBeNull();
    expect(targetProblem(unit({ level: 'village', path: '/53/5325/532503/532503001/532503001001/' }), 9, issuer, undefined)).toBeNull();
  });

  it('refuses a unit outside the jurisdiction as forbidden, everything else as invalid', () => {
    expect(targetProblem(unit({ path: '/53/5325/532501/532501001/' }), 9, issuer, undefined)).toMatchObject({ forbidden: true });
    expect(targetProblem(unit({ path: '/53/5325/' , level: 'prefecture' }), 9, issuer, undefined)).toMatchObject({ forbidden: true });
    expect(targetProblem(undefined, 9, issuer, undefined)).toMatchObject({ forbidden: false, message: expect.stringContaining('does not exist') });
    expect(targetProblem(unit({ kind: 'department', level: 'county', path: '/53/5325/532503/532503-JYJ/' }), 9, issuer, undefined)).toMatchObject({
      forbidden: false,
    });
    expect(targetProblem(unit({ level: 'county', path: '/53/5325/532503/' }), 9, issuer, undefined)).toMatchObject({ forbidden: false });
    expect(targetProblem(unit({}), 9, issuer, 'village')).toMatchObject({ forbidden: false, message: expect.stringContaining('targetLevel') });
  });
});
