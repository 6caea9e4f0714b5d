import { Injectable } from '@nestjs/common';
import { selectRows, toInt, Tx } from '@/database/dialect';

/** One stored version: the document is canonical JSON text, parsed by the service. */
export interface PolicyVersionRow {
  version: number;
  document: string;
  effectiveFrom: string;
  createdAt: string;
  createdBy: number | null;
}

export type PolicyVersionSummaryRow = Omit<PolicyVersionRow, 'document'>;

interface RawRow {
  version: number | string;
  document?: string;
  effective_from: string;
  created_at: string;
  created_by: number | string | null;
}

const SUMMARY_COLUMNS = 'version, effective_from, created_at, created_by';

function mapSummary(r: RawRow): PolicyVersionSummaryRow {
  return { version: toInt(r.version), effectiveFrom: r.effective_from, createdAt: r.created_at, createdBy: r.created_by === null ? null : toInt(r.created_by) };
}

function mapRow(r: RawRow): PolicyVersionRow {
  return { ...mapSummary(r), document: r.document ?? '' };
}

/** The largest version an integer column and a JS number both hold exactly. */
const MAX_VERSION = 2_147_483_647;

@Injectable()
export class PolicyRepository {
  /** The highest version, or null before the shipped version is seeded. */
  async latestVersion(tx: Tx): Promise<number | null> {
    const [row] = await selectRows<{ v: number | string | null }>(tx, 'SELECT MAX(version) AS v FROM policy_versions');
    return row.v === null ? null : toInt(row.v);
  }

  async findByVersion(tx: Tx, version: number): Promise<PolicyVersionRow | null> {
    if (!Number.isInteger(version) || version < 1 || version > MAX_VERSION) return null;
    const rows = await selectRows<RawRow>(tx, `SELECT ${SUMMARY_COLUMNS}, document FROM policy_versions WHERE version = ?`, [version]);
    return rows.length ? mapRow(rows[0]) : null;
  }

  /** Versions newest first, without their documents. */
  async list(tx: Tx, offset: number, limit: number): Promise<{ rows: PolicyVersionSummaryRow[]; total: number }> {
    const [count] = await selectRows<{ n: number | string }>(tx, 'SELECT COUNT(*) AS n FROM policy_versions');
    const rows = await selectRows<RawRow>(tx, `SELECT ${SUMMARY_COLUMNS} FROM policy_versions ORDER BY version DESC LIMIT ? OFFSET ?`, [limit, offset]);
    return { rows: rows.map(mapSummary), total: toInt(count.n) };
  }

  /**
   * Inserts a version; returns false when that version number exists already (two instances
   * seeding one database, or two admins storing "the next version" at once on PostgreSQL).
   */
  async insert(tx: Tx, row: PolicyVersionRow): Promise<boolean> {
    const inserted = await selectRows<{ version: number | string }>(
      tx,
      'INSERT INTO policy_versions (version, document, effective_from, created_at, created_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (version) DO NOTHING RETURNING version',
      [row.version, row.document, row.effectiveFrom, row.createdAt, row.createdBy],
    );
    return inserted.length > 0;
  }
}
