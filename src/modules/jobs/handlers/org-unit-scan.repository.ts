import { selectRows, subtreeCondition, subtreeParams, toInt, Tx, Where } from '@/database/dialect';

/** The columns a checksum covers: what a unit is and where it sits, not when it was created. */
export interface ScannedUnit {
  id: number;
  code: string;
  name: string;
  kind: string;
  level: string;
  parentId: number | null;
  path: string;
  staffCount: number;
  updatedAt: string;
}

interface RawUnit {
  id: number | string;
  code: string;
  name: string;
  kind: string;
  level: string;
  parent_id: number | string | null;
  path: string;
  staff_count: number | string;
  updated_at: string;
}

function scope(scopePath: string | null): Where {
  const where = new Where();
  if (scopePath !== null) where.add(subtreeCondition('path'), ...subtreeParams(scopePath));
  return where;
}

/** Streams org units in id order, in batches (keyset paging: every batch is one indexed range read). */
export class OrgUnitScanRepository {
  async findPath(tx: Tx, id: number): Promise<string | null> {
    const rows = await selectRows<{ path: string }>(tx, 'SELECT path FROM org_units WHERE id = ?', [id]);
    return rows.length ? rows[0].path : null;
  }

  async count(tx: Tx, scopePath: string | null): Promise<number> {
    const where = scope(scopePath);
    const [row] = await selectRows<{ n: number | string }>(tx, `SELECT COUNT(*) AS n FROM org_units ${where.clause}`, where.params);
    return toInt(row.n);
  }

  async batchAfter(tx: Tx, scopePath: string | null, afterId: number, limit: number): Promise<ScannedUnit[]> {
    const where = scope(scopePath).add('id > ?', afterId);
    const rows = await selectRows<RawUnit>(
      tx,
      `SELECT id, code, name, kind, level, parent_id, path, staff_count, updated_at FROM org_units ${where.clause} ORDER BY id LIMIT ?`,
      [...where.params, limit],
    );
    return rows.map((r) => ({
      id: toInt(r.id),
      code: r.code,
      name: r.name,
      kind: r.kind,
      level: r.level,
      parentId: r.parent_id === null ? null : toInt(r.parent_id),
      path: r.path,
      staffCount: toInt(r.staff_count),
      updatedAt: r.updated_at,
    }));
  }
}
