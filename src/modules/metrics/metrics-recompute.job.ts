import { invalid } from '@/common/errors/domain-error';
import type { TransactionRunner } from '@/database/transaction-runner';
import type { Actor } from '@/common/auth/actor';
import type { AuditService } from '@/modules/audit/audit.service';
import { defineJob } from '@/modules/jobs/job-definition';
import { parsePeriod } from './calculators';
import { RollupStaleness, RollupStateRepository, stalenessFor } from './rollup-state.repository';
import { RollupRepository } from './rollup.repository';

export interface RecomputeInput {
  /** `2026`, `2026-Q3` or `2026-07`; null rebuilds every month the ledger holds. */
  period: string | null;
  /** With no period: only the ledger's months from this one on (after an evaluation of a period starting there). */
  fromMonth?: string | null;
}

export interface RecomputeResult {
  period: string | null;
  /** With no period: the first month rebuilt, the one asked or an earlier one the rollups were marked stale from. */
  fromMonth: string | null;
  months: string[];
  rows: number;
  /** The stale mark as this rebuild left it (`stale: false` once it has covered the mark). */
  rollups: RollupStaleness;
}

export interface RecomputeDeps {
  tx: TransactionRunner;
  audit: AuditService;
  actor: Actor | null;
  progress(done: number, total: number | null, message?: string): void;
}

/**
 * Rebuilds the unit × month rollups from the ledger, set-based, one month per transaction (so a
 * request's write waits at most one month's rebuild for the SQLite write lock, and each month is
 * either the old or the new figures, never half).
 *
 * Without a period it rebuilds every month from `fromMonth` on (all with none), reaching back to
 * the month the rollups are marked stale from, and clears that mark at the end, in the audited
 * transaction, unless a write marked them again after the rebuild began (the generation moved).
 * A rebuild of one period leaves the mark as it is: months after the period may still be stale.
 */
export async function recomputeRollups(input: RecomputeInput, deps: RecomputeDeps): Promise<RecomputeResult> {
  const rollups = new RollupRepository();
  const state = new RollupStateRepository();
  // Read before the first month is rebuilt: a mark raised after this moment (an evaluation writing
  // findings while the months are rebuilt) has a newer generation, and this rebuild leaves it.
  const { months, began, fromMonth } = await deps.tx.snapshot(async (reader) => {
    const began = await state.read(reader);
    if (input.period !== null) return { months: parsePeriod(input.period)!.months, began, fromMonth: null };
    const asked = input.fromMonth ?? null;
    const fromMonth = asked !== null && began.dirtyFromMonth !== null && began.dirtyFromMonth < asked ? began.dirtyFromMonth : asked;
    const months = (await rollups.monthsInLedger(reader)).filter((m) => fromMonth === null || m >= fromMonth);
    return { months, began, fromMonth };
  });
  let rows = 0;
  for (const [i, month] of months.entries()) {
    deps.progress(i, months.length, `重算 ${month} 月度汇总`);
    rows += await deps.tx.run((tx) => rollups.recompute(tx, [month]));
  }
  const result = await deps.tx.run(async (tx) => {
    const left = input.period === null ? await state.clearIfCovered(tx, began.generation, fromMonth) : await state.read(tx);
    const result: RecomputeResult = { period: input.period, fromMonth, months, rows, rollups: stalenessFor(left) };
    await deps.audit.append(tx, { actor: deps.actor, systemActor: 'recompute', action: 'metrics.recompute', entityType: 'metrics', entityId: input.period ?? 'all', unitPath: null, after: result });
    return result;
  });
  deps.progress(months.length, months.length, '完成');
  return result;
}

/** `npm run cli -- recompute` and the recompute job: the full rebuild of the rollups. */
export const metricsRecomputeJob = defineJob<RecomputeInput, RecomputeResult>({
  kind: 'metrics-recompute',
  module: __filename,
  startableBy: ['admin', 'coordinator'],
  parseInput(raw) {
    const { period = null, fromMonth = null } = (raw ?? {}) as { period?: unknown; fromMonth?: unknown };
    if (period !== null && (typeof period !== 'string' || parsePeriod(period) === null)) throw invalid('period', 'must be written 2026, 2026-Q3 or 2026-07');
    if (fromMonth !== null && (typeof fromMonth !== 'string' || parsePeriod(fromMonth)?.granularity !== 'month')) throw invalid('fromMonth', 'must be a month written YYYY-MM');
    if (period !== null && fromMonth !== null) throw invalid('fromMonth', 'has no meaning with a period');
    return { period, fromMonth };
  },
  run(input, ctx) {
    return recomputeRollups(input, { tx: ctx.tx, audit: ctx.audit, actor: ctx.actor, progress: (d, t, m) => ctx.progress(d, t, m) });
  },
});
