import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createApp } from '@/app.factory';
import type { Actor } from '@/common/auth/actor';
import type { AppConfig, DatabaseConfig } from '@/config/app-config';
import { selectRows, toInt, Tx } from '@/database/dialect';
import { IdentityService } from '@/modules/identity/identity.service';
import { OrgUnitImportService } from '@/modules/org-units/org-unit-import.service';

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * The product finds its shipped data (data/policy.json, topics.json, field-synonyms.json) three
 * or four directories above its modules: from dist/bench/src/… that is dist/bench/data. A link to
 * the repository's data/ there (inside dist/, git-ignored) lets the product code compiled by
 * `bench:build` run as it does from dist/.
 */
export function linkProductData(root: string, distBench: string): void {
  const link = join(distBench, 'data');
  const target = join(root, 'data');
  if (existsSync(link)) {
    const stat = lstatSync(link);
    if (stat.isSymbolicLink() && resolve(distBench, readlinkSync(link)) === target) return;
    if (existsSync(join(link, 'policy.json'))) return;
    throw new Error(`${link} exists but is not a link to ${target}`);
  }
  symlinkSync(target, link, 'dir');
}

/** A fresh database for one measurement, with how to drop it. */
export interface BenchDatabase {
  kind: 'sqlite' | 'postgres';
  config: DatabaseConfig;
  /** The SQLite file, or the PostgreSQL schema. */
  where: string;
  drop(): Promise<void>;
}

export function freshSqlite(dir: string, name: string): BenchDatabase {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.sqlite`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  return {
    kind: 'sqlite',
    config: { type: 'sqlite', path },
    where: path,
    drop: () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
      return Promise.resolve();
    },
  };
}

/** True when PostgreSQL answers at `url` within a few seconds. */
export async function postgresAnswers(url: string): Promise<string | null> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const rows = await client.query<{ version: string }>('SELECT version() AS version');
    return rows.rows[0]?.version ?? 'unknown';
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function freshPostgres(url: string, name: string): Promise<BenchDatabase> {
  const schema = `bench_${name}_${randomBytes(4).toString('hex')}`;
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  return {
    kind: 'postgres',
    config: { type: 'postgres', url, schema },
    where: schema,
    drop: async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

/** The real application on `database` (migrated by its own migrations at init), not listening. */
export async function bootApp(database: DatabaseConfig, dataDir: string): Promise<NestExpressApplication> {
  const config: AppConfig = {
    port: 0,
    dataDir,
    database,
    jwtSecret: randomBytes(48).toString('base64url'),
    jwtExpiresInSeconds: 3600,
    logLevel: 'silent',
    idempotencyTtlHours: 24,
  };
  const app = await createApp(config);
  await app.init();
  return app;
}

export function writer(app: NestExpressApplication): Tx {
  return app.get(DataSource).manager;
}

export interface Seeded {
  admin: Actor;
  coordinator: Actor;
  orgUnits: number;
  orgUnitSeconds: number;
}

/**
 * The users and the org-unit tree of a benchmark database, through the product's services: an
 * admin, the org units imported by `OrgUnitImportService` (as POST /org-units/import does), and a
 * coordinator of 云南省 (53), whose jurisdiction covers every issuer of the file.
 */
export async function seedUsersAndUnits(app: NestExpressApplication, orgUnitsCsv: Buffer): Promise<Seeded> {
  const identity = app.get(IdentityService);
  const password = randomBytes(12).toString('base64url');
  const actorOf = async (id: number): Promise<Actor> => {
    const actor = await identity.resolve(id, 0);
    if (!actor) throw new Error(`user ${id} does not resolve`);
    return actor;
  };
  const adminUser = await identity.createUser(null, { username: 'bench-admin', password, role: 'admin' }, 'bench');
  const admin = await actorOf(adminUser.id);
  const started = performance.now();
  const result = await app.get(OrgUnitImportService).import(admin, orgUnitsCsv, 'org-units.csv');
  const orgUnitSeconds = (performance.now() - started) / 1000;
  const [province] = await selectRows<{ id: number | string }>(writer(app), 'SELECT id FROM org_units WHERE code = ?', ['53']);
  if (!province) throw new Error('org-units.csv has no 云南省 (53)');
  const coordinatorUser = await identity.createUser(null, { username: 'bench-coordinator', password, role: 'coordinator', orgUnitId: toInt(province.id) }, 'bench');
  const coordinator = await actorOf(coordinatorUser.id);
  if (coordinator.jurisdictionPath !== '/53/') throw new Error(`the coordinator's jurisdiction is ${coordinator.jurisdictionPath}, not /53/`);
  return { admin, coordinator, orgUnits: result.imported, orgUnitSeconds };
}

/** The settings of the app's SQLite write connection (what the baseline connection copies). */
export async function readSqlitePragmas(app: NestExpressApplication, names: readonly string[]): Promise<Record<string, string | number>> {
  const out: Record<string, string | number> = {};
  for (const name of names) {
    const [row] = await selectRows<Record<string, string | number>>(writer(app), `PRAGMA ${name}`);
    const value = row ? Object.values(row)[0] : undefined;
    if (value !== undefined) out[name] = value;
  }
  return out;
}
