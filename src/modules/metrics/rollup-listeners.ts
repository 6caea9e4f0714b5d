import type { DomainEvents } from '@/common/events/domain-events';
import { RollupStateRepository } from './rollup-state.repository';
import { RollupRepository } from './rollup.repository';

/** This file, for `JobsService.registerListeners`: job workers load it to keep the rollups current too. */
export const ROLLUP_LISTENERS_MODULE = __filename;

/**
 * Keeps the unit × month rollups current inside every burden write's transaction: the scope's old
 * contribution comes out before the write and its new one goes in after. Findings changed in
 * bulk (an evaluation's batches) mark the rollups stale instead, in the same transaction; the
 * rebuild after the evaluation clears the mark.
 */
export function registerJobListeners(events: DomainEvents, rollups: RollupRepository = new RollupRepository(), state: RollupStateRepository = new RollupStateRepository()): void {
  events.on('burden.changing', (event) => rollups.apply(event.tx, event.scope, -1));
  events.on('burden.changed', (event) => rollups.apply(event.tx, event.scope, 1));
  events.on('burden.stale', (event) => state.markDemands(event.tx, event.demandIds, event.flagIds));
}
