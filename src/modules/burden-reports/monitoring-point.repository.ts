import { Injectable } from '@nestjs/common';
import { selectRows, subtreeCondition, subtreeParams, toInt, Tx } from '@/database/dialect';

type Num = number | string;

export interface MonitoredUnit {
  id: number;
  code: string;
  name: string;
  level: string;
  kind: 'area' | 'department';
  path: string;
  createdAt: string;
}

export interface MonitoringPointRow {
  unitId: number;
  unitCode: string;
  unitName: string;
  unitLevel: string;
  unitPath: string;
  unitCreatedAt: string;
  fromMonth: string;
  toMonth: string | null;
  updatedAt: string;
}

interface RawPoint {
  unit_id: Num;
  code: string;
  name: string;
  level: string;
  path: string;
  unit_created_at: string;
  from_month: string;
  to_month: string | null;
  updated_at: string;
}

const mapPoint = (r: RawPoint): MonitoringPointRow => ({
  unitId: toInt(r.unit_id),
  unitCode: r.code,
  unitName: r.name,
  unitLevel: r.level,
  unitPath: r.path,
  unitCreatedAt: r.unit_created_at,
  fromMonth: r.from_month,
  toMonth: r.to_month,
  updatedAt: r.updated_at,
});

/** Designations of monitoring points and the first report of each unit and month. */
@Injectable()
export class MonitoringPointRepository {
  async findUnits(tx: Tx, ids: number[]): Promise<Map<number, MonitoredUnit>> {
    const out = new Map<number, MonitoredUnit>();
    if (!ids.length) return out;
    const rows = await selectRows<{ id: Num; code: string; name: string; level: string; kind: 'area' | 'department'; path: string; created_at: string }>(
      tx,
      `SELECT id, code, name, level, kind, path, created_at FROM org_units WHERE id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    );
    for (const r of rows) out.set(toInt(r.id), { id: toInt(r.id), code: r.code, name: r.name, level: r.level, kind: r.kind, path: r.path, createdAt: r.created_at });
    return out;
  }

  async findByUnits(tx: Tx, unitIds: number[]): Promise<Map<number, MonitoringPointRow>> {
    const out = new Map<number, MonitoringPointRow>();
    if (!unitIds.length) return out;
    const rows = await selectRows<RawPoint>(
      tx,
      `SELECT mp.unit_id, u.code, u.name, u.level, u.path, u.created_at AS unit_created_at, mp.from_month, mp.to_month, mp.updated_at
       FROM monitoring_points mp JOIN org_units u ON u.id = mp.unit_id WHERE mp.unit_id IN (${unitIds.map(() => '?').join(', ')})`,
      unitIds,
    );
    for (const r of rows) out.set(toInt(r.unit_id), mapPoint(r));
    return out;
  }

  /** Sets a unit's designation window: creates it, or replaces the window it had. */
  async upsert(tx: Tx, unitId: number, fromMonth: string, toMonth: string | null, by: number, at: string): Promise<void> {
    await selectRows(
      tx,
      `INSERT INTO monitoring_points (unit_id, from_month, to_month, created_by, created_at, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (unit_id) DO UPDATE SET from_month = excluded.from_month, to_month = excluded.to_month, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      [unitId, fromMonth, toMonth, by, at, by, at],
    );
  }

  /** Designations in a subtree whose window overlaps first..last, ordered by unit path. */
  async overlapping(tx: Tx, rootPath: string, first: string, last: string, unitId?: number): Promise<MonitoringPointRow[]> {
    const extra = unitId === undefined ? '' : ' AND mp.unit_id = ?';
    const rows = await selectRows<RawPoint>(
      tx,
      `SELECT mp.unit_id, u.code, u.name, u.level, u.path, u.created_at AS unit_created_at, mp.from_month, mp.to_month, mp.updated_at
       FROM monitoring_points mp JOIN org_units u ON u.id = mp.unit_id
       WHERE ${subtreeCondition('u.path')} AND mp.from_month <= ? AND (mp.to_month IS NULL OR mp.to_month >= ?)${extra}
       ORDER BY u.path, u.id`,
      [...subtreeParams(rootPath), last, first, ...(unitId === undefined ? [] : [unitId])],
    );
    return rows.map(mapPoint);
  }

  /** For each unit and month, when its first burden report (registered or shadow) was stored. */
  async firstReports(tx: Tx, unitIds: number[], first: string, last: string): Promise<Map<number, Map<string, string>>> {
    const out = new Map<number, Map<string, string>>();
    for (let i = 0; i < unitIds.length; i += 500) {
      const chunk = unitIds.slice(i, i + 500);
      const rows = await selectRows<{ unit_id: Num; month: string; first_at: string }>(
        tx,
        `SELECT unit_id, month, MIN(created_at) AS first_at FROM burden_reports
         WHERE month >= ? AND month <= ? AND unit_id IN (${chunk.map(() => '?').join(', ')}) GROUP BY unit_id, month`,
        [first, last, ...chunk],
      );
      for (const r of rows) {
        const id = toInt(r.unit_id);
        let months = out.get(id);
        if (!months) out.set(id, (months = new Map<string, string>()));
        months.set(r.month, r.first_at);
      }
    }
    return out;
  }
}
