import { DomainError, ErrorCode } from '@/common/errors/domain-error';
import { defineJob } from '@/modules/jobs/job-definition';
import type { PolicyDocument } from '@/modules/policy/policy-document';
import { PolicyRepository } from '@/modules/policy/policy.repository';
import type { PolicySnapshot } from '@/modules/policy/policy.service';
import type { TransactionRunner } from '@/database/transaction-runner';
import { EvaluationResult, FlagEvaluation, periodBounds } from './flag-evaluation';
import { unitFindingsInWorker } from './finding-producer';

/** The latest policy version, read without the Nest container (a worker thread, the CLI). */
export async function latestPolicy(tx: TransactionRunner): Promise<PolicySnapshot> {
  const policies = new PolicyRepository();
  return tx.snapshot(async (reader) => {
    const version = await policies.latestVersion(reader);
    const row = version === null ? null : await policies.findByVersion(reader, version);
    if (!row) throw new DomainError(ErrorCode.Unavailable, 'No policy version is stored yet');
    return { version: row.version, document: JSON.parse(row.document) as PolicyDocument };
  });
}

/**
 * Heap caps of the unit scan's thread, when the operator allows one (the job's worker keeps the
 * default 256 MB: alone, it holds what the scan holds too). The scan holds the landings of the
 * units around its position (about 60 MB live at province scale). V8 lets a heap grow towards its
 * cap, the young generation included (up to 48 MB by default), before it collects in earnest:
 * with default caps on both threads the server's resident set passed 490 MiB at province scale
 * (bench/README, issue 5).
 */
const SCAN_HEAP = { oldMb: 128, youngMb: 16 } as const;

export interface FlagsEvaluateInput {
  period: string;
}

/** POST /flags/evaluate and `npm run cli -- evaluate`: every rule over a period, off the request thread. */
export const flagsEvaluateJob = defineJob<FlagsEvaluateInput, EvaluationResult>({
  kind: 'flags-evaluate',
  module: __filename,
  parseInput(raw) {
    const period = (raw as { period?: unknown } | null)?.period;
    if (typeof period !== 'string') throw new DomainError(ErrorCode.BadRequest, 'period: is required (2026, 2026-Q3 or 2026-07)', [{ field: 'period', message: 'is required' }]);
    periodBounds(period);
    return { period };
  },
  async run(input, ctx) {
    const policy = await latestPolicy(ctx.tx);
    return new FlagEvaluation({
      tx: ctx.tx,
      audit: ctx.audit,
      actor: ctx.actor,
      policy,
      events: ctx.events,
      progress: (d, t, m) => ctx.progress(d, t, m),
      // Where the operator allows a helper thread, the unit scan gets it: the two cores share the work.
      ...(ctx.database && ctx.helperThreads > 0 ? { unitFindings: unitFindingsInWorker(ctx.database, policy, SCAN_HEAP) } : {}),
    }).run(input.period);
  },
});
