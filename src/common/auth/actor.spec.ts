import { Actor, isWithinPath, withinJurisdiction } from './actor';

const actor = (over: Partial<Actor>): Actor => ({
  userId: 1,
  username: 'u',
  role: 'coordinator',
  orgUnitId: 3,
  unitPath: '/53/5325/532503/',
  jurisdictionPath: '/53/5325/532503/',
  level: 'county',
  ...over,
});

describe('jurisdiction by materialised path', () => {
  it('contains the unit itself and its subtree, nothing beside or above it', () => {
    expect(isWithinPath('/53/5325/532503/', '/53/5325/532503/')).toBe(true);
    expect(isWithinPath('/53/5325/532503/532503001/', '/53/5325/532503/')).toBe(true);
    expect(isWithinPath('/53/5325/532501/', '/53/5325/532503/')).toBe(false);
    expect(isWithinPath('/53/5325/', '/53/5325/532503/')).toBe(false);
    // A code that merely starts with the same digits is another unit.
    expect(isWithinPath('/53/5325/5325030/', '/53/5325/532503/')).toBe(false);
    expect(isWithinPath(null, '/53/')).toBe(false);
    expect(isWithinPath(undefined, '/53/')).toBe(false);
  });

  it('gives admin the whole system and nobody else anything without a path', () => {
    expect(withinJurisdiction(actor({ role: 'admin', orgUnitId: null, unitPath: null, jurisdictionPath: null }), '/11/')).toBe(true);
    expect(withinJurisdiction(actor({ jurisdictionPath: null }), '/53/5325/532503/')).toBe(false);
    expect(withinJurisdiction(actor({}), '/53/5325/532503/532503001/')).toBe(true);
    expect(withinJurisdiction(actor({}), '/53/5325/532501/')).toBe(false);
    expect(withinJurisdiction(actor({}), null)).toBe(false);
  });
});
