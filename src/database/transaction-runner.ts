import { AsyncLocalStorage } from 'node:async_hooks';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { databaseKind, Tx } from './dialect';

/**
 * Runs units of work in one transaction each.
 *
 * TypeORM shares a single connection for SQLite, so two transactions interleaved at `await`
 * points collide ("cannot start a transaction within a transaction"). On SQLite every
 * transaction therefore waits its turn in one FIFO queue; on PostgreSQL each gets its own
 * pooled connection. A unit of work started inside another joins it instead of deadlocking.
 *
 * Reads through `reader` outside a unit of work see committed data only: on SQLite they go to a
 * second, read-only connection (WAL lets it read while the writer works), on PostgreSQL to the
 * pool. Each statement sees what was committed when it started; reads that must see one
 * consistent state across several statements (a count and its page, the audit chain walk) use
 * `snapshot`.
 */
export const READ_DATA_SOURCE = Symbol('READ_DATA_SOURCE');

@Injectable()
export class TransactionRunner implements OnModuleDestroy {
  private tail: Promise<void> = Promise.resolve();
  private readTail: Promise<void> = Promise.resolve();
  private readonly current = new AsyncLocalStorage<Tx>();
  private readonly serialise: boolean;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(READ_DATA_SOURCE) private readonly readSource: DataSource,
  ) {
    this.serialise = databaseKind(dataSource.manager) === 'sqlite';
  }

  async onModuleDestroy(): Promise<void> {
    if (this.readSource !== this.dataSource && this.readSource.isInitialized) await this.readSource.destroy();
  }

  /** The manager for reads: the current unit of work's, else one that sees committed data only. */
  get reader(): Tx {
    return this.current.getStore() ?? this.readSource.manager;
  }

  async run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const joined = this.current.getStore();
    if (joined) return work(joined);
    if (!this.serialise) return this.transaction(this.dataSource, work);
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await this.transaction(this.dataSource, work);
    } finally {
      release();
    }
  }

  /**
   * Runs read-only work on one consistent view of committed data, without holding up writers:
   * on PostgreSQL a REPEATABLE READ, READ ONLY transaction; on SQLite a read transaction on the
   * read-only connection (WAL keeps its snapshot while the writer commits), one at a time because
   * that connection is shared too. Inside a unit of work it joins it, like `run`.
   */
  async snapshot<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const joined = this.current.getStore();
    if (joined) return work(joined);
    if (!this.serialise) {
      return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
        await manager.query('SET TRANSACTION READ ONLY');
        return this.current.run(manager, () => work(manager));
      });
    }
    const previous = this.readTail;
    let release!: () => void;
    this.readTail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await this.transaction(this.readSource, work);
    } finally {
      release();
    }
  }

  private transaction<T>(source: DataSource, work: (tx: Tx) => Promise<T>): Promise<T> {
    return source.transaction(async (manager) => {
      // SQLite: take the write lock first (BEGIN IMMEDIATE; TypeORM only issues a deferred BEGIN).
      // A deferred transaction that reads and then writes fails at once (SQLITE_BUSY_SNAPSHOT) when
      // another connection - a job's worker thread - committed in between; busy_timeout cannot help.
      if (this.serialise && source === this.dataSource) await manager.query('UPDATE audit_head SET id = id WHERE 0 = 1');
      return this.current.run(manager, () => work(manager));
    });
  }
}
