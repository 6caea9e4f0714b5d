import { Injectable } from '@nestjs/common';
import { nowIso } from '@/common/time';
import { execute, lockWriters, selectRows, toInt, Tx } from '@/database/dialect';

/** Whether the rollups are behind the flags (table `rollup_state`, one row). */
export interface RollupState {
  /** Raised by every marking write: a rebuild clears the mark only if it is still the one it began under. */
  generation: number;
  /** The first month whose rollups may be wrong; null when they are current. */
  dirtyFromMonth: string | null;
  /** When they went from current to stale (ISO-8601 UTC); null when current. */
  dirtySince: string | null;
}

/** What an answer built on the rollups says about them (`inputs.rollups`). */
export interface RollupStaleness {
  /** True when months of the period asked are among those marked stale. */
  stale: boolean;
  dirtyFromMonth: string | null;
  dirtySince: string | null;
}

const CHUNK = 400;
const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/**
 * The stale mark of the burden rollups. A rule evaluation marks them in each transaction that
 * writes findings, before the writes (`burden.stale`); the rebuild that follows clears the mark
 * only when it covered every marked month and no write marked them again since it began.
 */
@Injectable()
export class RollupStateRepository {
  async read(tx: Tx): Promise<RollupState> {
    const [row] = await selectRows<{ generation: number | string; dirty_from_month: string | null; dirty_since: string | null }>(
      tx,
      'SELECT generation, dirty_from_month, dirty_since FROM rollup_state WHERE id = 1',
    );
    if (!row) throw new Error('rollup_state has no row: the migration RollupState1764900000000 seeds it');
    return { generation: toInt(row.generation), dirtyFromMonth: row.dirty_from_month, dirtySince: row.dirty_since };
  }

  /**
   * Marks the rollups stale from the first month these demands land in (the demands themselves,
   * and those the given flags are about), raising the generation; nothing when none of them is a
   * demand. Inside the caller's transaction, before it changes any flag.
   */
  async markDemands(tx: Tx, demandIds: readonly number[], flagIds: readonly number[]): Promise<void> {
    let earliest: string | null = null;
    const consider = (day: string | null | undefined) => {
      if (day && (earliest === null || day < earliest)) earliest = day;
    };
    // Each demand's first landing day: a finding on it counts in every month it lands in from there on.
    for (const ids of chunks([...new Set(demandIds)])) {
      const [row] = await selectRows<{ day: string | null }>(tx, `SELECT MIN(lands_on) AS day FROM demands WHERE id IN (${marks(ids.length)})`, ids);
      consider(row?.day);
    }
    for (const ids of chunks([...new Set(flagIds)])) {
      const [row] = await selectRows<{ day: string | null }>(tx, `SELECT MIN(d.lands_on) AS day FROM flags f JOIN demands d ON d.id = f.demand_id WHERE f.id IN (${marks(ids.length)})`, ids);
      consider(row?.day);
    }
    if (earliest !== null) await this.mark(tx, (earliest as string).slice(0, 7));
  }

  /** Marks the rollups stale from this month on (an earlier mark stays), raising the generation. */
  async mark(tx: Tx, fromMonth: string, at: string = nowIso()): Promise<void> {
    // The writers' lock first, as every writer and the rebuild take it: one lock order on PostgreSQL.
    await lockWriters(tx);
    await execute(
      tx,
      `UPDATE rollup_state SET generation = generation + 1,
         dirty_from_month = CASE WHEN dirty_from_month IS NULL OR dirty_from_month > ? THEN ? ELSE dirty_from_month END,
         dirty_since = COALESCE(dirty_since, ?)
       WHERE id = 1`,
      [fromMonth, fromMonth, at],
    );
  }

  /**
   * Clears the mark after a rebuild of every month from `coveredFrom` on (null: every month) that
   * began when the generation was `generation`. A mark raised since (the generation moved) or one
   * reaching before `coveredFrom` stays. Returns the state left.
   */
  async clearIfCovered(tx: Tx, generation: number, coveredFrom: string | null): Promise<RollupState> {
    await lockWriters(tx);
    const state = await this.read(tx);
    if (state.dirtyFromMonth === null || state.generation !== generation) return state;
    if (coveredFrom !== null && coveredFrom > state.dirtyFromMonth) return state;
    await execute(tx, 'UPDATE rollup_state SET dirty_from_month = NULL, dirty_since = NULL WHERE id = 1 AND generation = ?', [generation]);
    return { ...state, dirtyFromMonth: null, dirtySince: null };
  }
}

/**
 * The staleness of the rollups as an answer shows it: stale when the mark reaches into these
 * months (the months of the period asked; none given: any mark at all).
 */
export function stalenessFor(state: RollupState, months?: readonly string[]): RollupStaleness {
  const last = months ? months[months.length - 1] : undefined;
  const stale = state.dirtyFromMonth !== null && (months === undefined || (last !== undefined && state.dirtyFromMonth <= last));
  return { stale, dirtyFromMonth: state.dirtyFromMonth, dirtySince: state.dirtySince };
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}
