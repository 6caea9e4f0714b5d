import { isUniqueViolation, Tx } from '@/database/dialect';
import type { UnitOfWorkOutcome, UnitOfWorkParticipant } from '@/database/transaction-runner';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { nowIso } from '../time';
import type { IdempotencyRepository } from './idempotency.repository';

/** What a request has left in the idempotency store so far. */
export type StoredRecord = { state: 'nothing' } | { state: 'pending' } | { state: 'done'; responseJson: string };

/** Our record could not be inserted: another request with the same user and key recorded it first. */
export class KeyRecordedMeanwhile extends DomainError {
  constructor() {
    super(ErrorCode.Conflict, 'A request with this Idempotency-Key is still being processed');
  }
}

/**
 * The record of one POST with an Idempotency-Key, written inside the request's first unit of work
 * (see TransactionRunner.withParticipant), so the key and the writes it guards commit together or
 * not at all:
 * - when that unit of work declares its result the request's answer (`resultIsAnswer`), the
 *   record is `done` with that answer: a retry replays it even if the process dies right after
 *   the commit, and a failed write leaves no trace of the key;
 * - otherwise the record is `pending` and the interceptor stores the answer once the handler has
 *   returned (the route's answer is not known earlier).
 * The unique index on (user, key) settles two requests racing with one key: the later insert
 * fails, its whole transaction rolls back, and it is answered from the winner's record.
 */
export class IdempotentRequest implements UnitOfWorkParticipant {
  stored: StoredRecord = { state: 'nothing' };
  private inserting: StoredRecord = { state: 'nothing' };

  constructor(
    private readonly repo: IdempotencyRepository,
    readonly userId: number,
    readonly key: string,
    /** The request's fingerprint; an upload's is known only once the route has read the file. */
    readonly fingerprint: () => string,
    readonly statusCode: number,
    /** Set when an expired record of this key exists: it is replaced. */
    readonly expiredBefore: string | null,
  ) {}

  async beforeCommit(tx: Tx, outcome: UnitOfWorkOutcome): Promise<void> {
    const responseJson = outcome.resultIsAnswer ? JSON.stringify(outcome.result ?? null) : null;
    if (this.expiredBefore !== null) await this.repo.removeIfOlder(tx, this.userId, this.key, this.expiredBefore);
    try {
      await this.repo.insert(tx, {
        userId: this.userId,
        key: this.key,
        requestHash: this.fingerprint(),
        answer: responseJson === null ? null : { statusCode: this.statusCode, responseJson },
        at: nowIso(),
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new KeyRecordedMeanwhile();
      throw error;
    }
    this.inserting = responseJson === null ? { state: 'pending' } : { state: 'done', responseJson };
  }

  settled(committed: boolean): void {
    if (committed) this.stored = this.inserting;
    this.inserting = { state: 'nothing' };
  }
}
