import { Inject } from '@nestjs/common';
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommandRunner } from 'nest-commander';
import { APP_CONFIG, AppConfig } from '@/config/app-config';
import { checkLedgerFile, removeSidecars, toSingleFile } from './ledger-file';
import { serverHolding } from './server-lock';

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/**
 * `npm run cli -- restore <file>`: puts a backup in place of the SQLite database.
 *
 * 1. Refuses while a server holds the database (its `<database>.server-lock`, checked for a live
 *    process: see server-lock.ts), before and again right before the swap.
 * 2. Copies the backup beside the database and checks the copy (the bytes that will be used): a
 *    SQLite file that passes quick_check, this build's migrations, an intact audit chain.
 * 3. Folds the current database's WAL into it and keeps it as `<database>.before-restore-<time>`,
 *    removes its -wal/-shm (a stale WAL must never be replayed onto the restored file), and
 *    renames the checked copy into place.
 */
@Command({ name: 'restore', arguments: '<file>', description: 'Replace the SQLite database with a verified backup (refused while a server runs on it)' })
export class RestoreCommand extends CommandRunner {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
  }

  async run([file]: string[]): Promise<void> {
    const database = this.config.database;
    if (database.type !== 'sqlite') {
      process.stderr.write('The database is PostgreSQL: restore a pg_dump backup with pg_restore. `restore` replaces SQLite files only.\n');
      process.exitCode = 2;
      return;
    }
    const source = resolve(file);
    if (!existsSync(source)) {
      process.stderr.write(`No backup at ${source}\n`);
      process.exitCode = 2;
      return;
    }
    if (source === database.path) {
      process.stderr.write('The backup is the database itself\n');
      process.exitCode = 2;
      return;
    }
    if (this.refusedWhileHeld(database.path)) return;
    const incoming = `${database.path}.restore-${process.pid}`;
    copyFileSync(source, incoming);
    try {
      // A backup copied by hand from a live WAL database may lack its WAL; what the file holds is what is checked.
      toSingleFile(incoming);
      const check = await checkLedgerFile(incoming);
      if (!check.ok) {
        process.stderr.write(`Not restored: ${source} is not a sound Burden Ledger database: ${check.problems.join('; ')}\n`);
        process.exitCode = 1;
        return;
      }
      removeSidecars(incoming);
      if (this.refusedWhileHeld(database.path)) return;
      const kept = existsSync(database.path) ? this.setAside(database.path) : null;
      renameSync(incoming, database.path);
      process.stdout.write(
        `${JSON.stringify(
          { restored: database.path, from: source, previous: kept, auditEntries: check.audit?.entries, auditHeadHash: check.audit?.headHash, pendingMigrations: check.migrations.pending },
          null,
          2,
        )}\n`,
      );
    } finally {
      rmSync(incoming, { force: true });
      removeSidecars(incoming);
    }
  }

  private refusedWhileHeld(path: string): boolean {
    const holder = serverHolding(path);
    if (!holder) return false;
    process.stderr.write(
      `Not restored: a Burden Ledger server (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt || 'unknown'}) holds ${path}. Stop it, then restore.\n`,
    );
    process.exitCode = 1;
    return true;
  }

  /** Keeps the current database (its WAL folded in) beside it, and clears its -wal/-shm. */
  private setAside(path: string): string {
    const current = new Database(path, { fileMustExist: true });
    try {
      current.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      current.close();
    }
    const kept = `${path}.before-restore-${stamp()}`;
    renameSync(path, kept);
    removeSidecars(path);
    return kept;
  }
}
