export const ROLES = ['admin', 'issuer', 'reporter', 'coordinator', 'inspector'] as const;
export type Role = (typeof ROLES)[number];

export const LEVELS = ['province', 'prefecture', 'county', 'township', 'village'] as const;
export type Level = (typeof LEVELS)[number];

/** The authenticated caller, resolved from the token and the database on every request. */
export interface Actor {
  userId: number;
  username: string;
  role: Role;
  /** Null only for admin (a database constraint holds this). */
  orgUnitId: number | null;
  /** Materialised path of the caller's own unit, e.g. /53/5325/532503/. */
  unitPath: string | null;
  /**
   * The subtree the caller may reach: its unit's, or for a department the area unit it belongs
   * to. Null means the whole system and is only ever set for admin.
   */
  jurisdictionPath: string | null;
  /** The level the caller acts at (a department acts at its area unit's level). */
  level: Level | null;
}

export function isWithinPath(path: string | null | undefined, ancestorPath: string): boolean {
  return typeof path === 'string' && path.startsWith(ancestorPath);
}

/** True when the object's unit path lies inside the actor's jurisdiction. */
export function withinJurisdiction(actor: Actor, path: string | null | undefined): boolean {
  if (actor.role === 'admin' && actor.jurisdictionPath === null) return true;
  return actor.jurisdictionPath !== null && isWithinPath(path, actor.jurisdictionPath);
}

export const ACTOR_RESOLVER = Symbol('ACTOR_RESOLVER');

/** Implemented by the identity feature; common code depends only on this interface. */
export interface ActorResolver {
  /** The actor for a verified token, or null if the user is gone, disabled or the token revoked. */
  resolve(userId: number, tokenVersion: number): Promise<Actor | null>;
}

export interface TokenPayload {
  sub: number;
  tv: number;
  role: Role;
}
