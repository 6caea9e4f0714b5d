import type { EntityManager } from 'typeorm';

/**
 * The one place for the SQL differences between SQLite and PostgreSQL.
 * Everything else writes portable SQL with `?` placeholders and goes through these helpers.
 */
export type Tx = EntityManager;
export type DatabaseKind = 'sqlite' | 'postgres';

export function databaseKind(tx: Tx): DatabaseKind {
  return tx.connection.options.type === 'postgres' ? 'postgres' : 'sqlite';
}

/** Rewrites `?` placeholders to `$1..$n` on PostgreSQL. Never put a literal `?` in SQL text. */
export function placeholders(kind: DatabaseKind, sql: string): string {
  if (kind === 'sqlite') return sql;
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Runs a SELECT and returns its rows. */
export async function selectRows<T>(tx: Tx, sql: string, params: unknown[] = []): Promise<T[]> {
  const rows: unknown = await tx.query(placeholders(databaseKind(tx), sql), params);
  return rows as T[];
}

/** Runs an INSERT/UPDATE/DELETE; the result is driver-specific and not returned. */
export async function execute(tx: Tx, sql: string, params: unknown[] = []): Promise<void> {
  await tx.query(placeholders(databaseKind(tx), sql), params);
}

/**
 * Runs an UPDATE … RETURNING and counts the rows it changed. TypeORM answers an UPDATE on
 * PostgreSQL with [rows, rowCount] instead of the rows, so `selectRows` cannot be used here.
 */
export async function updatedRows(tx: Tx, sql: string, params: unknown[]): Promise<number> {
  const kind = databaseKind(tx);
  const raw: unknown = await tx.query(placeholders(kind, sql), params);
  if (!Array.isArray(raw)) return 0;
  if (kind === 'postgres' && raw.length === 2 && Array.isArray(raw[0])) return (raw[0] as unknown[]).length;
  return raw.length;
}

/** PostgreSQL returns COUNT and BIGINT as strings, SQLite as numbers. */
export function toInt(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value !== '') return Number(value);
  return 0;
}

/**
 * An index-friendly subtree condition on a materialised path ending in '/'.
 * `path >= '/53/' AND path < '/530'` selects '/53/...' only: '0' is the character after '/'.
 * Path columns use binary collation (C on PostgreSQL), so the range is exact on both databases.
 */
export function subtreeCondition(column: string): string {
  return `(${column} >= ? AND ${column} < ?)`;
}
export function subtreeParams(path: string): [string, string] {
  return [path, path.slice(0, -1) + '0'];
}

/**
 * PostgreSQL: the writers' lock, the audit chain head that every write takes before it ends. A
 * writer that must not interleave with another (a rollup bracket or rebuild, adding field keys)
 * takes it first, so all writers lock in one order. SQLite's writes are serial already.
 */
export async function lockWriters(tx: Tx): Promise<void> {
  if (databaseKind(tx) === 'postgres') await selectRows(tx, 'SELECT id FROM audit_head WHERE id = 1 FOR UPDATE');
}

/** Row lock used to serialise appends to a chain on PostgreSQL; SQLite writes are already serial. */
export function forUpdate(kind: DatabaseKind): string {
  return kind === 'postgres' ? ' FOR UPDATE' : '';
}

/** True when the error is a unique-constraint violation, on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * SQLite's write lock was held by another connection (a job's worker thread) past the wait: the
 * statement did nothing and may be retried.
 */
export function isDatabaseBusy(error: unknown): boolean {
  const e = error as { driverError?: { code?: unknown }; code?: unknown } | null;
  const code = e?.driverError?.code ?? e?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED';
}

/** The database's own message for a rejected statement, without SQL or parameters. */
export function driverMessage(error: unknown): string {
  const e = error as { driverError?: { message?: string; detail?: string }; message?: string } | null;
  const base = e?.driverError?.message ?? e?.message ?? String(error);
  const detail = e?.driverError?.detail;
  return detail ? `${base} (${detail})` : base;
}

/** Collects AND-ed conditions and their parameters for a WHERE clause. */
export class Where {
  private readonly parts: string[] = [];
  readonly params: unknown[] = [];

  add(condition: string, ...params: unknown[]): this {
    this.parts.push(condition);
    this.params.push(...params);
    return this;
  }

  /** `WHERE a AND b`, or an empty string when there is no condition. */
  get clause(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : '';
  }
}

/** A LIKE pattern matching `text` anywhere, with `!` as the escape character. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/**
 * SQLite's WAL checkpoints (copying committed pages from the WAL into the database file), as pages
 * of WAL past which a commit checkpoints:
 * - `server`: SQLite's default, on the server's connection when no job's worker writes;
 * - `worker`: a job's worker. A province evaluation commits 419 times: checkpointing at SQLite's
 *   default took 10.2 s of its COMMITs, at 10,000 pages 6.8 s (bench/README.md).
 * While a worker writes, the server's connection does not checkpoint (0): a request's commit would
 * otherwise copy the worker's pages, up to 40 MB, on the event loop. The worker checkpoints what
 * is left before it ends.
 */
export const WAL_CHECKPOINT_PAGES = { server: 1000, worker: 10_000 } as const;
