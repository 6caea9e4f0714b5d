import { createHash } from 'node:crypto';
import type { Actor } from '@/common/auth/actor';
import { selectRows, toInt } from '@/database/dialect';
import { OrgUnitImportService } from '@/modules/org-units/org-unit-import.service';
import { createUser } from '../factories';
import { csvBytes } from '../factories/files';
import { TestApp } from '../utils/test-app';

const TOTAL = 20_000;
const LEVEL_COUNTS = { province: 1, prefecture: 16, county: 16 * 8, township: 16 * 8 * 12 };
const VILLAGES = TOTAL - Object.values(LEVEL_COUNTS).reduce((a, b) => a + b, 0);

type Row = [code: string, name: string, level: string, parentCode: string, staffCount: string];

/** A synthetic province of 20,000 units whose codes extend their parents', in shuffled order. */
function syntheticProvince(): Row[] {
  const rows: Row[] = [['53', '合成省', 'province', '', '120']];
  const townships: string[] = [];
  for (let p = 1; p <= LEVEL_COUNTS.prefecture; p++) {
    const prefecture = `53${String(p).padStart(2, '0')}`;
    rows.push([prefecture, `第${p}州`, 'prefecture', '53', '80']);
    for (let c = 1; c <= 8; c++) {
      const county = `${prefecture}${String(c).padStart(2, '0')}`;
      rows.push([county, `第${p}州第${c}县`, 'county', prefecture, '60']);
      for (let s = 1; s <= 12; s++) {
        const township = `${county}${String(s).padStart(3, '0')}`;
        rows.push([township, `${county}乡${s}`, 'township', county, '']);
        townships.push(township);
      }
    }
  }
  for (let v = 0; v < VILLAGES; v++) {
    const township = townships[v % townships.length];
    const n = Math.floor(v / townships.length) + 1;
    rows.push([`${township}${String(n).padStart(3, '0')}`, `${township}村${n}`, 'village', township, String(n % 7)]);
  }
  // A fixed-seed shuffle: children often come before their parents.
  let seed = 20260701;
  for (let i = rows.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  return rows;
}

describe('org unit import at scale', () => {
  let t: TestApp;
  let admin: Actor;

  beforeAll(async () => {
    t = await TestApp.start();
    const user = await createUser(t, 'admin', null);
    admin = { userId: user.id, username: user.username, role: 'admin', orgUnitId: null, unitPath: null, jurisdictionPath: null, level: null };
  });
  afterAll(() => t.close());

  it('imports 20,000 units from CSV in one all-or-nothing transaction', async () => {
    const rows = syntheticProvince();
    expect(rows).toHaveLength(TOTAL);
    const bytes = csvBytes([['code', 'name', 'level', 'parentCode', 'staffCount'], ...rows], 'utf8-bom');

    const result = await t.app.get(OrgUnitImportService).import(admin, bytes, 'synthetic.csv');
    expect(result).toEqual({ imported: TOTAL, sha256: createHash('sha256').update(bytes).digest('hex') });

    const byLevel = await selectRows<{ level: string; n: number | string }>(t.db, 'SELECT level, COUNT(*) AS n FROM org_units GROUP BY level');
    expect(Object.fromEntries(byLevel.map((r) => [r.level, toInt(r.n)]))).toEqual({ ...LEVEL_COUNTS, village: VILLAGES });

    // Spot checks: paths, depths and parent links of units at every level.
    const spot = await selectRows<{ code: string; path: string; depth: number | string; parent_code: string | null }>(
      t.db,
      `SELECT u.code, u.path, u.depth, p.code AS parent_code FROM org_units u LEFT JOIN org_units p ON p.id = u.parent_id
       WHERE u.code IN ('53', '5316', '531608', '531608012', '531608012001', '530101001012')`,
    );
    expect(new Map(spot.map((r) => [r.code, { path: r.path, depth: toInt(r.depth), parent: r.parent_code }]))).toEqual(
      new Map([
        ['53', { path: '/53/', depth: 0, parent: null }],
        ['5316', { path: '/53/5316/', depth: 1, parent: '53' }],
        ['531608', { path: '/53/5316/531608/', depth: 2, parent: '5316' }],
        ['531608012', { path: '/53/5316/531608/531608012/', depth: 3, parent: '531608' }],
        ['531608012001', { path: '/53/5316/531608/531608012/531608012001/', depth: 4, parent: '531608012' }],
        ['530101001012', { path: '/53/5301/530101/530101001/530101001012/', depth: 4, parent: '530101001' }],
      ]),
    );

    // Every path is its parent's path plus its own code: no unit was linked to the wrong parent.
    const [mislinked] = await selectRows<{ n: number | string }>(
      t.db,
      `SELECT COUNT(*) AS n FROM org_units u JOIN org_units p ON p.id = u.parent_id WHERE u.path <> p.path || u.code || '/' OR u.depth <> p.depth + 1`,
    );
    expect(toInt(mislinked.n)).toBe(0);
    const [roots] = await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM org_units WHERE parent_id IS NULL');
    expect(toInt(roots.n)).toBe(1);

    // Staff counts given in the file start each unit's history; empty cells start none.
    const [staff] = await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM org_unit_staff');
    expect(toInt(staff.n)).toBe(TOTAL - LEVEL_COUNTS.township);

    const audit = await selectRows<{ entity_id: string; after_json: string }>(t.db, `SELECT entity_id, after_json FROM audit_log WHERE action = 'org-unit.import'`);
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].after_json)).toMatchObject({ sha256: result.sha256, rows: TOTAL });
  });

  it('refuses the same 20,000 rows again without writing any of them', async () => {
    const rows = syntheticProvince();
    const bytes = csvBytes([['code', 'name', 'level', 'parentCode', 'staffCount'], ...rows]);
    await expect(t.app.get(OrgUnitImportService).import(admin, bytes, 'again.csv')).rejects.toMatchObject({
      code: 'UNPROCESSABLE',
      details: expect.arrayContaining([expect.objectContaining({ column: 'code', message: expect.stringContaining('already exists') })]),
    });
    const [units] = await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM org_units');
    expect(toInt(units.n)).toBe(TOTAL);
  });
});
