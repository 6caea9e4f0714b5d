import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CliModule } from '@/cli.module';
import type { AppConfig } from '@/config/app-config';
import { selectRows, toInt } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { VerifyAuditCommand } from '@/modules/audit/verify-audit.command';
import { IdentityService } from '@/modules/identity/identity.service';
import { BackupCommand } from '@/modules/operations/backup.command';
import { ImportCommand } from '@/modules/operations/import.command';
import { RestoreCommand } from '@/modules/operations/restore.command';
import { holdServerLock, releaseServerLock, serverLockPath } from '@/modules/operations/server-lock';
import { captureOutput } from '../utils/capture-output';
import { createTestDatabase, testConfig, TEST_DB, TestDatabase } from '../utils/test-db';

/** The org units and users of a database file, read directly. */
function census(path: string): { units: number; users: string[] } {
  const db = new Database(path, { readonly: true });
  try {
    const units = (db.prepare('SELECT COUNT(*) AS n FROM org_units').get() as { n: number }).n;
    const users = (db.prepare('SELECT username FROM users ORDER BY username').all() as { username: string }[]).map((u) => u.username);
    return { units, users };
  } finally {
    db.close();
  }
}

describe('CLI import, verify-audit, backup and restore', () => {
  let db: TestDatabase;
  let config: AppConfig;
  let ctx: INestApplicationContext | null = null;

  const open = async () => {
    ctx = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: false });
    await ctx.init();
    return ctx;
  };
  const close = async () => {
    await ctx?.close();
    ctx = null;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    config = testConfig(db);
    const app = await open();
    await app.get(IdentityService).createUser(null, { username: 'admin', password: 'long-enough', role: 'admin' }, 'test');
  });
  afterAll(async () => {
    await close();
    await db.drop();
  });

  describe('import', () => {
    it('refuses a file with wrong rows as a whole, printing each row and column, and writes nothing', async () => {
      const file = join(db.dataDir, 'bad-units.csv');
      writeFileSync(file, 'code,name,level,parentCode\n53,云南省,province,\n5325,红河州,prefecture,53\n532503,蒙自市,county,9999\n532503001,,township,532503\n');
      const result = await captureOutput(() => ctx!.get(ImportCommand).run(['org-units', file], {}));
      expect(result.code).toBe(1);
      expect(result.err).toContain('Nothing imported');
      expect(result.err).toMatch(/row 4/);
      expect(result.err).toMatch(/row 5/);
      const [units] = await selectRows<{ n: unknown }>(ctx!.get(TransactionRunner).reader, 'SELECT COUNT(*) AS n FROM org_units');
      expect(toInt(units.n)).toBe(0);
    });

    it('imports a good file through the import service, as admin by default', async () => {
      const file = join(db.dataDir, 'units.csv');
      writeFileSync(file, 'code,name,level,parentCode\n53,云南省,province,\n5325,红河州,prefecture,53\n532503,蒙自市,county,5325\n532503001,文澜街道,township,532503\n');
      const result = await captureOutput(() => ctx!.get(ImportCommand).run(['org-units', file], {}));
      expect(result.code).toBeUndefined();
      expect(JSON.parse(result.out)).toMatchObject({ imported: 4 });
      const audit = await selectRows<{ action: string }>(ctx!.get(TransactionRunner).reader, "SELECT action FROM audit_log WHERE action LIKE 'org_unit%import%' OR action LIKE 'org-unit%import%'");
      expect(audit.length).toBeGreaterThan(0);
    });

    it('asks for --as on demands and reports, and refuses an unknown kind or file', async () => {
      const file = join(db.dataDir, 'units.csv');
      expect((await captureOutput(() => ctx!.get(ImportCommand).run(['demands', file], {}))).code).toBe(2);
      expect((await captureOutput(() => ctx!.get(ImportCommand).run(['plans', file], {}))).code).toBe(2);
      expect((await captureOutput(() => ctx!.get(ImportCommand).run(['org-units', join(db.dataDir, 'none.csv')], {}))).code).toBe(2);
      expect((await captureOutput(() => ctx!.get(ImportCommand).run(['demands', file], { as: 'nobody' }))).code).toBe(2);
    });
  });

  describe('verify-audit', () => {
    it('passes on an intact chain (exit 0) and fails with exit code 1 once an entry is edited', async () => {
      const ok = await captureOutput(() => new VerifyAuditCommand(config).run());
      expect(ok.code).toBeUndefined();
      expect(JSON.parse(ok.out)).toMatchObject({ ok: true });
      const tx = ctx!.get(TransactionRunner);
      const [second] = await selectRows<{ id: unknown; action: string }>(tx.reader, 'SELECT id, action FROM audit_log ORDER BY id LIMIT 1 OFFSET 1');
      await tx.run((t) => t.query(TEST_DB === 'postgres' ? 'UPDATE audit_log SET action = $1 WHERE id = $2' : 'UPDATE audit_log SET action = ? WHERE id = ?', ['tampered', toInt(second.id)]));
      const broken = await captureOutput(() => new VerifyAuditCommand(config).run());
      expect(broken.code).toBe(1);
      expect(JSON.parse(broken.out)).toMatchObject({ ok: false, firstBrokenId: toInt(second.id) });
      expect(broken.err).toContain('broken');
      await tx.run((t) => t.query(TEST_DB === 'postgres' ? 'UPDATE audit_log SET action = $1 WHERE id = $2' : 'UPDATE audit_log SET action = ? WHERE id = ?', [second.action, toInt(second.id)]));
      expect((await captureOutput(() => new VerifyAuditCommand(config).run())).code).toBeUndefined();
    });
  });

  (TEST_DB === 'postgres' ? it : it.skip)('backup and restore on PostgreSQL point to pg_dump and pg_restore', async () => {
    const backup = await captureOutput(() => new BackupCommand(config).run([join(db.dataDir, 'x.sqlite')]));
    expect(backup.code).toBe(2);
    expect(backup.err).toContain('pg_dump');
    const restore = await captureOutput(() => new RestoreCommand(config).run([join(db.dataDir, 'x.sqlite')]));
    expect(restore.code).toBe(2);
    expect(restore.err).toContain('pg_restore');
  });

  (TEST_DB === 'sqlite' ? describe : describe.skip)('backup and restore (SQLite)', () => {
    const path = () => (config.database as { path: string }).path;
    const backupFile = () => join(db.dataDir, 'backup-1.sqlite');

    it('backs up while the database is open and in use, verified, and never overwrites', async () => {
      const result = await captureOutput(() => new BackupCommand(config).run([backupFile()]));
      expect(result.code).toBeUndefined();
      expect(JSON.parse(result.out)).toMatchObject({ file: backupFile(), migrations: expect.any(Number), auditHeadHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(census(backupFile()).units).toBe(4);
      // One self-contained file: no WAL or partial copies left beside it.
      expect(readdirSync(db.dataDir).filter((f) => f.startsWith('backup-1'))).toEqual(['backup-1.sqlite']);
      const again = await captureOutput(() => new BackupCommand(config).run([backupFile()]));
      expect(again.code).toBe(2);
      expect(again.err).toContain('exists');
    });

    it('refuses to restore while a live server holds the database, and restores once it is gone', async () => {
      // The ledger changes after the backup: a user the backup does not have.
      await ctx!.get(IdentityService).createUser(null, { username: 'after.backup', password: 'long-enough', role: 'admin' }, 'test');
      await close();
      expect(census(path()).users).toContain('after.backup');

      holdServerLock(path()); // this test process plays the running server
      try {
        const refused = await captureOutput(() => new RestoreCommand(config).run([backupFile()]));
        expect(refused.code).toBe(1);
        expect(refused.err).toContain(`pid ${process.pid}`);
        expect(census(path()).users).toContain('after.backup');
      } finally {
        releaseServerLock(path());
      }
      expect(existsSync(serverLockPath(path()))).toBe(false);

      const restored = await captureOutput(() => new RestoreCommand(config).run([backupFile()]));
      expect(restored.code).toBeUndefined();
      const answer = JSON.parse(restored.out) as { previous: string };
      expect(census(path())).toEqual({ units: 4, users: ['admin'] });
      // The replaced database is kept beside it, with the later user in it.
      expect(census(answer.previous).users).toContain('after.backup');
      // The restored database opens and verifies.
      expect((await captureOutput(() => new VerifyAuditCommand(config).run())).code).toBeUndefined();
      const app = await open();
      const users = await selectRows<{ username: string }>(app.get(TransactionRunner).reader, 'SELECT username FROM users');
      expect(users).toEqual([{ username: 'admin' }]);
      await close();
    });

    it('treats a claim left by a dead server as stale', async () => {
      const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
      const deadPid = Number(child.stdout.toString());
      writeFileSync(serverLockPath(path()), JSON.stringify({ pid: deadPid, host: hostname(), startTicks: null, startedAt: '2026-01-01T00:00:00Z' }));
      const restored = await captureOutput(() => new RestoreCommand(config).run([backupFile()]));
      expect(restored.code).toBeUndefined();
    });

    it('refuses a file that is not a sound Burden Ledger database, leaving the database as it was', async () => {
      const notSqlite = join(db.dataDir, 'notes.txt');
      writeFileSync(notSqlite, 'hello');
      const foreign = join(db.dataDir, 'foreign.sqlite');
      const f = new Database(foreign);
      f.exec('CREATE TABLE t (x INTEGER)');
      f.close();
      const tampered = join(db.dataDir, 'tampered.sqlite');
      const copy = await captureOutput(() => new BackupCommand(config).run([tampered]));
      expect(copy.code).toBeUndefined();
      const t = new Database(tampered);
      t.prepare("UPDATE audit_log SET action = 'tampered' WHERE id = (SELECT MIN(id) FROM audit_log)").run();
      t.close();
      const before = census(path());
      for (const [file, problem] of [
        [notSqlite, 'not a SQLite database'],
        [foreign, 'no migrations table'],
        [tampered, 'audit chain broken'],
      ]) {
        const result = await captureOutput(() => new RestoreCommand(config).run([file]));
        expect([file, result.code]).toEqual([file, 1]);
        expect(result.err).toContain(problem);
      }
      expect(census(path())).toEqual(before);
      expect(readdirSync(db.dataDir).filter((n) => n.includes('.restore-'))).toEqual([]);
    });
  });
});
