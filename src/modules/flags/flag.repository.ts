import { Injectable } from '@nestjs/common';
import type { Actor } from '@/common/auth/actor';
import { databaseKind, execute, selectRows, subtreeCondition, subtreeParams, toInt, Tx, updatedRows, Where } from '@/database/dialect';
import { explainFlags } from './explanations';
import type { FlagStatus } from './flag-state';
import type { RuleCode } from './rules/rule';

/** One flag as stored, with the names a reader needs. */
export interface FlagRow {
  id: number;
  fingerprint: string;
  rule: RuleCode;
  demandId: number | null;
  demandTitle: string | null;
  registrationNo: string | null;
  reportId: number | null;
  unitId: number | null;
  unitName: string | null;
  unitPath: string | null;
  issuerId: number | null;
  issuerName: string | null;
  issuerPath: string | null;
  period: string;
  landsOn: string;
  status: FlagStatus;
  explanation: string;
  evidence: Record<string, unknown>;
  policyVersion: number;
  assigneeId: number | null;
  dueOn: string | null;
  raisedAt: string;
  updatedAt: string;
  rowVersion: number;
}

/** A finding ready to store: one flag, on at most one unit. */
export interface FlagWrite {
  fingerprint: string;
  rule: RuleCode;
  demandId: number | null;
  reportId: number | null;
  unitId: number | null;
  issuerId: number | null;
  period: string;
  landsOn: string;
  explanation: string;
  evidence: string;
  policyVersion: number;
}

/** What reconciliation needs to know of a stored flag. */
export interface StoredFinding {
  id: number;
  fingerprint: string;
  rule: RuleCode;
  status: FlagStatus;
  explanation: string;
  evidence: string;
  policyVersion: number;
  landsOn: string;
}

export interface FlagTransitionRow {
  id: number;
  from: FlagStatus;
  to: FlagStatus;
  actorId: number | null;
  actorName: string | null;
  at: string;
  comment: string;
  assigneeId: number | null;
  dueOn: string | null;
}

export interface FlagFilter {
  status?: FlagStatus;
  rule?: RuleCode;
  unitId?: number;
  issuerId?: number;
  demandId?: number;
  from?: string;
  to?: string;
  overdueOn?: string;
}

type Num = number | string;
interface RawFlag {
  id: Num;
  fingerprint: string;
  rule_code: RuleCode;
  demand_id: Num | null;
  demand_title: string | null;
  registration_no: string | null;
  report_id: Num | null;
  unit_id: Num | null;
  unit_name: string | null;
  unit_path: string | null;
  issuer_id: Num | null;
  issuer_name: string | null;
  issuer_path: string | null;
  period: string;
  lands_on: string;
  status: FlagStatus;
  explanation: string;
  evidence: string;
  policy_version: Num;
  assignee_id: Num | null;
  due_on: string | null;
  raised_at: string;
  updated_at: string;
  row_version: Num;
}

const SELECT = `SELECT f.id, f.fingerprint, f.rule_code, f.demand_id, d.title AS demand_title, d.registration_no, f.report_id, f.unit_id, u.name AS unit_name,
  u.path AS unit_path, f.issuer_id, iu.name AS issuer_name, iu.path AS issuer_path, f.period, f.lands_on, f.status, f.explanation, f.evidence,
  f.policy_version, f.assignee_id, f.due_on, f.raised_at, f.updated_at, f.row_version
  FROM flags f LEFT JOIN demands d ON d.id = f.demand_id LEFT JOIN org_units u ON u.id = f.unit_id LEFT JOIN org_units iu ON iu.id = f.issuer_id`;

const nullableInt = (v: Num | null) => (v === null ? null : toInt(v));

function mapFlag(r: RawFlag): FlagRow {
  return {
    id: toInt(r.id),
    fingerprint: r.fingerprint,
    rule: r.rule_code,
    demandId: nullableInt(r.demand_id),
    demandTitle: r.demand_title,
    registrationNo: r.registration_no,
    reportId: nullableInt(r.report_id),
    unitId: nullableInt(r.unit_id),
    unitName: r.unit_name,
    unitPath: r.unit_path,
    issuerId: nullableInt(r.issuer_id),
    issuerName: r.issuer_name,
    issuerPath: r.issuer_path,
    period: r.period,
    landsOn: r.lands_on,
    status: r.status,
    explanation: r.explanation,
    evidence: JSON.parse(r.evidence) as Record<string, unknown>,
    policyVersion: toInt(r.policy_version),
    assigneeId: nullableInt(r.assignee_id),
    dueOn: r.due_on,
    raisedAt: r.raised_at,
    updatedAt: r.updated_at,
    rowVersion: toInt(r.row_version),
  };
}

/**
 * Who reads a flag (DESIGN §1): coordinators and inspectors whose jurisdiction holds the flagged
 * unit or the issuer; the issuing office of the flagged demand. A shadow report's flag has no
 * issuer, so no issuer ever reads it. Reporters and admin read none.
 */
function flagVisibility(actor: Actor, where: Where): void {
  switch (actor.role) {
    case 'coordinator':
    case 'inspector': {
      if (actor.jurisdictionPath === null) {
        where.add('1 = 0');
        return;
      }
      // Unit and issuer ids of the subtree, each matched through its own index (a multi-index OR):
      // a county's flags are found without reading the province's (a path condition on the joined
      // units read every flag: 1–3 s for a county coordinator at province scale).
      const [lo, hi] = subtreeParams(actor.jurisdictionPath);
      const subtree = `SELECT id FROM org_units WHERE ${subtreeCondition('path')}`;
      where.add(`(f.unit_id IN (${subtree}) OR f.issuer_id IN (${subtree}))`, lo, hi, lo, hi);
      return;
    }
    case 'issuer':
      if (actor.orgUnitId === null) where.add('1 = 0');
      else where.add('f.issuer_id = ?', actor.orgUnitId);
      return;
    case 'reporter':
    case 'admin':
      where.add('1 = 0');
      return;
  }
}

/**
 * Whether the actor reads flags over a jurisdiction that holds every org unit (no unit lies
 * outside it). Every flag is of a unit or an issuer, both org units, so it then reads them all.
 * Asked only for a province-level coordinator or inspector: two probes of the path index.
 */
async function holdsEveryUnit(tx: Tx, actor: Actor): Promise<boolean> {
  if ((actor.role !== 'coordinator' && actor.role !== 'inspector') || actor.jurisdictionPath === null || actor.level !== 'province') return false;
  const [lo, hi] = subtreeParams(actor.jurisdictionPath);
  const outside = await selectRows(tx, 'SELECT 1 AS one FROM org_units WHERE path < ? OR path >= ? LIMIT 1', [lo, hi]);
  return outside.length === 0;
}

/** Rows per INSERT: 14 parameters each stays far below both databases' parameter limits. */
const INSERT_CHUNK = 400;

/**
 * Whether the flags the actor may read are found faster through its units than through a rule's
 * index: an office's, or a jurisdiction below the province (a prefecture of 云南省 holds at most
 * ≈ 2,400 units with its offices); the province's through the filters' indexes. The same line as
 * the demand list's (`visibilityCondition`), read off the actor without a query.
 */
function fewFlagsVisible(actor: Actor): boolean {
  if (actor.role === 'issuer') return true;
  return (actor.role === 'coordinator' || actor.role === 'inspector') && actor.jurisdictionPath !== null && actor.level !== 'province';
}

@Injectable()
export class FlagRepository {
  async findVisible(tx: Tx, actor: Actor, id: number): Promise<FlagRow | null> {
    const where = new Where().add('f.id = ?', id);
    flagVisibility(actor, where);
    const rows = await selectRows<RawFlag>(tx, `${SELECT} ${where.clause}`, where.params);
    return rows.length ? (await explainFlags(tx, [mapFlag(rows[0])]))[0] : null;
  }

  async findById(tx: Tx, id: number): Promise<FlagRow | null> {
    const rows = await selectRows<RawFlag>(tx, `${SELECT} WHERE f.id = ?`, [id]);
    return rows.length ? (await explainFlags(tx, [mapFlag(rows[0])]))[0] : null;
  }

  async list(tx: Tx, actor: Actor, filter: FlagFilter, offset: number, limit: number): Promise<{ rows: FlagRow[]; total: number }> {
    // A jurisdiction holding every unit (the province, the only root) reads every flag: its
    // visibility condition would only make the count and the page read every flag through two
    // subtree lookups (≈ 0.8 s at province scale against ≈ 10 ms without, bench/README.md).
    const everyFlag = await holdsEveryUnit(tx, actor);
    // Where the caller's own flags are few (an office, or a jurisdiction of at most a prefecture),
    // SQLite must find them through the visibility condition, not through the (rule, day) index,
    // which it prefers for a rule filter and which then reads every flag of that rule in the
    // province (416 k duplicates: 2.8 s for a county coordinator). `+column` keeps a column out of
    // index choice on SQLite; PostgreSQL plans from its statistics.
    const sqlite = databaseKind(tx) === 'sqlite';
    const residual = fewFlagsVisible(actor) && sqlite ? (column: string) => `+${column}` : (column: string) => column;
    const where = new Where();
    if (!everyFlag) flagVisibility(actor, where);
    if (filter.status) where.add(`${residual('f.status')} = ?`, filter.status);
    if (filter.rule) where.add(`${residual('f.rule_code')} = ?`, filter.rule);
    if (filter.unitId !== undefined) {
      where.add('f.unit_id = ?', filter.unitId);
      // An issuer reads objections to its demands without the objecting unit: filtering by unit must not reveal it either.
      if (actor.role === 'issuer') where.add("f.rule_code <> 'OBJECTION'");
    }
    if (filter.issuerId !== undefined) where.add('f.issuer_id = ?', filter.issuerId);
    if (filter.demandId !== undefined) where.add('f.demand_id = ?', filter.demandId);
    // With a status, SQLite must take the status indexes, not the (rule, day) one it would prefer
    // for a range of days (0.36 s for 415 confirmed duplicates against ≈ 1 ms).
    const day = filter.status && sqlite ? '+f.lands_on' : 'f.lands_on';
    if (filter.from) where.add(`${day} >= ?`, filter.from);
    if (filter.to) where.add(`${day} <= ?`, filter.to);
    if (filter.overdueOn) where.add(`f.status = 'rectifying' AND f.due_on < ?`, filter.overdueOn);
    const [count] = await selectRows<{ n: Num }>(tx, `SELECT COUNT(*) AS n FROM flags f ${where.clause}`, where.params);
    const total = toInt(count.n);
    // The page, newest first: the ids first, from the filters' indexes alone, then their rows.
    // Sorting the matching rows themselves (evidence and all) to keep a page read every match: a
    // rule's page over the province, 416 k duplicates, took ≈ 0.8 s; sorting their ids takes
    // ≈ 20 ms (bench/README.md). With a filter, `+f.id` keeps SQLite from walking the whole table by
    // id instead of that sort, which reads every flag when the matches are few or clustered. A
    // status over every flag (with a rule, a range of days) is read in id order from its index,
    // unsorted: 775 k open flags by day took ≈ 0.4 s sorted.
    const byStatusIndex =
      everyFlag && filter.status !== undefined && Object.entries(filter).every(([key, value]) => value === undefined || ['status', 'rule', 'from', 'to'].includes(key));
    const order = sqlite && where.clause !== '' && !byStatusIndex ? '+f.id' : 'f.id';
    const rows = await selectRows<RawFlag>(
      tx,
      `${SELECT} WHERE f.id IN (SELECT f.id FROM flags f ${where.clause} ORDER BY ${order} DESC LIMIT ? OFFSET ?) ORDER BY f.id DESC`,
      [...where.params, limit, offset],
    );
    return { rows: await explainFlags(tx, rows.map(mapFlag)), total };
  }

  async transitions(tx: Tx, flagId: number): Promise<FlagTransitionRow[]> {
    const rows = await selectRows<{
      id: Num;
      from_status: FlagStatus;
      to_status: FlagStatus;
      actor_id: Num | null;
      actor_name: string | null;
      at: string;
      comment: string;
      assignee_id: Num | null;
      due_on: string | null;
    }>(
      tx,
      `SELECT t.id, t.from_status, t.to_status, t.actor_id, COALESCE(us.display_name, us.username) AS actor_name, t.at, t.comment, t.assignee_id, t.due_on
       FROM flag_transitions t LEFT JOIN users us ON us.id = t.actor_id WHERE t.flag_id = ? ORDER BY t.id`,
      [flagId],
    );
    return rows.map((r) => ({
      id: toInt(r.id),
      from: r.from_status,
      to: r.to_status,
      actorId: nullableInt(r.actor_id),
      actorName: r.actor_name,
      at: r.at,
      comment: r.comment,
      assigneeId: nullableInt(r.assignee_id),
      dueOn: r.due_on,
    }));
  }

  // -- findings ------------------------------------------------------------------------------

  /** The stored flags of these rules about one demand (any unit, any period). */
  async findingsOfDemand(tx: Tx, demandId: number, rules: readonly RuleCode[]): Promise<StoredFinding[]> {
    return this.findings(tx, new Where().add('demand_id = ?', demandId).add(`rule_code IN (${rules.map(() => '?').join(', ')})`, ...rules));
  }

  /** The stored flags about one burden report (a shadow demand's HIDDEN_BURDEN). */
  async findingsOfReport(tx: Tx, reportId: number): Promise<StoredFinding[]> {
    return this.findings(tx, new Where().add('report_id = ?', reportId));
  }

  /** The stored flags of these rules about any of these demands. */
  async findingsOfDemands(tx: Tx, demandIds: readonly number[], rules: readonly RuleCode[]): Promise<StoredFinding[]> {
    if (!demandIds.length) return [];
    return this.findings(tx, new Where().add(`demand_id IN (${demandIds.map(() => '?').join(', ')})`, ...demandIds).add(`rule_code IN (${rules.map(() => '?').join(', ')})`, ...rules));
  }

  /** The stored flags of these rules whose day falls in [from, to]. */
  async findingsInPeriod(tx: Tx, rules: readonly RuleCode[], from: string, to: string): Promise<StoredFinding[]> {
    return this.findings(tx, new Where().add(`rule_code IN (${rules.map(() => '?').join(', ')})`, ...rules).add('lands_on >= ? AND lands_on <= ?', from, to));
  }

  /** The stored flags of these rules on units with ids in [fromUnitId, toUnitId] whose day falls in [from, to]. */
  async findingsOnUnits(tx: Tx, rules: readonly RuleCode[], fromUnitId: number, toUnitId: number, from: string, to: string): Promise<StoredFinding[]> {
    // The rules are filtered here, not in SQL: with `rule_code IN (...)` the planner took the
    // (rule, day) index and read the whole period's flags for every run of units.
    const wanted = new Set<string>(rules);
    const found = await this.findings(tx, new Where().add('unit_id >= ? AND unit_id <= ?', fromUnitId, toUnitId).add('lands_on >= ? AND lands_on <= ?', from, to));
    return found.filter((f) => wanted.has(f.rule));
  }

  async findingsByFingerprint(tx: Tx, fingerprints: readonly string[]): Promise<StoredFinding[]> {
    const found: StoredFinding[] = [];
    for (let i = 0; i < fingerprints.length; i += 500) {
      const chunk = fingerprints.slice(i, i + 500);
      found.push(...(await this.findings(tx, new Where().add(`fingerprint IN (${chunk.map(() => '?').join(', ')})`, ...chunk))));
    }
    return found;
  }

  private async findings(tx: Tx, where: Where): Promise<StoredFinding[]> {
    const rows = await selectRows<{ id: Num; fingerprint: string; rule_code: RuleCode; status: FlagStatus; explanation: string; evidence: string; policy_version: Num; lands_on: string }>(
      tx,
      `SELECT id, fingerprint, rule_code, status, explanation, evidence, policy_version, lands_on FROM flags ${where.clause}`,
      where.params,
    );
    return rows.map((r) => ({
      id: toInt(r.id),
      fingerprint: r.fingerprint,
      rule: r.rule_code,
      status: r.status,
      explanation: r.explanation,
      evidence: r.evidence,
      policyVersion: toInt(r.policy_version),
      landsOn: r.lands_on,
    }));
  }

  /**
   * New flags, status open, in multi-row statements. A fingerprint already stored (a finding of
   * another period's scope) is left alone; the fingerprints actually inserted are returned, so the
   * caller reconciles the others without a lookup before every insert.
   */
  async insertFindings(tx: Tx, rows: readonly FlagWrite[], at: string): Promise<Set<string>> {
    const inserted = new Set<string>();
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      const values = chunk.map(() => `(?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, 1)`).join(', ');
      const params = chunk.flatMap((r) => [
        r.fingerprint,
        r.rule,
        r.demandId,
        r.reportId,
        r.unitId,
        r.issuerId,
        r.period,
        r.landsOn,
        r.explanation,
        r.evidence,
        r.policyVersion,
        at,
        at,
      ]);
      const returned = await selectRows<{ fingerprint: string }>(
        tx,
        `INSERT INTO flags (fingerprint, rule_code, demand_id, report_id, unit_id, issuer_id, period, lands_on, status, explanation, evidence, policy_version, raised_at, updated_at, row_version)
         VALUES ${values} ON CONFLICT (fingerprint) DO NOTHING RETURNING fingerprint`,
        params,
      );
      for (const r of returned) inserted.add(r.fingerprint);
    }
    return inserted;
  }

  /** Refreshes an open flag's judgement (explanation, evidence, policy version) as the evaluation sees it now. */
  async refreshFinding(tx: Tx, id: number, w: Pick<FlagWrite, 'explanation' | 'evidence' | 'policyVersion' | 'landsOn'>, at: string): Promise<void> {
    await execute(tx, `UPDATE flags SET explanation = ?, evidence = ?, policy_version = ?, lands_on = ?, updated_at = ?, row_version = row_version + 1 WHERE id = ? AND status = 'open'`, [
      w.explanation,
      w.evidence,
      w.policyVersion,
      w.landsOn,
      at,
      id,
    ]);
  }

  /**
   * Moves a flag from `from` to `to` if it still is at `version` (and in `from`): the guard
   * against lost updates. False when someone else moved it first.
   */
  async moveStatus(
    tx: Tx,
    id: number,
    move: { from: FlagStatus; to: FlagStatus; version: number | null; assigneeId?: number | null; dueOn?: string | null },
    at: string,
  ): Promise<boolean> {
    const sets = ['status = ?', 'updated_at = ?', 'row_version = row_version + 1'];
    const params: unknown[] = [move.to, at];
    if (move.assigneeId !== undefined) {
      sets.push('assignee_id = ?');
      params.push(move.assigneeId);
    }
    if (move.dueOn !== undefined) {
      sets.push('due_on = ?');
      params.push(move.dueOn);
    }
    const where = new Where().add('id = ?', id).add('status = ?', move.from);
    if (move.version !== null) where.add('row_version = ?', move.version);
    return (await updatedRows(tx, `UPDATE flags SET ${sets.join(', ')} ${where.clause} RETURNING id`, [...params, ...where.params])) === 1;
  }

  async insertTransition(
    tx: Tx,
    t: { flagId: number; from: FlagStatus; to: FlagStatus; actorId: number | null; at: string; comment: string; assigneeId?: number | null; dueOn?: string | null },
  ): Promise<void> {
    await execute(tx, 'INSERT INTO flag_transitions (flag_id, from_status, to_status, actor_id, at, comment, assignee_id, due_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
      t.flagId,
      t.from,
      t.to,
      t.actorId,
      t.at,
      t.comment,
      t.assigneeId ?? null,
      t.dueOn ?? null,
    ]);
  }

  /** A user who may be assigned a rectification: an active user of the flag's issuer or of a unit inside the coordinator's jurisdiction. */
  async findUser(tx: Tx, id: number): Promise<{ id: number; unitPath: string | null; disabled: boolean } | null> {
    const rows = await selectRows<{ id: Num; path: string | null; disabled: boolean | number }>(
      tx,
      'SELECT us.id, u.path, us.disabled FROM users us LEFT JOIN org_units u ON u.id = us.org_unit_id WHERE us.id = ?',
      [id],
    );
    return rows.length ? { id: toInt(rows[0].id), unitPath: rows[0].path, disabled: Boolean(rows[0].disabled) } : null;
  }
}
