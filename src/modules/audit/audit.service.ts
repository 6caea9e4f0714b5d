import { Injectable } from '@nestjs/common';
import { Actor, withinJurisdiction } from '@/common/auth/actor';
import { canonicalJson } from '@/common/canonical-json';
import { Page, PageRequest } from '@/common/paging/page';
import { nowIso } from '@/common/time';
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
  async append(tx: Tx, event: AuditEvent): Promise<number> {
    const head = await this.repo.lockHead(tx);
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
    const id = await this.repo.insertEntry(tx, { ...entry, hash });
    await this.repo.moveHead(tx, id, hash);
    return id;
  }

  async list(actor: Actor, filter: Omit<AuditFilter, 'scopePath'>, page: PageRequest): Promise<Page<AuditEntryView>> {
    // Admin reads the whole log; an inspector only entries stored under its jurisdiction.
    const scopePath = actor.role === 'admin' ? null : actor.jurisdictionPath;
    if (actor.role !== 'admin' && scopePath === null) return { items: [], total: 0, page: page.page, pageSize: page.pageSize };
    const { rows, total } = await this.repo.list(this.tx.reader, { ...filter, scopePath }, page.offset, page.pageSize);
    return { items: rows.map(toView), total, page: page.page, pageSize: page.pageSize };
  }

  /**
   * Walks the whole chain in batches, recomputing each hash. A changed payload or a removed
   * middle entry breaks a link; a truncated tail leaves a valid chain whose head hash differs
   * from the one anyone kept, and from the head row the appender maintains.
   */
  async verify(): Promise<AuditVerification> {
    const reader = this.tx.reader;
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
    if (head.hash !== prevHash) {
      return { ok: false, entries, headHash: prevHash, problem: 'the last entry is not the recorded chain head: entries were removed from the end' };
    }
    return { ok: true, entries, headHash: prevHash };
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
