import type { Actor } from '@/common/auth/actor';
import type { DomainEvents } from '@/common/events/domain-events';
import type { TransactionRunner } from '@/database/transaction-runner';
import { DemandImporter, DemandImportResult } from '@/modules/demands/demand-importer';
import { loadFieldSynonyms } from '@/modules/demands/fields/field-key';
import { latestPolicy } from '@/modules/flags/flags-evaluate.job';

/**
 * The demands-import job's work in this process (the command line, the demo loader): the latest
 * policy, the field synonyms, and the whole file in one transaction, all or nothing. The API runs
 * the same importer as a job (POST /demands/import).
 */
export async function importDemandFile(
  deps: { tx: TransactionRunner; events: DomainEvents },
  actor: Actor,
  bytes: Buffer,
  fileName: string,
  progress?: (done: number, total: number, message: string) => void,
): Promise<DemandImportResult> {
  const policy = await latestPolicy(deps.tx);
  return deps.tx.run((tx) => new DemandImporter().run(tx, bytes, fileName, { actor, policy, synonyms: loadFieldSynonyms(), events: deps.events, progress }));
}
