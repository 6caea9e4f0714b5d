import { Injectable } from '@nestjs/common';
import type { Actor, Level } from '@/common/auth/actor';
import { execute, lockWriters, selectRows, subtreeCondition, subtreeParams, toInt, Tx, Where } from '@/database/dialect';
import type { DemandKind } from './estimate';

/** A stored demand: the written columns plus identity, issuer and bookkeeping. */
export interface DemandRow extends DemandWrite {
  id: number;
  registrationNo: string;
  issuerId: number;
  issuerPath: string;
  issuerName: string;
  status: 'active' | 'cancelled';
  cancelledOn: string | null;
  cancelReason: string | null;
  targetCount: number;
  createdBy: number;
  createdAt: string;
  updatedAt: string;
  rowVersion: number;
}

interface RawDemand {
  id: number | string;
  registration_no: string;
  issuer_id: number | string;
  issuer_path: string;
  issuer_name: string;
  kind: DemandKind;
  subtype: string | null;
  title: string;
  topic_code: string;
  basis: string | null;
  issued_on: string;
  starts_on: string | null;
  due_on: string | null;
  lands_on: string;
  last_lands_on: string | null;
  recurrence: string;
  recurrence_until: string | null;
  estimate_minutes: number | string;
  estimate_source: 'issuer' | 'policy';
  policy_version: number | string;
  requires_trace: string;
  details: string;
  target_scopes: string;
  parent_demand_id: number | string | null;
  plan_item_id: number | string | null;
  status: 'active' | 'cancelled';
  cancelled_on: string | null;
  cancel_reason: string | null;
  target_count: number | string;
  created_by: number | string;
  created_at: string;
  updated_at: string;
  row_version: number | string;
}

const SELECT = `SELECT d.id, d.registration_no, d.issuer_id, iu.path AS issuer_path, iu.name AS issuer_name, d.kind, d.subtype, d.title,
  d.topic_code, d.basis, d.issued_on, d.starts_on, d.due_on, d.lands_on, d.last_lands_on, d.recurrence, d.recurrence_until,
  d.estimate_minutes, d.estimate_source, d.policy_version, d.requires_trace, d.details, d.target_scopes, d.parent_demand_id,
  d.plan_item_id, d.status, d.cancelled_on, d.cancel_reason, d.target_count, d.created_by, d.created_at, d.updated_at, d.row_version
  FROM demands d JOIN org_units iu ON iu.id = d.issuer_id`;

const nullableInt = (v: number | string | null) => (v === null ? null : toInt(v));

function mapDemand(r: RawDemand): DemandRow {
  return {
    id: toInt(r.id),
    registrationNo: r.registration_no,
    issuerId: toInt(r.issuer_id),
    issuerPath: r.issuer_path,
    issuerName: r.issuer_name,
    kind: r.kind,
    subtype: r.subtype,
    title: r.title,
    topic: r.topic_code,
    basis: r.basis,
    issuedOn: r.issued_on,
    startsOn: r.starts_on,
    dueOn: r.due_on,
    landsOn: r.lands_on,
    lastLandsOn: r.last_lands_on,
    recurrence: r.recurrence,
    until: r.recurrence_until,
    estimateMinutes: toInt(r.estimate_minutes),
    estimateSource: r.estimate_source,
    policyVersion: toInt(r.policy_version),
    requiresTrace: JSON.parse(r.requires_trace) as string[],
    details: JSON.parse(r.details) as Record<string, unknown>,
    targetScopes: JSON.parse(r.target_scopes) as { underId: number; level: Level }[],
    parentDemandId: nullableInt(r.parent_demand_id),
    planItemId: nullableInt(r.plan_item_id),
    status: r.status,
    cancelledOn: r.cancelled_on,
    cancelReason: r.cancel_reason,
    targetCount: toInt(r.target_count),
    createdBy: toInt(r.created_by),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    rowVersion: toInt(r.row_version),
  };
}

/** The columns written for a demand (everything but ids, counters and bookkeeping). */
export interface DemandWrite {
  kind: DemandKind;
  subtype: string | null;
  title: string;
  topic: string;
  basis: string | null;
  issuedOn: string;
  startsOn: string | null;
  dueOn: string | null;
  landsOn: string;
  lastLandsOn: string | null;
  recurrence: string;
  until: string | null;
  estimateMinutes: number;
  estimateSource: 'issuer' | 'policy';
  policyVersion: number;
  requiresTrace: string[];
  details: Record<string, unknown>;
  targetScopes: { underId: number; level: Level }[];
  parentDemandId: number | null;
  planItemId: number | null;
}

export interface DemandFilter {
  targetUnitId?: number;
  issuerId?: number;
  kind?: DemandKind;
  topic?: string;
  from?: string;
  to?: string;
  status?: 'active' | 'cancelled';
}

export interface UnitFacts {
  id: number;
  path: string;
  kind: 'area' | 'department';
  level: Level;
  name: string;
  code: string;
}

/**
 * Who may see a demand (DESIGN §1): its issuer's users; users of a unit it targets (a reporter
 * also for the units below it); coordinators and inspectors whose jurisdiction holds the issuer
 * or a target. Not admin (users, the org tree and policy only): the routes refuse it, and a
 * service called with an admin actor sees nothing either.
 */
export function visibilityCondition(actor: Actor, where: Where, oneDemand = false): void {
  // Below the province, demands are found from the units: the ids of the subtree, the demands
  // targeting them (through ix_demand_targets_unit) and those they issued. A condition evaluated
  // per demand (EXISTS over its targets joined to their paths) read all 352 k demands of the
  // province ledger for a county's coordinator (5.8 s against 0.08 s; a prefecture's 3.5 s against
  // 0.96 s). For the province itself the per-demand condition is the cheap one (nearly every
  // demand's issuer lies inside, so its targets are never looked at: 0.14 s against 6.1 s).
  const subtree = `SELECT id FROM org_units WHERE ${subtreeCondition('path')}`;
  const targetingSubtree = `d.id IN (SELECT vt.demand_id FROM demand_targets vt WHERE vt.unit_id IN (${subtree}))`;
  switch (actor.role) {
    case 'admin':
      where.add('1 = 0');
      return;
    case 'issuer':
      where.add('(d.issuer_id = ? OR d.id IN (SELECT vt.demand_id FROM demand_targets vt WHERE vt.unit_id = ?))', actor.orgUnitId, actor.orgUnitId);
      return;
    case 'reporter':
      if (actor.unitPath === null) where.add('1 = 0');
      else where.add(targetingSubtree, ...subtreeParams(actor.unitPath));
      return;
    case 'coordinator':
    case 'inspector': {
      if (actor.jurisdictionPath === null) {
        where.add('1 = 0');
        return;
      }
      const [lo, hi] = subtreeParams(actor.jurisdictionPath);
      if (actor.level === 'province') {
        where.add(
          `(${subtreeCondition('iu.path')} OR EXISTS (SELECT 1 FROM demand_targets vt JOIN org_units vu ON vu.id = vt.unit_id WHERE vt.demand_id = d.id AND ${subtreeCondition('vu.path')}))`,
          lo,
          hi,
          lo,
          hi,
        );
      } else if (oneDemand) {
        // One demand (by id or registration number): its own targets are looked at, not every
        // demand that targets the subtree (a prefecture's: 74 ms against 0.7 ms on the province
        // ledger). `+ 0` keeps SQLite on the demand's own rows of the primary key.
        where.add(`(d.issuer_id IN (${subtree}) OR EXISTS (SELECT 1 FROM demand_targets vt WHERE vt.demand_id = d.id AND vt.unit_id + 0 IN (${subtree})))`, lo, hi, lo, hi);
      } else {
        where.add(`(d.issuer_id IN (${subtree}) OR ${targetingSubtree})`, lo, hi, lo, hi);
      }
      return;
    }
  }
}

@Injectable()
export class DemandRepository {
  async findUnits(tx: Tx, ids: number[]): Promise<UnitFacts[]> {
    const out: UnitFacts[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = await selectRows<{ id: number | string; path: string; kind: 'area' | 'department'; level: Level; name: string; code: string }>(
        tx,
        `SELECT id, path, kind, level, name, code FROM org_units WHERE id IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      out.push(...rows.map((r) => ({ ...r, id: toInt(r.id) })));
    }
    return out;
  }

  async findUnitByPath(tx: Tx, path: string): Promise<UnitFacts | null> {
    const rows = await selectRows<{ id: number | string; path: string; kind: 'area' | 'department'; level: Level; name: string; code: string }>(
      tx,
      'SELECT id, path, kind, level, name, code FROM org_units WHERE path = ?',
      [path],
    );
    return rows.length ? { ...rows[0], id: toInt(rows[0].id) } : null;
  }

  async topicExists(tx: Tx, code: string): Promise<boolean> {
    return (await selectRows(tx, 'SELECT code FROM topics WHERE code = ?', [code])).length > 0;
  }

  /** Whether the demand targets exactly this unit (a demand passed on must have reached the issuer). */
  async targetsUnit(tx: Tx, demandId: number, unitId: number): Promise<boolean> {
    return (await selectRows(tx, 'SELECT demand_id FROM demand_targets WHERE demand_id = ? AND unit_id = ?', [demandId, unitId])).length > 0;
  }

  /** The next registration sequence for a prefix and year; the counter row stays locked until commit. */
  async nextRegistrationSeq(tx: Tx, prefix: string, year: number): Promise<number> {
    await execute(tx, 'INSERT INTO registration_counters (prefix, year, last_seq) VALUES (?, ?, 0) ON CONFLICT DO NOTHING', [prefix, year]);
    await execute(tx, 'UPDATE registration_counters SET last_seq = last_seq + 1 WHERE prefix = ? AND year = ?', [prefix, year]);
    const [row] = await selectRows<{ last_seq: number | string }>(tx, 'SELECT last_seq FROM registration_counters WHERE prefix = ? AND year = ?', [prefix, year]);
    return toInt(row.last_seq);
  }

  async insert(tx: Tx, d: DemandWrite & { registrationNo: string; issuerId: number; createdBy: number; at: string }): Promise<number> {
    const rows = await selectRows<{ id: number | string }>(
      tx,
      `INSERT INTO demands (registration_no, issuer_id, kind, subtype, title, topic_code, basis, issued_on, starts_on, due_on, lands_on,
        last_lands_on, recurrence, recurrence_until, estimate_minutes, estimate_source, policy_version, requires_trace, details,
        target_scopes, parent_demand_id, plan_item_id, status, cancelled_on, cancel_reason, target_count, created_by, created_at, updated_at, row_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', NULL, NULL, 0, ?, ?, ?, 1) RETURNING id`,
      [
        d.registrationNo,
        d.issuerId,
        d.kind,
        d.subtype,
        d.title,
        d.topic,
        d.basis,
        d.issuedOn,
        d.startsOn,
        d.dueOn,
        d.landsOn,
        d.lastLandsOn,
        d.recurrence,
        d.until,
        d.estimateMinutes,
        d.estimateSource,
        d.policyVersion,
        JSON.stringify(d.requiresTrace),
        JSON.stringify(d.details),
        JSON.stringify(d.targetScopes),
        d.parentDemandId,
        d.planItemId,
        d.createdBy,
        d.at,
        d.at,
      ],
    );
    return toInt(rows[0].id);
  }

  /** Rewrites the editable columns and bumps the row version, only if the caller read the current one. */
  async update(tx: Tx, id: number, expectedVersion: number, d: DemandWrite, at: string): Promise<boolean> {
    const before = await selectRows<{ row_version: number | string }>(tx, 'SELECT row_version FROM demands WHERE id = ?', [id]);
    if (!before.length || toInt(before[0].row_version) !== expectedVersion) return false;
    await execute(
      tx,
      `UPDATE demands SET subtype = ?, title = ?, topic_code = ?, basis = ?, issued_on = ?, starts_on = ?, due_on = ?, lands_on = ?, last_lands_on = ?,
        recurrence = ?, recurrence_until = ?, estimate_minutes = ?, estimate_source = ?, policy_version = ?, requires_trace = ?, details = ?,
        target_scopes = ?, parent_demand_id = ?, plan_item_id = ?, updated_at = ?, row_version = row_version + 1
       WHERE id = ? AND row_version = ?`,
      [
        d.subtype,
        d.title,
        d.topic,
        d.basis,
        d.issuedOn,
        d.startsOn,
        d.dueOn,
        d.landsOn,
        d.lastLandsOn,
        d.recurrence,
        d.until,
        d.estimateMinutes,
        d.estimateSource,
        d.policyVersion,
        JSON.stringify(d.requiresTrace),
        JSON.stringify(d.details),
        JSON.stringify(d.targetScopes),
        d.parentDemandId,
        d.planItemId,
        at,
        id,
        expectedVersion,
      ],
    );
    const after = await selectRows<{ row_version: number | string }>(tx, 'SELECT row_version FROM demands WHERE id = ?', [id]);
    return toInt(after[0].row_version) === expectedVersion + 1;
  }

  async markCancelled(tx: Tx, id: number, cancelledOn: string, reason: string, lastLandsOn: string | null, at: string): Promise<void> {
    await execute(
      tx,
      `UPDATE demands SET status = 'cancelled', cancelled_on = ?, cancel_reason = ?, last_lands_on = ?, updated_at = ?, row_version = row_version + 1 WHERE id = ?`,
      [cancelledOn, reason, lastLandsOn, at, id],
    );
  }

  /** Replaces the target set: explicit units and whole scopes, expanded set-based by the database. */
  async replaceTargets(tx: Tx, demandId: number, unitIds: number[], scopes: { path: string; level: Level }[], minutes: number): Promise<number> {
    await execute(tx, 'DELETE FROM demand_targets WHERE demand_id = ?', [demandId]);
    for (let i = 0; i < unitIds.length; i += 500) {
      const chunk = unitIds.slice(i, i + 500);
      await execute(
        tx,
        `INSERT INTO demand_targets (demand_id, unit_id, estimated_minutes)
         SELECT CAST(? AS INTEGER), id, CAST(? AS INTEGER) FROM org_units WHERE id IN (${chunk.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`,
        [demandId, minutes, ...chunk],
      );
    }
    for (const scope of scopes) {
      await execute(
        tx,
        `INSERT INTO demand_targets (demand_id, unit_id, estimated_minutes)
         SELECT CAST(? AS INTEGER), id, CAST(? AS INTEGER) FROM org_units WHERE kind = 'area' AND level = ? AND ${subtreeCondition('path')} ON CONFLICT DO NOTHING`,
        [demandId, minutes, scope.level, ...subtreeParams(scope.path)],
      );
    }
    const [row] = await selectRows<{ n: number | string }>(tx, 'SELECT COUNT(*) AS n FROM demand_targets WHERE demand_id = ?', [demandId]);
    const count = toInt(row.n);
    await execute(tx, 'UPDATE demands SET target_count = ? WHERE id = ?', [count, demandId]);
    return count;
  }

  async setTargetEstimates(tx: Tx, demandId: number, minutes: number): Promise<void> {
    await execute(tx, 'UPDATE demand_targets SET estimated_minutes = ? WHERE demand_id = ?', [minutes, demandId]);
  }

  async replaceOccurrences(tx: Tx, demandId: number, byMonth: Map<string, number>): Promise<void> {
    await execute(tx, 'DELETE FROM demand_occurrences WHERE demand_id = ?', [demandId]);
    const rows = [...byMonth.entries()];
    for (let i = 0; i < rows.length; i += 300) {
      const chunk = rows.slice(i, i + 300);
      await execute(
        tx,
        `INSERT INTO demand_occurrences (demand_id, month, occurrences) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}`,
        chunk.flatMap(([month, n]) => [demandId, month, n]),
      );
    }
  }

  async replaceFields(tx: Tx, demandId: number, fields: { name: string; key: string }[]): Promise<void> {
    await execute(tx, 'DELETE FROM demand_fields WHERE demand_id = ?', [demandId]);
    const ids = await fieldKeyIds(tx, fields.map((f) => f.key));
    for (let i = 0; i < fields.length; i += 300) {
      const chunk = fields.slice(i, i + 300);
      await execute(
        tx,
        `INSERT INTO demand_fields (demand_id, position, name, key_id) VALUES ${chunk.map(() => '(?, ?, ?, ?)').join(', ')}`,
        chunk.flatMap((f, j) => [demandId, i + j + 1, f.name, ids.get(f.key)!]),
      );
    }
  }

  async replaceJointIssuers(tx: Tx, demandId: number, issuerIds: number[]): Promise<void> {
    await execute(tx, 'DELETE FROM demand_joint_issuers WHERE demand_id = ?', [demandId]);
    if (!issuerIds.length) return;
    await execute(tx, `INSERT INTO demand_joint_issuers (demand_id, issuer_id) VALUES ${issuerIds.map(() => '(?, ?)').join(', ')}`, issuerIds.flatMap((i) => [demandId, i]));
  }

  async findById(tx: Tx, id: number): Promise<DemandRow | null> {
    const rows = await selectRows<RawDemand>(tx, `${SELECT} WHERE d.id = ?`, [id]);
    return rows.length ? (await this.withFieldNames(tx, [mapDemand(rows[0])]))[0] : null;
  }

  /** The one demand `where` names (by id or registration number), if the actor may see it. */
  async findVisible(tx: Tx, actor: Actor, where: Where): Promise<DemandRow | null> {
    visibilityCondition(actor, where, true);
    const rows = await selectRows<RawDemand>(tx, `${SELECT} ${where.clause}`, where.params);
    return rows.length ? (await this.withFieldNames(tx, [mapDemand(rows[0])]))[0] : null;
  }

  /**
   * A report's field names are stored once, in `demand_fields` (the bulk import wrote them twice
   * before, in `details` too): they are put back into `details.fields`, in their order, for every
   * report read, whether its stored details still hold them (written before) or not.
   */
  private async withFieldNames(tx: Tx, rows: DemandRow[]): Promise<DemandRow[]> {
    const reports = rows.filter((r) => r.kind === 'report');
    const names = new Map<number, string[]>();
    for (let i = 0; i < reports.length; i += FIELD_KEY_CHUNK) {
      const ids = reports.slice(i, i + FIELD_KEY_CHUNK).map((r) => r.id);
      const found = await selectRows<{ demand_id: number | string; name: string }>(
        tx,
        `SELECT demand_id, name FROM demand_fields WHERE demand_id IN (${ids.map(() => '?').join(', ')}) ORDER BY demand_id, position`,
        ids,
      );
      for (const f of found) {
        const id = toInt(f.demand_id);
        const list = names.get(id);
        if (list) list.push(f.name);
        else names.set(id, [f.name]);
      }
    }
    for (const r of reports) r.details = { ...r.details, fields: names.get(r.id) ?? [] };
    return rows;
  }

  async list(tx: Tx, actor: Actor, filter: DemandFilter, offset: number, limit: number): Promise<{ rows: DemandRow[]; total: number }> {
    const where = new Where();
    visibilityCondition(actor, where);
    if (filter.targetUnitId !== undefined) where.add('EXISTS (SELECT 1 FROM demand_targets ft WHERE ft.demand_id = d.id AND ft.unit_id = ?)', filter.targetUnitId);
    if (filter.issuerId !== undefined) where.add('d.issuer_id = ?', filter.issuerId);
    if (filter.kind) where.add('d.kind = ?', filter.kind);
    if (filter.topic) where.add('d.topic_code = ?', filter.topic);
    if (filter.status) where.add('d.status = ?', filter.status);
    // A demand overlaps [from, to] when it has an occurrence in it: first landing ≤ to, last ≥ from.
    if (filter.to) where.add('d.lands_on <= ?', filter.to);
    if (filter.from) where.add('d.last_lands_on >= ?', filter.from);
    const [count] = await selectRows<{ n: number | string }>(tx, `SELECT COUNT(*) AS n FROM demands d JOIN org_units iu ON iu.id = d.issuer_id ${where.clause}`, where.params);
    const rows = await selectRows<RawDemand>(tx, `${SELECT} ${where.clause} ORDER BY d.lands_on DESC, d.id DESC LIMIT ? OFFSET ?`, [...where.params, limit, offset]);
    return { rows: await this.withFieldNames(tx, rows.map(mapDemand)), total: toInt(count.n) };
  }

  async fields(tx: Tx, demandId: number): Promise<{ name: string; key: string }[]> {
    return selectRows<{ name: string; key: string }>(
      tx,
      'SELECT f.name, k.field_key AS key FROM demand_fields f JOIN field_keys k ON k.id = f.key_id WHERE f.demand_id = ? ORDER BY f.position',
      [demandId],
    );
  }

  async jointIssuers(tx: Tx, demandId: number): Promise<number[]> {
    const rows = await selectRows<{ issuer_id: number | string }>(tx, 'SELECT issuer_id FROM demand_joint_issuers WHERE demand_id = ? ORDER BY issuer_id', [demandId]);
    return rows.map((r) => toInt(r.issuer_id));
  }

  async occurrences(tx: Tx, demandId: number): Promise<{ month: string; occurrences: number }[]> {
    const rows = await selectRows<{ month: string; occurrences: number | string }>(tx, 'SELECT month, occurrences FROM demand_occurrences WHERE demand_id = ? ORDER BY month', [
      demandId,
    ]);
    return rows.map((r) => ({ month: r.month, occurrences: toInt(r.occurrences) }));
  }

  /** The first targets of a demand, for display; the full set can be thousands of units. */
  async targetSample(tx: Tx, demandId: number, limit: number): Promise<{ id: number; code: string; name: string; level: Level }[]> {
    const rows = await selectRows<{ id: number | string; code: string; name: string; level: Level }>(
      tx,
      'SELECT u.id, u.code, u.name, u.level FROM demand_targets t JOIN org_units u ON u.id = t.unit_id WHERE t.demand_id = ? ORDER BY u.path LIMIT ?',
      [demandId, limit],
    );
    return rows.map((r) => ({ ...r, id: toInt(r.id) }));
  }
}

const FIELD_KEY_CHUNK = 400;

/**
 * The ids of these report field keys in the `field_keys` dictionary, adding the keys it does not
 * hold yet. On PostgreSQL, a transaction about to add keys first takes the writers' lock (the
 * audit chain head, which every write takes before it ends, see `lockWriters`): two imports adding
 * overlapping keys batch by batch would otherwise each wait on a key the other added (a deadlock);
 * this way the second waits for the first to end, then finds its keys.
 */
export async function fieldKeyIds(tx: Tx, keys: Iterable<string>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const wanted = [...new Set(keys)].sort();
  const find = async (chunk: string[]) => {
    const rows = await selectRows<{ id: number | string; field_key: string }>(tx, `SELECT id, field_key FROM field_keys WHERE field_key IN (${chunk.map(() => '?').join(', ')})`, chunk);
    for (const r of rows) out.set(r.field_key, toInt(r.id));
  };
  for (let i = 0; i < wanted.length; i += FIELD_KEY_CHUNK) await find(wanted.slice(i, i + FIELD_KEY_CHUNK));
  const missing = wanted.filter((k) => !out.has(k));
  if (!missing.length) return out;
  await lockWriters(tx);
  for (let i = 0; i < missing.length; i += FIELD_KEY_CHUNK) {
    const chunk = missing.slice(i, i + FIELD_KEY_CHUNK);
    await execute(tx, `INSERT INTO field_keys (field_key) VALUES ${chunk.map(() => '(?)').join(', ')} ON CONFLICT (field_key) DO NOTHING`, chunk);
    await find(chunk);
  }
  return out;
}
