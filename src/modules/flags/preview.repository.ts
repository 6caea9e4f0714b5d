import { Injectable } from '@nestjs/common';
import { selectRows, toInt, Tx } from '@/database/dialect';

type Num = number | string;

/** One datum a target unit already provided: which key, to which demand and issuer, when. */
export interface ProvidedDatum {
  unitId: number;
  unitName: string;
  fieldKey: string;
  demandId: number;
  registrationNo: string;
  title: string;
  issuerName: string;
  landsOn: string;
}

const inList = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** The reads of POST /demands/preview beyond the rules: targets and the once-only check. */
@Injectable()
export class PreviewRepository {
  /** The first `limit` targets of a demand (by unit id). */
  async targets(tx: Tx, demandId: number, limit: number): Promise<number[]> {
    const rows = await selectRows<{ unit_id: Num }>(tx, 'SELECT unit_id FROM demand_targets WHERE demand_id = ? ORDER BY unit_id LIMIT ?', [demandId, limit]);
    return rows.map((r) => toInt(r.unit_id));
  }

  /**
   * 最多填一次: the report fields with these keys that these units were already asked for by
   * other demands landing in [from, to], newest first, at most `limit` rows.
   */
  async providedData(tx: Tx, unitIds: readonly number[], keys: readonly string[], excludeDemandId: number, from: string, to: string, limit: number): Promise<ProvidedDatum[]> {
    if (!unitIds.length || !keys.length) return [];
    const rows = await selectRows<{ unit_id: Num; unit_name: string; field_key: string; demand_id: Num; registration_no: string; title: string; issuer_name: string; lands_on: string }>(
      tx,
      `SELECT DISTINCT t.unit_id, u.name AS unit_name, k.field_key, d.id AS demand_id, d.registration_no, d.title, iu.name AS issuer_name, d.lands_on
       FROM demand_targets t JOIN demands d ON d.id = t.demand_id JOIN demand_fields f ON f.demand_id = d.id JOIN field_keys k ON k.id = f.key_id
       JOIN org_units u ON u.id = t.unit_id JOIN org_units iu ON iu.id = d.issuer_id
       WHERE t.unit_id IN (${inList(unitIds.length)}) AND k.field_key IN (${inList(keys.length)}) AND d.id <> ? AND d.kind = 'report'
         AND d.lands_on >= ? AND d.lands_on <= ?
       ORDER BY d.lands_on DESC, d.id DESC, t.unit_id, k.field_key LIMIT ?`,
      [...unitIds, ...keys, excludeDemandId, from, to, limit],
    );
    return rows.map((r) => ({
      unitId: toInt(r.unit_id),
      unitName: r.unit_name,
      fieldKey: r.field_key,
      demandId: toInt(r.demand_id),
      registrationNo: r.registration_no,
      title: r.title,
      issuerName: r.issuer_name,
      landsOn: r.lands_on,
    }));
  }
}
