import { invalid } from '@/common/errors/domain-error';
import type { TransactionRunner } from '@/database/transaction-runner';
import type { Actor } from '@/common/auth/actor';
import type { AuditService } from '@/modules/audit/audit.service';
import { defineJob } from '@/modules/jobs/job-definition';
import { parsePeriod } from './calculators';
import { RollupRepository } from './rollup.repository';

export interface RecomputeInput {
  /** `2026`, `2026-Q3` or `2026-07`; null rebuilds every month the ledger holds. */
  period: string | null;
  /** With no period: only the ledger's months from this one on (after an evaluation of a period starting there). */
  fromMonth?: string | null;
}

export interface RecomputeResult {
  period: string | null;
  fromMonth: string | null;
  months: string[];
  rows: number;
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
 */
export async function recomputeRollups(input: RecomputeInput, deps: RecomputeDeps): Promise<RecomputeResult> {
  const rollups = new RollupRepository();
  const months =
    input.period === null ? (await deps.tx.snapshot((reader) => rollups.monthsInLedger(reader))).filter((m) => !input.fromMonth || m >= input.fromMonth) : parsePeriod(input.period)!.months;
  let rows = 0;
  for (const [i, month] of months.entries()) {
    deps.progress(i, months.length, `重算 ${month} 月度汇总`);
    rows += await deps.tx.run((tx) => rollups.recompute(tx, [month]));
  }
  const result: RecomputeResult = { period: input.period, fromMonth: input.fromMonth ?? null, months, rows };
  await deps.tx.run((tx) =>
    deps.audit.append(tx, { actor: deps.actor, systemActor: 'recompute', action: 'metrics.recompute', entityType: 'metrics', entityId: input.period ?? 'all', unitPath: null, after: result }),
  );
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
