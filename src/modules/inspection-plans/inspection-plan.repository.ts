import { Injectable } from '@nestjs/common';
import { Level } from '@/common/auth/actor';
import { databaseKind, execute, forUpdate, placeholders, selectRows, subtreeCondition, subtreeParams, toInt, Tx, Where } from '@/database/dialect';
import { isPossibleId } from '@/modules/org-units/org-unit.model';
import { ApprovedPlanItem, InspectionPlan, InspectionPlanItem, NewPlanItem, PlanItemWithPlan } from './inspection-plan.model';
import { TargetUnit } from './plan-items';
import { PlanStatus } from './plan-state';

interface RawPlan {
  id: number | string;
  issuer_id: number | string;
  issuer_code: string;
  issuer_name: string;
  issuer_path: string;
  year: number | string;
  version: number | string;
  status: PlanStatus;
  title: string | null;
  supersedes_id: number | string | null;
  next_version_id: number | string | null;
  effective: number | string | boolean;
  created_by: number | string;
  created_at: string;
  updated_at: string;
  submitted_by: number | string | null;
  submitted_at: string | null;
  decided_by: number | string | null;
  decided_at: string | null;
  reject_reason: string | null;
  item_count: number | string;
}

interface RawItem {
  id: number | string;
  plan_id: number | string;
  item_key: string;
  title: string;
  topic_code: string;
  target_level: Level | null;
  target_unit_ids: string | null;
  planned_month: string;
  on_site_days: number | string;
  visits: number | string;
}

interface RawItemWithPlan extends RawItem {
  issuer_id: number | string;
  year: number | string;
  version: number | string;
  plan_status: PlanStatus;
}

const intOrNull = (v: number | string | null): number | null => (v === null ? null : toInt(v));

/** True when no later version of the same issuer and year is approved: `alias` is the one rules read. */
const LATEST_APPROVED = (alias: string) =>
  `${alias}.status = 'approved' AND NOT EXISTS (SELECT 1 FROM inspection_plans later
     WHERE later.issuer_id = ${alias}.issuer_id AND later.year = ${alias}.year AND later.status = 'approved' AND later.version > ${alias}.version)`;

const PLAN_SELECT = `
  SELECT p.id, p.issuer_id, u.code AS issuer_code, u.name AS issuer_name, u.path AS issuer_path, p.year, p.version, p.status, p.title,
         p.supersedes_id, (SELECT n.id FROM inspection_plans n WHERE n.supersedes_id = p.id) AS next_version_id,
         CASE WHEN ${LATEST_APPROVED('p')} THEN 1 ELSE 0 END AS effective,
         p.created_by, p.created_at, p.updated_at, p.submitted_by, p.submitted_at, p.decided_by, p.decided_at, p.reject_reason,
         (SELECT COUNT(*) FROM inspection_plan_items c WHERE c.plan_id = p.id) AS item_count
  FROM inspection_plans p JOIN org_units u ON u.id = p.issuer_id`;

const ITEM_COLUMNS = 'i.id, i.plan_id, i.item_key, i.title, i.topic_code, i.target_level, i.target_unit_ids, i.planned_month, i.on_site_days, i.visits';

function mapPlan(r: RawPlan): InspectionPlan {
  return {
    id: toInt(r.id),
    issuerId: toInt(r.issuer_id),
    issuer: { id: toInt(r.issuer_id), code: r.issuer_code, name: r.issuer_name, path: r.issuer_path },
    year: toInt(r.year),
    version: toInt(r.version),
    status: r.status,
    title: r.title,
    supersedesId: intOrNull(r.supersedes_id),
    nextVersionId: intOrNull(r.next_version_id),
    effective: toInt(r.effective) === 1,
    createdBy: toInt(r.created_by),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    submittedBy: intOrNull(r.submitted_by),
    submittedAt: r.submitted_at,
    decidedBy: intOrNull(r.decided_by),
    decidedAt: r.decided_at,
    rejectReason: r.reject_reason,
    itemCount: toInt(r.item_count),
  };
}

function mapItem(r: RawItem): InspectionPlanItem {
  return {
    id: toInt(r.id),
    planId: toInt(r.plan_id),
    itemKey: r.item_key,
    title: r.title,
    topic: r.topic_code,
    targetLevel: r.target_level,
    targetUnitIds: r.target_unit_ids === null ? [] : (JSON.parse(r.target_unit_ids) as number[]),
    plannedMonth: r.planned_month,
    onSiteDays: toInt(r.on_site_days),
    visits: toInt(r.visits),
  };
}

function mapItemWithPlan(r: RawItemWithPlan): PlanItemWithPlan {
  return { ...mapItem(r), issuerId: toInt(r.issuer_id), year: toInt(r.year), version: toInt(r.version), planStatus: r.plan_status };
}

function mapApprovedItem(r: RawItemWithPlan): ApprovedPlanItem {
  return { ...mapItem(r), issuerId: toInt(r.issuer_id), year: toInt(r.year), version: toInt(r.version) };
}

function itemValues(planId: number, position: number, item: NewPlanItem): unknown[] {
  return [
    planId,
    item.itemKey,
    position,
    item.title,
    item.topic,
    item.targetLevel,
    item.targetUnitIds.length ? JSON.stringify(item.targetUnitIds) : null,
    item.plannedMonth,
    item.onSiteDays,
    item.visits,
  ];
}

/** Which plans a list may show: the issuer's own, or every issuer under a jurisdiction. */
export interface PlanFilter {
  /** Only plans of this issuing unit (the caller's own unit for an issuer, or the issuerId filter). */
  issuerId?: number;
  /** Only plans of issuers inside this subtree (a coordinator's or inspector's jurisdiction). */
  issuerUnder?: string;
  year?: number;
  status?: PlanStatus;
}

export interface NewPlan {
  issuerId: number;
  year: number;
  version: number;
  title: string | null;
  supersedesId: number | null;
  createdBy: number;
  at: string;
}

/** The columns a status change sets besides status and updated_at. */
export interface StatusChange {
  submittedBy?: number | null;
  submittedAt?: string | null;
  decidedBy?: number | null;
  decidedAt?: string | null;
  rejectReason?: string | null;
}

const CHANGE_COLUMNS: Record<keyof StatusChange, string> = {
  submittedBy: 'submitted_by',
  submittedAt: 'submitted_at',
  decidedBy: 'decided_by',
  decidedAt: 'decided_at',
  rejectReason: 'reject_reason',
};

@Injectable()
export class InspectionPlanRepository {
  async findPlan(tx: Tx, id: number): Promise<InspectionPlan | null> {
    if (!isPossibleId(id)) return null;
    const rows = await selectRows<RawPlan>(tx, `${PLAN_SELECT} WHERE p.id = ?`, [id]);
    return rows.length ? mapPlan(rows[0]) : null;
  }

  /**
   * Locks a plan's row until the transaction ends (PostgreSQL; SQLite writes are serial anyway),
   * so that a write reads the plan as no concurrent writer can change it. False when there is no such plan.
   */
  async lockPlan(tx: Tx, id: number): Promise<boolean> {
    if (!isPossibleId(id)) return false;
    const rows = await selectRows(tx, `SELECT id FROM inspection_plans WHERE id = ?${forUpdate(databaseKind(tx))}`, [id]);
    return rows.length === 1;
  }

  async listPlans(tx: Tx, filter: PlanFilter, offset: number, limit: number): Promise<{ rows: InspectionPlan[]; total: number }> {
    const where = new Where();
    if (filter.issuerId !== undefined) where.add('p.issuer_id = ?', filter.issuerId);
    if (filter.issuerUnder !== undefined) where.add(subtreeCondition('u.path'), ...subtreeParams(filter.issuerUnder));
    if (filter.year !== undefined) where.add('p.year = ?', filter.year);
    if (filter.status !== undefined) where.add('p.status = ?', filter.status);
    const clause = where.clause;
    const [count] = await selectRows<{ n: number | string }>(
      tx,
      `SELECT COUNT(*) AS n FROM inspection_plans p JOIN org_units u ON u.id = p.issuer_id ${clause}`,
      where.params,
    );
    // (issuer, year, version) is unique, so this order is stable; versions of one plan sit together.
    const rows = await selectRows<RawPlan>(tx, `${PLAN_SELECT} ${clause} ORDER BY p.year DESC, u.path, p.version DESC LIMIT ? OFFSET ?`, [
      ...where.params,
      limit,
      offset,
    ]);
    return { rows: rows.map(mapPlan), total: toInt(count.n) };
  }

  async findItems(tx: Tx, planId: number): Promise<InspectionPlanItem[]> {
    const rows = await selectRows<RawItem>(tx, `SELECT ${ITEM_COLUMNS} FROM inspection_plan_items i WHERE i.plan_id = ? ORDER BY i.position, i.id`, [planId]);
    return rows.map(mapItem);
  }

  /** The latest version of an issuer's plan for a year, whatever its state. */
  async findLatestVersion(tx: Tx, issuerId: number, year: number): Promise<{ id: number; version: number; status: PlanStatus } | null> {
    const rows = await selectRows<{ id: number | string; version: number | string; status: PlanStatus }>(
      tx,
      'SELECT id, version, status FROM inspection_plans WHERE issuer_id = ? AND year = ? ORDER BY version DESC LIMIT 1',
      [issuerId, year],
    );
    return rows.length ? { id: toInt(rows[0].id), version: toInt(rows[0].version), status: rows[0].status } : null;
  }

  /** Every item key any version of an issuer's plan for a year has used. */
  async usedItemKeys(tx: Tx, issuerId: number, year: number): Promise<string[]> {
    const rows = await selectRows<{ item_key: string }>(
      tx,
      `SELECT DISTINCT i.item_key FROM inspection_plan_items i JOIN inspection_plans p ON p.id = i.plan_id WHERE p.issuer_id = ? AND p.year = ?`,
      [issuerId, year],
    );
    return rows.map((r) => r.item_key);
  }

  /** The topic codes among `codes` that exist. */
  async existingTopics(tx: Tx, codes: string[]): Promise<Set<string>> {
    if (!codes.length) return new Set();
    const rows = await selectRows<{ code: string }>(tx, `SELECT code FROM topics WHERE code IN (${codes.map(() => '?').join(',')})`, codes);
    return new Set(rows.map((r) => r.code));
  }

  /** Kind, level and path of org units, for checking plan targets and the issuerId filter. */
  async findUnits(tx: Tx, ids: number[]): Promise<Map<number, TargetUnit>> {
    const out = new Map<number, TargetUnit>();
    const possible = [...new Set(ids)].filter(isPossibleId);
    for (let i = 0; i < possible.length; i += 500) {
      const chunk = possible.slice(i, i + 500);
      const rows = await selectRows<{ id: number | string; kind: TargetUnit['kind']; level: Level; path: string }>(
        tx,
        `SELECT id, kind, level, path FROM org_units WHERE id IN (${chunk.map(() => '?').join(',')})`,
        chunk,
      );
      for (const r of rows) out.set(toInt(r.id), { id: toInt(r.id), kind: r.kind, level: r.level, path: r.path });
    }
    return out;
  }

  async insertPlan(tx: Tx, plan: NewPlan): Promise<number> {
    const rows = await selectRows<{ id: number | string }>(
      tx,
      `INSERT INTO inspection_plans (issuer_id, year, version, status, title, supersedes_id, created_by, created_at, updated_at)
       VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?) RETURNING id`,
      [plan.issuerId, plan.year, plan.version, plan.title, plan.supersedesId, plan.createdBy, plan.at, plan.at],
    );
    return toInt(rows[0].id);
  }

  async insertItems(tx: Tx, planId: number, items: NewPlanItem[]): Promise<void> {
    // 10 parameters a row: 50 rows stay far below SQLite's and PostgreSQL's parameter limits.
    for (let i = 0; i < items.length; i += 50) {
      const chunk = items.slice(i, i + 50);
      await execute(
        tx,
        `INSERT INTO inspection_plan_items (plan_id, item_key, position, title, topic_code, target_level, target_unit_ids, planned_month, on_site_days, visits)
         VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        chunk.flatMap((item, j) => itemValues(planId, i + j, item)),
      );
    }
  }

  /**
   * Makes a draft's items exactly `items`, matched by key: a kept key keeps its row (and id, which
   * demands may reference), a new key is inserted, a dropped key is deleted. Deleting a row a
   * demand references fails on the foreign key; see isForeignKeyViolation.
   */
  async replaceItems(tx: Tx, planId: number, items: NewPlanItem[]): Promise<void> {
    const existing = new Set((await this.findItems(tx, planId)).map((i) => i.itemKey));
    const wanted = new Set(items.map((i) => i.itemKey));
    const dropped = [...existing].filter((key) => !wanted.has(key));
    for (let i = 0; i < dropped.length; i += 500) {
      const chunk = dropped.slice(i, i + 500);
      await execute(tx, `DELETE FROM inspection_plan_items WHERE plan_id = ? AND item_key IN (${chunk.map(() => '?').join(',')})`, [planId, ...chunk]);
    }
    for (const [position, item] of items.entries()) {
      if (existing.has(item.itemKey)) {
        await execute(
          tx,
          `UPDATE inspection_plan_items SET position = ?, title = ?, topic_code = ?, target_level = ?, target_unit_ids = ?, planned_month = ?, on_site_days = ?, visits = ?
           WHERE plan_id = ? AND item_key = ?`,
          [...itemValues(planId, position, item).slice(2), planId, item.itemKey],
        );
      } else {
        await execute(
          tx,
          `INSERT INTO inspection_plan_items (plan_id, item_key, position, title, topic_code, target_level, target_unit_ids, planned_month, on_site_days, visits)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          itemValues(planId, position, item),
        );
      }
    }
  }

  /**
   * Moves a plan from one status to another only if it is still in `from`, and says whether it did.
   * The conditional UPDATE is the concurrency guard: on PostgreSQL a second writer blocks on the
   * row lock and then finds the status changed (0 rows); on SQLite writers are serial anyway. The
   * row stays locked until the transaction ends, so nothing else changes the plan meanwhile.
   */
  async changeStatus(tx: Tx, id: number, from: PlanStatus, to: PlanStatus, at: string, change: StatusChange = {}): Promise<boolean> {
    const sets = ['status = ?', 'updated_at = ?'];
    const params: unknown[] = [to, at];
    for (const [key, column] of Object.entries(CHANGE_COLUMNS) as [keyof StatusChange, string][]) {
      if (change[key] === undefined) continue;
      sets.push(`${column} = ?`);
      params.push(change[key]);
    }
    const rows = await updateReturning<{ id: number | string }>(
      tx,
      `UPDATE inspection_plans SET ${sets.join(', ')} WHERE id = ? AND status = ? RETURNING id`,
      [...params, id, from],
    );
    return rows.length === 1;
  }

  async updateTitle(tx: Tx, id: number, title: string): Promise<void> {
    await execute(tx, 'UPDATE inspection_plans SET title = ? WHERE id = ?', [title, id]);
  }

  // ---- What the inspection rules (UNPLANNED_INSPECTION, SPLIT_INSPECTION) and demands read ----

  /**
   * The issuer's approved plan for the year: its latest approved version (an approved plan
   * replaced by a newer approved version no longer counts), with its items; null when none.
   */
  async findApprovedPlan(tx: Tx, issuerId: number, year: number): Promise<(InspectionPlan & { items: InspectionPlanItem[] }) | null> {
    if (!isPossibleId(issuerId)) return null;
    const rows = await selectRows<RawPlan>(tx, `${PLAN_SELECT} WHERE p.issuer_id = ? AND p.year = ? AND ${LATEST_APPROVED('p')}`, [issuerId, year]);
    if (!rows.length) return null;
    const plan = mapPlan(rows[0]);
    return { ...plan, items: await this.findItems(tx, plan.id) };
  }

  /**
   * The item a demand links to (`itemId`, a row of any version of this issuer's plan for the
   * year), as it stands in the issuer's approved plan for that year: matched by its stable key,
   * so a demand linked to version 1 still finds its item after version 2 is approved. Null when
   * the item belongs to another issuer or year, or the approved plan has no item with that key
   * (then the inspection is unplanned). `visits` is the planned number of visits per target.
   */
  async findApprovedItem(tx: Tx, issuerId: number, year: number, itemId: number): Promise<ApprovedPlanItem | null> {
    if (!isPossibleId(issuerId) || !isPossibleId(itemId)) return null;
    const rows = await selectRows<RawItemWithPlan>(
      tx,
      `SELECT ${ITEM_COLUMNS}, p.issuer_id, p.year, p.version, p.status AS plan_status
       FROM inspection_plan_items i JOIN inspection_plans p ON p.id = i.plan_id
       WHERE p.issuer_id = ? AND p.year = ? AND ${LATEST_APPROVED('p')}
         AND i.item_key = (SELECT l.item_key FROM inspection_plan_items l JOIN inspection_plans lp ON lp.id = l.plan_id
                           WHERE l.id = ? AND lp.issuer_id = ? AND lp.year = ?)`,
      [issuerId, year, itemId, issuerId, year],
    );
    return rows.length ? mapApprovedItem(rows[0]) : null;
  }

  /** The items on a topic in the issuer's approved plan for the year (empty when there is no approved plan). */
  async findApprovedItemsOnTopic(tx: Tx, issuerId: number, year: number, topic: string): Promise<ApprovedPlanItem[]> {
    if (!isPossibleId(issuerId)) return [];
    const rows = await selectRows<RawItemWithPlan>(
      tx,
      `SELECT ${ITEM_COLUMNS}, p.issuer_id, p.year, p.version, p.status AS plan_status
       FROM inspection_plan_items i JOIN inspection_plans p ON p.id = i.plan_id
       WHERE p.issuer_id = ? AND p.year = ? AND ${LATEST_APPROVED('p')} AND i.topic_code = ?
       ORDER BY i.position, i.id`,
      [issuerId, year, topic],
    );
    return rows.map(mapApprovedItem);
  }

  /**
   * Set-based form for rule evaluation over a period: every item of the approved plans of these
   * issuers for the year, in batches of 500 issuers (no query per demand).
   */
  async findApprovedItemsOfIssuers(tx: Tx, year: number, issuerIds: number[]): Promise<ApprovedPlanItem[]> {
    const ids = [...new Set(issuerIds)].filter(isPossibleId);
    const out: ApprovedPlanItem[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = await selectRows<RawItemWithPlan>(
        tx,
        `SELECT ${ITEM_COLUMNS}, p.issuer_id, p.year, p.version, p.status AS plan_status
         FROM inspection_plan_items i JOIN inspection_plans p ON p.id = i.plan_id
         WHERE p.year = ? AND p.issuer_id IN (${chunk.map(() => '?').join(',')}) AND ${LATEST_APPROVED('p')}
         ORDER BY p.issuer_id, i.position, i.id`,
        [year, ...chunk],
      );
      out.push(...rows.map(mapApprovedItem));
    }
    return out;
  }

  /**
   * The stable identity (issuer, year, key) of item rows, set-based: demands linked to rows of
   * different versions of one item are the same item (SPLIT_INSPECTION counts visits per key).
   */
  async findItemKeys(tx: Tx, itemIds: number[]): Promise<Map<number, { issuerId: number; year: number; itemKey: string }>> {
    const ids = [...new Set(itemIds)].filter(isPossibleId);
    const out = new Map<number, { issuerId: number; year: number; itemKey: string }>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = await selectRows<{ id: number | string; issuer_id: number | string; year: number | string; item_key: string }>(
        tx,
        `SELECT i.id, p.issuer_id, p.year, i.item_key FROM inspection_plan_items i JOIN inspection_plans p ON p.id = i.plan_id
         WHERE i.id IN (${chunk.map(() => '?').join(',')})`,
        chunk,
      );
      for (const r of rows) out.set(toInt(r.id), { issuerId: toInt(r.issuer_id), year: toInt(r.year), itemKey: r.item_key });
    }
    return out;
  }

  /** One item row with its plan's issuer, year, version and state, whatever that state: for checking a demand's `planItemId`. */
  async findItemWithPlan(tx: Tx, itemId: number): Promise<PlanItemWithPlan | null> {
    if (!isPossibleId(itemId)) return null;
    const rows = await selectRows<RawItemWithPlan>(
      tx,
      `SELECT ${ITEM_COLUMNS}, p.issuer_id, p.year, p.version, p.status AS plan_status
       FROM inspection_plan_items i JOIN inspection_plans p ON p.id = i.plan_id WHERE i.id = ?`,
      [itemId],
    );
    return rows.length ? mapItemWithPlan(rows[0]) : null;
  }
}

/**
 * The rows of an UPDATE … RETURNING on both databases: TypeORM hands PostgreSQL's answer to an
 * UPDATE back as [rows, rowCount], SQLite's as the rows.
 */
async function updateReturning<T>(tx: Tx, sql: string, params: unknown[]): Promise<T[]> {
  const kind = databaseKind(tx);
  const raw: unknown = await tx.query(placeholders(kind, sql), params);
  return kind === 'postgres' ? (raw as [T[], number])[0] : (raw as T[]);
}

/** True when the database refused a statement because of a foreign key, on either database. */
export function isForeignKeyViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
