import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { CliModule } from '@/cli.module';
import { selectRows } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { CreateUserCommand } from '@/modules/identity/create-user.command';
import { createTestDatabase, testConfig, TestDatabase } from '../utils/test-db';

describe('CLI create-user', () => {
  let db: TestDatabase;
  let ctx: INestApplicationContext;
  let command: CreateUserCommand;

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await NestFactory.createApplicationContext(CliModule.forRoot(testConfig(db)), { logger: false });
    await ctx.init();
    command = ctx.get(CreateUserCommand);
  });
  afterAll(async () => {
    await ctx.close();
    await db.drop();
  });
  afterEach(() => (process.exitCode = undefined));

  const users = () => selectRows<{ username: string; role: string }>(ctx.get(TransactionRunner).reader, 'SELECT username, role FROM users ORDER BY id');

  it('creates the first admin from the shell, audited', async () => {
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await command.run([], { username: 'admin', password: 'long-enough', role: 'admin' });
    out.mockRestore();
    expect(process.exitCode).toBeUndefined();
    expect(await users()).toEqual([{ username: 'admin', role: 'admin' }]);
    const audit = await selectRows<{ action: string; actor: string }>(ctx.get(TransactionRunner).reader, "SELECT action, actor FROM audit_log WHERE action = 'user.create'");
    expect(audit).toEqual([{ action: 'user.create', actor: 'cli' }]);
  });

  it('refuses an unknown org unit code, a bad role and a duplicate username with a non-zero exit', async () => {
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await command.run([], { username: 'clerk', password: 'long-enough', role: 'reporter', orgUnit: '532503001' });
    expect(process.exitCode).toBe(2);
    process.exitCode = undefined;
    await command.run([], { username: 'clerk', password: 'long-enough', role: 'mayor' });
    expect(process.exitCode).toBe(2);
    process.exitCode = undefined;
    await command.run([], { username: 'admin', password: 'long-enough', role: 'admin' });
    expect(process.exitCode).toBe(1);
    expect(err.mock.calls.map((c) => String(c[0])).join('')).toContain('taken');
    err.mockRestore();
    expect((await users()).map((u) => u.username)).toEqual(['admin']);
  });
});
