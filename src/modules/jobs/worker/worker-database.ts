import { DataSource, DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '@/config/app-config';
import { dataSourceOptions, sqliteReaderOptions } from '@/database/data-source-options';
import { execute, Tx } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { yieldToWaitingWriters } from '@/database/write-waiters';

/** Connections a job's worker may open on PostgreSQL; the app's pool keeps its own. */
const WORKER_POOL_SIZE = 3;

/**
 * The worker's own connections, with the app's options: the same SQLite file (plus a read-only
 * connection, as in the app) or the same PostgreSQL schema. The app has migrated already.
 */
export async function openWorkerDatabase(db: DatabaseConfig): Promise<{ main: DataSource; reader: DataSource }> {
  const options = dataSourceOptions(db);
  const workerOptions: DataSourceOptions =
    options.type === 'postgres'
      ? { ...options, migrationsRun: false, extra: Object.assign({}, options.extra as object, { max: WORKER_POOL_SIZE }) }
      : { ...options, migrationsRun: false };
  const main = await new DataSource(workerOptions).initialize();
  if (db.type !== 'sqlite') return { main, reader: main };
  try {
    return { main, reader: await new DataSource(sqliteReaderOptions(db.path)).initialize() };
  } catch (error) {
    await main.destroy();
    throw error;
  }
}

/**
 * Takes SQLite's write lock at the start of a transaction (what BEGIN IMMEDIATE does; TypeORM
 * always issues a deferred BEGIN). A deferred transaction that reads first and writes later fails
 * at once with SQLITE_BUSY_SNAPSHOT if another connection committed in between, and the busy
 * timeout cannot help; taking the lock first makes it wait its turn (busy_timeout) instead.
 * A no-op UPDATE starts a write transaction without touching a row.
 */
export async function takeSqliteWriteLock(tx: Tx): Promise<void> {
  await execute(tx, 'UPDATE jobs SET id = id WHERE 0 = 1');
}

/**
 * The worker's unit-of-work runner: the app's TransactionRunner (serial on SQLite, pooled on
 * PostgreSQL) on the worker's connections, with SQLite transactions taking the write lock first.
 */
export class WorkerTransactionRunner extends TransactionRunner {
  constructor(
    main: DataSource,
    reader: DataSource,
    private readonly sqlite: boolean,
  ) {
    super(main, reader);
  }

  override async run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    if (!this.sqlite) return super.run(work);
    try {
      return await super.run(async (tx) => {
        await takeSqliteWriteLock(tx);
        return work(tx);
      });
    } finally {
      // The server's writers waiting meanwhile go first: back to back, the next transaction would take the lock again.
      await yieldToWaitingWriters();
    }
  }
}
