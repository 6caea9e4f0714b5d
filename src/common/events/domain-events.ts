import { Global, Injectable, Module } from '@nestjs/common';
import type { Actor } from '@/common/auth/actor';
import type { Tx } from '@/database/dialect';
import type { FreshBurdenTally } from './fresh-burden';

/**
 * Reactions that run against the direction of imports (CONVENTIONS: a demand written must run
 * the rules in the same transaction, yet demands may not import flags) go through these events.
 * Each carries the transaction's manager; listeners are awaited in order inside that transaction,
 * so a listener's failure rolls the whole write back. Never fire-and-forget.
 */
export interface DemandWritten {
  type: 'demand.written';
  tx: Tx;
  actor: Actor;
  demandId: number;
  change: 'create' | 'update' | 'cancel';
}

export interface ObjectionFiled {
  type: 'objection.filed';
  tx: Tx;
  actor: Actor;
  objectionId: number;
  demandId: number;
  unitId: number;
}

/** A shadow-demand report was linked to the registered demand it turned out to be. */
export interface ReportLinked {
  type: 'report.linked';
  tx: Tx;
  actor: Actor;
  reportId: number;
  demandId: number;
}

/**
 * What a write changes in the burden ledger, for the rollups of metrics: every (unit, month) cell
 * of these demands (only the cells of one unit when `unitId` is given) or these shadow reports.
 * `fresh`: the demands were all created in this transaction, with no report or finding, and their
 * writer summed their contribution as it wrote them; the rollups may add that instead of reading
 * the demands back (a bulk import's `burden.changed`).
 */
export type BurdenScope = { demandIds: readonly number[]; unitId?: number; fresh?: FreshBurdenTally } | { shadowReportIds: readonly number[] };

/**
 * Published around a write that changes burden figures: `burden.changing` before it (the cells'
 * old contribution is taken out), `burden.changed` after it (the new one is put in), both inside
 * the write's transaction. A write that creates its subject publishes only `burden.changed`.
 */
export interface BurdenChanging {
  type: 'burden.changing';
  tx: Tx;
  scope: readonly BurdenScope[];
}

export interface BurdenChanged {
  type: 'burden.changed';
  tx: Tx;
  scope: readonly BurdenScope[];
}

/**
 * Findings are about to change in bulk (a batch of a rule evaluation), inside this transaction and
 * before its flag writes: the rollups of every month these demands (and the demands of these
 * flags) land in fall behind until a rebuild covers them, and this marks them so in the same
 * transaction. The rebuild itself comes after the evaluation, as a job of its own.
 */
export interface BurdenStale {
  type: 'burden.stale';
  tx: Tx;
  demandIds: readonly number[];
  flagIds: readonly number[];
}

/**
 * Flags of these demands (and the demands of these flags) may have changed status or been raised,
 * inside this transaction and after the writes (rules at a demand write, a review, an objection,
 * a report link, a batch of an evaluation), or the demands were moved: the issuers' counts of
 * flagged demands follow, in the same transaction. Publishing it for demands whose flags did not
 * change is harmless (the listener compares with what it counted).
 */
export interface FlagsChanged {
  type: 'flags.changed';
  tx: Tx;
  demandIds: readonly number[];
  flagIds: readonly number[];
}

export type DomainEvent = DemandWritten | ObjectionFiled | ReportLinked | BurdenChanging | BurdenChanged | BurdenStale | FlagsChanged;
type Listener<E extends DomainEvent> = (event: E) => Promise<void>;

@Injectable()
export class DomainEvents {
  private readonly listeners = new Map<DomainEvent['type'], Listener<never>[]>();

  /** Registers a listener (from a module's onModuleInit). */
  on<T extends DomainEvent['type']>(type: T, listener: Listener<Extract<DomainEvent, { type: T }>>): void {
    const list = this.listeners.get(type) ?? [];
    list.push(listener);
    this.listeners.set(type, list);
  }

  /** Runs every listener of the event's type, one after the other, inside the caller's transaction. */
  async publish<E extends DomainEvent>(event: E): Promise<void> {
    for (const listener of this.listeners.get(event.type) ?? []) await (listener as Listener<E>)(event);
  }

  /** Runs a write between `burden.changing` and `burden.changed` for the same scope. */
  async aroundBurdenChange<T>(tx: Tx, scope: readonly BurdenScope[], write: () => Promise<T>): Promise<T> {
    await this.publish({ type: 'burden.changing', tx, scope });
    const result = await write();
    await this.publish({ type: 'burden.changed', tx, scope });
    return result;
  }
}

@Global()
@Module({ providers: [DomainEvents], exports: [DomainEvents] })
export class DomainEventsModule {}
