import { Injectable } from '@nestjs/common';
import type { Actor } from '@/common/auth/actor';
import { selectRows, subtreeCondition, subtreeParams, toInt, Tx, Where } from '@/database/dialect';
import type { DemandKind } from '@/modules/demands/estimate';
import type { ShadowChannel } from './shadow-channel';

export type ReportSource = 'report' | 'confirm';
export type VersionChange = 'create' | 'confirm' | 'amend' | 'link';

export interface ShadowFields {
  issuerName: string;
  kind: DemandKind;
  title: string;
  receivedOn: string;
  channel: ShadowChannel;
}

/** The figures of one version, in stored units. */
export interface StoredFigures {
  minutesSpent: number;
  staffInvolved: number | null;
  overtimeMinutes: number;
  pages: number;
  photos: number;
  note: string | null;
}

export interface BurdenReportRow extends StoredFigures {
  id: number;
  unitId: number;
  unitName: string;
  unitCode: string;
  unitPath: string;
  demandId: number | null;
  demandTitle: string | null;
  registrationNo: string | null;
  month: string;
  /** Kept after linking: the report was filed as a shadow demand. */
  shadow: ShadowFields | null;
  source: ReportSource;
  version: number;
  linkedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ReportVersionRow extends StoredFigures {
  version: number;
  change: VersionChange;
  demandId: number | null;
  month: string;
  createdBy: number;
  createdByName: string;
  createdAt: string;
}

export interface ReportUnit {
  id: number;
  name: string;
  code: string;
  path: string;
  kind: 'area' | 'department';
  staffCount: number;
}

export interface NewReport extends StoredFigures {
  unitId: number;
  demandId: number | null;
  month: string;
  shadow: ShadowFields | null;
  source: ReportSource;
  by: number;
  at: string;
}

export interface ReportFilter {
  unitId?: number;
  demandId?: number;
  month?: string;
  from?: string;
  to?: string;
  shadow?: boolean;
}

/** What a demand owes a unit in a month: the target's estimate and the month's occurrences (0 when none). */
export interface TargetInMonth {
  demandId: number;
  estimatedMinutes: number;
  occurrences: number;
  /** How a report names the demand (BurdenReportRow.demandTitle, registrationNo). */
  title: string;
  registrationNo: string | null;
}

type Num = number | string;
interface RawReport {
  id: Num;
  unit_id: Num;
  unit_name: string;
  unit_code: string;
  unit_path: string;
  demand_id: Num | null;
  demand_title: string | null;
  registration_no: string | null;
  month: string;
  shadow_issuer_name: string | null;
  shadow_kind: DemandKind | null;
  shadow_title: string | null;
  shadow_received_on: string | null;
  shadow_channel: ShadowChannel | null;
  source: ReportSource;
  minutes_spent: Num;
  staff_involved: Num | null;
  overtime_minutes: Num;
  pages: Num;
  photos: Num;
  note: string | null;
  version: Num;
  linked_at: string | null;
  created_at: string;
  updated_at: string;
}

const SELECT = `SELECT r.id, r.unit_id, u.name AS unit_name, u.code AS unit_code, u.path AS unit_path, r.demand_id, d.title AS demand_title,
  d.registration_no, r.month, r.shadow_issuer_name, r.shadow_kind, r.shadow_title, r.shadow_received_on, r.shadow_channel, r.source,
  r.minutes_spent, r.staff_involved, r.overtime_minutes, r.pages, r.photos, r.note, r.version, r.linked_at, r.created_at, r.updated_at`;
const FROM = 'FROM burden_reports r JOIN org_units u ON u.id = r.unit_id LEFT JOIN demands d ON d.id = r.demand_id';

const nullableInt = (v: Num | null) => (v === null ? null : toInt(v));

function mapReport(r: RawReport): BurdenReportRow {
  return {
    id: toInt(r.id),
    unitId: toInt(r.unit_id),
    unitName: r.unit_name,
    unitCode: r.unit_code,
    unitPath: r.unit_path,
    demandId: nullableInt(r.demand_id),
    demandTitle: r.demand_title,
    registrationNo: r.registration_no,
    month: r.month,
    shadow:
      r.shadow_issuer_name === null
        ? null
        : { issuerName: r.shadow_issuer_name, kind: r.shadow_kind!, title: r.shadow_title!, receivedOn: r.shadow_received_on!, channel: r.shadow_channel! },
    source: r.source,
    minutesSpent: toInt(r.minutes_spent),
    staffInvolved: nullableInt(r.staff_involved),
    overtimeMinutes: toInt(r.overtime_minutes),
    pages: toInt(r.pages),
    photos: toInt(r.photos),
    note: r.note,
    version: toInt(r.version),
    linkedAt: r.linked_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * Who may see a burden report (DESIGN §1): its unit and the units above it — a reporter its own
 * subtree, coordinators and inspectors their jurisdiction — and the issuer of the registered
 * demand it covers. Never an issuer for a shadow-demand report (`demand_id IS NULL`). Admin has
 * no access (separation of duties: admin runs the system, not the ledger's contents).
 */
export function reportVisibility(actor: Actor, where: Where): void {
  switch (actor.role) {
    case 'admin':
      where.add('1 = 0');
      return;
    case 'issuer':
      if (actor.orgUnitId === null) where.add('1 = 0');
      else where.add('r.demand_id IS NOT NULL AND d.issuer_id = ?', actor.orgUnitId);
      return;
    case 'reporter':
      if (actor.unitPath === null) where.add('1 = 0');
      else where.add(subtreeCondition('u.path'), ...subtreeParams(actor.unitPath));
      return;
    case 'coordinator':
    case 'inspector':
      if (actor.jurisdictionPath === null) where.add('1 = 0');
      else where.add(subtreeCondition('u.path'), ...subtreeParams(actor.jurisdictionPath));
      return;
  }
}

@Injectable()
export class BurdenReportRepository {
  async findUnit(tx: Tx, id: number): Promise<ReportUnit | null> {
    const rows = await selectRows<{ id: Num; name: string; code: string; path: string; kind: 'area' | 'department'; staff_count: Num }>(
      tx,
      'SELECT id, name, code, path, kind, staff_count FROM org_units WHERE id = ?',
      [id],
    );
    if (!rows.length) return null;
    const r = rows[0];
    return { id: toInt(r.id), name: r.name, code: r.code, path: r.path, kind: r.kind, staffCount: toInt(r.staff_count) };
  }

  /**
   * For each demand, whether it targets the unit and how often it lands in the month. A demand
   * missing from the answer does not target the unit (or does not exist).
   */
  async targetsInMonth(tx: Tx, unitId: number, month: string, demandIds: number[]): Promise<Map<number, TargetInMonth>> {
    const out = new Map<number, TargetInMonth>();
    for (let i = 0; i < demandIds.length; i += 500) {
      const chunk = demandIds.slice(i, i + 500);
      const rows = await selectRows<{ demand_id: Num; estimated_minutes: Num; occurrences: Num | null; title: string; registration_no: string | null }>(
        tx,
        `SELECT t.demand_id, t.estimated_minutes, o.occurrences, d.title, d.registration_no FROM demand_targets t
         JOIN demands d ON d.id = t.demand_id
         LEFT JOIN demand_occurrences o ON o.demand_id = t.demand_id AND o.month = ?
         WHERE t.unit_id = ? AND t.demand_id IN (${chunk.map(() => '?').join(', ')})`,
        [month, unitId, ...chunk],
      );
      for (const r of rows) {
        out.set(toInt(r.demand_id), {
          demandId: toInt(r.demand_id),
          estimatedMinutes: toInt(r.estimated_minutes),
          occurrences: r.occurrences === null ? 0 : toInt(r.occurrences),
          title: r.title,
          registrationNo: r.registration_no,
        });
      }
    }
    return out;
  }

  /** The months a demand lands in, for a helpful 422. */
  async occurrenceMonths(tx: Tx, demandId: number): Promise<string[]> {
    const rows = await selectRows<{ month: string }>(tx, 'SELECT month FROM demand_occurrences WHERE demand_id = ? ORDER BY month', [demandId]);
    return rows.map((r) => r.month);
  }

  /** The current reports of a unit on these demands in a month, by demand id. */
  async existingForDemands(tx: Tx, unitId: number, month: string, demandIds: number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    for (let i = 0; i < demandIds.length; i += 500) {
      const chunk = demandIds.slice(i, i + 500);
      const rows = await selectRows<{ id: Num; demand_id: Num }>(
        tx,
        `SELECT id, demand_id FROM burden_reports WHERE unit_id = ? AND month = ? AND demand_id IN (${chunk.map(() => '?').join(', ')})`,
        [unitId, month, ...chunk],
      );
      for (const r of rows) out.set(toInt(r.demand_id), toInt(r.id));
    }
    return out;
  }

  async insert(tx: Tx, r: NewReport): Promise<number> {
    const rows = await selectRows<{ id: Num }>(
      tx,
      `INSERT INTO burden_reports (unit_id, demand_id, month, shadow_issuer_name, shadow_kind, shadow_title, shadow_received_on, shadow_channel, source,
        minutes_spent, staff_involved, overtime_minutes, pages, photos, note, version, linked_at, linked_by, created_by, created_at, updated_by, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, NULL, NULL, ?, ?, ?, ?) RETURNING id`,
      [
        r.unitId,
        r.demandId,
        r.month,
        r.shadow?.issuerName ?? null,
        r.shadow?.kind ?? null,
        r.shadow?.title ?? null,
        r.shadow?.receivedOn ?? null,
        r.shadow?.channel ?? null,
        r.source,
        r.minutesSpent,
        r.staffInvolved,
        r.overtimeMinutes,
        r.pages,
        r.photos,
        r.note,
        r.by,
        r.at,
        r.by,
        r.at,
      ],
    );
    const id = toInt(rows[0].id);
    await this.insertVersion(tx, id, 1, r.source === 'confirm' ? 'confirm' : 'create', r, r.by, r.at);
    return id;
  }

  /**
   * `insert`, returning the row as `findById` would read it back, without reading it: every
   * column is what was just written, and the unit's and the demand's names are the caller's, read
   * in the same transaction.
   */
  async insertRow(tx: Tx, r: NewReport, unit: ReportUnit, demand: Pick<TargetInMonth, 'title' | 'registrationNo'> | null): Promise<BurdenReportRow> {
    if (unit.id !== r.unitId) throw new Error(`insertRow: unit ${unit.id} is not the report's unit ${r.unitId}`);
    const id = await this.insert(tx, r);
    const shadow = r.shadow;
    return {
      id,
      unitId: unit.id,
      unitName: unit.name,
      unitCode: unit.code,
      unitPath: unit.path,
      demandId: r.demandId,
      demandTitle: demand?.title ?? null,
      registrationNo: demand?.registrationNo ?? null,
      month: r.month,
      shadow: shadow === null ? null : { issuerName: shadow.issuerName, kind: shadow.kind, title: shadow.title, receivedOn: shadow.receivedOn, channel: shadow.channel },
      source: r.source,
      minutesSpent: r.minutesSpent,
      staffInvolved: r.staffInvolved,
      overtimeMinutes: r.overtimeMinutes,
      pages: r.pages,
      photos: r.photos,
      note: r.note,
      version: 1,
      linkedAt: null,
      createdAt: r.at,
      updatedAt: r.at,
    };
  }

  /**
   * Writes new figures (and, for a link, a new demand and month) as the next version, only if
   * `expectedVersion` is still current. False when someone else moved it first.
   */
  async writeVersion(
    tx: Tx,
    id: number,
    expectedVersion: number,
    change: 'amend' | 'link',
    next: StoredFigures & { demandId: number | null; month: string },
    by: number,
    at: string,
  ): Promise<boolean> {
    const linked = change === 'link';
    // RETURNING tells whether the guarded row was updated, on both databases.
    const updated = await selectRows<{ version: Num }>(
      tx,
      `UPDATE burden_reports SET demand_id = ?, month = ?, minutes_spent = ?, staff_involved = ?, overtime_minutes = ?, pages = ?, photos = ?, note = ?,
        version = version + 1, updated_by = ?, updated_at = ?${linked ? ', linked_at = ?, linked_by = ?' : ''}
       WHERE id = ? AND version = ? RETURNING version`,
      [
        next.demandId,
        next.month,
        next.minutesSpent,
        next.staffInvolved,
        next.overtimeMinutes,
        next.pages,
        next.photos,
        next.note,
        by,
        at,
        ...(linked ? [at, by] : []),
        id,
        expectedVersion,
      ],
    );
    if (!updated.length) return false;
    await this.insertVersion(tx, id, expectedVersion + 1, change, next, by, at);
    return true;
  }

  private async insertVersion(tx: Tx, reportId: number, version: number, change: VersionChange, v: StoredFigures & { demandId: number | null; month: string }, by: number, at: string) {
    await selectRows(
      tx,
      `INSERT INTO burden_report_versions (report_id, version, change_kind, demand_id, month, minutes_spent, staff_involved, overtime_minutes, pages, photos, note, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [reportId, version, change, v.demandId, v.month, v.minutesSpent, v.staffInvolved, v.overtimeMinutes, v.pages, v.photos, v.note, by, at],
    );
  }

  async findById(tx: Tx, id: number): Promise<BurdenReportRow | null> {
    const rows = await selectRows<RawReport>(tx, `${SELECT} ${FROM} WHERE r.id = ?`, [id]);
    return rows.length ? mapReport(rows[0]) : null;
  }

  async findVisible(tx: Tx, actor: Actor, id: number): Promise<BurdenReportRow | null> {
    const where = new Where().add('r.id = ?', id);
    reportVisibility(actor, where);
    const rows = await selectRows<RawReport>(tx, `${SELECT} ${FROM} ${where.clause}`, where.params);
    return rows.length ? mapReport(rows[0]) : null;
  }

  async findCurrentId(tx: Tx, unitId: number, demandId: number, month: string): Promise<number | null> {
    const rows = await selectRows<{ id: Num }>(tx, 'SELECT id FROM burden_reports WHERE unit_id = ? AND demand_id = ? AND month = ?', [unitId, demandId, month]);
    return rows.length ? toInt(rows[0].id) : null;
  }

  async list(tx: Tx, actor: Actor, filter: ReportFilter, offset: number, limit: number): Promise<{ rows: BurdenReportRow[]; total: number }> {
    const where = new Where();
    reportVisibility(actor, where);
    if (filter.unitId !== undefined) where.add('r.unit_id = ?', filter.unitId);
    if (filter.demandId !== undefined) where.add('r.demand_id = ?', filter.demandId);
    if (filter.month !== undefined) where.add('r.month = ?', filter.month);
    if (filter.from !== undefined) where.add('r.month >= ?', filter.from);
    if (filter.to !== undefined) where.add('r.month <= ?', filter.to);
    if (filter.shadow === true) where.add('r.demand_id IS NULL');
    if (filter.shadow === false) where.add('r.demand_id IS NOT NULL');
    const [count] = await selectRows<{ n: Num }>(tx, `SELECT COUNT(*) AS n ${FROM} ${where.clause}`, where.params);
    const rows = await selectRows<RawReport>(tx, `${SELECT} ${FROM} ${where.clause} ORDER BY r.month DESC, r.id DESC LIMIT ? OFFSET ?`, [...where.params, limit, offset]);
    return { rows: rows.map(mapReport), total: toInt(count.n) };
  }

  async versions(tx: Tx, reportId: number): Promise<ReportVersionRow[]> {
    const rows = await selectRows<{
      version: Num;
      change_kind: VersionChange;
      demand_id: Num | null;
      month: string;
      minutes_spent: Num;
      staff_involved: Num | null;
      overtime_minutes: Num;
      pages: Num;
      photos: Num;
      note: string | null;
      created_by: Num;
      username: string;
      created_at: string;
    }>(
      tx,
      `SELECT v.version, v.change_kind, v.demand_id, v.month, v.minutes_spent, v.staff_involved, v.overtime_minutes, v.pages, v.photos, v.note,
        v.created_by, us.username, v.created_at
       FROM burden_report_versions v JOIN users us ON us.id = v.created_by WHERE v.report_id = ? ORDER BY v.version`,
      [reportId],
    );
    return rows.map((r) => ({
      version: toInt(r.version),
      change: r.change_kind,
      demandId: nullableInt(r.demand_id),
      month: r.month,
      minutesSpent: toInt(r.minutes_spent),
      staffInvolved: nullableInt(r.staff_involved),
      overtimeMinutes: toInt(r.overtime_minutes),
      pages: toInt(r.pages),
      photos: toInt(r.photos),
      note: r.note,
      createdBy: toInt(r.created_by),
      createdByName: r.username,
      createdAt: r.created_at,
    }));
  }
}
