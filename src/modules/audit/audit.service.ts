import { Injectable } from '@nestjs/common';
import { Actor, withinJurisdiction } from '@/common/auth/actor';
import { canonicalJson } from '@/common/canonical-json';
import { Page, PageRequest } from '@/common/paging/page';
import { DomainError, ErrorCode } from '@/common/errors/domain-error';
import { chinaDayEndIso, chinaDayStartIso, isCalendarDate, nowIso } from '@/common/time';
import { Tx } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { auditHash, GENESIS_HASH } from './audit-hash';
import { AuditFilter, AuditRepository, AuditRow } from './audit.repository';

export interface AuditEvent {
  /** Null for the system itself (migrations, seeding, the CLI without a user). */
  actor: Actor | null;
  /** Shown as the actor when there is no user, e.g. "system" or "cli". */
  systemActor?: string;
  action: string;
  entityType: string;
  entityId: string | number | null;
  unitPath: string | null;
  before?: unknown;
  after?: unknown;
}

/** The filters of GET /audit; `from` and `to` are China calendar days (YYYY-MM-DD), inclusive. */
export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  action?: string;
  actorId?: number;
  from?: string;
  to?: string;
}

export interface AuditEntryView {
  id: number;
  at: string;
  actorId: number | null;
  actor: string;
  action: string;
  entityType: string;
  entityId: string | null;
  unitPath: string | null;
  before: unknown;
  after: unknown;
  prevHash: string;
  hash: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  headHash: string;
  firstBrokenId?: number;
  problem?: string;
}

const VERIFY_BATCH = 2000;

@Injectable()
export class AuditService {
  constructor(
    private readonly repo: AuditRepository,
    private readonly tx: TransactionRunner,
  ) {}

  /**
   * Appends one entry inside the caller's transaction. The head row is locked first, so on
   * PostgreSQL concurrent appenders queue behind it and the chain cannot fork.
   */
  append(tx: Tx, event: AuditEvent): Promise<number> {
    return appendAuditEntry(tx, this.repo, event);
  }

  /**
   * Entries newest first, in the actor's scope. `from`/`to` are China calendar days
   * (Asia/Shanghai), both inclusive, applied to the stored UTC instants.
   */
  async list(actor: Actor, query: AuditQuery, page: PageRequest): Promise<Page<AuditEntryView>> {
    for (const field of ['from', 'to'] as const) {
      const day = query[field];
      if (day !== undefined && !isCalendarDate(day)) throw new DomainError(ErrorCode.BadRequest, `${field}: ${day} is not a calendar date`, [{ field, message: 'is not a calendar date' }]);
    }
    // Admin reads the whole log; an inspector only entries stored under its jurisdiction.
    const scopePath = actor.role === 'admin' ? null : actor.jurisdictionPath;
    if (actor.role !== 'admin' && scopePath === null) return { items: [], total: 0, page: page.page, pageSize: page.pageSize };
    const filter: AuditFilter = {
      scopePath,
      entityType: query.entityType,
      entityId: query.entityId,
      action: query.action,
      actorId: query.actorId,
      fromAt: query.from === undefined ? undefined : chinaDayStartIso(query.from),
      beforeAt: query.to === undefined ? undefined : chinaDayEndIso(query.to),
    };
    // One snapshot for the count and the page: never an entry whose write is still uncommitted
    // (on SQLite the shared connection would show it) or a total that disagrees with the items.
    const { rows, total } = await this.tx.snapshot((reader) => this.repo.list(reader, filter, page.offset, page.pageSize));
    return { items: rows.map(toView), total, page: page.page, pageSize: page.pageSize };
  }

  /**
   * Walks the whole chain in batches, recomputing each hash. A changed payload or a removed
   * middle entry breaks a link (`firstBrokenId` is the first entry whose link fails). A truncated
   * tail leaves a valid chain: `headHash` then differs from the one anyone kept, and the walk also
   * ends short of the head row the appender maintains, which is reported as ok=false without a
   * `firstBrokenId` (unless whoever truncated also rewrote that row).
   *
   * The walk reads one consistent state (a snapshot), so writes committed meanwhile can neither
   * be half-seen nor look like a truncated tail.
   */
  verify(): Promise<AuditVerification> {
    return this.tx.snapshot(async (reader) => {
      let prevHash = GENESIS_HASH;
      let entries = 0;
      let afterId = 0;
      for (;;) {
        const batch = await this.repo.batchAfter(reader, afterId, VERIFY_BATCH);
        for (const row of batch) {
          entries += 1;
          if (row.prevHash !== prevHash) {
            return { ok: false, entries, headHash: prevHash, firstBrokenId: row.id, problem: 'prevHash does not match the previous entry' };
          }
          if (auditHash(row) !== row.hash) {
            return { ok: false, entries, headHash: prevHash, firstBrokenId: row.id, problem: 'entry content does not match its hash' };
          }
          prevHash = row.hash;
          afterId = row.id;
        }
        if (batch.length < VERIFY_BATCH) break;
      }
      const head = await this.repo.readHead(reader);
      if (head.hash !== prevHash || head.lastId !== afterId) {
        return {
          ok: false,
          entries,
          headHash: prevHash,
          problem: `the chain ends at entry ${afterId}, not at the recorded head ${head.lastId}: entries were removed from (or added past) the end`,
        };
      }
      return { ok: true, entries, headHash: prevHash };
    });
  }

  /** Whether an entry stored under `unitPath` is visible to the actor. */
  canRead(actor: Actor, unitPath: string | null): boolean {
    return actor.role === 'admin' || (unitPath !== null && withinJurisdiction(actor, unitPath));
  }
}

function toView(row: AuditRow): AuditEntryView {
  return {
    id: row.id,
    at: row.at,
    actorId: row.actorId,
    actor: row.actor,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    unitPath: row.unitPath,
    before: row.beforeJson === null ? null : (JSON.parse(row.beforeJson) as unknown),
    after: row.afterJson === null ? null : (JSON.parse(row.afterJson) as unknown),
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

/**
 * Appends one entry inside the caller's transaction (also usable where there is no Nest container,
 * such as a job's worker thread). The head row is locked first, so on PostgreSQL concurrent
 * appenders queue behind it and the chain cannot fork.
 */
export async function appendAuditEntry(tx: Tx, repo: AuditRepository, event: AuditEvent): Promise<number> {
  // Outside a transaction the head lock would end with the statement and the entry would not
  // share the fate of the write it records.
  if (!tx.queryRunner?.isTransactionActive) throw new Error('AuditService.append must run inside TransactionRunner.run');
  const head = await repo.lockHead(tx);
  const entry = {
    at: nowIso(),
    actorId: event.actor?.userId ?? null,
    actor: event.actor?.username ?? event.systemActor ?? 'system',
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId === null ? null : String(event.entityId),
    unitPath: event.unitPath,
    beforeJson: event.before === undefined ? null : canonicalJson(event.before),
    afterJson: event.after === undefined ? null : canonicalJson(event.after),
    prevHash: head.hash,
  };
  const hash = auditHash(entry);
  const id = await repo.insertEntry(tx, { ...entry, hash });
  await repo.moveHead(tx, id, hash);
  return id;
}
