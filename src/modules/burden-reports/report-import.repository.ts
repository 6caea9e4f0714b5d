import { Injectable } from '@nestjs/common';
import { selectRows, subtreeCondition, subtreeParams, toInt, Tx } from '@/database/dialect';

type Num = number | string;

export interface ImportUnit {
  id: number;
  code: string;
  name: string;
  path: string;
  staffCount: number;
}

export interface ImportDemand {
  id: number;
  registrationNo: string;
}

/** Reads and writes of the spreadsheet import that the single-report repository has no use for. */
@Injectable()
export class ReportImportRepository {
  /** The stored result of an earlier import of the same file by the same unit, if any. */
  async findImport(tx: Tx, unitId: number, sha256: string): Promise<string | null> {
    const rows = await selectRows<{ result_json: string }>(tx, 'SELECT result_json FROM report_imports WHERE unit_id = ? AND sha256 = ?', [unitId, sha256]);
    return rows.length ? rows[0].result_json : null;
  }

  async insertImport(tx: Tx, r: { unitId: number; sha256: string; fileName: string; rowCount: number; resultJson: string; by: number; at: string }): Promise<void> {
    await selectRows(tx, 'INSERT INTO report_imports (unit_id, sha256, file_name, row_count, result_json, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      r.unitId,
      r.sha256,
      r.fileName,
      r.rowCount,
      r.resultJson,
      r.by,
      r.at,
    ]);
  }

  /** The units of a subtree by code: a reporter imports for its unit and the units below. */
  async unitsByCode(tx: Tx, rootPath: string, codes: string[]): Promise<Map<string, ImportUnit>> {
    const out = new Map<string, ImportUnit>();
    for (let i = 0; i < codes.length; i += 500) {
      const chunk = codes.slice(i, i + 500);
      const rows = await selectRows<{ id: Num; code: string; name: string; path: string; staff_count: Num }>(
        tx,
        `SELECT id, code, name, path, staff_count FROM org_units WHERE ${subtreeCondition('path')} AND code IN (${chunk.map(() => '?').join(', ')})`,
        [...subtreeParams(rootPath), ...chunk],
      );
      for (const r of rows) out.set(r.code, { id: toInt(r.id), code: r.code, name: r.name, path: r.path, staffCount: toInt(r.staff_count) });
    }
    return out;
  }

  async demandsByRegistration(tx: Tx, numbers: string[]): Promise<Map<string, ImportDemand>> {
    const out = new Map<string, ImportDemand>();
    for (let i = 0; i < numbers.length; i += 500) {
      const chunk = numbers.slice(i, i + 500);
      const rows = await selectRows<{ id: Num; registration_no: string }>(tx, `SELECT id, registration_no FROM demands WHERE registration_no IN (${chunk.map(() => '?').join(', ')})`, chunk);
      for (const r of rows) out.set(r.registration_no, { id: toInt(r.id), registrationNo: r.registration_no });
    }
    return out;
  }
}
