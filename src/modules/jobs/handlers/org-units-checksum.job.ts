import { createHash } from 'node:crypto';
import { isMainThread, threadId } from 'node:worker_threads';
import { ROLES, withinJurisdiction } from '@/common/auth/actor';
import { canonicalJson } from '@/common/canonical-json';
import { DomainError, ErrorCode, invalid } from '@/common/errors/domain-error';
import { defineJob } from '../job-definition';
import { OrgUnitScanRepository } from './org-unit-scan.repository';

export interface OrgUnitsChecksumInput {
  /** Units read per batch (1–5000, default 500). */
  batchSize: number;
  /** Only this unit's subtree (it must lie in the caller's jurisdiction); default the whole jurisdiction. */
  underId?: number;
}

export interface OrgUnitsChecksumResult {
  units: number;
  /** SHA-256 over the canonical JSON of every unit in id order, one per line. */
  sha256: string;
  /** The subtree covered; null for the whole tree. */
  scopePath: string | null;
  batches: number;
  /** Where the work ran: a worker thread, unless the job was run inline. */
  ranOn: { isMainThread: boolean; threadId: number };
}

const MAX_BATCH = 5000;

function parseInput(raw: unknown): OrgUnitsChecksumInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid('input', 'must be an object');
  const { batchSize = 500, underId, ...rest } = raw as Record<string, unknown>;
  for (const key of Object.keys(rest)) throw invalid(`input.${key}`, 'is not an input of org-units-checksum');
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH) {
    throw invalid('input.batchSize', `must be a whole number from 1 to ${MAX_BATCH}`);
  }
  if (underId !== undefined && (typeof underId !== 'number' || !Number.isInteger(underId) || underId < 1 || underId > 2_147_483_647)) {
    throw invalid('input.underId', 'must be an org unit id');
  }
  return underId === undefined ? { batchSize } : { batchSize, underId };
}

/**
 * A fingerprint of the org tree a user can see (or of one subtree): every unit read in batches
 * from one consistent snapshot, hashed in id order. Two fingerprints differ exactly when a unit
 * was added, moved, renamed or restaffed in between; a copy of the database can be checked
 * against the original. Small as jobs go, it is the reference for how a job reads in batches and
 * reports progress.
 */
export const orgUnitsChecksumJob = defineJob<OrgUnitsChecksumInput, OrgUnitsChecksumResult>({
  kind: 'org-units-checksum',
  module: __filename,
  startableBy: ROLES,
  parseInput,
  async run(input, ctx) {
    const repo = new OrgUnitScanRepository();
    const jurisdiction = ctx.actor.role === 'admin' ? null : ctx.actor.jurisdictionPath;
    if (ctx.actor.role !== 'admin' && jurisdiction === null) throw new DomainError(ErrorCode.Forbidden, 'No jurisdiction');
    return ctx.tx.snapshot(async (reader) => {
      let scopePath = jurisdiction;
      if (input.underId !== undefined) {
        const path = await repo.findPath(reader, input.underId);
        // Outside the jurisdiction reads as missing: the job must not confirm that a unit exists.
        if (path === null || !withinJurisdiction(ctx.actor, path)) throw new DomainError(ErrorCode.NotFound, `Org unit ${input.underId} not found`);
        scopePath = path;
      }
      const total = await repo.count(reader, scopePath);
      ctx.progress(0, total, 'reading org units');
      const hash = createHash('sha256');
      let units = 0;
      let batches = 0;
      let afterId = 0;
      for (;;) {
        const batch = await repo.batchAfter(reader, scopePath, afterId, input.batchSize);
        if (batch.length === 0) break;
        batches += 1;
        for (const unit of batch) hash.update(`${canonicalJson(unit)}\n`);
        units += batch.length;
        afterId = batch[batch.length - 1].id;
        ctx.progress(units, total);
        if (batch.length < input.batchSize) break;
      }
      ctx.progress(units, total, `${units} org units checked`);
      return { units, sha256: hash.digest('hex'), scopePath, batches, ranOn: { isMainThread, threadId } };
    });
  },
});
