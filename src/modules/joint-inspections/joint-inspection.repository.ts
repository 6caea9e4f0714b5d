import { Injectable } from '@nestjs/common';
import { monthOf } from '@/modules/demands/calendar/working-days';
import type { Recurrence } from '@/modules/policy/policy-document';
import { selectRows, subtreeCondition, subtreeParams, toInt, Tx } from '@/database/dialect';

/** Whose suggestions are wanted: a coordinator's jurisdiction, or one issuer's own inspections. */
export type SuggestionScope = { kind: 'jurisdiction'; path: string } | { kind: 'issuer'; issuerId: number };

/** An active inspection reaching a unit, with what the grouping and the answer need. */
export interface InspectionOfUnit {
  unitId: number;
  unitCode: string;
  unitName: string;
  demandId: number;
  registrationNo: string;
  title: string;
  topic: string;
  issuerId: number;
  issuerName: string;
  issuedOn: string;
  startsOn: string | null;
  dueOn: string | null;
  recurrence: Recurrence;
  until: string | null;
  status: 'active' | 'cancelled';
  cancelledOn: string | null;
  jointWith: number[];
}

interface RawRow {
  unit_id: number | string;
  unit_code: string;
  unit_name: string;
  demand_id: number | string;
  registration_no: string;
  title: string;
  topic_code: string;
  issuer_id: number | string;
  issuer_name: string;
  issued_on: string;
  starts_on: string | null;
  due_on: string | null;
  recurrence: Recurrence;
  recurrence_until: string | null;
  status: 'active' | 'cancelled';
  cancelled_on: string | null;
  joint_issuer_id: number | string | null;
}

@Injectable()
export class JointInspectionRepository {
  /**
   * Active inspections with a landing month in [from, to], grouped per target unit in scope, for
   * the units where at least two different issuers inspect (a unit with one issuer can never
   * yield a joint visit). Ordered by unit code, then demand id.
   *
   * Set-based and bounded: the kind, status, landing window (first/last landing and the stored
   * occurrence months) and the scope are all filtered here; the exact landing dates are then
   * computed from each demand's schedule by the caller.
   */
  async findInspectionsOfSharedUnits(tx: Tx, scope: SuggestionScope, from: string, to: string): Promise<InspectionOfUnit[]> {
    const window = `d.kind = 'inspection' AND d.status = 'active' AND d.lands_on <= ? AND COALESCE(d.last_lands_on, d.lands_on) >= ?
      AND EXISTS (SELECT 1 FROM demand_occurrences o WHERE o.demand_id = d.id AND o.month >= ? AND o.month <= ?)`;
    const windowParams = [to, from, monthOf(from), monthOf(to)];
    let scopeCondition: string;
    let scopeParams: unknown[];
    if (scope.kind === 'jurisdiction') {
      scopeCondition = subtreeCondition('u.path');
      scopeParams = subtreeParams(scope.path);
    } else {
      // Only the units this issuer's own inspections reach in the window (ix_demands_issuer).
      scopeCondition = `t.unit_id IN (SELECT ot.unit_id FROM demands od JOIN demand_targets ot ON ot.demand_id = od.id
        WHERE od.issuer_id = ? AND od.kind = 'inspection' AND od.status = 'active' AND od.lands_on <= ? AND COALESCE(od.last_lands_on, od.lands_on) >= ?)`;
      scopeParams = [scope.issuerId, to, from];
    }
    const rows = await selectRows<RawRow>(
      tx,
      `WITH candidates AS (
         SELECT t.unit_id, d.id AS demand_id, d.issuer_id
         FROM demands d
         JOIN demand_targets t ON t.demand_id = d.id
         JOIN org_units u ON u.id = t.unit_id
         WHERE ${window} AND ${scopeCondition}
       ),
       shared_units AS (
         SELECT unit_id FROM candidates GROUP BY unit_id HAVING COUNT(DISTINCT issuer_id) >= 2
       )
       SELECT c.unit_id, u.code AS unit_code, u.name AS unit_name, d.id AS demand_id, d.registration_no, d.title, d.topic_code,
         d.issuer_id, iu.name AS issuer_name, d.issued_on, d.starts_on, d.due_on, d.recurrence, d.recurrence_until, d.status, d.cancelled_on,
         j.issuer_id AS joint_issuer_id
       FROM candidates c
       JOIN shared_units s ON s.unit_id = c.unit_id
       JOIN org_units u ON u.id = c.unit_id
       JOIN demands d ON d.id = c.demand_id
       JOIN org_units iu ON iu.id = d.issuer_id
       LEFT JOIN demand_joint_issuers j ON j.demand_id = d.id
       ORDER BY u.code, d.id, j.issuer_id`,
      [...windowParams, ...scopeParams],
    );
    // One row per (unit, demand, joint issuer): fold the joint issuers back into their demand.
    const out: InspectionOfUnit[] = [];
    let current: InspectionOfUnit | undefined;
    for (const r of rows) {
      const unitId = toInt(r.unit_id);
      const demandId = toInt(r.demand_id);
      if (!current || current.unitId !== unitId || current.demandId !== demandId) {
        current = {
          unitId,
          unitCode: r.unit_code,
          unitName: r.unit_name,
          demandId,
          registrationNo: r.registration_no,
          title: r.title,
          topic: r.topic_code,
          issuerId: toInt(r.issuer_id),
          issuerName: r.issuer_name,
          issuedOn: r.issued_on,
          startsOn: r.starts_on,
          dueOn: r.due_on,
          recurrence: r.recurrence,
          until: r.recurrence_until,
          status: r.status,
          cancelledOn: r.cancelled_on,
          jointWith: [],
        };
        out.push(current);
      }
      if (r.joint_issuer_id !== null) current.jointWith.push(toInt(r.joint_issuer_id));
    }
    return out;
  }
}
