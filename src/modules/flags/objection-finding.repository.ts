import { Injectable } from '@nestjs/common';
import { todayInChina } from '@/common/time';
import { selectRows, toInt, Tx } from '@/database/dialect';

/** What an OBJECTION flag says about one objection. */
export interface ObjectionFacts {
  objectionId: number;
  demandId: number;
  issuerId: number;
  unitId: number;
  title: string;
  reason: string;
  dutyItemRef?: string;
  objectedOn: string;
}

type Num = number | string;
interface RawObjection {
  id: Num;
  demand_id: Num;
  issuer_id: Num;
  unit_id: Num;
  title: string;
  reason: string;
  duty_title: string | null;
  created_at: string;
}

const SELECT = `SELECT o.id, o.demand_id, d.issuer_id, o.unit_id, d.title, o.reason, di.title AS duty_title, o.created_at
  FROM objections o JOIN demands d ON d.id = o.demand_id LEFT JOIN duty_items di ON di.id = o.duty_item_id`;

function facts(r: RawObjection): ObjectionFacts {
  return {
    objectionId: toInt(r.id),
    demandId: toInt(r.demand_id),
    issuerId: toInt(r.issuer_id),
    unitId: toInt(r.unit_id),
    title: r.title,
    reason: r.reason,
    ...(r.duty_title !== null ? { dutyItemRef: r.duty_title } : {}),
    // created_at is an ISO instant; the China calendar day is what the flag shows.
    objectedOn: todayInChina(new Date(r.created_at)),
  };
}

@Injectable()
export class ObjectionFindingRepository {
  async find(tx: Tx, objectionId: number): Promise<ObjectionFacts | null> {
    const rows = await selectRows<RawObjection>(tx, `${SELECT} WHERE o.id = ?`, [objectionId]);
    return rows.length ? facts(rows[0]) : null;
  }

  /** Objections to demands landing in [from, to], after `afterId`, in id order (keyset batches). */
  async batchLandingIn(tx: Tx, from: string, to: string, afterId: number, limit: number): Promise<ObjectionFacts[]> {
    const rows = await selectRows<RawObjection>(tx, `${SELECT} WHERE d.lands_on >= ? AND d.lands_on <= ? AND o.id > ? ORDER BY o.id LIMIT ?`, [from, to, afterId, limit]);
    return rows.map(facts);
  }
}
