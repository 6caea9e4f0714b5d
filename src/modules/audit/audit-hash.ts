import { createHash } from 'node:crypto';
import { canonicalJson } from '@/common/canonical-json';

export const GENESIS_HASH = '0'.repeat(64);

/** The stored columns of an entry that its hash covers. */
export interface AuditHashInput {
  at: string;
  actorId: number | null;
  actor: string;
  action: string;
  entityType: string;
  entityId: string | null;
  unitPath: string | null;
  beforeJson: string | null;
  afterJson: string | null;
  prevHash: string;
}

/** SHA-256 over the canonical JSON of the entry, which includes the previous entry's hash. */
export function auditHash(entry: AuditHashInput): string {
  return createHash('sha256')
    .update(
      canonicalJson({
        action: entry.action,
        actor: entry.actor,
        actorId: entry.actorId,
        after: entry.afterJson,
        at: entry.at,
        before: entry.beforeJson,
        entityId: entry.entityId,
        entityType: entry.entityType,
        prevHash: entry.prevHash,
        unitPath: entry.unitPath,
      }),
      'utf8',
    )
    .digest('hex');
}
