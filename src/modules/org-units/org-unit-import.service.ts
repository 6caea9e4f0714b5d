import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Actor, Level, LEVELS } from '@/common/auth/actor';
import { DomainError, ErrorCode, ErrorDetail } from '@/common/errors/domain-error';
import { parseTabular, requireColumns, TabularRow } from '@/common/files/tabular';
import { nowIso, todayInChina } from '@/common/time';
import { insertSourcedRows } from '@/database/bulk-insert';
import { Tx } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { childPath, MAX_STAFF, NewOrgUnitShape, placementProblem, UNIT_CODE, UNIT_KINDS, UnitKind } from './org-unit.model';
import { INSERT_COLUMNS, insertValues, NewOrgUnit, OrgUnitRepository } from './org-unit.repository';

export const IMPORT_COLUMNS = ['code', 'name', 'level', 'parentCode'] as const;
const BATCH = 500;
const MAX_REPORTED_ERRORS = 1000;

interface ImportRow extends NewOrgUnitShape {
  row: number;
  parentCode: string;
  staffCount: number | null;
}

interface Placed {
  row: ImportRow;
  path: string;
  depth: number;
}

export interface OrgUnitImportResult {
  imported: number;
  sha256: string;
}

const FIELD_TO_COLUMN: Record<string, string> = { code: 'code', parentId: 'parentCode', level: 'level', kind: 'kind' };

/**
 * All-or-nothing import of org units from CSV or XLSX. Every row is checked before anything is
 * written; then rows go in by depth, in multi-row batches inside one transaction. If the
 * database itself rejects a batch, the batch is replayed row by row behind a savepoint to name
 * the row, and the whole transaction is rolled back.
 */
@Injectable()
export class OrgUnitImportService {
  constructor(
    private readonly repo: OrgUnitRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  async import(actor: Actor, bytes: Buffer, fileName: string): Promise<OrgUnitImportResult> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const file = await parseTabular(bytes, fileName);
    requireColumns(file, [...IMPORT_COLUMNS]);
    if (file.rows.length === 0) {
      throw new DomainError(ErrorCode.Unprocessable, 'The file has a header but no rows', [{ row: 2, message: 'no org units below the header' }]);
    }
    const errors: ErrorDetail[] = [];
    const { rows, fileCodes } = this.readRows(file.rows, errors);

    return this.tx.run(async (tx) => {
      const placed = await this.place(tx, rows, fileCodes, errors);
      if (errors.length) {
        throw new DomainError(
          ErrorCode.Unprocessable,
          `${errors.length} problem(s) in the file; nothing was imported`,
          errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0)).slice(0, MAX_REPORTED_ERRORS),
        );
      }
      const at = nowIso();
      await this.insertByDepth(tx, placed, at);
      await this.audit.append(tx, {
        actor,
        action: 'org-unit.import',
        entityType: 'org_unit_import',
        entityId: sha256,
        unitPath: commonPath(placed.map((p) => p.path)),
        after: { sha256, rows: placed.length, fileName },
      });
      return { imported: placed.length, sha256 };
      // The answer: an Idempotency-Key's record commits with the units, so a crash right after the
      // commit leaves a retry its answer instead of a 409 "still being processed" for a day.
    }, { resultIsAnswer: true });
  }

  /** Checks each row on its own; returns the good rows and the row of every code the file holds. */
  private readRows(input: TabularRow[], errors: ErrorDetail[]): { rows: ImportRow[]; fileCodes: Map<string, number> } {
    const seen = new Map<string, number>();
    const rows: ImportRow[] = [];
    for (const { row, values } of input) {
      const err = (column: string, message: string) => errors.push({ row, column, message });
      const code = values.code ?? '';
      const name = values.name ?? '';
      const level = (values.level ?? '') as Level;
      const kind = ((values.kind ?? '') || 'area') as UnitKind;
      const staffRaw = values.staffCount ?? '';
      const before = errors.length;
      if (!UNIT_CODE.test(code)) err('code', 'missing or not a valid code');
      else if (seen.has(code)) err('code', `duplicate of row ${seen.get(code)}`);
      else seen.set(code, row);
      if (name === '' || name.length > 200) err('name', 'required, at most 200 characters');
      if (!LEVELS.includes(level)) err('level', `must be one of ${LEVELS.join(', ')}`);
      if (!UNIT_KINDS.includes(kind)) err('kind', `must be one of ${UNIT_KINDS.join(', ')}`);
      let staffCount: number | null = null;
      if (staffRaw !== '') {
        if (!/^\d{1,7}$/.test(staffRaw) || Number(staffRaw) > MAX_STAFF) err('staffCount', `must be a whole number of staff from 0 to ${MAX_STAFF}`);
        else staffCount = Number(staffRaw);
      }
      const ok = errors.length === before;
      if (ok) rows.push({ row, code, name, level, kind, parentCode: values.parentCode ?? '', staffCount });
    }
    return { rows, fileCodes: seen };
  }

  /**
   * Resolves each row's parent (in the file or in the database) and computes its path. Parent
   * chains are walked with a loop, not recursion, so a long or looping chain in a hostile file
   * cannot exhaust the stack; every row of a loop is reported.
   */
  private async place(tx: Tx, rows: ImportRow[], fileCodes: Map<string, number>, errors: ErrorDetail[]): Promise<Placed[]> {
    const inFile = new Map(rows.map((r) => [r.code, r]));
    const existing = new Map((await this.repo.findByCodes(tx, rows.map((r) => r.code))).map((u) => [u.code, u]));
    for (const r of rows) {
      if (existing.has(r.code)) errors.push({ row: r.row, column: 'code', message: `an org unit with code ${r.code} already exists` });
    }
    const outside = [...new Set(rows.map((r) => r.parentCode).filter((c) => c !== '' && !fileCodes.has(c)))];
    // Locked: a concurrent move of a parent's subtree cannot leave imported children under a stale path.
    const parents = new Map((await this.repo.findParentsByCodesForUpdate(tx, outside)).map((u) => [u.code, u]));
    const placed = new Map<string, Placed | null>();

    const placeOne = (r: ImportRow): void => {
      const fail = (column: string, message: string) => {
        errors.push({ row: r.row, column, message });
        placed.set(r.code, null);
      };
      let parent: { path: string; depth: number; code: string; kind: UnitKind; level: Level } | null = null;
      if (r.parentCode !== '') {
        const fileParent = inFile.get(r.parentCode);
        const dbParent = parents.get(r.parentCode);
        if (fileParent) {
          const p = placed.get(fileParent.code);
          if (!p) return fail('parentCode', `parent ${r.parentCode} (row ${fileParent.row}) has errors`);
          parent = { path: p.path, depth: p.depth, code: fileParent.code, kind: fileParent.kind, level: fileParent.level };
        } else if (fileCodes.has(r.parentCode)) {
          return fail('parentCode', `parent ${r.parentCode} (row ${fileCodes.get(r.parentCode)}) has errors`);
        } else if (dbParent) {
          parent = { path: dbParent.path, depth: dbParent.depth, code: dbParent.code, kind: dbParent.kind, level: dbParent.level };
        } else {
          return fail('parentCode', `no org unit with code ${r.parentCode} in the file or the database`);
        }
      }
      const problem = placementProblem(r, parent);
      if (problem) return fail(FIELD_TO_COLUMN[problem.field], problem.message);
      placed.set(r.code, { row: r, path: childPath(parent?.path ?? null, r.code), depth: parent ? parent.depth + 1 : 0 });
    };

    for (const start of rows) {
      // Walk up through unplaced rows of the file until a placed row, a root or an outside parent.
      const chain: ImportRow[] = [];
      const onChain = new Map<string, number>();
      let r: ImportRow | undefined = start;
      while (r && !placed.has(r.code)) {
        const loopAt = onChain.get(r.code);
        if (loopAt !== undefined) {
          for (const c of chain.slice(loopAt)) {
            errors.push({ row: c.row, column: 'parentCode', message: 'the parent chain loops back to this row (a cycle)' });
            placed.set(c.code, null);
          }
          chain.length = loopAt;
          break;
        }
        onChain.set(r.code, chain.length);
        chain.push(r);
        r = r.parentCode === '' ? undefined : inFile.get(r.parentCode);
      }
      for (let i = chain.length - 1; i >= 0; i--) placeOne(chain[i]);
    }

    const out: Placed[] = [];
    for (const r of rows) {
      const p = placed.get(r.code);
      if (p && !existing.has(r.code)) out.push(p);
    }
    return out;
  }

  private async insertByDepth(tx: Tx, placed: Placed[], at: string): Promise<void> {
    const byDepth = new Map<number, Placed[]>();
    for (const p of placed) {
      const group = byDepth.get(p.depth);
      if (group) group.push(p);
      else byDepth.set(p.depth, [p]);
    }
    const ids = new Map<string, number>();
    const parentCodes = [...new Set(placed.map((p) => p.row.parentCode).filter((c) => c !== ''))];
    for (const u of await this.repo.findByCodes(tx, parentCodes)) ids.set(u.code, u.id);
    const staff: { orgUnitId: number; staffCount: number; effectiveFrom: string; at: string }[] = [];
    const today = todayInChina();
    for (const depth of [...byDepth.keys()].sort((a, b) => a - b)) {
      const group = byDepth.get(depth)!;
      for (let i = 0; i < group.length; i += BATCH) {
        const chunk = group.slice(i, i + BATCH);
        const units: NewOrgUnit[] = chunk.map((p) => ({
          code: p.row.code,
          name: p.row.name,
          kind: p.row.kind,
          level: p.row.level,
          parentId: p.row.parentCode === '' ? null : (ids.get(p.row.parentCode) ?? null),
          path: p.path,
          depth: p.depth,
          staffCount: p.row.staffCount ?? 0,
          at,
        }));
        await this.insertBatch(tx, chunk, units);
      }
      const byCode = new Map(group.map((p) => [p.row.code, p.row]));
      for (const u of await this.repo.findByCodes(tx, [...byCode.keys()])) {
        ids.set(u.code, u.id);
        const staffCount = byCode.get(u.code)?.staffCount;
        if (staffCount !== null && staffCount !== undefined) staff.push({ orgUnitId: u.id, staffCount, effectiveFrom: today, at });
      }
    }
    await this.repo.insertStaffMany(tx, staff);
  }

  /** One multi-row insert behind a savepoint; a row the database refuses is named and the import rolls back. */
  private async insertBatch(tx: Tx, chunk: Placed[], units: NewOrgUnit[]): Promise<void> {
    await insertSourcedRows(tx, 'org_units', INSERT_COLUMNS.split(', '), units.map((u, i) => ({ sourceRow: chunk[i].row.row, values: insertValues(u) })));
  }

}

/** The deepest path shared by all imported units, for the audit entry's scope. */
function commonPath(paths: string[]): string | null {
  if (!paths.length) return null;
  let prefix = paths[0];
  for (const p of paths) {
    while (!p.startsWith(prefix)) prefix = prefix.slice(0, prefix.slice(0, -1).lastIndexOf('/') + 1);
  }
  return prefix === '/' || prefix === '' ? null : prefix;
}
