import { DomainError, ErrorCode } from '@/common/errors/domain-error';
import { driverMessage, execute, Tx } from './dialect';

/** One row to insert, with the file row it came from (for the error report). */
export interface SourcedRow {
  values: unknown[];
  sourceRow: number;
}

/** Bound parameters per statement: under SQLite's and PostgreSQL's limits, large enough to amortise. */
const PARAMS_PER_STATEMENT = 30_000;

/**
 * Inserts rows with multi-row INSERT statements inside the caller's transaction. Each statement
 * runs behind a savepoint; if the database rejects it, the statement's rows are replayed one by
 * one to find the row it refuses, and a 422 names that row of the file (the caller's transaction
 * is then rolled back whole, so nothing is imported).
 */
export async function insertSourcedRows(
  tx: Tx,
  table: string,
  columns: string[],
  rows: Iterable<SourcedRow>,
  onBatch?: (done: number) => void,
): Promise<number> {
  const perStatement = Math.max(1, Math.floor(PARAMS_PER_STATEMENT / columns.length));
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const sql = (n: number) => `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({ length: n }, () => tuple).join(', ')}`;
  const fullStatement = sql(perStatement);
  let chunk: SourcedRow[] = [];
  let done = 0;
  const flush = async () => {
    if (!chunk.length) return;
    await execute(tx, 'SAVEPOINT bulk_insert');
    try {
      const params: unknown[] = [];
      for (const row of chunk) for (const value of row.values) params.push(value);
      await execute(tx, chunk.length === perStatement ? fullStatement : sql(chunk.length), params);
      await execute(tx, 'RELEASE SAVEPOINT bulk_insert');
    } catch (batchError) {
      await execute(tx, 'ROLLBACK TO SAVEPOINT bulk_insert');
      for (const row of chunk) {
        try {
          await execute(tx, sql(1), row.values);
        } catch (rowError) {
          await execute(tx, 'ROLLBACK TO SAVEPOINT bulk_insert');
          throw new DomainError(ErrorCode.Unprocessable, `The database rejected row ${row.sourceRow}; nothing was imported`, [
            { row: row.sourceRow, column: table, message: driverMessage(rowError) },
          ]);
        }
      }
      throw batchError;
    }
    done += chunk.length;
    chunk = [];
    onBatch?.(done);
  };
  // Rows are taken from the iterable a statement at a time, so a caller can generate millions lazily.
  for (const row of rows) {
    chunk.push(row);
    if (chunk.length === perStatement) await flush();
  }
  await flush();
  return done;
}
