import { Injectable } from '@nestjs/common';
import { databaseKind, execute, forUpdate, selectRows, subtreeCondition, subtreeParams, toInt, Tx, Where } from '@/database/dialect';
import { AuditHashInput } from './audit-hash';

export interface AuditRow extends AuditHashInput {
  id: number;
  hash: string;
}

interface RawAuditRow {
  id: number | string;
  at: string;
  actor_id: number | string | null;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  unit_path: string | null;
  before_json: string | null;
  after_json: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditFilter {
  /** Null: the whole log (admin); else only entries whose unit path lies in this subtree. */
  scopePath: string | null;
  entityType?: string;
  entityId?: string;
  action?: string;
  actorId?: number;
  /** `fromAt <= at < beforeAt`, ISO-8601 UTC instants. */
  fromAt?: string;
  beforeAt?: string;
}

const COLUMNS = 'id, at, actor_id, actor, action, entity_type, entity_id, unit_path, before_json, after_json, prev_hash, hash';

function mapRow(r: RawAuditRow): AuditRow {
  return {
    id: toInt(r.id),
    at: r.at,
    actorId: r.actor_id === null ? null : toInt(r.actor_id),
    actor: r.actor,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    unitPath: r.unit_path,
    beforeJson: r.before_json,
    afterJson: r.after_json,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

@Injectable()
export class AuditRepository {
  /** Locks the chain head for the rest of the transaction and returns it. */
  async lockHead(tx: Tx): Promise<{ lastId: number; hash: string }> {
    const rows = await selectRows<{ last_id: number | string; hash: string }>(
      tx,
      `SELECT last_id, hash FROM audit_head WHERE id = 1${forUpdate(databaseKind(tx))}`,
    );
    if (rows.length === 0) throw new Error('audit_head row missing: the foundation migration did not run');
    return { lastId: toInt(rows[0].last_id), hash: rows[0].hash };
  }

  async insertEntry(tx: Tx, entry: AuditHashInput & { hash: string }): Promise<number> {
    const rows = await selectRows<{ id: number | string }>(
      tx,
      `INSERT INTO audit_log (at, actor_id, actor, action, entity_type, entity_id, unit_path, before_json, after_json, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [entry.at, entry.actorId, entry.actor, entry.action, entry.entityType, entry.entityId, entry.unitPath, entry.beforeJson, entry.afterJson, entry.prevHash, entry.hash],
    );
    return toInt(rows[0].id);
  }

  async moveHead(tx: Tx, lastId: number, hash: string): Promise<void> {
    await execute(tx, 'UPDATE audit_head SET last_id = ?, hash = ? WHERE id = 1', [lastId, hash]);
  }

  async readHead(tx: Tx): Promise<{ lastId: number; hash: string }> {
    const rows = await selectRows<{ last_id: number | string; hash: string }>(tx, 'SELECT last_id, hash FROM audit_head WHERE id = 1');
    return { lastId: toInt(rows[0].last_id), hash: rows[0].hash };
  }

  /** Entries after `afterId` in chain order, a batch at a time (verify streams the log). */
  async batchAfter(tx: Tx, afterId: number, limit: number): Promise<AuditRow[]> {
    const rows = await selectRows<RawAuditRow>(tx, `SELECT ${COLUMNS} FROM audit_log WHERE id > ? ORDER BY id LIMIT ?`, [afterId, limit]);
    return rows.map(mapRow);
  }

  async list(tx: Tx, filter: AuditFilter, offset: number, limit: number): Promise<{ rows: AuditRow[]; total: number }> {
    const where = new Where();
    if (filter.scopePath !== null) where.add(subtreeCondition('unit_path'), ...subtreeParams(filter.scopePath));
    if (filter.entityType) where.add('entity_type = ?', filter.entityType);
    if (filter.entityId) where.add('entity_id = ?', filter.entityId);
    if (filter.action) where.add('action = ?', filter.action);
    if (filter.actorId !== undefined) where.add('actor_id = ?', filter.actorId);
    if (filter.fromAt) where.add('at >= ?', filter.fromAt);
    if (filter.beforeAt) where.add('at < ?', filter.beforeAt);
    const clause = where.clause;
    const [count] = await selectRows<{ n: number | string }>(tx, `SELECT COUNT(*) AS n FROM audit_log ${clause}`, where.params);
    const rows = await selectRows<RawAuditRow>(tx, `SELECT ${COLUMNS} FROM audit_log ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`, [
      ...where.params,
      limit,
      offset,
    ]);
    return { rows: rows.map(mapRow), total: toInt(count.n) };
  }
}
