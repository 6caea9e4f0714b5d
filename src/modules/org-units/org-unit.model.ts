import { Level, LEVELS } from '@/common/auth/actor';

export const UNIT_KINDS = ['area', 'department'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export interface OrgUnit {
  id: number;
  code: string;
  name: string;
  kind: UnitKind;
  level: Level;
  parentId: number | null;
  path: string;
  depth: number;
  staffCount: number;
  createdAt: string;
  updatedAt: string;
}

/** What a unit's own users may see of an ancestor outside their jurisdiction: its name. */
export type OrgUnitName = Pick<OrgUnit, 'id' | 'code' | 'name' | 'kind' | 'level' | 'parentId'>;

/** Ids are 32-bit integers on both databases; a larger one cannot exist (and PostgreSQL would reject it in a query). */
export const MAX_ID = 2_147_483_647;

/** The largest staff count a unit may declare (create, update and import agree). */
export const MAX_STAFF = 1_000_000;

export function isPossibleId(id: number): boolean {
  return Number.isInteger(id) && id >= 1 && id <= MAX_ID;
}

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

/** Area division codes have 2, 4, 6, 9 or 12 digits; office codes are letters, digits, `-`, `_`, `.`. */
export const AREA_CODE = /^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$/;
export const UNIT_CODE = /^[0-9A-Za-z][0-9A-Za-z_.-]{0,39}$/;

/** The length of an area's division code fixes its level (GB/T 2260 and the statistical codes). */
export const AREA_CODE_LENGTH: Record<Level, number> = { province: 2, prefecture: 4, county: 6, township: 9, village: 12 };

export function childPath(parentPath: string | null, code: string): string {
  return `${parentPath ?? '/'}${code}/`;
}

export interface NewOrgUnitShape {
  code: string;
  name: string;
  kind: UnitKind;
  level: Level;
}

/**
 * Why a unit with these properties cannot sit under this parent, or null when it can.
 * Shared by create, move and import so that all three enforce the same tree rules.
 */

export function placementProblem(
  unit: { code: string; kind: UnitKind; level: Level },
  parent: { code: string; kind: UnitKind; level: Level } | null,
): { field: 'code' | 'parentId' | 'level' | 'kind'; message: string } | null {
  if (unit.kind === 'area' && !AREA_CODE.test(unit.code)) {
    return { field: 'code', message: 'an area code is an administrative division code of 2, 4, 6, 9 or 12 digits' };
  }
  if (!UNIT_CODE.test(unit.code)) return { field: 'code', message: 'a code has letters, digits, "-", "_" or "." (at most 40)' };
  if (unit.kind === 'area' && unit.code.length !== AREA_CODE_LENGTH[unit.level]) {
    return { field: 'level', message: `a ${unit.level} has a ${AREA_CODE_LENGTH[unit.level]}-digit division code, ${unit.code} has ${unit.code.length}` };
  }
  if (parent === null) {
    if (unit.kind === 'department') return { field: 'parentId', message: 'a department belongs to an area unit' };
    if (unit.level !== 'province') return { field: 'parentId', message: 'only a province may have no parent' };
    return null;
  }
  if (parent.kind !== 'area') return { field: 'parentId', message: 'the parent must be an area unit, not a department' };
  if (unit.kind === 'department') {
    if (unit.level !== parent.level) {
      return { field: 'level', message: `a department acts at its area unit's level (${parent.level})` };
    }
    return null;
  }
  if (levelRank(unit.level) <= levelRank(parent.level)) {
    return { field: 'level', message: `an area unit must be below its parent's level (${parent.level})` };
  }
  if (!unit.code.startsWith(parent.code) || unit.code.length <= parent.code.length) {
    return { field: 'code', message: `an area code must extend its parent's code ${parent.code}` };
  }
  return null;
}
