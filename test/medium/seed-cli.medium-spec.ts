import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliModule } from '@/cli.module';
import { selectRows, toInt } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { SeedCommand } from '@/modules/demo/seed.command';
import { ImportCommand } from '@/modules/operations/import.command';
import { captureOutput } from '../utils/capture-output';
import { createTestDatabase, testConfig, TestDatabase } from '../utils/test-db';

/** `seed` on a fresh database (the whole demo, ≈ 6 s on SQLite), then `import demands` into it. */
describe('CLI seed', () => {
  let db: TestDatabase;
  let ctx: INestApplicationContext;
  const count = async (table: string) => toInt((await selectRows<{ n: unknown }>(ctx.get(TransactionRunner).reader, `SELECT COUNT(*) AS n FROM ${table}`))[0].n);

  beforeAll(async () => {
    db = await createTestDatabase();
    ctx = await NestFactory.createApplicationContext(CliModule.forRoot(testConfig(db, { demoPassword: 'seeded-password' })), { logger: false });
    await ctx.init();
  });
  afterAll(async () => {
    await ctx.close();
    await db.drop();
  });

  it('loads the demo into an empty database, with plain progress lines when stderr is no terminal', async () => {
    const result = await captureOutput(() => ctx.get(SeedCommand).run());
    expect(result.code).toBeUndefined();
    expect(result.out).toContain('Demo county loaded: 532503 蒙自市');
    expect(result.out).toContain('mengzi.coordinator');
    expect(result.out).toContain('BURDEN_LEDGER_DEMO_PASSWORD');
    expect(result.out).not.toContain('seeded-password');
    expect(result.err).toMatch(/^demo 1\/\d+ generate/m);
    expect(result.err).toMatch(/^seed: \d+\/\d+ \(\d+%\) demands/m);
    expect(result.err).not.toContain('\r');
    expect(await count('demands')).toBeGreaterThan(2600);
  }, 120_000);

  it('refuses a database that is not empty, and loads nothing', async () => {
    const before = await count('demands');
    const result = await captureOutput(() => ctx.get(SeedCommand).run());
    expect(result.code).toBe(1);
    expect(result.err).toContain('not empty');
    expect(await count('demands')).toBe(before);
  });

  it('imports demands as a named coordinator, all or nothing', async () => {
    const header = 'issuerCode,kind,subtype,title,topic,basis,issuedOn,startsOn,dueOn,recurrence,until,targetCodes,targetScopes,estimatedHours,fields,durationMinutes,attendeesPerTarget,attendeeLevels,onSiteDays,jointWithCodes,charCount,special,appRequirements,requiresTrace';
    const good = '532503-JYJ,report,,关于报送秋季学期在校学生情况的通知,education,,2026-09-01,,2026-09-10,once,,532503001;532503002,,,户籍人口（人）;在校学生数,,,,,,,,,';
    const bad = '532503-JYJ,report,,没有截止日期的错行,no_such_topic,,2026-09-01,,,once,,532503001,,,在校学生数,,,,,,,,,';
    const before = await count('demands');
    const badFile = join(db.dataDir, 'bad-demands.csv');
    writeFileSync(badFile, `${header}\n${good}\n${bad}\n`);
    const refused = await captureOutput(() => ctx.get(ImportCommand).run(['demands', badFile], { as: 'mengzi.coordinator' }));
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/row 3.*topic/);
    expect(await count('demands')).toBe(before);

    const goodFile = join(db.dataDir, 'demands.csv');
    writeFileSync(goodFile, `${header}\n${good}\n`);
    const done = await captureOutput(() => ctx.get(ImportCommand).run(['demands', goodFile], { as: 'mengzi.coordinator' }));
    expect(done.code).toBeUndefined();
    expect(JSON.parse(done.out)).toMatchObject({ imported: 1, targets: 2 });
    expect(await count('demands')).toBe(before + 1);
  });
});
