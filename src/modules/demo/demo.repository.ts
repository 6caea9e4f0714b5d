import { Injectable } from '@nestjs/common';
import { selectRows, subtreeCondition, subtreeParams, toInt, Tx } from '@/database/dialect';

/** A registered demand's occurrences on one unit in one month: what a burden report covers. */
export interface ReportableCell {
  unitCode: string;
  registrationNo: string;
  month: string;
  /** Estimate per occurrence on this unit, in minutes. */
  estimatedMinutes: number;
  occurrences: number;
}

export interface DemoFlag {
  id: number;
  rule: string;
  status: string;
  version: number;
  demandId: number | null;
  unitId: number | null;
}

/** What the demo loader reads besides the services: emptiness, codes, the cells to report on, flags. */
@Injectable()
export class DemoRepository {
  /** Empty = no org units and no user but an admin (BURDEN_LEDGER_ADMIN_PASSWORD may have made one at boot). */
  async isEmpty(tx: Tx): Promise<boolean> {
    const [units] = await selectRows<{ n: unknown }>(tx, 'SELECT COUNT(*) AS n FROM org_units');
    const [users] = await selectRows<{ n: unknown }>(tx, "SELECT COUNT(*) AS n FROM users WHERE role <> 'admin'");
    return toInt(units.n) === 0 && toInt(users.n) === 0;
  }

  async usernameTaken(tx: Tx, username: string): Promise<number | null> {
    const rows = await selectRows<{ id: unknown }>(tx, 'SELECT id FROM users WHERE username = ?', [username]);
    return rows.length ? toInt(rows[0].id) : null;
  }

  async unitIdsByCode(tx: Tx, codes: readonly string[]): Promise<Map<string, number>> {
    const map = new Map<string, number>();
    if (codes.length === 0) return map;
    const rows = await selectRows<{ id: unknown; code: string }>(tx, `SELECT id, code FROM org_units WHERE code IN (${codes.map(() => '?').join(', ')})`, [...codes]);
    for (const r of rows) map.set(r.code, toInt(r.id));
    return map;
  }

  /** The codes of an area unit and the area units below it, in code order. */
  async subtreeAreaCodes(tx: Tx, code: string): Promise<string[]> {
    const [unit] = await selectRows<{ path: string }>(tx, 'SELECT path FROM org_units WHERE code = ?', [code]);
    if (!unit) return [];
    const rows = await selectRows<{ code: string }>(tx, `SELECT code FROM org_units WHERE kind = 'area' AND ${subtreeCondition('path')} ORDER BY code`, subtreeParams(unit.path));
    return rows.map((r) => r.code);
  }

  /** Registered active demands landing on the units (by code) in months up to `lastMonth`, in a stable order. */
  async reportableCells(tx: Tx, unitCodes: readonly string[], firstMonth: string, lastMonth: string): Promise<ReportableCell[]> {
    const rows = await selectRows<{ unit_code: string; registration_no: string; month: string; estimated_minutes: unknown; occurrences: unknown }>(
      tx,
      `SELECT u.code AS unit_code, d.registration_no, o.month, t.estimated_minutes, o.occurrences
         FROM demand_targets t
         JOIN org_units u ON u.id = t.unit_id
         JOIN demands d ON d.id = t.demand_id
         JOIN demand_occurrences o ON o.demand_id = d.id
        WHERE u.code IN (${unitCodes.map(() => '?').join(', ')}) AND d.status = 'active' AND o.month >= ? AND o.month <= ?
        ORDER BY u.code, o.month, d.id`,
      [...unitCodes, firstMonth, lastMonth],
    );
    return rows.map((r) => ({
      unitCode: r.unit_code,
      registrationNo: r.registration_no,
      month: r.month,
      estimatedMinutes: toInt(r.estimated_minutes),
      occurrences: toInt(r.occurrences),
    }));
  }

  async flagsOnDemand(tx: Tx, demandId: number): Promise<DemoFlag[]> {
    return this.flags(tx, 'demand_id = ?', [demandId]);
  }

  async flagsOnUnit(tx: Tx, rule: string, unitId: number): Promise<DemoFlag[]> {
    return this.flags(tx, 'rule_code = ? AND unit_id = ?', [rule, unitId]);
  }

  async countFlags(tx: Tx): Promise<{ total: number; byStatus: Record<string, number> }> {
    const rows = await selectRows<{ status: string; n: unknown }>(tx, 'SELECT status, COUNT(*) AS n FROM flags GROUP BY status ORDER BY status');
    const byStatus: Record<string, number> = {};
    for (const r of rows) byStatus[r.status] = toInt(r.n);
    return { total: Object.values(byStatus).reduce((s, n) => s + n, 0), byStatus };
  }

  private async flags(tx: Tx, where: string, params: unknown[]): Promise<DemoFlag[]> {
    const rows = await selectRows<{ id: unknown; rule_code: string; status: string; row_version: unknown; demand_id: unknown; unit_id: unknown }>(
      tx,
      `SELECT id, rule_code, status, row_version, demand_id, unit_id FROM flags WHERE ${where} ORDER BY id`,
      params,
    );
    return rows.map((r) => ({
      id: toInt(r.id),
      rule: r.rule_code,
      status: r.status,
      version: toInt(r.row_version),
      demandId: r.demand_id === null ? null : toInt(r.demand_id),
      unitId: r.unit_id === null ? null : toInt(r.unit_id),
    }));
  }
}
