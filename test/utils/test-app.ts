import { JwtService } from '@nestjs/jwt';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type TestAgent from 'supertest/lib/agent';
import { createApp } from '@/app.factory';
import type { AppConfig } from '@/config/app-config';
import type { Tx } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { createTestDatabase, testConfig, TestDatabase } from './test-db';

/**
 * The real application on a fresh, migrated database (SQLite file or PostgreSQL schema),
 * exactly as `createApp` builds it for production.
 */
export class TestApp {
  private constructor(
    readonly app: NestExpressApplication,
    readonly config: AppConfig,
    private readonly database: TestDatabase,
  ) {}

  static async start(overrides: Partial<AppConfig> = {}): Promise<TestApp> {
    const db = await createTestDatabase();
    const config = testConfig(db, overrides);
    const app = await createApp(config);
    await app.init();
    return new TestApp(app, config, db);
  }

  /** supertest against the in-process server. */
  get http(): TestAgent {
    return request(this.app.getHttpServer());
  }

  get tx(): TransactionRunner {
    return this.app.get(TransactionRunner);
  }

  /** Reads and writes behind the API (test set-up and tampering), on the writable connection. */
  get db(): Tx {
    return this.app.get(DataSource).manager;
  }

  get kind(): 'sqlite' | 'postgres' {
    return this.config.database.type;
  }

  /** Mints a token directly, as login would, without paying for bcrypt on every test. */
  token(user: { id: number; role: string; tokenVersion?: number }, expiresInSeconds?: number): string {
    return this.app.get(JwtService).sign({ sub: user.id, tv: user.tokenVersion ?? 0, role: user.role }, expiresInSeconds ? { expiresIn: expiresInSeconds } : {});
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.database.drop();
  }
}
