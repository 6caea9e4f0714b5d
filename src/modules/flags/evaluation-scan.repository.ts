import type { Level } from '@/common/auth/actor';
import { selectRows, toInt, Tx } from '@/database/dialect';
import { FieldKeyNames } from '@/modules/demands/fields/field-key-names';
import type { Recurrence } from '@/modules/policy/policy-document';
import type { DemandKind } from './rules/rule';

type Num = number | string;

/** A report or inspection as the unit rules need it (its schedule, topic, plan item, parent). */
export interface ScannedDemand {
  id: number;
  issuerId: number;
  kind: DemandKind;
  topic: string;
  issuedOn: string;
  startsOn: string | null;
  dueOn: string | null;
  recurrence: Recurrence;
  until: string | null;
  cancelledOn: string | null;
  parentDemandId: number | null;
  planItemId: number | null;
  title: string;
}

export interface ReportAgainstEstimate {
  reportId: number;
  demandId: number;
  issuerId: number;
  unitId: number;
  month: string;
  title: string;
  reportedMinutes: number;
  estimatedMinutes: number;
}

export interface ShadowReport {
  reportId: number;
  unitId: number;
  month: string;
  minutes: number;
  issuerName: string;
  title: string;
  channel: string;
  receivedOn: string;
}

const inList = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * The reads of a full evaluation, each a keyset-paged range read (`id > ?` / `(unit_id,
 * demand_id) > (?, ?)` on an index) so the job streams the ledger instead of loading a table.
 */
export class EvaluationScanRepository {
  /** @param keyNames the field key texts met so far (one per evaluation). */
  constructor(private readonly keyNames: FieldKeyNames = new FieldKeyNames()) {}

  /**
   * Demands landing in [from, to] after the cursor, in (landing day, id) order: a keyset on the
   * landing-day index, so each batch is one range read (ordering by id alone made the database
   * sort the whole period's demands for every batch).
   */
  async demandsLandingIn(tx: Tx, after: { landsOn: string; id: number }, to: string, limit: number): Promise<{ id: number; landsOn: string }[]> {
    const rows = await selectRows<{ id: Num; lands_on: string }>(tx, 'SELECT id, lands_on FROM demands WHERE (lands_on, id) > (?, ?) AND lands_on <= ? ORDER BY lands_on, id LIMIT ?', [
      after.landsOn,
      after.id,
      to,
      limit,
    ]);
    return rows.map((r) => ({ id: toInt(r.id), landsOn: r.lands_on }));
  }

  /** Reports and inspections with a landing that may fall in [from, to] (first landing ≤ to, last ≥ from), after `afterId`. */
  async comparableDemands(tx: Tx, from: string, to: string, afterId: number, limit: number, onlyIds?: readonly number[]): Promise<ScannedDemand[]> {
    const rows = await selectRows<{
      id: Num;
      issuer_id: Num;
      kind: DemandKind;
      topic_code: string;
      issued_on: string;
      starts_on: string | null;
      due_on: string | null;
      recurrence: Recurrence;
      recurrence_until: string | null;
      cancelled_on: string | null;
      parent_demand_id: Num | null;
      plan_item_id: Num | null;
      title: string;
    }>(
      tx,
      `SELECT id, issuer_id, kind, topic_code, issued_on, starts_on, due_on, recurrence, recurrence_until, cancelled_on, parent_demand_id, plan_item_id, title
       FROM demands WHERE kind IN ('report', 'inspection') AND lands_on <= ? AND COALESCE(last_lands_on, lands_on) >= ? AND id > ?
       ${onlyIds ? `AND id IN (${inList(onlyIds.length)})` : ''} ORDER BY id LIMIT ?`,
      [to, from, afterId, ...(onlyIds ?? []), limit],
    );
    return rows.map((r) => ({
      id: toInt(r.id),
      issuerId: toInt(r.issuer_id),
      kind: r.kind,
      topic: r.topic_code,
      issuedOn: r.issued_on,
      startsOn: r.starts_on,
      dueOn: r.due_on,
      recurrence: r.recurrence,
      until: r.recurrence_until,
      cancelledOn: r.cancelled_on,
      parentDemandId: r.parent_demand_id === null ? null : toInt(r.parent_demand_id),
      planItemId: r.plan_item_id === null ? null : toInt(r.plan_item_id),
      title: r.title,
    }));
  }

  /**
   * The reports and inspections landing on any of these units in [from, to], with the (unit,
   * demand) pairs: what the unit rules compare for a preview of one demand.
   */
  async comparableOnUnits(tx: Tx, unitIds: readonly number[], from: string, to: string): Promise<{ demands: ScannedDemand[]; pairs: { unitId: number; demandId: number }[] }> {
    if (!unitIds.length) return { demands: [], pairs: [] };
    const pairs = (
      await selectRows<{ unit_id: Num; demand_id: Num }>(
        tx,
        `SELECT t.unit_id, t.demand_id FROM demand_targets t JOIN demands d ON d.id = t.demand_id
         WHERE t.unit_id IN (${inList(unitIds.length)}) AND d.kind IN ('report', 'inspection') AND d.lands_on <= ? AND COALESCE(d.last_lands_on, d.lands_on) >= ?
         ORDER BY t.unit_id, t.demand_id`,
        [...unitIds, to, from],
      )
    ).map((r) => ({ unitId: toInt(r.unit_id), demandId: toInt(r.demand_id) }));
    const ids = [...new Set(pairs.map((p) => p.demandId))].sort((a, b) => a - b);
    const demands: ScannedDemand[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      demands.push(...(await this.comparableDemands(tx, from, to, 0, chunk.length, chunk)));
    }
    return { demands, pairs };
  }

  /** The highest target unit id of each demand (PK range reads): when the unit scan passes it, the demand is done with. */
  async lastTargetUnits(tx: Tx, ids: readonly number[]): Promise<Map<number, number>> {
    const last = new Map<number, number>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = await selectRows<{ demand_id: Num; last_unit: Num }>(
        tx,
        `SELECT demand_id, MAX(unit_id) AS last_unit FROM demand_targets WHERE demand_id IN (${inList(chunk.length)}) GROUP BY demand_id`,
        chunk,
      );
      for (const r of rows) last.set(toInt(r.demand_id), toInt(r.last_unit));
    }
    return last;
  }

  async parentsOf(tx: Tx, ids: readonly number[]): Promise<Map<number, number | null>> {
    const parents = new Map<number, number | null>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = await selectRows<{ id: Num; parent_demand_id: Num | null }>(tx, `SELECT id, parent_demand_id FROM demands WHERE id IN (${inList(chunk.length)})`, chunk);
      for (const r of rows) parents.set(toInt(r.id), r.parent_demand_id === null ? null : toInt(r.parent_demand_id));
    }
    return parents;
  }

  async fieldKeys(tx: Tx, ids: readonly number[]): Promise<{ demandId: number; key: string }[]> {
    const rows = await selectRows<{ demand_id: Num; key_id: Num }>(tx, `SELECT demand_id, key_id FROM demand_fields WHERE demand_id IN (${inList(ids.length)})`, [...ids]);
    const names = await this.keyNames.resolve(tx, rows.map((r) => toInt(r.key_id)));
    return rows.map((r) => ({ demandId: toInt(r.demand_id), key: names.get(toInt(r.key_id))! }));
  }

  async jointIssuers(tx: Tx, ids: readonly number[]): Promise<{ demandId: number; issuerId: number }[]> {
    const rows = await selectRows<{ demand_id: Num; issuer_id: Num }>(tx, `SELECT demand_id, issuer_id FROM demand_joint_issuers WHERE demand_id IN (${inList(ids.length)})`, [...ids]);
    return rows.map((r) => ({ demandId: toInt(r.demand_id), issuerId: toInt(r.issuer_id) }));
  }

  /** The earliest landing day of the demands that carry a finding about a day of from..to (withdrawn ones too). */
  async earliestLandingOfDemandsFlaggedIn(tx: Tx, from: string, to: string): Promise<string | null> {
    const rows = await selectRows<{ day: string | null }>(
      tx,
      'SELECT MIN(d.lands_on) AS day FROM flags f JOIN demands d ON d.id = f.demand_id WHERE f.lands_on >= ? AND f.lands_on <= ?',
      [from, to],
    );
    return rows[0]?.day ?? null;
  }

  async areaLevels(tx: Tx): Promise<Map<number, Level>> {
    const rows = await selectRows<{ id: Num; level: Level }>(tx, `SELECT id, level FROM org_units WHERE kind = 'area'`);
    return new Map(rows.map((r) => [toInt(r.id), r.level]));
  }

  /** Demand targets in (unit, demand) order after the given pair: the unit rules read each unit's demands together. */
  async targetsAfter(tx: Tx, unitId: number, demandId: number, limit: number): Promise<{ unitId: number; demandId: number }[]> {
    const rows = await selectRows<{ unit_id: Num; demand_id: Num }>(
      tx,
      // A row value, not `unit_id > ? OR (...)`: the OR form made SQLite scan the index from its start for every batch.
      'SELECT unit_id, demand_id FROM demand_targets WHERE (unit_id, demand_id) > (?, ?) ORDER BY unit_id, demand_id LIMIT ?',
      [unitId, demandId, limit],
    );
    return rows.map((r) => ({ unitId: toInt(r.unit_id), demandId: toInt(r.demand_id) }));
  }

  /** Current reports of registered demands in [fromMonth, toMonth] with the estimate for that unit and month, in (month, id) order after the cursor. */
  async reportsAgainstEstimates(tx: Tx, after: { month: string; id: number }, toMonth: string, limit: number): Promise<ReportAgainstEstimate[]> {
    const rows = await selectRows<{ id: Num; demand_id: Num; issuer_id: Num; unit_id: Num; month: string; title: string; minutes_spent: Num; est: Num | null }>(
      tx,
      `SELECT r.id, r.demand_id, d.issuer_id, r.unit_id, r.month, d.title, r.minutes_spent, t.estimated_minutes * o.occurrences AS est
       FROM burden_reports r JOIN demands d ON d.id = r.demand_id
       LEFT JOIN demand_targets t ON t.demand_id = r.demand_id AND t.unit_id = r.unit_id
       LEFT JOIN demand_occurrences o ON o.demand_id = r.demand_id AND o.month = r.month
       WHERE (r.month, r.id) > (?, ?) AND r.month <= ? AND r.demand_id IS NOT NULL ORDER BY r.month, r.id LIMIT ?`,
      [after.month, after.id, toMonth, limit],
    );
    return rows.map((r) => ({
      reportId: toInt(r.id),
      demandId: toInt(r.demand_id),
      issuerId: toInt(r.issuer_id),
      unitId: toInt(r.unit_id),
      month: r.month,
      title: r.title,
      reportedMinutes: toInt(r.minutes_spent),
      estimatedMinutes: r.est === null ? 0 : toInt(r.est),
    }));
  }

  /** Shadow reports (no registered demand) in [fromMonth, toMonth], in (month, id) order after the cursor. Never the reporter's identity. */
  async shadowReports(tx: Tx, after: { month: string; id: number }, toMonth: string, limit: number): Promise<ShadowReport[]> {
    const rows = await selectRows<{
      id: Num;
      unit_id: Num;
      month: string;
      minutes_spent: Num;
      shadow_issuer_name: string | null;
      shadow_title: string | null;
      shadow_channel: string | null;
      shadow_received_on: string | null;
    }>(
      tx,
      `SELECT id, unit_id, month, minutes_spent, shadow_issuer_name, shadow_title, shadow_channel, shadow_received_on FROM burden_reports
       WHERE (month, id) > (?, ?) AND month <= ? AND demand_id IS NULL ORDER BY month, id LIMIT ?`,
      [after.month, after.id, toMonth, limit],
    );
    return rows.map((r) => ({
      reportId: toInt(r.id),
      unitId: toInt(r.unit_id),
      month: r.month,
      minutes: toInt(r.minutes_spent),
      issuerName: r.shadow_issuer_name ?? '',
      title: r.shadow_title ?? '',
      channel: r.shadow_channel ?? '',
      receivedOn: r.shadow_received_on ?? `${r.month}-01`,
    }));
  }
}
