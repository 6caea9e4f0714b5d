import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { AppConfig, DatabaseConfig } from '@/config/app-config';

/** Which database the suite runs on: TEST_DB=postgres (set by test/run-tests.js) or SQLite. */
export const TEST_DB: 'sqlite' | 'postgres' = process.env.TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  database: DatabaseConfig;
  dataDir: string;
  drop(): Promise<void>;
}

/** A fresh database for one test file: a temporary SQLite file, or a new PostgreSQL schema. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'burden-ledger-test-'));
  if (TEST_DB === 'sqlite') {
    return {
      database: { type: 'sqlite', path: join(dataDir, 'test.sqlite') },
      dataDir,
      drop: () => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })),
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  return {
    database: { type: 'postgres', url: TEST_POSTGRES_URL, schema },
    dataDir,
    drop: async () => {
      const c = new Client({ connectionString: TEST_POSTGRES_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function testConfig(db: TestDatabase, overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    port: 0,
    dataDir: db.dataDir,
    database: db.database,
    jwtSecret: 'test-secret-test-secret-test-secret-0123456789',
    jwtExpiresInSeconds: 3600,
    logLevel: 'silent',
    idempotencyTtlHours: 24,
    ...overrides,
  };
}
