import { Injectable } from '@nestjs/common';
import { execute, selectRows, toInt, Tx } from '@/database/dialect';

export interface IdempotencyRecord {
  id: number;
  requestHash: string;
  state: 'pending' | 'done';
  statusCode: number | null;
  responseJson: string | null;
  createdAt: string;
}

@Injectable()
export class IdempotencyRepository {
  async find(tx: Tx, userId: number, key: string): Promise<IdempotencyRecord | null> {
    const rows = await selectRows<{
      id: number | string;
      request_hash: string;
      state: 'pending' | 'done';
      status_code: number | string | null;
      response_json: string | null;
      created_at: string;
    }>(tx, 'SELECT id, request_hash, state, status_code, response_json, created_at FROM idempotency_keys WHERE user_id = ? AND idem_key = ?', [userId, key]);
    if (!rows.length) return null;
    const r = rows[0];
    return {
      id: toInt(r.id),
      requestHash: r.request_hash,
      state: r.state,
      statusCode: r.status_code === null ? null : toInt(r.status_code),
      responseJson: r.response_json,
      createdAt: r.created_at,
    };
  }

  /**
   * Records a key: `pending` (the request's writes committed, its answer is stored later) or
   * `done` with its answer. A unique violation means the key was recorded meanwhile.
   */
  async insert(tx: Tx, r: { userId: number; key: string; requestHash: string; answer: { statusCode: number; responseJson: string } | null; at: string }): Promise<void> {
    await execute(tx, `INSERT INTO idempotency_keys (user_id, idem_key, request_hash, state, status_code, response_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
      r.userId,
      r.key,
      r.requestHash,
      r.answer === null ? 'pending' : 'done',
      r.answer?.statusCode ?? null,
      r.answer?.responseJson ?? null,
      r.at,
    ]);
  }

  /** Stores the answer; the request hash is final now (an upload's is known only after it was read). */
  async complete(tx: Tx, userId: number, key: string, requestHash: string, statusCode: number, responseJson: string): Promise<void> {
    await execute(tx, `UPDATE idempotency_keys SET state = 'done', request_hash = ?, status_code = ?, response_json = ? WHERE user_id = ? AND idem_key = ?`, [
      requestHash,
      statusCode,
      responseJson,
      userId,
      key,
    ]);
  }

  async remove(tx: Tx, userId: number, key: string): Promise<void> {
    await execute(tx, 'DELETE FROM idempotency_keys WHERE user_id = ? AND idem_key = ?', [userId, key]);
  }

  /** Removes the user's record of this key only if it is older than `before` (expired). */
  async removeIfOlder(tx: Tx, userId: number, key: string, before: string): Promise<void> {
    await execute(tx, 'DELETE FROM idempotency_keys WHERE user_id = ? AND idem_key = ? AND created_at < ?', [userId, key, before]);
  }

  async removeOlderThan(tx: Tx, at: string): Promise<void> {
    await execute(tx, 'DELETE FROM idempotency_keys WHERE created_at < ?', [at]);
  }
}
