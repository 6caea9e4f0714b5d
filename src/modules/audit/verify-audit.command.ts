import { Inject } from '@nestjs/common';
import { Command, CommandRunner } from 'nest-commander';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig, DatabaseConfig } from '@/config/app-config';
import { dataSourceOptions, sqliteReaderOptions } from '@/database/data-source-options';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditRepository } from './audit.repository';
import { AuditService, AuditVerification } from './audit.service';

/**
 * Verifies the audit chain of a database opened read-only, without migrating it or starting any
 * feature (so it is safe against a running server, and against a backup file before a restore).
 */
export async function verifyAuditChainOf(database: DatabaseConfig): Promise<AuditVerification> {
  // SQLite: the runner reads through its second source and takes the write lock only on its
  // first, so both are read-only connections and the first is never written through.
  const sources =
    database.type === 'sqlite'
      ? [new DataSource(sqliteReaderOptions(database.path)), new DataSource(sqliteReaderOptions(database.path))]
      : [new DataSource({ ...dataSourceOptions(database), migrationsRun: false, extra: { options: `-c search_path=${database.schema}`, max: 1 } })];
  try {
    for (const source of sources) await source.initialize();
    const [main, reader = main] = sources;
    return await new AuditService(new AuditRepository(), new TransactionRunner(main, reader)).verify();
  } finally {
    for (const source of sources) if (source.isInitialized) await source.destroy();
  }
}

/**
 * `npm run cli -- verify-audit`: recomputes the audit hash chain of the configured database and
 * prints `{ok, entries, headHash, firstBrokenId?, problem?}`; exit code 1 when the chain is broken
 * (an entry edited or removed, or a truncated tail), so a cron job or CI can alert on it. Keep the
 * printed headHash: a later run whose chain no longer passes through it shows a truncation.
 */
@Command({ name: 'verify-audit', description: 'Verify the audit log hash chain (exit code 1 when broken)' })
export class VerifyAuditCommand extends CommandRunner {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
  }

  async run(): Promise<void> {
    const result = await verifyAuditChainOf(this.config.database);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (!result.ok) {
      process.stderr.write(`The audit chain is broken${result.firstBrokenId !== undefined ? ` at entry ${result.firstBrokenId}` : ''}: ${result.problem ?? 'unknown problem'}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`The audit chain is intact: ${result.entries} entries, head ${result.headHash}\n`);
    }
  }
}
