import { AsyncLocalStorage } from 'node:async_hooks';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { databaseKind, isDatabaseBusy, Tx } from './dialect';
import { countWriteWaiter } from './write-waiters';

/**
 * Runs units of work in one transaction each.
 *
 * TypeORM shares a single connection for SQLite, so two transactions interleaved at `await`
 * points collide ("cannot start a transaction within a transaction"). On SQLite every
 * transaction therefore waits its turn in one FIFO queue; on PostgreSQL each gets its own
 * pooled connection. A unit of work started inside another joins it instead of deadlocking.
 *
 * A participant (`withParticipant`: an Idempotency-Key's record) commits or rolls back with the
 * first unit of work of its caller, so a request's key and its write cannot part.
 *
 * Reads through `reader` outside a unit of work see committed data only: on SQLite they go to a
 * second, read-only connection (WAL lets it read while the writer works), on PostgreSQL to the
 * pool. Each statement sees what was committed when it started; reads that must see one
 * consistent state across several statements (a count and its page, the audit chain walk) use
 * `snapshot`.
 */
export const READ_DATA_SOURCE = Symbol('READ_DATA_SOURCE');

/**
 * Something that must commit or roll back together with a caller's write: the record of an HTTP
 * request's Idempotency-Key, so that the key and the write it guards cannot part (a crash between
 * two transactions would leave one without the other). Enlisted with `withParticipant`, it joins
 * the first unit of work started inside that call, and only that one once it has committed; if
 * that unit of work rolls back, the next one takes it.
 */
export interface UnitOfWorkParticipant {
  /** Inside the transaction, before COMMIT, after the work succeeded. May write; a throw rolls everything back. */
  beforeCommit(tx: Tx, outcome: UnitOfWorkOutcome): Promise<void>;
  /** The unit of work ended: committed, or rolled back (then the participant is free again). */
  settled(committed: boolean): void;
}

export interface UnitOfWorkOutcome {
  /** What the work returned. */
  result: unknown;
  /** The caller declared (`run(work, { resultIsAnswer: true })`) that this result is the request's answer. */
  resultIsAnswer: boolean;
}

export interface RunOptions {
  /**
   * The work's result is what the request will answer (its response body), so a participant may
   * store it in this transaction. Only the outermost unit of work's declaration counts: a joined
   * run is part of something larger.
   */
  resultIsAnswer?: boolean;
}

interface ParticipantSlot {
  participant: UnitOfWorkParticipant;
  state: 'free' | 'taken' | 'done';
}

/** The async context of a caller: its open unit of work, if any, and an enlisted participant. */
interface Scope {
  tx?: Tx;
  slot?: ParticipantSlot;
}

@Injectable()
export class TransactionRunner implements OnModuleDestroy {
  private tail: Promise<void> = Promise.resolve();
  private readTail: Promise<void> = Promise.resolve();
  private readonly current = new AsyncLocalStorage<Scope>();
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
    return this.current.getStore()?.tx ?? this.readSource.manager;
  }

  async run<T>(work: (tx: Tx) => Promise<T>, options: RunOptions = {}): Promise<T> {
    const scope = this.current.getStore();
    if (scope?.tx) return work(scope.tx);
    const slot = scope?.slot?.state === 'free' ? scope.slot : undefined;
    if (slot) slot.state = 'taken';
    try {
      const result = await this.queued(() => this.transaction(this.dataSource, work, slot, options.resultIsAnswer === true));
      if (slot) this.settle(slot, true);
      return result;
    } catch (error) {
      if (slot) this.settle(slot, false);
      throw error;
    }
  }

  /**
   * Runs `work` with `participant` enlisted: the first unit of work started inside it (not in a
   * unit of work already open) takes the participant into its transaction.
   */
  withParticipant<T>(participant: UnitOfWorkParticipant, work: () => Promise<T>): Promise<T> {
    return this.current.run({ slot: { participant, state: 'free' } }, work);
  }

  /**
   * Runs read-only work on one consistent view of committed data, without holding up writers:
   * on PostgreSQL a REPEATABLE READ, READ ONLY transaction; on SQLite a read transaction on the
   * read-only connection (WAL keeps its snapshot while the writer commits), one at a time because
   * that connection is shared too. Inside a unit of work it joins it, like `run`.
   */
  async snapshot<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const joined = this.current.getStore()?.tx;
    if (joined) return work(joined);
    if (!this.serialise) {
      return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
        await manager.query('SET TRANSACTION READ ONLY');
        return this.current.run({ tx: manager }, () => work(manager));
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

  /**
   * A token that changes whenever committed data may have changed, for memoising what is read
   * through `tx`; null when there is none to give (PostgreSQL; a unit of work, which sees its own
   * uncommitted writes). On SQLite it is `PRAGMA data_version` of the read-only connection, which
   * changes with every commit of any other connection (the writer, a job's worker thread). Read it
   * inside a snapshot after the snapshot's first statement: it then names the state the snapshot
   * sees, and a memo filled from that snapshot under it is never older than its token.
   */
  async dataVersion(tx: Tx): Promise<string | null> {
    if (!this.serialise || tx.connection !== this.readSource) return null;
    const rows = await tx.query<{ data_version: number }[]>('PRAGMA data_version');
    return rows.length ? String(rows[0].data_version) : null;
  }

  /**
   * SQLite: the WAL size, in pages, past which this connection's commits checkpoint (0: never).
   * While a job's worker writes, the server's connection leaves checkpoints to the worker (see
   * WAL_CHECKPOINT_PAGES). No-op on PostgreSQL.
   */
  async setWalAutocheckpoint(pages: number): Promise<void> {
    if (!this.serialise) return;
    await this.dataSource.query(`PRAGMA wal_autocheckpoint = ${Math.max(0, Math.floor(pages))}`);
  }

  /** On SQLite, waits for the write queue (one unit of work at a time); on PostgreSQL, runs at once. */
  private async queued<T>(start: () => Promise<T>): Promise<T> {
    if (!this.serialise) return start();
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await start();
    } finally {
      release();
    }
  }

  private settle(slot: ParticipantSlot, committed: boolean): void {
    slot.state = committed ? 'done' : 'free';
    slot.participant.settled(committed);
  }

  private transaction<T>(source: DataSource, work: (tx: Tx) => Promise<T>, slot?: ParticipantSlot, resultIsAnswer = false): Promise<T> {
    return source.transaction(async (manager) => {
      // SQLite: take the write lock first (BEGIN IMMEDIATE; TypeORM only issues a deferred BEGIN).
      // A deferred transaction that reads and then writes fails at once (SQLITE_BUSY_SNAPSHOT) when
      // another connection - a job's worker thread - committed in between; busy_timeout cannot help.
      if (this.serialise && source === this.dataSource) await takeWriteLock(manager);
      const result = await this.current.run({ tx: manager }, () => work(manager));
      if (slot) await slot.participant.beforeCommit(manager, { result, resultIsAnswer });
      return result;
    });
  }
}

/** How long a unit of work waits for SQLite's write lock before it answers busy (a 503): the connection's busy timeout. */
const WRITE_LOCK_WAIT_MS = 5000;

/**
 * Takes SQLite's write lock for this transaction without blocking the event loop. SQLite's own
 * busy timeout waits inside the (synchronous) driver call: while a job's worker thread held the
 * lock for a month's rebuild, a request that wrote stopped every other request of the server
 * until the lock came free. Here the attempt does not wait (busy timeout 0 for this one statement)
 * and is retried after a timer, up to the same 5 s; then the busy error goes up as before.
 */
async function takeWriteLock(manager: Tx): Promise<void> {
  const deadline = performance.now() + WRITE_LOCK_WAIT_MS;
  let pause = 2;
  let waiting = false;
  await manager.query('PRAGMA busy_timeout = 0');
  try {
    for (;;) {
      try {
        await manager.query('UPDATE audit_head SET id = id WHERE 0 = 1');
        return;
      } catch (error) {
        if (!isDatabaseBusy(error) || performance.now() >= deadline) throw error;
      }
      // Counted while waiting: a job's worker lets waiting writers go first after its next commit.
      if (!waiting) countWriteWaiter(1);
      waiting = true;
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 50);
    }
  } finally {
    if (waiting) countWriteWaiter(-1);
    await manager.query(`PRAGMA busy_timeout = ${WRITE_LOCK_WAIT_MS}`);
  }
}
