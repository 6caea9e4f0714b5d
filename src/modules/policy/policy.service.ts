import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Actor } from '@/common/auth/actor';
import { canonicalJson } from '@/common/canonical-json';
import { conflict, DomainError, ErrorCode, invalid, notFound } from '@/common/errors/domain-error';
import { Page, PageRequest } from '@/common/paging/page';
import { nowIso } from '@/common/time';
import { Tx } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { PolicyDocument, PolicyProblem, validatePolicyDocument } from './policy-document';
import { PolicyRepository, PolicyVersionRow, PolicyVersionSummaryRow } from './policy.repository';

/** The shipped data folder (src/modules/policy and dist/modules/policy are both three levels down). */
const PRODUCT_DATA_DIR = join(__dirname, '..', '..', '..', 'data');

/**
 * How long this process trusts its cached "current version" without asking the database. A
 * version stored through this process replaces the cache at once; the re-check only matters when
 * several instances share one PostgreSQL database (one cheap MAX(version) per interval).
 */
const RECHECK_MS = 10_000;

/** A policy version as rules and estimates use it. The document is frozen: never mutate it. */
export interface PolicySnapshot {
  version: number;
  document: PolicyDocument;
}

/** A stored version as the API shows it. */
export interface PolicyVersionView {
  version: number;
  effectiveFrom: string;
  createdAt: string;
  /** The admin who stored it; null for the version shipped in data/policy.json. */
  createdBy: number | null;
  document: PolicyDocument;
}

export type PolicyVersionSummary = PolicyVersionSummaryRow & { note?: string };

/** Reads and validates the shipped policy (data/policy.json); a malformed file stops the start. */
export function readPolicyFile(dataDir: string = PRODUCT_DATA_DIR): PolicyDocument {
  const file = join(dataDir, 'policy.json');
  const result = validatePolicyDocument(JSON.parse(readFileSync(file, 'utf8')) as unknown);
  if (!result.ok) throw new Error(`${file}: ${result.errors.map((e) => `${e.path || '(document)'} ${e.message}`).join('; ')}`);
  return result.policy;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

function unprocessable(problems: PolicyProblem[]): DomainError {
  const details = problems.map((p) => ({ field: p.path === '' ? 'body' : p.path, message: p.message }));
  return new DomainError(ErrorCode.Unprocessable, `Invalid policy document: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}`, details);
}

/**
 * Policy versions (DESIGN §2 Policy). Versions are immutable: a change is stored as the next
 * version, so a demand's estimate and a flag's judgement can always name the version they used.
 */
@Injectable()
export class PolicyService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Policy');
  /** Parsed, frozen documents by version; versions never change, so entries never go stale. */
  private readonly documents = new Map<number, PolicyVersionView>();
  private latest: PolicySnapshot | null = null;
  private latestCheckedAt = 0;

  constructor(
    private readonly repo: PolicyRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  /** Seeds the shipped version when the table is empty (a data backfill, not a migration). */
  async onApplicationBootstrap(): Promise<void> {
    const shipped = readPolicyFile();
    await this.tx.run(async (tx) => {
      if ((await this.repo.latestVersion(tx)) !== null) return;
      const row: PolicyVersionRow = { version: shipped.version, document: canonicalJson(shipped), effectiveFrom: shipped.effectiveFrom, createdAt: nowIso(), createdBy: null };
      if (!(await this.repo.insert(tx, row))) return;
      await this.audit.append(tx, {
        actor: null,
        systemActor: 'seed',
        action: 'policy.seed',
        entityType: 'policy_version',
        entityId: row.version,
        unitPath: null,
        after: { version: row.version, effectiveFrom: row.effectiveFrom, source: 'data/policy.json' },
      });
      this.logger.log(`Seeded policy version ${row.version} from data/policy.json`);
    });
  }

  /**
   * The current (highest) version. Called on every demand registration, so it answers from
   * memory; pass the unit of work's `tx` when inside one, so a cold cache loads consistently.
   */
  async current(tx?: Tx): Promise<PolicySnapshot> {
    if (this.latest && Date.now() - this.latestCheckedAt < RECHECK_MS) return this.latest;
    const reader = tx ?? this.tx.reader;
    const version = await this.repo.latestVersion(reader);
    if (version === null) throw new DomainError(ErrorCode.Unavailable, 'No policy version is stored yet');
    const found = await this.load(reader, version);
    this.remember({ version: found.version, document: found.document });
    return this.latest ?? found;
  }

  /** A stored version by number (the one a demand or flag recorded); 404 when there is none. */
  async byVersion(version: number, tx?: Tx): Promise<PolicySnapshot> {
    const found = await this.load(tx ?? this.tx.reader, version);
    return { version: found.version, document: found.document };
  }

  /** GET /policy: the current version, or `version` when given. */
  async get(version?: number): Promise<PolicyVersionView> {
    if (version === undefined) {
      const current = await this.current();
      return this.load(this.tx.reader, current.version);
    }
    return this.load(this.tx.reader, version);
  }

  async list(page: PageRequest): Promise<Page<PolicyVersionSummary>> {
    const { rows, total } = await this.tx.snapshot((reader) => this.repo.list(reader, page.offset, page.pageSize));
    const items: PolicyVersionSummary[] = [];
    for (const row of rows) {
      const note = this.documents.get(row.version)?.document.note ?? (await this.load(this.tx.reader, row.version)).document.note;
      items.push(note === undefined ? row : { ...row, note });
    }
    return { items, total, page: page.page, pageSize: page.pageSize };
  }

  /**
   * PUT /policy: validates the whole document and stores it as the next version. `version` may
   * be left out; when sent it must be the next number, so an admin editing a stale copy gets a
   * 409 instead of silently replacing a version stored meanwhile.
   */
  async store(actor: Actor, body: unknown): Promise<PolicyVersionView> {
    const stored = await this.tx.run(async (tx) => {
      const previous = (await this.repo.latestVersion(tx)) ?? 0;
      const next = previous + 1;
      const candidate = typeof body === 'object' && body !== null && !Array.isArray(body) && !('version' in body) ? { ...body, version: next } : body;
      const result = validatePolicyDocument(candidate);
      if (!result.ok) throw unprocessable(result.errors);
      const policy = result.policy;
      if (policy.version !== next) throw conflict(`The policy is at version ${previous}: send version ${next}, or leave version out`, 'version');
      const before = previous > 0 ? await this.repo.findByVersion(tx, previous) : null;
      if (before && policy.effectiveFrom < before.effectiveFrom) {
        throw invalid('effectiveFrom', `must not be before the effectiveFrom of version ${previous} (${before.effectiveFrom})`);
      }
      const row: PolicyVersionRow = { version: next, document: canonicalJson(policy), effectiveFrom: policy.effectiveFrom, createdAt: nowIso(), createdBy: actor.userId };
      if (!(await this.repo.insert(tx, row))) throw conflict(`Version ${next} was stored by someone else meanwhile; reload and try again`, 'version');
      await this.audit.append(tx, {
        actor,
        action: 'policy.version.create',
        entityType: 'policy_version',
        entityId: next,
        unitPath: null,
        before: before ? { version: before.version, effectiveFrom: before.effectiveFrom } : undefined,
        after: { version: next, effectiveFrom: policy.effectiveFrom, document: policy },
      });
      return row;
    });
    const view = this.parse(stored);
    this.remember({ version: view.version, document: view.document });
    return view;
  }

  private async load(reader: Tx, version: number): Promise<PolicyVersionView> {
    const cached = this.documents.get(version);
    if (cached) return cached;
    const row = await this.repo.findByVersion(reader, version);
    if (!row) throw notFound('Policy version', version);
    return this.parse(row);
  }

  private parse(row: PolicyVersionRow): PolicyVersionView {
    const view = deepFreeze({
      version: row.version,
      effectiveFrom: row.effectiveFrom,
      createdAt: row.createdAt,
      createdBy: row.createdBy,
      document: JSON.parse(row.document) as PolicyDocument,
    });
    this.documents.set(row.version, view);
    return view;
  }

  /** Moves the cached current version forward, never back (a slow reader may finish after a store). */
  private remember(snapshot: PolicySnapshot): void {
    if (!this.latest || snapshot.version >= this.latest.version) this.latest = snapshot;
    this.latestCheckedAt = Date.now();
  }
}
