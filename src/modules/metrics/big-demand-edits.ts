import type { BurdenScope } from '@/common/events/domain-events';
import { selectRows, toInt, Tx } from '@/database/dialect';
import { RollupStateRepository } from './rollup-state.repository';

/**
 * Where the rollup listeners hand a big demand's cells to a rebuild instead of adjusting them in
 * the request (provided by the server; job workers and the command line adjust everything).
 */
export interface BigDemandPolicy {
  /**
   * A demand whose targets × months it lands in exceed this is big. Adjusting its cells costs
   * ~3–4 ms per 1,000 cells each way (bench/README.md "Edits of a demand with thousands of
   * targets"): a monthly report to every village of the province (~150,000 cells) would hold a
   * request for a second.
   */
  readonly maxCells: number;
  /** Whether to defer now: only where a rebuild job can follow (a server, not the command line). */
  enabled(): boolean;
  /** Called inside the writer's transaction after marking: start the rebuild once it has ended. */
  rebuildSoon(): void;
}

const CHUNK = 400;
const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/**
 * The big-demand path of the rollup listeners. An edit of a demand (a scope part for the demand as
 * a whole) with more than `maxCells` target × month cells, before (`burden.changing`) or after the write
 * (`burden.changed`), does not adjust its cells: both brackets leave them to a rebuild, and mark
 * the rollups stale from the first month the demand reaches, before and after the write (its
 * landing, occurrences and reports), so the answers built on those months say stale until the
 * rebuild has covered them. Whatever one bracket deferred the other defers too (a PATCH that
 * shrinks a big demand must not put its new cells on top of old ones never taken out).
 */
export class BigDemandEdits {
  /** Demands deferred at `burden.changing`, per open transaction, for its `burden.changed`. */
  private readonly deferredIn = new WeakMap<Tx, Set<number>>();

  constructor(
    private readonly policy: BigDemandPolicy,
    private readonly state: RollupStateRepository = new RollupStateRepository(),
  ) {}

  /** The part of `scope` to adjust now; the big demands in it are marked stale instead. */
  async split(tx: Tx, scope: readonly BurdenScope[], phase: 'changing' | 'changed'): Promise<readonly BurdenScope[]> {
    const earlier = this.deferredIn.get(tx);
    if (phase === 'changed') this.deferredIn.delete(tx);
    if (!earlier && !this.policy.enabled()) return scope;
    // Fresh demands (a bulk import's, their contribution summed by the writer) cost no reading
    // back, however big: they are added as they come.
    const whole = [...new Set(scope.flatMap((part) => ('demandIds' in part && part.unitId === undefined && !part.fresh ? part.demandIds : [])))];
    const deferred = new Set(earlier ?? []);
    if (this.policy.enabled()) for (const id of await this.bigAmong(tx, whole)) deferred.add(id);
    const here = whole.filter((id) => deferred.has(id));
    if (here.length === 0) return scope;
    const first = await this.firstMonthOf(tx, here);
    if (first !== null) await this.state.mark(tx, first);
    this.policy.rebuildSoon();
    if (phase === 'changing') this.deferredIn.set(tx, new Set([...(earlier ?? []), ...here]));
    return scope
      .map((part) => ('demandIds' in part && part.unitId === undefined && !part.fresh ? { demandIds: part.demandIds.filter((id) => !deferred.has(id)) } : part))
      .filter((part) => !('demandIds' in part) || part.demandIds.length > 0);
  }

  private async bigAmong(tx: Tx, ids: readonly number[]): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const rows = await selectRows<{ id: number | string }>(
        tx,
        `SELECT d.id FROM demands d WHERE d.id IN (${marks(chunk.length)}) AND d.target_count * (SELECT COUNT(*) FROM demand_occurrences o WHERE o.demand_id = d.id) > ?`,
        [...chunk, this.policy.maxCells],
      );
      out.push(...rows.map((r) => toInt(r.id)));
    }
    return out;
  }

  /** The first month any cell of these demands lies in: their landing, an occurrence, a report. */
  private async firstMonthOf(tx: Tx, ids: readonly number[]): Promise<string | null> {
    let first: string | null = null;
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const [row] = await selectRows<{ month: string | null }>(
        tx,
        `SELECT MIN(month) AS month FROM (
           SELECT MIN(substr(lands_on, 1, 7)) AS month FROM demands WHERE id IN (${marks(chunk.length)})
           UNION ALL SELECT MIN(month) FROM demand_occurrences WHERE demand_id IN (${marks(chunk.length)})
           UNION ALL SELECT MIN(month) FROM burden_reports WHERE demand_id IN (${marks(chunk.length)})) m`,
        [...chunk, ...chunk, ...chunk],
      );
      if (row?.month && (first === null || row.month < first)) first = row.month;
    }
    return first;
  }
}
