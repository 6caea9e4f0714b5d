import { Inject } from '@nestjs/common';
import Database from 'better-sqlite3';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommandRunner } from 'nest-commander';
import { progressReporter } from '@/common/progress/progress-bar';
import { APP_CONFIG, AppConfig } from '@/config/app-config';
import { checkLedgerFile, removeSidecars, toSingleFile } from './ledger-file';

/**
 * `npm run cli -- backup <file>`: an online copy of the SQLite database through SQLite's backup
 * API (better-sqlite3 `db.backup()`), page by page from a read-only connection: safe while the
 * server runs, and consistent (a write committed during the copy restarts it). The copy is
 * written beside the target and renamed into place only once checked like a restore would
 * check it, so `<file>` is either a complete, verified backup or absent. Never overwrites a file.
 * PostgreSQL: pg_dump does this job; the command says so.
 */
@Command({ name: 'backup', arguments: '<file>', description: 'Copy the SQLite database to <file> while the server may run (PostgreSQL: use pg_dump)' })
export class BackupCommand extends CommandRunner {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
  }

  async run([file]: string[]): Promise<void> {
    const database = this.config.database;
    if (database.type !== 'sqlite') {
      process.stderr.write(
        `The database is PostgreSQL (schema ${database.schema}): back it up with pg_dump, e.g.\n` +
          `  pg_dump --format=custom --schema=${database.schema} --file=burden-ledger.dump "<DATABASE_URL without ?schema>"\n` +
          'and restore with pg_restore. `backup` copies SQLite files only.\n',
      );
      process.exitCode = 2;
      return;
    }
    const target = resolve(file);
    if (target === database.path) {
      process.stderr.write('The backup file cannot be the database itself\n');
      process.exitCode = 2;
      return;
    }
    if (existsSync(target)) {
      process.stderr.write(`${target} exists; choose a new file name (a backup never overwrites)\n`);
      process.exitCode = 2;
      return;
    }
    if (!existsSync(database.path)) {
      process.stderr.write(`No database at ${database.path}\n`);
      process.exitCode = 1;
      return;
    }
    const partial = `${target}.partial-${process.pid}`;
    const discard = () => {
      rmSync(partial, { force: true });
      removeSidecars(partial);
    };
    const progress = progressReporter('backup');
    const source = new Database(database.path, { readonly: true, fileMustExist: true });
    let check;
    try {
      await source.backup(partial, {
        progress: ({ totalPages, remainingPages }) => {
          progress.update(totalPages - remainingPages, totalPages, 'pages');
          return 1000;
        },
      });
      source.close();
      progress.finish();
      toSingleFile(partial);
      check = await checkLedgerFile(partial);
    } catch (error) {
      if (source.open) source.close();
      progress.finish();
      discard();
      throw error;
    }
    if (!check.ok) {
      discard();
      process.stderr.write(`The copy does not verify, nothing written: ${check.problems.join('; ')}\n`);
      process.exitCode = 1;
      return;
    }
    renameSync(partial, target);
    process.stdout.write(`${JSON.stringify({ file: target, migrations: check.migrations.applied, auditEntries: check.audit?.entries, auditHeadHash: check.audit?.headHash }, null, 2)}\n`);
  }
}
