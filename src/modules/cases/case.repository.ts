import { Injectable } from '@nestjs/common';
import { databaseKind, execute, forUpdate, selectRows, subtreeCondition, subtreeParams, toInt, Tx, updatedRows, Where } from '@/database/dialect';
import { isPossibleId } from '@/modules/org-units/org-unit.model';
import type { CasePerson } from './bulletin/anonymise';
import type { CaseCategory, HandlingType } from './case-category';
import type { CaseContent, CaseEvidence, CaseRow, CaseStatus, FrozenDemand, LiveFlag, UnitRef } from './case.model';

type Num = number | string;

interface RawCase {
  id: Num;
  title: string;
  issuer_id: Num | null;
  issuer_code: string | null;
  issuer_name: string | null;
  issuer_path: string | null;
  unit_id: Num | null;
  unit_code: string | null;
  unit_name: string | null;
  unit_path: string | null;
  persons: string;
  conduct_from: string | null;
  conduct_to: string | null;
  facts: string;
  provision: string;
  handling_type: HandlingType | null;
  handling_on: string | null;
  handling_note: string | null;
  category: CaseCategory;
  category_source: 'rule' | 'manual';
  status: CaseStatus;
  evidence: string;
  evidence_hash: string;
  flag_ids: string | null;
  created_by: Num;
  created_at: string;
  updated_by: Num;
  updated_at: string;
  finalised_at: string | null;
  row_version: Num;
}

const select = (flagIdsAgg: string) => `SELECT c.id, c.title, c.issuer_id, iu.code AS issuer_code, iu.name AS issuer_name, iu.path AS issuer_path,
  c.unit_id, u.code AS unit_code, u.name AS unit_name, u.path AS unit_path, c.persons, c.conduct_from, c.conduct_to, c.facts, c.provision,
  c.handling_type, c.handling_on, c.handling_note, c.category, c.category_source, c.status, c.evidence, c.evidence_hash,
  (SELECT ${flagIdsAgg} FROM case_flags cf WHERE cf.case_id = c.id) AS flag_ids,
  c.created_by, c.created_at, c.updated_by, c.updated_at, c.finalised_at, c.row_version
  FROM cases c LEFT JOIN org_units iu ON iu.id = c.issuer_id LEFT JOIN org_units u ON u.id = c.unit_id`;

/** The flag ids of a case as one text cell, in each database's spelling. */
function selectSql(tx: Tx): string {
  return select(databaseKind(tx) === 'postgres' ? `STRING_AGG(CAST(cf.flag_id AS TEXT), ',' ORDER BY cf.flag_id)` : `GROUP_CONCAT(cf.flag_id, ',')`);
}

const unitRef = (id: Num | null, code: string | null, name: string | null, path: string | null) =>
  id === null ? null : { id: toInt(id), code: code ?? '', name: name ?? '', path: path ?? '' };

function mapCase(r: RawCase): CaseRow {
  return {
    id: toInt(r.id),
    title: r.title,
    issuer: unitRef(r.issuer_id, r.issuer_code, r.issuer_name, r.issuer_path),
    unit: unitRef(r.unit_id, r.unit_code, r.unit_name, r.unit_path),
    persons: JSON.parse(r.persons) as CasePerson[],
    conductFrom: r.conduct_from,
    conductTo: r.conduct_to,
    facts: r.facts,
    provision: r.provision,
    handlingType: r.handling_type,
    handlingOn: r.handling_on,
    handlingNote: r.handling_note,
    category: r.category,
    categorySource: r.category_source,
    status: r.status,
    evidence: JSON.parse(r.evidence) as CaseEvidence,
    evidenceHash: r.evidence_hash,
    flagIds: r.flag_ids ? r.flag_ids.split(',').map(Number).sort((a, b) => a - b) : [],
    createdBy: toInt(r.created_by),
    createdAt: r.created_at,
    updatedBy: toInt(r.updated_by),
    updatedAt: r.updated_at,
    finalisedAt: r.finalised_at,
    rowVersion: toInt(r.row_version),
  };
}

/** Which cases a list or a bulletin takes. `under` is the inspector's jurisdiction. */
export interface CaseFilter {
  under: string;
  status?: CaseStatus;
  category?: string;
  issuerId?: number;
  unitId?: number;
  /** Handling date range (YYYY-MM-DD, inclusive). */
  from?: string;
  to?: string;
}

export interface NewCase extends CaseContent {
  issuerId: number | null;
  unitId: number | null;
  evidence: string;
  evidenceHash: string;
  userId: number;
  at: string;
}

export interface DemandScope {
  demandId: number;
  /** The flagged units, or null for every target of the demand. */
  unitIds: number[] | null;
}

/** Inspectors reach a case whose issuer or unit lies in their jurisdiction (DESIGN §1). */
function reach(where: Where, under: string): void {
  const [lo, hi] = subtreeParams(under);
  where.add(`(${subtreeCondition('iu.path')} OR ${subtreeCondition('u.path')})`, lo, hi, lo, hi);
}

function filterWhere(filter: CaseFilter): Where {
  const where = new Where();
  reach(where, filter.under);
  if (filter.status) where.add('c.status = ?', filter.status);
  if (filter.category) where.add('c.category = ?', filter.category);
  if (filter.issuerId !== undefined) where.add('c.issuer_id = ?', filter.issuerId);
  if (filter.unitId !== undefined) where.add('c.unit_id = ?', filter.unitId);
  if (filter.from) where.add('c.handling_on >= ?', filter.from);
  if (filter.to) where.add('c.handling_on <= ?', filter.to);
  return where;
}

@Injectable()
export class CaseRepository {
  async findCase(tx: Tx, id: number): Promise<CaseRow | null> {
    if (!isPossibleId(id)) return null;
    const rows = await selectRows<RawCase>(tx, `${selectSql(tx)} WHERE c.id = ?`, [id]);
    return rows.length ? mapCase(rows[0]) : null;
  }

  /** Locks a case's row until the transaction ends (PostgreSQL; SQLite writes are serial anyway). */
  async lockCase(tx: Tx, id: number): Promise<void> {
    await selectRows(tx, `SELECT id FROM cases WHERE id = ?${forUpdate(databaseKind(tx))}`, [id]);
  }

  async listCases(tx: Tx, filter: CaseFilter, offset: number, limit: number): Promise<{ rows: CaseRow[]; total: number }> {
    const where = filterWhere(filter);
    const from = 'FROM cases c LEFT JOIN org_units iu ON iu.id = c.issuer_id LEFT JOIN org_units u ON u.id = c.unit_id';
    const [count] = await selectRows<{ n: Num }>(tx, `SELECT COUNT(*) AS n ${from} ${where.clause}`, where.params);
    const rows = await selectRows<RawCase>(tx, `${selectSql(tx)} ${where.clause} ORDER BY c.id DESC LIMIT ? OFFSET ?`, [...where.params, limit, offset]);
    return { rows: rows.map(mapCase), total: toInt(count.n) };
  }

  async countCases(tx: Tx, filter: CaseFilter): Promise<number> {
    const where = filterWhere(filter);
    const [count] = await selectRows<{ n: Num }>(
      tx,
      `SELECT COUNT(*) AS n FROM cases c LEFT JOIN org_units iu ON iu.id = c.issuer_id LEFT JOIN org_units u ON u.id = c.unit_id ${where.clause}`,
      where.params,
    );
    return toInt(count.n);
  }

  /** Final cases of a bulletin: by handling date, then id. */
  async casesForBulletin(tx: Tx, filter: CaseFilter): Promise<CaseRow[]> {
    const where = filterWhere({ ...filter, status: 'final' });
    const rows = await selectRows<RawCase>(tx, `${selectSql(tx)} ${where.clause} ORDER BY c.handling_on, c.id`, where.params);
    return rows.map(mapCase);
  }

  async insertCase(tx: Tx, c: NewCase, flagIds: readonly number[]): Promise<number> {
    const [row] = await selectRows<{ id: Num }>(
      tx,
      `INSERT INTO cases (title, issuer_id, unit_id, persons, conduct_from, conduct_to, facts, provision, handling_type, handling_on, handling_note,
         category, category_source, status, evidence, evidence_hash, created_by, created_at, updated_by, updated_at, finalised_at, row_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, NULL, 1) RETURNING id`,
      [
        c.title,
        c.issuerId,
        c.unitId,
        JSON.stringify(c.persons),
        c.conductFrom,
        c.conductTo,
        c.facts,
        c.provision,
        c.handlingType,
        c.handlingOn,
        c.handlingNote,
        c.category,
        c.categorySource,
        c.evidence,
        c.evidenceHash,
        c.userId,
        c.at,
        c.userId,
        c.at,
      ],
    );
    const id = toInt(row.id);
    for (const flagId of flagIds) await execute(tx, 'INSERT INTO case_flags (case_id, flag_id) VALUES (?, ?)', [id, flagId]);
    return id;
  }

  /** Writes the content (and status) when the row is still at `version`; false when it moved on. */
  async updateCase(tx: Tx, id: number, version: number, content: CaseContent, status: CaseStatus, userId: number, at: string): Promise<boolean> {
    const n = await updatedRows(
      tx,
      `UPDATE cases SET title = ?, persons = ?, conduct_from = ?, conduct_to = ?, facts = ?, provision = ?, handling_type = ?, handling_on = ?,
         handling_note = ?, category = ?, category_source = ?, status = ?, updated_by = ?, updated_at = ?,
         finalised_at = CASE WHEN ? = 'final' THEN ? ELSE NULL END, row_version = row_version + 1
       WHERE id = ? AND row_version = ? RETURNING id`,
      [
        content.title,
        JSON.stringify(content.persons),
        content.conductFrom,
        content.conductTo,
        content.facts,
        content.provision,
        content.handlingType,
        content.handlingOn,
        content.handlingNote,
        content.category,
        content.categorySource,
        status,
        userId,
        at,
        status,
        at,
        id,
        version,
      ],
    );
    return n === 1;
  }

  /** The case's flags as they stand now, per case. */
  async liveFlags(tx: Tx, caseIds: readonly number[]): Promise<Map<number, LiveFlag[]>> {
    const out = new Map<number, LiveFlag[]>(caseIds.map((id) => [id, []]));
    if (!caseIds.length) return out;
    const rows = await selectRows<{ case_id: Num; id: Num; status: LiveFlag['status']; due_on: string | null }>(
      tx,
      `SELECT cf.case_id, f.id, f.status, f.due_on FROM case_flags cf JOIN flags f ON f.id = cf.flag_id
       WHERE cf.case_id IN (${caseIds.map(() => '?').join(', ')}) ORDER BY cf.case_id, f.id`,
      [...caseIds],
    );
    for (const r of rows) out.get(toInt(r.case_id))!.push({ id: toInt(r.id), status: r.status, dueOn: r.due_on });
    return out;
  }

  async findUnit(tx: Tx, id: number): Promise<(UnitRef & { path: string }) | null> {
    if (!isPossibleId(id)) return null;
    const rows = await selectRows<{ id: Num; code: string; name: string; path: string }>(tx, 'SELECT id, code, name, path FROM org_units WHERE id = ?', [id]);
    return rows.length ? { id: toInt(rows[0].id), code: rows[0].code, name: rows[0].name, path: rows[0].path } : null;
  }

  async findUnitByPath(tx: Tx, path: string): Promise<(UnitRef & { path: string }) | null> {
    const rows = await selectRows<{ id: Num; code: string; name: string; path: string }>(tx, 'SELECT id, code, name, path FROM org_units WHERE path = ?', [path]);
    return rows.length ? { id: toInt(rows[0].id), code: rows[0].code, name: rows[0].name, path: rows[0].path } : null;
  }

  /**
   * The flagged demands as they stand, with their hours on the units in scope: occurrences ×
   * estimate per target and month, the reports, and the burden (reported where reported, else
   * estimated, DESIGN §5), plus the units those hours fell on.
   */
  async freezeDemands(tx: Tx, scopes: readonly DemandScope[]): Promise<{ demands: FrozenDemand[]; affectedUnitIds: number[] }> {
    const demands: FrozenDemand[] = [];
    const affected = new Set<number>();
    for (const scope of scopes) {
      const [d] = await selectRows<{
        id: Num;
        registration_no: string;
        title: string;
        kind: string;
        topic_code: string;
        issuer_id: Num;
        issuer_code: string;
        issuer_name: string;
        issued_on: string;
        lands_on: string;
        due_on: string | null;
        recurrence: string;
        status: string;
        target_count: Num;
      }>(
        tx,
        `SELECT d.id, d.registration_no, d.title, d.kind, d.topic_code, d.issuer_id, u.code AS issuer_code, u.name AS issuer_name, d.issued_on,
           d.lands_on, d.due_on, d.recurrence, d.status, d.target_count
         FROM demands d JOIN org_units u ON u.id = d.issuer_id WHERE d.id = ?`,
        [scope.demandId],
      );
      if (!d) continue;
      const units = scope.unitIds === null ? '' : ` AND t.unit_id IN (${scope.unitIds.map(() => '?').join(', ')})`;
      const unitParams = scope.unitIds ?? [];
      const [sums] = await selectRows<{ occ: Num | null; est: Num | null; burden: Num | null }>(
        tx,
        `SELECT SUM(o.occurrences) AS occ, SUM(o.occurrences * t.estimated_minutes) AS est, SUM(COALESCE(r.minutes_spent, o.occurrences * t.estimated_minutes)) AS burden
         FROM demand_targets t JOIN demand_occurrences o ON o.demand_id = t.demand_id
         LEFT JOIN burden_reports r ON r.unit_id = t.unit_id AND r.demand_id = t.demand_id AND r.month = o.month
         WHERE t.demand_id = ?${units}`,
        [scope.demandId, ...unitParams],
      );
      // Reports of months the demand no longer lands in still count as burden (the unit did the work).
      const [reports] = await selectRows<{ rep: Num | null; orphan: Num | null }>(
        tx,
        `SELECT SUM(r.minutes_spent) AS rep,
           SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM demand_occurrences o WHERE o.demand_id = r.demand_id AND o.month = r.month) THEN r.minutes_spent ELSE 0 END) AS orphan
         FROM burden_reports r JOIN demand_targets t ON t.demand_id = r.demand_id AND t.unit_id = r.unit_id
         WHERE r.demand_id = ?${units}`,
        [scope.demandId, ...unitParams],
      );
      const targets = await selectRows<{ unit_id: Num }>(tx, `SELECT t.unit_id FROM demand_targets t WHERE t.demand_id = ?${units}`, [scope.demandId, ...unitParams]);
      for (const t of targets) affected.add(toInt(t.unit_id));
      const num = (v: Num | null) => (v === null ? 0 : toInt(v));
      demands.push({
        id: toInt(d.id),
        registrationNo: d.registration_no,
        title: d.title,
        kind: d.kind,
        topic: d.topic_code,
        issuer: { id: toInt(d.issuer_id), code: d.issuer_code, name: d.issuer_name },
        issuedOn: d.issued_on,
        landsOn: d.lands_on,
        dueOn: d.due_on,
        recurrence: d.recurrence,
        status: d.status,
        targetCount: toInt(d.target_count),
        allTargets: scope.unitIds === null,
        units: targets.length,
        occurrences: num(sums.occ),
        estimatedMinutes: num(sums.est),
        reportedMinutes: num(reports.rep),
        burdenMinutes: num(sums.burden) + num(reports.orphan),
      });
    }
    return { demands, affectedUnitIds: [...affected].sort((a, b) => a - b) };
  }

  // -- bulletin numbers and rendered bulletins --------------------------------------------------

  async findBulletinNumber(tx: Tx, unitId: number, from: string, to: string): Promise<string | null> {
    const rows = await selectRows<{ doc_no: string }>(tx, 'SELECT doc_no FROM bulletins WHERE issuing_unit_id = ? AND from_on = ? AND to_on = ?', [unitId, from, to]);
    return rows.length ? rows[0].doc_no : null;
  }

  /** The next free number of the unit's year; the unique index stops two pulls taking the same one. */
  async nextBulletinSeq(tx: Tx, unitId: number, year: number): Promise<number> {
    const [row] = await selectRows<{ n: Num | null }>(tx, 'SELECT MAX(seq) AS n FROM bulletins WHERE issuing_unit_id = ? AND year = ?', [unitId, year]);
    return (row.n === null ? 0 : toInt(row.n)) + 1;
  }

  async insertBulletin(tx: Tx, b: { unitId: number; year: number; seq: number; docNo: string; from: string; to: string; userId: number; at: string }): Promise<void> {
    await execute(tx, 'INSERT INTO bulletins (issuing_unit_id, year, seq, doc_no, from_on, to_on, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
      b.unitId,
      b.year,
      b.seq,
      b.docNo,
      b.from,
      b.to,
      b.userId,
      b.at,
    ]);
  }

  async insertOutput(tx: Tx, jobId: number, file: { fileName: string; contentType: string; content: Buffer }, at: string): Promise<void> {
    await execute(tx, 'INSERT INTO case_report_outputs (job_id, file_name, content_type, content, created_at) VALUES (?, ?, ?, ?, ?)', [
      jobId,
      file.fileName,
      file.contentType,
      file.content.toString('base64'),
      at,
    ]);
  }

  /** Deletes rendered bulletins made before `before` (ISO instant); returns how many. */
  async removeOutputsOlderThan(tx: Tx, before: string): Promise<number> {
    return updatedRows(tx, 'DELETE FROM case_report_outputs WHERE created_at < ? RETURNING job_id', [before]);
  }

  async findOutput(tx: Tx, jobId: number): Promise<{ fileName: string; contentType: string; content: Buffer } | null> {
    const rows = await selectRows<{ file_name: string; content_type: string; content: string }>(tx, 'SELECT file_name, content_type, content FROM case_report_outputs WHERE job_id = ?', [jobId]);
    return rows.length ? { fileName: rows[0].file_name, contentType: rows[0].content_type, content: Buffer.from(rows[0].content, 'base64') } : null;
  }
}
