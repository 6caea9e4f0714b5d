import Database from 'better-sqlite3';
import { closeSync, openSync, readSync, rmSync } from 'node:fs';
import type { AuditVerification } from '@/modules/audit/audit.service';
import { verifyAuditChainOf } from '@/modules/audit/verify-audit.command';
import { MIGRATIONS } from '@/database/migrations';

/** What `restore` (and `backup`, on the copy it wrote) establishes about a SQLite file. */
export interface LedgerFileCheck {
  ok: boolean;
  problems: string[];
  migrations: { applied: number; known: number; pending: string[] };
  audit: AuditVerification | null;
}

const SQLITE_HEADER = 'SQLite format 3\u0000';

function hasSqliteHeader(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(16);
    return readSync(fd, buffer, 0, 16, 0) === 16 && buffer.toString('latin1') === SQLITE_HEADER;
  } finally {
    closeSync(fd);
  }
}

/** The names TypeORM records for this build's migrations (the class name unless `name` is set). */
function knownMigrations(): string[] {
  return MIGRATIONS.map((m) => (new m() as { name?: string }).name ?? m.name);
}

/**
 * Is this file a Burden Ledger database we can put in place? A SQLite file that passes
 * `quick_check`, whose recorded migrations are all migrations of this build, starting with the
 * first (later ones may be pending: the next start applies them), and whose audit chain verifies
 * from the first entry to the recorded head.
 */
export async function checkLedgerFile(path: string): Promise<LedgerFileCheck> {
  const known = knownMigrations();
  const result: LedgerFileCheck = { ok: false, problems: [], migrations: { applied: 0, known: known.length, pending: [] }, audit: null };
  if (!hasSqliteHeader(path)) {
    result.problems.push('not a SQLite database file');
    return result;
  }
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') result.problems.push(`SQLite quick_check: ${String(check)}`);
    const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'migrations'").get();
    if (!table) {
      result.problems.push('no migrations table: not a Burden Ledger database');
      return result;
    }
    const applied = (db.prepare('SELECT name FROM migrations ORDER BY id').all() as { name: string }[]).map((r) => r.name);
    result.migrations.applied = applied.length;
    const unknown = applied.filter((name) => !known.includes(name));
    if (unknown.length) result.problems.push(`migrations this version does not know (a newer version made it): ${unknown.join(', ')}`);
    if (!applied.includes(known[0])) result.problems.push(`the first migration ${known[0]} is missing: not a Burden Ledger database`);
    const missing = known.filter((name) => !applied.includes(name));
    // Only a tail may be pending: a gap in the middle is a database no version of this code made.
    if (missing.some((name) => known.indexOf(name) < applied.length)) result.problems.push(`migrations missing in the middle: ${missing.join(', ')}`);
    else result.migrations.pending = missing;
  } finally {
    db.close();
  }
  if (result.problems.length) return result;
  result.audit = await verifyAuditChainOf({ type: 'sqlite', path });
  if (!result.audit.ok) result.problems.push(`audit chain broken${result.audit.firstBrokenId ? ` at entry ${result.audit.firstBrokenId}` : ''}: ${result.audit.problem ?? ''}`);
  result.ok = result.problems.length === 0;
  return result;
}

/** Removes a SQLite file's -wal and -shm companions (left by a connection, or stale). */
export function removeSidecars(path: string): void {
  for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}

/** Makes a copy self-contained: rollback journal instead of WAL, so it is one file and a read-only open adds none. */
export function toSingleFile(path: string): void {
  // Anything else is for checkLedgerFile to refuse, with its reason.
  if (!hasSqliteHeader(path)) return;
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
  removeSidecars(path);
}
