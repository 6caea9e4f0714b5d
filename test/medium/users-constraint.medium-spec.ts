import { DataSource } from 'typeorm';
import { execute, isUniqueViolation, selectRows, toInt, Tx } from '@/database/dialect';
import { dataSourceOptions } from '@/database/data-source-options';
import { createTestDatabase, TestDatabase } from '../utils/test-db';

/**
 * DESIGN §1: `role = admin ⇔ orgUnitId IS NULL` is held by the database itself, so no code path
 * (API, CLI, import, a future bug) can create a unit-less non-admin whose jurisdiction would be
 * read as "everything".
 */
describe('users table constraints (behind the API)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let tx: Tx;
  let unitId: number;
  let seq = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await new DataSource(dataSourceOptions(db.database)).initialize();
    tx = ds.manager;
    const at = new Date().toISOString();
    const [row] = await selectRows<{ id: number | string }>(
      tx,
      `INSERT INTO org_units (code, name, kind, level, parent_id, path, depth, staff_count, created_at, updated_at)
       VALUES ('53', '云南省', 'area', 'province', NULL, '/53/', 0, 10, ?, ?) RETURNING id`,
      [at, at],
    );
    unitId = toInt(row.id);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  const insertUser = (role: string, orgUnitId: number | null, username = `user-${++seq}`) => {
    const at = new Date().toISOString();
    return selectRows<{ id: number | string }>(
      tx,
      `INSERT INTO users (username, display_name, password_hash, role, org_unit_id, disabled, token_version, created_at, updated_at)
       VALUES (?, NULL, 'x', ?, ?, ?, 0, ?, ?) RETURNING id`,
      [username, role, orgUnitId, false, at, at],
    ).then((rows) => toInt(rows[0].id));
  };
  const countUsers = async () => toInt((await selectRows<{ n: number | string }>(tx, 'SELECT COUNT(*) AS n FROM users'))[0].n);

  it('ran the migrations on the database under test', () => {
    expect(ds.options.type).toBe(db.database.type === 'sqlite' ? 'better-sqlite3' : 'postgres');
  });

  it('accepts an admin without a unit and every other role with one', async () => {
    await insertUser('admin', null);
    for (const role of ['issuer', 'reporter', 'coordinator', 'inspector']) await insertUser(role, unitId);
    expect(await countUsers()).toBe(5);
  });

  it('rejects an admin bound to an org unit', async () => {
    const before = await countUsers();
    await expect(insertUser('admin', unitId)).rejects.toThrow(/ck_users_admin_unit/);
    expect(await countUsers()).toBe(before);
  });

  it.each(['issuer', 'reporter', 'coordinator', 'inspector'])('rejects role %s without an org unit', async (role) => {
    const before = await countUsers();
    await expect(insertUser(role, null)).rejects.toThrow(/ck_users_admin_unit/);
    expect(await countUsers()).toBe(before);
  });

  it('rejects updates that would break the rule either way', async () => {
    const reporter = await insertUser('reporter', unitId);
    const admin = await insertUser('admin', null);
    await expect(execute(tx, 'UPDATE users SET org_unit_id = NULL WHERE id = ?', [reporter])).rejects.toThrow(/ck_users_admin_unit/);
    await expect(execute(tx, `UPDATE users SET role = 'admin' WHERE id = ?`, [reporter])).rejects.toThrow(/ck_users_admin_unit/);
    await expect(execute(tx, 'UPDATE users SET org_unit_id = ? WHERE id = ?', [unitId, admin])).rejects.toThrow(/ck_users_admin_unit/);
    await expect(execute(tx, `UPDATE users SET role = 'reporter' WHERE id = ?`, [admin])).rejects.toThrow(/ck_users_admin_unit/);
    const rows = await selectRows<{ id: number | string; role: string; org_unit_id: number | string | null }>(
      tx,
      'SELECT id, role, org_unit_id FROM users WHERE id IN (?, ?) ORDER BY id',
      [reporter, admin],
    );
    expect(rows.map((r) => [toInt(r.id), r.role, r.org_unit_id === null ? null : toInt(r.org_unit_id)])).toEqual([
      [reporter, 'reporter', unitId],
      [admin, 'admin', null],
    ]);
  });

  it('rejects an unknown role, a unit that does not exist and a duplicate username', async () => {
    await expect(insertUser('superuser', unitId)).rejects.toThrow(/ck_users_role/);
    await expect(insertUser('reporter', 999_999)).rejects.toThrow(/foreign key/i);
    await insertUser('reporter', unitId, 'taken');
    const duplicate = await insertUser('reporter', unitId, 'taken').catch((error: unknown) => error);
    expect(isUniqueViolation(duplicate)).toBe(true);
  });
});
