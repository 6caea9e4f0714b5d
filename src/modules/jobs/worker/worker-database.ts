import { DataSource, DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '@/config/app-config';
import { dataSourceOptions, sqliteReaderOptions } from '@/database/data-source-options';
import { databaseKind, Tx, WAL_CHECKPOINT_PAGES } from '@/database/dialect';
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
    // The worker checkpoints for the server while it writes (WAL_CHECKPOINT_PAGES).
    await main.query(`PRAGMA wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES.worker}`);
    return { main, reader: await new DataSource(sqliteReaderOptions(db.path)).initialize() };
  } catch (error) {
    await main.destroy();
    throw error;
  }
}

/**
 * One read-only connection with the app's options, for a thread that only reads (an evaluation's
 * unit scan): SQLite's read-only connection to the same file, or a pool of one on PostgreSQL. Its
 * SQLite page cache is smaller than a connection's 16 MB default: the scan reads keyset ranges
 * once, and every connection's cache adds to the server's resident set.
 */
export async function openReadOnlyDatabase(db: DatabaseConfig, sqliteCacheMb = 4): Promise<DataSource> {
  const options = dataSourceOptions(db);
  if (db.type === 'sqlite') {
    const reader = await new DataSource(sqliteReaderOptions(db.path)).initialize();
    await reader.query(`PRAGMA cache_size = -${Math.round(sqliteCacheMb * 1024)}`);
    return reader;
  }
  return new DataSource({ ...options, migrationsRun: false, extra: Object.assign({}, options.extra as object, { max: 1 }) }).initialize();
}

/**
 * Consistent reads on a connection of `openReadOnlyDatabase`, as TransactionRunner.snapshot gives
 * them on the app's: one transaction per unit of reading (SQLite: a deferred BEGIN on the
 * read-only connection; PostgreSQL: REPEATABLE READ, READ ONLY).
 */
export function readOnlySnapshots(reader: DataSource): Pick<TransactionRunner, 'snapshot'> {
  const sqlite = databaseKind(reader.manager) === 'sqlite';
  return {
    snapshot: <T>(work: (tx: Tx) => Promise<T>): Promise<T> =>
      sqlite
        ? reader.transaction((manager) => work(manager))
        : reader.transaction('REPEATABLE READ', async (manager) => {
            await manager.query('SET TRANSACTION READ ONLY');
            return work(manager);
          }),
  };
}

/**
 * SQLite: checkpoints what the worker's commits left in the WAL, before the worker ends, so that
 * the server's next commit does not copy it on the event loop (PASSIVE: pages a reader still
 * needs are left for a later checkpoint). Failing it loses nothing: a later checkpoint copies them.
 */
export async function checkpointBeforeExit(main: DataSource): Promise<void> {
  if (databaseKind(main.manager) !== 'sqlite') return;
  await main.query('PRAGMA wal_checkpoint(PASSIVE)');
}

/**
 * The worker's unit-of-work runner: the app's TransactionRunner (serial on SQLite, pooled on
 * PostgreSQL) on the worker's connections. On SQLite each transaction takes the write lock first
 * (TransactionRunner does, as on the server's thread: a deferred transaction that read first
 * would fail with SQLITE_BUSY_SNAPSHOT if the server committed in between), and after each one the
 * server's waiting writers go first.
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
      return await super.run(work);
    } finally {
      // The server's writers waiting meanwhile go first: back to back, the next transaction would take the lock again.
      await yieldToWaitingWriters();
    }
  }
}
