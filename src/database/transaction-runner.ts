import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
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
 * Reads through `reader` outside a unit of work are not isolated: on SQLite they share the one
 * connection and may see a queued transaction's uncommitted rows; on PostgreSQL each statement
 * sees what was committed when it started. Reads that must see one consistent state across
 * several statements (the audit chain walk) use `snapshot`.
 */
@Injectable()
export class TransactionRunner {
  private tail: Promise<void> = Promise.resolve();
  private readonly current = new AsyncLocalStorage<Tx>();
  private readonly serialise: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.serialise = databaseKind(dataSource.manager) === 'sqlite';
  }

  /** The manager for reads outside any transaction. */
  get reader(): Tx {
    return this.current.getStore() ?? this.dataSource.manager;
  }

  async run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const joined = this.current.getStore();
    if (joined) return work(joined);
    if (!this.serialise) return this.transaction(work);
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await this.transaction(work);
    } finally {
      release();
    }
  }

  /**
   * Runs read-only work on one consistent view of committed data: on PostgreSQL a REPEATABLE READ,
   * READ ONLY transaction (a snapshot; writers are not held up); on SQLite a turn in the write
   * queue, so no other transaction is open on the shared connection while it reads.
   * Inside a unit of work it joins it, like `run`.
   */
  async snapshot<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.current.getStore() || this.serialise) return this.run(work);
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      await manager.query('SET TRANSACTION READ ONLY');
      return this.current.run(manager, () => work(manager));
    });
  }

  private transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => this.current.run(manager, () => work(manager)));
  }
}
