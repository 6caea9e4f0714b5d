import { Inject } from '@nestjs/common';
import { Command, CommandRunner, Option } from 'nest-commander';
import { DomainError } from '@/common/errors/domain-error';
import { DomainEvents } from '@/common/events/domain-events';
import { progressReporter } from '@/common/progress/progress-bar';
import { todayInChina } from '@/common/time';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { FlagEvaluation, periodBounds } from './flag-evaluation';
import { latestPolicy } from './flags-evaluate.job';
import { ROLLUP_REBUILD, RollupRebuild } from './rollup-rebuild';

interface EvaluateOptions {
  period?: string;
}

/**
 * `npm run cli -- evaluate [--period 2026|2026-Q3|2026-07]` (default: the current year): every
 * rule over the period, in this process, the same evaluation as POST /flags/evaluate. Progress
 * goes to stderr (a bar on a terminal, plain lines otherwise); the result JSON to stdout.
 */
@Command({ name: 'evaluate', description: 'Run every rule over a period and update the flags (idempotent)' })
export class EvaluateCommand extends CommandRunner {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
    @Inject(ROLLUP_REBUILD) private readonly rollups: RollupRebuild,
  ) {
    super();
  }

  @Option({ flags: '--period <period>', description: 'A year 2026, a quarter 2026-Q3 or a month 2026-07 (default: this year)' })
  parsePeriod(value: string): string {
    return value;
  }

  async run(_args: string[], options: EvaluateOptions): Promise<void> {
    const period = options.period ?? todayInChina().slice(0, 4);
    try {
      periodBounds(period);
    } catch (error) {
      process.stderr.write(`${error instanceof DomainError ? error.message : String(error)}\n`);
      process.exitCode = 2;
      return;
    }
    const bar = progressReporter(`evaluate ${period}`);
    const progress = (done: number, total: number | null, message?: string) => bar.update(done, total, message);
    const policy = await latestPolicy(this.tx);
    const evaluation = new FlagEvaluation({ tx: this.tx, audit: this.audit, actor: null, policy, events: this.events, progress });
    const result = await evaluation.run(period);
    // As behind POST /flags/evaluate: the burden rollups follow the findings (there, a follow-up
    // job), and their stale mark is cleared unless a newer evaluation marked them meanwhile.
    await this.rollups.rebuildFrom(result.rollupsFromMonth, progress);
    bar.finish();
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  }
}
