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
 * Multi-row INSERT statements inside the caller's transaction, fed a row at a time: a statement
 * is written each time enough rows for a full one have been added (so full statements, one SQL
 * text, even when rows arrive in many small groups), the rest at `finish()`. Each statement runs
 * behind a savepoint; if the database rejects it, its rows are replayed one by one to find the
 * row it refuses, and a 422 names that row of the file (the caller's transaction is then rolled
 * back whole, so nothing is imported).
 */
export class BulkInserter {
  private readonly perStatement: number;
  private readonly tuple: string;
  private readonly fullStatement: string;
  /** The waiting rows' values, flat in statement order, and the file row of each. */
  private params: unknown[] = [];
  private sources: number[] = [];
  private written = 0;

  constructor(
    private readonly tx: Tx,
    private readonly table: string,
    private readonly columns: string[],
    private readonly onBatch?: (done: number) => void,
  ) {
    this.perStatement = Math.max(1, Math.floor(PARAMS_PER_STATEMENT / columns.length));
    this.tuple = `(${columns.map(() => '?').join(', ')})`;
    this.fullStatement = this.sql(this.perStatement);
  }

  /** Rows written so far. */
  get done(): number {
    return this.written;
  }

  /**
   * Adds one row. When that completes a statement, the write's promise is returned (await it
   * before adding more); else null, so millions of rows do not each cost an await.
   */
  add(row: SourcedRow): Promise<void> | null {
    return this.addValues(row.sourceRow, row.values);
  }

  /** `add` without the row object: the values (as many as the columns) go straight into the statement's parameters. */
  addValues(sourceRow: number, values: unknown[]): Promise<void> | null {
    for (const value of values) this.params.push(value);
    this.sources.push(sourceRow);
    return this.sources.length === this.perStatement ? this.flush() : null;
  }

  /** Writes the rows still waiting; returns the rows written in all. */
  async finish(): Promise<number> {
    await this.flush();
    return this.written;
  }

  private sql(n: number): string {
    return `INSERT INTO ${this.table} (${this.columns.join(', ')}) VALUES ${Array.from({ length: n }, () => this.tuple).join(', ')}`;
  }

  private async flush(): Promise<void> {
    const { params, sources } = this;
    if (!sources.length) return;
    this.params = [];
    this.sources = [];
    const tx = this.tx;
    await execute(tx, 'SAVEPOINT bulk_insert');
    try {
      await execute(tx, sources.length === this.perStatement ? this.fullStatement : this.sql(sources.length), params);
      await execute(tx, 'RELEASE SAVEPOINT bulk_insert');
    } catch (batchError) {
      await execute(tx, 'ROLLBACK TO SAVEPOINT bulk_insert');
      const width = this.columns.length;
      for (let i = 0; i < sources.length; i++) {
        try {
          await execute(tx, this.sql(1), params.slice(i * width, (i + 1) * width));
        } catch (rowError) {
          await execute(tx, 'ROLLBACK TO SAVEPOINT bulk_insert');
          throw new DomainError(ErrorCode.Unprocessable, `The database rejected row ${sources[i]}; nothing was imported`, [
            { row: sources[i], column: this.table, message: driverMessage(rowError) },
          ]);
        }
      }
      throw batchError;
    }
    this.written += sources.length;
    this.onBatch?.(this.written);
  }
}

/**
 * Inserts rows with multi-row INSERT statements inside the caller's transaction (see
 * BulkInserter). Rows are taken from the iterable a statement at a time, so a caller can
 * generate millions lazily.
 */
export async function insertSourcedRows(
  tx: Tx,
  table: string,
  columns: string[],
  rows: Iterable<SourcedRow>,
  onBatch?: (done: number) => void,
): Promise<number> {
  const inserter = new BulkInserter(tx, table, columns, onBatch);
  for (const row of rows) {
    const written = inserter.add(row);
    if (written) await written;
  }
  return inserter.finish();
}
