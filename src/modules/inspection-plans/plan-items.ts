import { Level } from '@/common/auth/actor';
import { ErrorDetail } from '@/common/errors/domain-error';
import { levelRank } from '@/modules/org-units/org-unit.model';

/**
 * Item keys and the checks on plan items that need no database. Pure, so the rules of a plan's
 * items are tested exhaustively beside this file; topics and target units are checked against
 * the database by the service.
 */

/** A caller-chosen key: letters, digits, "-", "_", "." (at most 40), starting with a letter or digit. */
export const ITEM_KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;
export const PLANNED_MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
export const MAX_ITEMS = 500;
export const MAX_TARGET_UNITS = 500;
export const MAX_VISITS = 366;
export const MAX_ON_SITE_DAYS = 366;

/** Keys the service generates: P2026-001, P2026-002, … */
export function generatedKey(year: number, sequence: number): string {
  return `P${year}-${String(sequence).padStart(3, '0')}`;
}

/** The highest sequence among generated-style keys of that year (0 when there is none). */
export function highestSequence(year: number, keys: Iterable<string>): number {
  const pattern = new RegExp(`^P${year}-(\\d{1,9})$`);
  let highest = 0;
  for (const key of keys) {
    const m = pattern.exec(key);
    if (m) highest = Math.max(highest, Number(m[1]));
  }
  return highest;
}

/**
 * The key of each item: its own, or a new generated one. Generated keys continue after every key
 * the plan's chain has ever used (`usedKeys`: all versions of this issuer and year), so a key
 * dropped in one version never comes back meaning another item.
 */
export function assignItemKeys(year: number, given: (string | undefined)[], usedKeys: Iterable<string>): string[] {
  let next = highestSequence(year, [...usedKeys, ...given.filter((k): k is string => k !== undefined)]) + 1;
  return given.map((key) => key ?? generatedKey(year, next++));
}

export interface ItemShape {
  itemKey?: string;
  plannedMonth: string;
  targetLevel?: Level;
  targetUnitIds?: number[];
}

/** The field of item `index` as errors name it, in the validation pipe's dotted form. */
export function itemField(index: number, field: string): string {
  return `items.${index}.${field}`;
}

/**
 * What is wrong with the items regardless of the database: duplicate keys, a month outside the
 * plan's year, no target, a target level not strictly below the issuer's level.
 */
export function itemProblems(year: number, issuerLevel: Level, items: ItemShape[]): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const keys = new Map<string, number>();
  items.forEach((item, i) => {
    const problem = (field: string, message: string) => problems.push({ field: itemField(i, field), message });
    if (item.itemKey !== undefined) {
      const first = keys.get(item.itemKey);
      if (first !== undefined) problem('itemKey', `duplicates the key of items.${first}; keys are unique within a plan`);
      else keys.set(item.itemKey, i);
    }
    if (!item.plannedMonth.startsWith(`${year}-`)) problem('plannedMonth', `must be a month of the plan's year ${year}`);
    if (item.targetLevel === undefined && (item.targetUnitIds === undefined || item.targetUnitIds.length === 0)) {
      problem('targetLevel', 'give targetLevel and/or targetUnitIds: whom the inspection reaches');
    }
    if (item.targetLevel !== undefined && levelRank(item.targetLevel) <= levelRank(issuerLevel)) {
      problem('targetLevel', `must be below the issuer's level (${issuerLevel})`);
    }
    const ids = item.targetUnitIds ?? [];
    if (new Set(ids).size !== ids.length) problem('targetUnitIds', 'lists a unit twice');
  });
  return problems;
}

export interface TargetUnit {
  id: number;
  kind: 'area' | 'department';
  level: Level;
  path: string;
}

export type TargetProblem = { forbidden: true; message: string } | { forbidden: false; message: string };

/**
 * Why a unit cannot be a target of the issuer's plan, or null when it can: it must lie inside the
 * issuer's jurisdiction (else the caller is reaching outside it: forbidden), be an area unit,
 * strictly below the issuer's level and of the item's target level when one is given.
 */
export function targetProblem(
  unit: TargetUnit | undefined,
  id: number,
  issuer: { jurisdictionPath: string; level: Level },
  targetLevel: Level | undefined,
): TargetProblem | null {
  if (!unit) return { forbidden: false, message: `org unit ${id} does not exist` };
  if (!unit.path.startsWith(issuer.jurisdictionPath)) return { forbidden: true, message: `org unit ${id} is outside your jurisdiction` };
  if (unit.kind !== 'area') return { forbidden: false, message: `org unit ${id} is a department; targets are area units` };
  if (levelRank(unit.level) <= levelRank(issuer.level)) {
    return { forbidden: false, message: `org unit ${id} (${unit.level}) is not below the issuer's level (${issuer.level})` };
  }
  if (targetLevel !== undefined && unit.level !== targetLevel) {
    return { forbidden: false, message: `org unit ${id} is a ${unit.level}, not a ${targetLevel} as targetLevel says` };
  }
  return null;
}
