import { Injectable } from '@nestjs/common';
import { Level } from '@/common/auth/actor';
import { containsPattern, databaseKind, execute, forUpdate, selectRows, subtreeCondition, subtreeParams, toInt, Tx, Where } from '@/database/dialect';
import { isPossibleId, OrgUnit, OrgUnitName, UnitKind } from './org-unit.model';

interface RawUnit {
  id: number | string;
  code: string;
  name: string;
  kind: UnitKind;
  level: Level;
  parent_id: number | string | null;
  path: string;
  depth: number | string;
  staff_count: number | string;
  created_at: string;
  updated_at: string;
}

const COLUMNS = 'id, code, name, kind, level, parent_id, path, depth, staff_count, created_at, updated_at';

function mapUnit(r: RawUnit): OrgUnit {
  return {
    id: toInt(r.id),
    code: r.code,
    name: r.name,
    kind: r.kind,
    level: r.level,
    parentId: r.parent_id === null ? null : toInt(r.parent_id),
    path: r.path,
    depth: toInt(r.depth),
    staffCount: toInt(r.staff_count),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface OrgUnitFilter {
  /** Null: no restriction (admin). */
  scopePath: string | null;
  parentId?: number;
  underPath?: string;
  level?: Level;
  kind?: UnitKind;
  q?: string;
}

export interface NewOrgUnit {
  code: string;
  name: string;
  kind: UnitKind;
  level: Level;
  parentId: number | null;
  path: string;
  depth: number;
  staffCount: number;
  at: string;
}

/** Columns of one inserted unit, in the order of INSERT_COLUMNS. */
export const INSERT_COLUMNS = 'code, name, kind, level, parent_id, path, depth, staff_count, created_at, updated_at';
export function insertValues(u: NewOrgUnit): unknown[] {
  return [u.code, u.name, u.kind, u.level, u.parentId, u.path, u.depth, u.staffCount, u.at, u.at];
}

@Injectable()
export class OrgUnitRepository {
  async findById(tx: Tx, id: number): Promise<OrgUnit | null> {
    if (!isPossibleId(id)) return null;
    const rows = await selectRows<RawUnit>(tx, `SELECT ${COLUMNS} FROM org_units WHERE id = ?`, [id]);
    return rows.length ? mapUnit(rows[0]) : null;
  }

  /**
   * Reads a unit that is about to receive children, locking its row on PostgreSQL: a concurrent
   * move of its subtree (which locks the subtree first) then finishes before this read, or waits
   * for this transaction, so a child is never written under a stale path.
   */
  async findParentForUpdate(tx: Tx, id: number): Promise<OrgUnit | null> {
    if (!isPossibleId(id)) return null;
    const rows = await selectRows<RawUnit>(tx, `SELECT ${COLUMNS} FROM org_units WHERE id = ?${forUpdate(databaseKind(tx))}`, [id]);
    return rows.length ? mapUnit(rows[0]) : null;
  }

  /**
   * Like findByCodes, locking the rows on PostgreSQL (see findParentForUpdate) in id order, the
   * order lockForMove uses, so that an import and a move cannot deadlock.
   */
  async findParentsByCodesForUpdate(tx: Tx, codes: string[]): Promise<OrgUnit[]> {
    const ids = (await this.findByCodes(tx, codes)).map((u) => u.id).sort((a, b) => a - b);
    const out: OrgUnit[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const sql = `SELECT ${COLUMNS} FROM org_units WHERE id IN (${chunk.map(() => '?').join(',')}) ORDER BY id${forUpdate(databaseKind(tx))}`;
      out.push(...(await selectRows<RawUnit>(tx, sql, chunk)).map(mapUnit));
    }
    return out;
  }

  /**
   * Locks, in one statement and in id order (so that two movers cannot deadlock), a subtree about
   * to move and the unit it moves under. Creates and imports lock the parent they write under,
   * so they either see the moved paths or hold the move back until they commit.
   */
  async lockForMove(tx: Tx, subtreePath: string, newParentId: number): Promise<void> {
    await selectRows(tx, `SELECT id FROM org_units WHERE ${subtreeCondition('path')} OR id = ? ORDER BY id${forUpdate(databaseKind(tx))}`, [
      ...subtreeParams(subtreePath),
      newParentId,
    ]);
  }

  async findByCode(tx: Tx, code: string): Promise<OrgUnit | null> {
    const rows = await selectRows<RawUnit>(tx, `SELECT ${COLUMNS} FROM org_units WHERE code = ?`, [code]);
    return rows.length ? mapUnit(rows[0]) : null;
  }

  async findByCodes(tx: Tx, codes: string[]): Promise<OrgUnit[]> {
    const out: OrgUnit[] = [];
    for (let i = 0; i < codes.length; i += 500) {
      const chunk = codes.slice(i, i + 500);
      const rows = await selectRows<RawUnit>(tx, `SELECT ${COLUMNS} FROM org_units WHERE code IN (${chunk.map(() => '?').join(',')})`, chunk);
      out.push(...rows.map(mapUnit));
    }
    return out;
  }

  /** The units whose paths are prefixes of this path (its ancestors), root first. */
  async findAncestorNames(tx: Tx, path: string): Promise<OrgUnitName[]> {
    const parts = path.split('/').filter(Boolean);
    const paths = parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join('/')}/`);
    if (!paths.length) return [];
    const rows = await selectRows<RawUnit>(tx, `SELECT ${COLUMNS} FROM org_units WHERE path IN (${paths.map(() => '?').join(',')}) ORDER BY depth`, paths);
    return rows.map(mapUnit).map(({ id, code, name, kind, level, parentId }) => ({ id, code, name, kind, level, parentId }));
  }

  async list(tx: Tx, filter: OrgUnitFilter, offset: number, limit: number): Promise<{ rows: OrgUnit[]; total: number }> {
    const where = new Where();
    if (filter.scopePath !== null) where.add(subtreeCondition('path'), ...subtreeParams(filter.scopePath));
    if (filter.underPath !== undefined) where.add(subtreeCondition('path'), ...subtreeParams(filter.underPath));
    if (filter.parentId !== undefined) where.add('parent_id = ?', filter.parentId);
    if (filter.level) where.add('level = ?', filter.level);
    if (filter.kind) where.add('kind = ?', filter.kind);
    if (filter.q) {
      where.add(`(name LIKE ? ESCAPE '!' OR code = ?)`, containsPattern(filter.q), filter.q);
    }
    const clause = where.clause;
    const [count] = await selectRows<{ n: number | string }>(tx, `SELECT COUNT(*) AS n FROM org_units ${clause}`, where.params);
    const rows = await selectRows<RawUnit>(tx, `SELECT ${COLUMNS} FROM org_units ${clause} ORDER BY path LIMIT ? OFFSET ?`, [...where.params, limit, offset]);
    return { rows: rows.map(mapUnit), total: toInt(count.n) };
  }

  async insert(tx: Tx, unit: NewOrgUnit): Promise<number> {
    const rows = await selectRows<{ id: number | string }>(
      tx,
      `INSERT INTO org_units (${INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      insertValues(unit),
    );
    return toInt(rows[0].id);
  }

  async insertStaffMany(tx: Tx, rows: { orgUnitId: number; staffCount: number; effectiveFrom: string; at: string }[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000);
      await execute(
        tx,
        `INSERT INTO org_unit_staff (org_unit_id, staff_count, effective_from, created_at) VALUES ${chunk.map(() => '(?, ?, ?, ?)').join(', ')}`,
        chunk.flatMap((r) => [r.orgUnitId, r.staffCount, r.effectiveFrom, r.at]),
      );
    }
  }

  /** Records the staff count in force from a date (one row per unit and date). */
  async upsertStaff(tx: Tx, orgUnitId: number, staffCount: number, effectiveFrom: string, at: string): Promise<void> {
    await execute(tx, 'DELETE FROM org_unit_staff WHERE org_unit_id = ? AND effective_from = ?', [orgUnitId, effectiveFrom]);
    await execute(tx, 'INSERT INTO org_unit_staff (org_unit_id, staff_count, effective_from, created_at) VALUES (?, ?, ?, ?)', [
      orgUnitId,
      staffCount,
      effectiveFrom,
      at,
    ]);
  }

  /** The staff count in force on a day, from the history. */
  async staffInForce(tx: Tx, orgUnitId: number, day: string): Promise<number | null> {
    const rows = await selectRows<{ staff_count: number | string }>(
      tx,
      'SELECT staff_count FROM org_unit_staff WHERE org_unit_id = ? AND effective_from <= ? ORDER BY effective_from DESC LIMIT 1',
      [orgUnitId, day],
    );
    return rows.length ? toInt(rows[0].staff_count) : null;
  }

  async staffHistory(tx: Tx, orgUnitId: number): Promise<{ staffCount: number; effectiveFrom: string }[]> {
    const rows = await selectRows<{ staff_count: number | string; effective_from: string }>(
      tx,
      'SELECT staff_count, effective_from FROM org_unit_staff WHERE org_unit_id = ? ORDER BY effective_from',
      [orgUnitId],
    );
    return rows.map((r) => ({ staffCount: toInt(r.staff_count), effectiveFrom: r.effective_from }));
  }

  async updateFields(tx: Tx, id: number, fields: { name?: string; staffCount?: number }, at: string): Promise<void> {
    const sets: string[] = ['updated_at = ?'];
    const params: unknown[] = [at];
    if (fields.name !== undefined) {
      sets.push('name = ?');
      params.push(fields.name);
    }
    if (fields.staffCount !== undefined) {
      sets.push('staff_count = ?');
      params.push(fields.staffCount);
    }
    await execute(tx, `UPDATE org_units SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
  }

  /**
   * Moves a unit and its whole subtree under a new parent: one set-based UPDATE rewrites every
   * path prefix and depth, then the unit's own parent link.
   */
  async moveSubtree(tx: Tx, unit: OrgUnit, newParentId: number, newPath: string, newDepth: number, at: string): Promise<void> {
    const [lo, hi] = subtreeParams(unit.path);
    await execute(
      tx,
      `UPDATE org_units SET path = CAST(? AS VARCHAR(400)) || substr(path, ?), depth = depth + ?, updated_at = ? WHERE path >= ? AND path < ?`,
      [newPath, unit.path.length + 1, newDepth - unit.depth, at, lo, hi],
    );
    await execute(tx, 'UPDATE org_units SET parent_id = ? WHERE id = ?', [newParentId, unit.id]);
  }
}
