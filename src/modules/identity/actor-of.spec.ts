import { actorOf } from './identity.service';
import type { UserWithUnit } from './user.repository';

const user = (over: Partial<UserWithUnit>): UserWithUnit => ({
  id: 5,
  username: 'u',
  displayName: null,
  passwordHash: '$2b$10$x',
  role: 'coordinator',
  orgUnitId: 3,
  disabled: false,
  tokenVersion: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  unitPath: '/53/5325/532503/',
  unitKind: 'area',
  unitLevel: 'county',
  unitParentPath: '/53/5325/',
  ...over,
});

describe('actorOf (DESIGN §1 jurisdiction)', () => {
  it("gives an area unit's user the subtree of that unit, at its level", () => {
    expect(actorOf(user({}))).toEqual({
      userId: 5,
      username: 'u',
      role: 'coordinator',
      orgUnitId: 3,
      unitPath: '/53/5325/532503/',
      jurisdictionPath: '/53/5325/532503/',
      level: 'county',
    });
  });

  it("gives a department's user the subtree of the area unit it belongs to", () => {
    const a = actorOf(user({ role: 'issuer', unitPath: '/53/5325/532503/532503-JYJ/', unitKind: 'department', unitParentPath: '/53/5325/532503/' }));
    expect(a.unitPath).toBe('/53/5325/532503/532503-JYJ/');
    expect(a.jurisdictionPath).toBe('/53/5325/532503/');
    expect(a.level).toBe('county');
  });

  it('gives admin the whole system, and never a path from a stray unit', () => {
    expect(actorOf(user({ role: 'admin', orgUnitId: null, unitPath: null, unitKind: null, unitLevel: null, unitParentPath: null })).jurisdictionPath).toBeNull();
  });

  it('does not carry the password hash or the token version', () => {
    expect(JSON.stringify(actorOf(user({})))).not.toMatch(/\$2b|passwordHash|tokenVersion/);
  });
});
