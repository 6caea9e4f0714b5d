import type { DomainEvents } from '@/common/events/domain-events';
import { RollupRepository } from './rollup.repository';

/** This file, for `JobsService.registerListeners`: job workers load it to keep the rollups current too. */
export const ROLLUP_LISTENERS_MODULE = __filename;

/**
 * Keeps the unit × month rollups current inside every burden write's transaction: the scope's old
 * contribution comes out before the write and its new one goes in after; a period whose findings
 * all changed (an evaluation) is rebuilt set-based.
 */
export function registerJobListeners(events: DomainEvents, rollups: RollupRepository = new RollupRepository()): void {
  events.on('burden.changing', (event) => rollups.apply(event.tx, event.scope, -1));
  events.on('burden.changed', (event) => rollups.apply(event.tx, event.scope, 1));
  events.on('burden.recompute', async (event) => {
    await rollups.recompute(event.tx, event.months);
  });
}
