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

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

/** Area division codes have 2, 4, 6, 9 or 12 digits; office codes are letters, digits, `-`, `_`, `.`. */
export const AREA_CODE = /^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$/;
export const UNIT_CODE = /^[0-9A-Za-z][0-9A-Za-z_.-]{0,39}$/;

export function childPath(parentPath: string | null, code: string): string {
  return `${parentPath ?? '/'}${code}/`;
}

/**
 * Why a unit with these properties cannot sit under this parent, or null when it can.
 * Shared by create, move and import so that all three enforce the same tree rules.
 */
export interface NewOrgUnitShape {
  code: string;
  name: string;
  kind: UnitKind;
  level: Level;
}

export function placementProblem(
  unit: { code: string; kind: UnitKind; level: Level },
  parent: { code: string; kind: UnitKind; level: Level } | null,
): { field: 'code' | 'parentId' | 'level' | 'kind'; message: string } | null {
  if (unit.kind === 'area' && !AREA_CODE.test(unit.code)) {
    return { field: 'code', message: 'an area code is an administrative division code of 2, 4, 6, 9 or 12 digits' };
  }
  if (!UNIT_CODE.test(unit.code)) return { field: 'code', message: 'a code has letters, digits, "-", "_" or "." (at most 40)' };
  if (parent === null) {
    if (unit.kind === 'department') return { field: 'parentId', message: 'a department belongs to an area unit' };
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
