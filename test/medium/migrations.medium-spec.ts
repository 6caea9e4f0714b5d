import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { createApp } from '@/app.factory';
import { dataSourceOptions } from '@/database/data-source-options';
import { databaseKind, selectRows, toInt, Tx } from '@/database/dialect';
import { MIGRATIONS } from '@/database/migrations';
import { AuditService } from '@/modules/audit/audit.service';
import { createTestDatabase, testConfig, TestDatabase } from '../utils/test-db';

const TABLES = [
  'audit_head',
  'audit_log',
  'bulletins',
  'burden_report_versions',
  'case_flags',
  'case_report_outputs',
  'cases',
  'burden_reports',
  'demand_fields',
  'demand_flagged',
  'demand_joint_issuers',
  'demand_occurrences',
  'demand_targets',
  'demands',
  'duty_items',
  'field_keys',
  'flag_transitions',
  'flags',
  'idempotency_keys',
  'inspection_plan_items',
  'issuer_budgets',
  'issuer_month_burden',
  'issuer_period_burden',
  'inspection_plans',
  'jobs',
  'monitoring_points',
  'objections',
  'org_unit_staff',
  'org_units',
  'policy_versions',
  'registration_counters',
  'report_imports',
  'rollup_state',
  'topics',
  'unit_month_burden',
  'users',
];

async function tablesOf(tx: Tx): Promise<string[]> {
  const rows =
    databaseKind(tx) === 'sqlite'
      ? await selectRows<{ name: string }>(tx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
      : await selectRows<{ name: string }>(tx, 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()');
  return rows.map((r) => r.name).sort();
}

async function count(tx: Tx, table: string): Promise<number> {
  const [row] = await selectRows<{ n: number | string }>(tx, `SELECT COUNT(*) AS n FROM ${table}`);
  return toInt(row.n);
}

/** Migrations on an empty database (a fresh SQLite file, or a fresh PostgreSQL schema), started twice. */
describe('migrations (medium)', () => {
  let db: TestDatabase;
  let app: NestExpressApplication | null = null;

  beforeAll(async () => (db = await createTestDatabase()));
  afterEach(async () => {
    await app?.close();
    app = null;
  });
  afterAll(() => db.drop());

  const start = async () => {
    app = await createApp(testConfig(db));
    await app.init();
    return app.get(DataSource);
  };

  it('never synchronises the schema from entities; migrations run at start', () => {
    for (const options of [
      dataSourceOptions({ type: 'sqlite', path: '/tmp/x.sqlite' }),
      dataSourceOptions({ type: 'postgres', url: 'postgres://h/db', schema: 'public' }),
    ]) {
      expect(options.synchronize).toBe(false);
      expect(options.migrationsRun).toBe(true);
      expect(options.migrations).toBe(MIGRATIONS);
    }
  });

  it('the first start on an empty database creates every table, the genesis head and the topics', async () => {
    expect(await tablesBeforeAnyStart()).toEqual([]);
    const ds = await start();
    expect(ds.options.synchronize).toBe(false);
    expect(await tablesOf(ds.manager)).toEqual([...TABLES, 'migrations'].sort());
    const applied = await selectRows<{ name: string }>(ds.manager, 'SELECT name FROM migrations ORDER BY id');
    expect(applied.map((m) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
    expect(await selectRows(ds.manager, 'SELECT id, last_id, hash FROM audit_head')).toEqual([{ id: 1, last_id: expect.anything(), hash: expect.any(String) }]);
    expect(await count(ds.manager, 'topics')).toBeGreaterThan(0);
    expect(await selectRows(ds.manager, 'SELECT id, generation, dirty_from_month, dirty_since FROM rollup_state')).toEqual([{ id: 1, generation: 0, dirty_from_month: null, dirty_since: null }]);
    expect(await app!.get(AuditService).verify()).toMatchObject({ ok: true, entries: 2 });
    if (ds.options.type === 'better-sqlite3') {
      expect(await selectRows(ds.manager, 'PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
      expect(await selectRows(ds.manager, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
      expect(await selectRows(ds.manager, 'PRAGMA busy_timeout')).toEqual([{ timeout: 5000 }]);
    }
  });

  it('a second start on the same database is a no-op: no migration, no seed, the chain unchanged', async () => {
    // The first test left a migrated database behind.
    let ds = await start();
    const before = {
      migrations: await count(ds.manager, 'migrations'),
      topics: await count(ds.manager, 'topics'),
      audit: await app!.get(AuditService).verify(),
      tables: await tablesOf(ds.manager),
    };
    expect(before.migrations).toBe(MIGRATIONS.length);
    await app!.close();

    ds = await start();
    expect(await count(ds.manager, 'migrations')).toBe(before.migrations);
    expect(await count(ds.manager, 'topics')).toBe(before.topics);
    expect(await tablesOf(ds.manager)).toEqual(before.tables);
    expect(await app!.get(AuditService).verify()).toEqual(before.audit);
    expect(await ds.showMigrations()).toBe(false); // nothing pending
  });

  it('the schema enforces the rules the services rely on', async () => {
    const ds = await start();
    const m = ds.manager;
    const at = new Date().toISOString();
    // A user's unit: admin has none, everyone else has one.
    await expect(
      m.query(
        ds.options.type === 'postgres'
          ? `INSERT INTO users (username, password_hash, role, org_unit_id, disabled, token_version, created_at, updated_at) VALUES ('nounit', 'x', 'reporter', NULL, false, 0, '${at}', '${at}')`
          : `INSERT INTO users (username, password_hash, role, org_unit_id, disabled, token_version, created_at, updated_at) VALUES ('nounit', 'x', 'reporter', NULL, 0, 0, '${at}', '${at}')`,
      ),
    ).rejects.toThrow();
    // A duty item's category and topic.
    await expect(
      m.query(`INSERT INTO duty_items (level, topic_code, category, title, created_at) VALUES ('township', 'work_safety', 'optional', 't', '${at}')`),
    ).rejects.toThrow();
    await expect(
      m.query(`INSERT INTO duty_items (level, topic_code, category, title, created_at) VALUES ('township', 'no_such_topic', 'core', 't', '${at}')`),
    ).rejects.toThrow();
    // One head row only, keyed 1.
    await expect(m.query(`INSERT INTO audit_head (id, last_id, hash) VALUES (1, 0, 'x')`)).rejects.toThrow();
    // One rollup state row, and a stale mark always says since when.
    await expect(m.query(`INSERT INTO rollup_state (id, generation) VALUES (2, 0)`)).rejects.toThrow();
    await expect(m.query(`UPDATE rollup_state SET dirty_from_month = '2026-01' WHERE id = 1`)).rejects.toThrow();
  });

  it('the migrations undo and redo cleanly', async () => {
    const ds = await start();
    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration();
    expect(await tablesOf(ds.manager)).toEqual(['migrations']);
    await ds.runMigrations();
    expect(await tablesOf(ds.manager)).toEqual([...TABLES, 'migrations'].sort());
    expect(await count(ds.manager, 'audit_head')).toBe(1);
  });

  /** The tables of the test database, seen through a connection that runs no migration. */
  async function tablesBeforeAnyStart(): Promise<string[]> {
    const ds = new DataSource({ ...dataSourceOptions(db.database), migrationsRun: false });
    await ds.initialize();
    try {
      return await tablesOf(ds.manager);
    } finally {
      await ds.destroy();
    }
  }
});
