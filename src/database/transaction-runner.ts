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

  private transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => this.current.run(manager, () => work(manager)));
  }
}
