import type { DomainEvents } from '@/common/events/domain-events';
import { BigDemandEdits, BigDemandPolicy } from './big-demand-edits';
import { RollupStateRepository } from './rollup-state.repository';
import { RollupRepository } from './rollup.repository';

/** This file, for `JobsService.registerListeners`: job workers load it to keep the rollups current too. */
export const ROLLUP_LISTENERS_MODULE = __filename;

/**
 * Keeps the unit × month rollups current inside every burden write's transaction: the scope's old
 * contribution comes out before the write and its new one goes in after. Findings changed in
 * bulk (an evaluation's batches) mark the rollups stale instead, in the same transaction; the
 * rebuild after the evaluation clears the mark. On the server (`bigDemands` given), an edit of a
 * demand with thousands of targets marks them stale too, and a rebuild job follows the write.
 * Job workers adjust every cell: they are off the request thread already. The issuers' counts of
 * flagged demands follow every flag write (`flags.changed`, after it), evaluations included.
 */
export function registerJobListeners(
  events: DomainEvents,
  rollups: RollupRepository = new RollupRepository(),
  state: RollupStateRepository = new RollupStateRepository(),
  bigDemands?: BigDemandPolicy,
): void {
  const big = bigDemands ? new BigDemandEdits(bigDemands, state) : null;
  events.on('burden.changing', async (event) => rollups.apply(event.tx, big ? await big.split(event.tx, event.scope, 'changing') : event.scope, -1));
  events.on('burden.changed', async (event) => rollups.apply(event.tx, big ? await big.split(event.tx, event.scope, 'changed') : event.scope, 1));
  events.on('burden.stale', (event) => state.markDemands(event.tx, event.demandIds, event.flagIds));
  // The issuers' flagged demands are few per write and cheap to reconcile: never deferred, never stale.
  events.on('flags.changed', (event) => rollups.refreshFlagged(event.tx, event.demandIds, event.flagIds));
}
