import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import { selectRows, toInt } from '@/database/dialect';
import { csvBytes, CsvEncoding, xlsxBytes } from '../factories/files';
import { bearer, createUnit, standardTree, standardUsers, StandardTree, StandardUsers } from '../factories';
import { TestApp } from '../utils/test-app';

const API = '/api/v1';
const HEADER = ['code', 'name', 'level', 'parentCode', 'kind', 'staffCount'];
type Row = (string | number | null)[];

interface UnitRow {
  code: string;
  name: string;
  kind: string;
  level: string;
  path: string;
  depth: number | string;
  parent_id: number | string | null;
  staff_count: number | string;
}

interface ImportError {
  row: number;
  column?: string;
  message: string;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('org unit import', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;

  const count = async (table: string): Promise<number> => toInt((await selectRows<{ n: number | string }>(t.db, `SELECT COUNT(*) AS n FROM ${table}`))[0].n);
  /** Everything an import may touch, to show a refused one leaves the database as it was. */
  const snapshot = async () => ({ units: await count('org_units'), staff: await count('org_unit_staff'), audit: await count('audit_log') });
  const unitsByCode = async (codes: string[]): Promise<Map<string, UnitRow>> => {
    const rows = await selectRows<UnitRow>(
      t.db,
      `SELECT code, name, kind, level, path, depth, parent_id, staff_count FROM org_units WHERE code IN (${codes.map(() => '?').join(',')})`,
      codes,
    );
    return new Map(rows.map((r) => [r.code, r]));
  };
  const upload = (bytes: Buffer, fileName = 'units.csv') => t.http.post(`${API}/org-units/import`).set(bearer(users.admin)).attach('file', bytes, fileName);
  const importErrors = (res: Response): ImportError[] => res.body.details as ImportError[];

  function expectClientError(res: Response, status: number): void {
    expect({ status: res.status, statusCode: res.body.statusCode, message: typeof res.body.message }).toEqual({ status, statusCode: status, message: 'string' });
  }

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
  });
  afterAll(() => t.close());

  describe('accepted files', () => {
    /** Two townships of 蒙自市 with villages and a department; children come before their parents. */
    const rowsUnder = (prefix: string): Row[] => [
      HEADER,
      [`${prefix}1001`, '村一', 'village', `${prefix}1`, '', 3],
      [`${prefix}1`, '镇一', 'township', '532503', 'area', 25],
      [`${prefix}2001`, '村二', 'village', `${prefix}2`, '', ''],
      [`532503-${prefix}`, '局', 'county', '532503', 'department', ''],
      [`${prefix}2`, '镇二', 'township', '532503', '', ''],
    ];

    it.each([
      ['UTF-8 with BOM', 'utf8-bom', '53250301'],
      ['UTF-8 without BOM', 'utf8', '53250302'],
      ['GB18030', 'gb18030', '53250303'],
    ] as const)('imports CSV in %s, parents given in any order, with one audit entry', async (_label, encoding: CsvEncoding, prefix) => {
      const rows = rowsUnder(prefix);
      const bytes = csvBytes(rows, encoding);
      const auditBefore = await count('audit_log');
      const res = await upload(bytes).expect(201);
      expect(res.body).toEqual({ imported: 5, sha256: sha256(bytes) });

      const units = await unitsByCode(rows.slice(1).map((r) => String(r[0])));
      expect(units.size).toBe(5);
      const town = units.get(`${prefix}1`)!;
      const village = units.get(`${prefix}1001`)!;
      expect(town).toMatchObject({ name: '镇一', kind: 'area', level: 'township', path: `${tree.mengzi.path}${prefix}1/` });
      expect(toInt(town.parent_id)).toBe(tree.mengzi.id);
      expect(toInt(town.depth)).toBe(3);
      expect(toInt(town.staff_count)).toBe(25);
      expect(village).toMatchObject({ name: '村一', path: `${tree.mengzi.path}${prefix}1/${prefix}1001/` });
      expect(toInt(village.depth)).toBe(4);
      expect(units.get(`532503-${prefix}`)).toMatchObject({ kind: 'department', level: 'county', path: `${tree.mengzi.path}532503-${prefix}/` });
      expect(toInt(units.get(`${prefix}2`)!.staff_count)).toBe(0);

      // A staff count in the file starts the unit's history.
      const villageId = (await selectRows<{ id: number | string }>(t.db, 'SELECT id FROM org_units WHERE code = ?', [`${prefix}1001`]))[0].id;
      const got = await t.http.get(`${API}/org-units/${toInt(villageId)}`).set(bearer(users.coordinator)).expect(200);
      expect(got.body.staffHistory).toEqual([{ staffCount: 3, effectiveFrom: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) }]);

      expect(await count('audit_log')).toBe(auditBefore + 1);
      const entries = await selectRows<{ entity_type: string; entity_id: string; unit_path: string; after_json: string }>(
        t.db,
        `SELECT entity_type, entity_id, unit_path, after_json FROM audit_log WHERE action = 'org-unit.import' AND entity_id = ?`,
        [sha256(bytes)],
      );
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ entity_type: 'org_unit_import', unit_path: tree.mengzi.path });
      expect(JSON.parse(entries[0].after_json)).toMatchObject({ sha256: sha256(bytes), rows: 5 });
    });

    it('keeps Chinese names intact from GB18030', async () => {
      const rows: Row[] = [
        ['code', 'name', 'level', 'parentCode'],
        ['532503080', '芷村镇', 'township', '532503'],
        ['532503080001', '石榴坝村委会', 'village', '532503080'],
      ];
      await upload(csvBytes(rows, 'gb18030')).expect(201);
      const units = await unitsByCode(['532503080', '532503080001']);
      expect(units.get('532503080')!.name).toBe('芷村镇');
      expect(units.get('532503080001')!.name).toBe('石榴坝村委会');
    });

    it('imports XLSX, codes typed as numbers included', async () => {
      const rows: Row[] = [
        HEADER,
        [532503040001, '水田社区', 'village', 532503040, null, 7],
        [532503040, '水田乡', 'township', 532503, 'area', 30],
      ];
      const bytes = await xlsxBytes(rows);
      const res = await upload(bytes, 'units.xlsx').expect(201);
      expect(res.body).toEqual({ imported: 2, sha256: sha256(bytes) });
      const units = await unitsByCode(['532503040', '532503040001']);
      expect(units.get('532503040001')).toMatchObject({ path: `${tree.mengzi.path}532503040/532503040001/`, level: 'village' });
      expect(toInt(units.get('532503040')!.staff_count)).toBe(30);
    });

    it('imports a whole new branch from the province down, the imported units visible within jurisdiction', async () => {
      const rows: Row[] = [
        ['code', 'name', 'level', 'parentCode'],
        ['532801', '景洪市', 'county', '5328'],
        ['5328', '西双版纳傣族自治州', 'prefecture', '53'],
        ['532801001', '允景洪街道', 'township', '532801'],
      ];
      await upload(csvBytes(rows)).expect(201);
      const units = await unitsByCode(['5328', '532801', '532801001']);
      expect(units.get('532801001')!.path).toBe('/53/5328/532801/532801001/');
      const listed = await t.http.get(`${API}/org-units`).query({ q: '景洪' }).set(bearer(users.admin)).expect(200);
      expect(listed.body.items.map((u: { code: string }) => u.code)).toEqual(['532801', '532801001']);
      const hidden = await t.http.get(`${API}/org-units`).query({ q: '景洪' }).set(bearer(users.coordinator)).expect(200);
      expect(hidden.body.total).toBe(0);
    });
  });

  it('keeps imported paths right while the subtree they go into is moved at the same time', async () => {
    const lincang = await createUnit(t, '5309', '临沧市', tree.yunnan);
    const county = await createUnit(t, '530902', '临翔区', lincang);
    const town = await createUnit(t, '530902001', '凤翔街道', county);
    for (let round = 0; round < 8; round++) {
      const move = t.http
        .patch(`${API}/org-units/${county.id}`)
        .set(bearer(users.admin))
        .send({ parentId: round % 2 === 0 ? tree.yunnan.id : lincang.id });
      const rows: Row[] = [['code', 'name', 'level', 'parentCode']];
      for (let i = 1; i <= 3; i++) rows.push([`530902001${round}${String(i).padStart(2, '0')}`, `村${round}-${i}`, 'village', '530902001']);
      const results = await Promise.all([move, upload(csvBytes(rows))]);
      expect(results.map((r) => r.status)).toEqual([200, 201]);
    }
    const [mislinked] = await selectRows<{ n: number | string }>(
      t.db,
      `SELECT COUNT(*) AS n FROM org_units u JOIN org_units p ON p.id = u.parent_id WHERE u.path <> p.path || u.code || '/' OR u.depth <> p.depth + 1`,
    );
    expect(toInt(mislinked.n)).toBe(0);
    const under = await t.http.get(`${API}/org-units`).query({ underId: town.id }).set(bearer(users.admin)).expect(200);
    expect(under.body.total).toBe(1 + 8 * 3);
  });

  it('imports once when retried with the same Idempotency-Key, and refuses the key for another file', async () => {
    const rows: Row[] = [
      ['code', 'name', 'level', 'parentCode'],
      ['532503085', '重试镇', 'township', '532503'],
    ];
    const bytes = csvBytes(rows);
    const send = (file: Buffer) => upload(file).set('Idempotency-Key', 'import-532503085');
    const first = await send(bytes).expect(201);
    const before = await snapshot();
    const again = await send(bytes).expect(201);
    expect(again.body).toEqual(first.body);
    expect(await snapshot()).toEqual(before);
    const other = csvBytes([rows[0], ['532503086', '别的镇', 'township', '532503']]);
    expectClientError(await send(other), 409);
    expect(await snapshot()).toEqual(before);
  });

  describe('refused files leave the database unchanged', () => {
    it('names the row and column of one bad row', async () => {
      const before = await snapshot();
      const rows: Row[] = [
        ['code', 'name', 'level', 'parentCode'],
        ['532503050', '好镇', 'township', '532503'],
        ['532503050001', '好村', 'village', '532503050'],
        ['532503050002', '坏村', 'hamlet', '532503050'],
      ];
      const res = await upload(csvBytes(rows));
      expectClientError(res, 422);
      expect(importErrors(res)).toEqual([{ row: 4, column: 'level', message: expect.any(String) }]);
      expect(await snapshot()).toEqual(before);
      expect((await unitsByCode(['532503050'])).size).toBe(0);
    });

    it('lists every problem with its row and column, sorted by row', async () => {
      const before = await snapshot();
      const rows: Row[] = [
        HEADER,
        /* 2 */ ['532503060', '好镇', 'township', '532503', '', ''],
        /* 3 */ ['532599060', '错码镇', 'township', '532503', '', ''],
        /* 4 */ ['532503060001', '孤村', 'village', '532503069', '', ''],
        /* 5 */ ['532503060', '重复镇', 'township', '532503', '', ''],
        /* 6 */ ['532503001', '已有街道', 'township', '532503', '', ''],
        /* 7 */ ['532503060002', '', 'village', '532503060', '', ''],
        /* 8 */ ['532503060003', '人数错', 'village', '532503060', '', '-4'],
        /* 9 */ ['532503060004', '类别错', 'village', '532503060', 'office', ''],
        /* 10 */ ['532503061', '错级', 'village', '532503', '', ''],
        /* 11 */ ['532503-X', '科室', 'county', '532503-JYJ', 'department', ''],
        /* 12 */ ['532503062', '无上级', 'township', '', '', ''],
        /* 13 */ ['bad code!', '坏码', 'township', '532503', '', ''],
        /* 14 */ ['532503060005', '坏上级的孩子', 'village', '532599060', '', ''],
      ];
      const res = await upload(csvBytes(rows));
      expectClientError(res, 422);
      const errors = importErrors(res);
      expect(errors.map((e) => [e.row, e.column])).toEqual([
        [3, 'code'],
        [4, 'parentCode'],
        [5, 'code'],
        [6, 'code'],
        [7, 'name'],
        [8, 'staffCount'],
        [9, 'kind'],
        [10, 'level'],
        [11, 'parentCode'],
        [12, 'parentCode'],
        [13, 'code'],
        [14, 'parentCode'],
      ]);
      for (const e of errors) expect(e.message.length).toBeGreaterThan(0);
      expect(await snapshot()).toEqual(before);
    });

    it('reports a cycle within the file on every row of the loop', async () => {
      const before = await snapshot();
      const rows: Row[] = [
        ['code', 'name', 'level', 'parentCode'],
        ['532503070', '甲', 'township', '532503070001'],
        ['532503070001', '乙', 'village', '532503070'],
        ['532503071', '自己的上级', 'township', '532503071'],
        ['532503072', '好镇', 'township', '532503'],
      ];
      const res = await upload(csvBytes(rows));
      expectClientError(res, 422);
      const errors = importErrors(res);
      expect(errors.map((e) => [e.row, e.column])).toEqual([
        [2, 'parentCode'],
        [3, 'parentCode'],
        [4, 'parentCode'],
      ]);
      expect(errors.every((e) => /cycle/.test(e.message))).toBe(true);
      expect(await snapshot()).toEqual(before);
    });

    it('survives a long parent chain in a hostile file and answers 422', async () => {
      // Each row's parent is the next row: resolving the first walks the whole chain.
      const rows: Row[] = [['code', 'name', 'level', 'parentCode']];
      for (let i = 50_000; i > 0; i--) rows.push([`X${i}`, `链${i}`, 'village', i === 1 ? '532503' : `X${i - 1}`]);
      const before = await snapshot();
      const res = await upload(csvBytes(rows));
      expectClientError(res, 422);
      expect(await snapshot()).toEqual(before);
    });

    describe('a row the database itself rejects', () => {
      const REJECTED = '532503090650';

      beforeAll(async () => {
        if (t.kind === 'sqlite') {
          await t.db.query(
            `CREATE TRIGGER reject_one_code BEFORE INSERT ON org_units WHEN NEW.code = '${REJECTED}' BEGIN SELECT RAISE(ABORT, 'rejected by test trigger'); END`,
          );
        } else {
          await t.db.query(
            `CREATE FUNCTION reject_one_code() RETURNS trigger LANGUAGE plpgsql AS $fn$
             BEGIN
               IF NEW.code = '${REJECTED}' THEN RAISE EXCEPTION 'rejected by test trigger'; END IF;
               RETURN NEW;
             END $fn$`,
          );
          await t.db.query('CREATE TRIGGER reject_one_code BEFORE INSERT ON org_units FOR EACH ROW EXECUTE FUNCTION reject_one_code()');
        }
      });

      /** Two townships, then 700 villages: the rejected one is in the second batch of villages. */
      function bigFile(): { rows: Row[]; rejectedRow: number } {
        const rows: Row[] = [['code', 'name', 'level', 'parentCode', 'staffCount']];
        rows.push(['532503090', '九十镇', 'township', '532503', 12], ['532503091', '九十一镇', 'township', '532503', '']);
        let rejectedRow = 0;
        for (let i = 1; i <= 700; i++) {
          const code = `532503090${String(i).padStart(3, '0')}`;
          rows.push([code, `村${i}`, 'village', '532503090', 5]);
          if (code === REJECTED) rejectedRow = rows.length;
        }
        return { rows, rejectedRow };
      }

      it('names the row the database refused after earlier rows were written, and keeps nothing', async () => {
        const { rows, rejectedRow } = bigFile();
        expect(rejectedRow).toBe(653);
        const before = await snapshot();
        const res = await upload(csvBytes(rows));
        expectClientError(res, 422);
        expect(importErrors(res)).toEqual([{ row: rejectedRow, column: expect.any(String), message: expect.stringContaining('rejected by test trigger') }]);
        expect(await snapshot()).toEqual(before);
        expect((await unitsByCode(['532503090', '532503090001'])).size).toBe(0);
      });

      it('imports the same file once the database accepts it (nothing half-written was left behind)', async () => {
        if (t.kind === 'sqlite') await t.db.query('DROP TRIGGER reject_one_code');
        else await t.db.query('DROP TRIGGER reject_one_code ON org_units');
        const { rows } = bigFile();
        const before = await snapshot();
        const res = await upload(csvBytes(rows)).expect(201);
        expect(res.body.imported).toBe(702);
        expect(await snapshot()).toEqual({ units: before.units + 702, staff: before.staff + 701, audit: before.audit + 1 });
        expect((await unitsByCode([REJECTED])).get(REJECTED)!.path).toBe(`${tree.mengzi.path}532503090/${REJECTED}/`);
      });
    });

    it('answers 4xx, never 5xx, to unreadable or incomplete files', async () => {
      const before = await snapshot();
      const xlsx = await xlsxBytes([HEADER, ['532503095', '镇', 'township', '532503', '', '']]);
      const cases: [string, () => ReturnType<typeof upload>, number][] = [
        ['an unclosed quote', () => upload(Buffer.from('code,name,level,parentCode\n532503095,"镇,township,532503\n')), 400],
        ['an empty file', () => upload(Buffer.alloc(0)), 400],
        ['blank lines only', () => upload(Buffer.from('\r\n\r\n')), 400],
        ['a header without rows', () => upload(Buffer.from('code,name,level,parentCode\n')), 422],
        ['a row longer than the header', () => upload(Buffer.from('code,name,level,parentCode\n532503095,镇,township,532503,extra\n')), 422],
        ['bytes that are no text', () => upload(Buffer.from([0x63, 0xff, 0xfe, 0xff, 0x0a, 0xff])), 400],
        ['a corrupt workbook', () => upload(xlsx.subarray(0, 300), 'units.xlsx'), 400],
        ['a CSV named .xlsx', () => upload(csvBytes([HEADER]), 'units.xlsx'), 400],
        ['no file at all', () => t.http.post(`${API}/org-units/import`).set(bearer(users.admin)).field('note', 'no file'), 400],
        ['a JSON body', () => t.http.post(`${API}/org-units/import`).set(bearer(users.admin)).send({ file: 'code,name' }), 400],
        ['the file in another field', () => t.http.post(`${API}/org-units/import`).set(bearer(users.admin)).attach('upload', csvBytes([HEADER]), 'units.csv'), 400],
      ];
      for (const [label, call, status] of cases) {
        const res = await call();
        expect({ label, status: res.status }).toEqual({ label, status });
        expectClientError(res, status);
      }
      expect(await snapshot()).toEqual(before);
    });

    it('names every column missing from the header', async () => {
      const res = await upload(csvBytes([['code', 'name'], ['532503096', '镇']]));
      expectClientError(res, 422);
      expect(importErrors(res)).toEqual([
        { row: 1, column: 'level', message: expect.any(String) },
        { row: 1, column: 'parentCode', message: expect.any(String) },
      ]);
    });

    it('counts blank lines in row numbers, as the spreadsheet shows them', async () => {
      const res = await upload(Buffer.from('code,name,level,parentCode\n\n532503097,镇,township,532503\n\n532503097001,村,hamlet,532503097\n'));
      expectClientError(res, 422);
      expect(importErrors(res)).toEqual([{ row: 5, column: 'level', message: expect.any(String) }]);
    });

    it('answers 413 to a file over 20 MB', async () => {
      const before = await snapshot();
      const big = Buffer.alloc(21 * 1024 * 1024, 0x61);
      const res = await upload(big);
      expectClientError(res, 413);
      expect(await snapshot()).toEqual(before);
    });
  });
});
