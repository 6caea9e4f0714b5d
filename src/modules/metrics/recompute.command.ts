import { Command, CommandRunner, Option } from 'nest-commander';
import { progressReporter } from '@/common/progress/progress-bar';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { parsePeriod } from './calculators';
import { recomputeRollups } from './metrics-recompute.job';

interface RecomputeOptions {
  period?: string;
}

/**
 * `npm run cli -- recompute [--period 2026|2026-Q3|2026-07]` (default: every month): rebuilds the
 * burden rollups from the ledger, set-based, in this process. Progress on stderr, result on stdout.
 */
@Command({ name: 'recompute', description: 'Rebuild the unit × month burden rollups from the ledger' })
export class RecomputeCommand extends CommandRunner {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {
    super();
  }

  @Option({ flags: '--period <period>', description: 'A year 2026, a quarter 2026-Q3 or a month 2026-07 (default: every month)' })
  parsePeriod(value: string): string {
    return value;
  }

  async run(_args: string[], options: RecomputeOptions): Promise<void> {
    const period = options.period ?? null;
    if (period !== null && parsePeriod(period) === null) {
      process.stderr.write(`period: ${period} is not 2026, 2026-Q3 or 2026-07\n`);
      process.exitCode = 2;
      return;
    }
    const bar = progressReporter('recompute');
    const result = await recomputeRollups({ period }, { tx: this.tx, audit: this.audit, actor: null, progress: (done, total, message) => bar.update(done, total, message) });
    bar.finish();
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  }
}
