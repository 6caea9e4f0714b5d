import { Injectable } from '@nestjs/common';
import type { Actor } from '@/common/auth/actor';
import { selectRows, subtreeCondition, subtreeParams, toInt, Tx, Where } from '@/database/dialect';

export interface ObjectionRow {
  id: number;
  demandId: number;
  demandTitle: string;
  registrationNo: string;
  issuerId: number;
  issuerName: string;
  unitId: number;
  unitName: string;
  unitPath: string;
  reason: string;
  dutyItemId: number | null;
  createdAt: string;
}

type Num = number | string;
interface RawObjection {
  id: Num;
  demand_id: Num;
  demand_title: string;
  registration_no: string;
  issuer_id: Num;
  issuer_name: string;
  unit_id: Num;
  unit_name: string;
  unit_path: string;
  reason: string;
  duty_item_id: Num | null;
  created_at: string;
}

const SELECT = `SELECT o.id, o.demand_id, d.title AS demand_title, d.registration_no, d.issuer_id, iu.name AS issuer_name, o.unit_id, u.name AS unit_name,
  u.path AS unit_path, o.reason, o.duty_item_id, o.created_at
  FROM objections o JOIN demands d ON d.id = o.demand_id JOIN org_units iu ON iu.id = d.issuer_id JOIN org_units u ON u.id = o.unit_id`;

function mapObjection(r: RawObjection): ObjectionRow {
  return {
    id: toInt(r.id),
    demandId: toInt(r.demand_id),
    demandTitle: r.demand_title,
    registrationNo: r.registration_no,
    issuerId: toInt(r.issuer_id),
    issuerName: r.issuer_name,
    unitId: toInt(r.unit_id),
    unitName: r.unit_name,
    unitPath: r.unit_path,
    reason: r.reason,
    dutyItemId: r.duty_item_id === null ? null : toInt(r.duty_item_id),
    createdAt: r.created_at,
  };
}

/**
 * Who reads objections until they become OBJECTION flags: coordinators and inspectors whose
 * jurisdiction holds the objecting unit or the issuer (as for flags), and reporters for their own
 * subtree. Issuers are refused at the route: the objecting unit is not theirs to learn.
 */
function objectionVisibility(actor: Actor, where: Where): void {
  switch (actor.role) {
    case 'reporter':
      if (actor.unitPath === null) where.add('1 = 0');
      else where.add(subtreeCondition('u.path'), ...subtreeParams(actor.unitPath));
      return;
    case 'coordinator':
    case 'inspector': {
      if (actor.jurisdictionPath === null) {
        where.add('1 = 0');
        return;
      }
      const [lo, hi] = subtreeParams(actor.jurisdictionPath);
      where.add(`(${subtreeCondition('u.path')} OR ${subtreeCondition('iu.path')})`, lo, hi, lo, hi);
      return;
    }
    case 'admin':
    case 'issuer':
      where.add('1 = 0');
      return;
  }
}

@Injectable()
export class ObjectionRepository {
  /** Whether the demand reaches any unit in the subtree (what a reporter may see of the registry). */
  async demandReachesSubtree(tx: Tx, demandId: number, path: string): Promise<boolean> {
    const rows = await selectRows(
      tx,
      `SELECT 1 AS one FROM demand_targets t JOIN org_units u ON u.id = t.unit_id WHERE t.demand_id = ? AND ${subtreeCondition('u.path')} LIMIT 1`,
      [demandId, ...subtreeParams(path)],
    );
    return rows.length > 0;
  }

  async targetsUnit(tx: Tx, demandId: number, unitId: number): Promise<boolean> {
    return (await selectRows(tx, 'SELECT 1 AS one FROM demand_targets WHERE demand_id = ? AND unit_id = ?', [demandId, unitId])).length > 0;
  }

  async dutyItemExists(tx: Tx, id: number): Promise<boolean> {
    return (await selectRows(tx, 'SELECT 1 AS one FROM duty_items WHERE id = ?', [id])).length > 0;
  }

  async findExisting(tx: Tx, demandId: number, unitId: number): Promise<number | null> {
    const rows = await selectRows<{ id: Num }>(tx, 'SELECT id FROM objections WHERE demand_id = ? AND unit_id = ?', [demandId, unitId]);
    return rows.length ? toInt(rows[0].id) : null;
  }

  async insert(tx: Tx, o: { demandId: number; unitId: number; reason: string; dutyItemId: number | null; by: number; at: string }): Promise<number> {
    const rows = await selectRows<{ id: Num }>(
      tx,
      'INSERT INTO objections (demand_id, unit_id, reason, duty_item_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
      [o.demandId, o.unitId, o.reason, o.dutyItemId, o.by, o.at],
    );
    return toInt(rows[0].id);
  }

  async findById(tx: Tx, id: number): Promise<ObjectionRow | null> {
    const rows = await selectRows<RawObjection>(tx, `${SELECT} WHERE o.id = ?`, [id]);
    return rows.length ? mapObjection(rows[0]) : null;
  }

  async list(tx: Tx, actor: Actor, filter: { demandId?: number; unitId?: number }, offset: number, limit: number): Promise<{ rows: ObjectionRow[]; total: number }> {
    const where = new Where();
    objectionVisibility(actor, where);
    if (filter.demandId !== undefined) where.add('o.demand_id = ?', filter.demandId);
    if (filter.unitId !== undefined) where.add('o.unit_id = ?', filter.unitId);
    const [count] = await selectRows<{ n: Num }>(
      tx,
      `SELECT COUNT(*) AS n FROM objections o JOIN demands d ON d.id = o.demand_id JOIN org_units iu ON iu.id = d.issuer_id JOIN org_units u ON u.id = o.unit_id ${where.clause}`,
      where.params,
    );
    const rows = await selectRows<RawObjection>(tx, `${SELECT} ${where.clause} ORDER BY o.id DESC LIMIT ? OFFSET ?`, [...where.params, limit, offset]);
    return { rows: rows.map(mapObjection), total: toInt(count.n) };
  }
}
