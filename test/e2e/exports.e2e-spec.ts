import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { ExportTable, tableLayout } from '@/common/export/export-table';
import { EXPORTABLE_LIST_METADATA } from '@/common/export/exportable-list';
import { PageQueryDto } from '@/common/paging/page';
import { todayInChina } from '@/common/time';
import { AUDIT_EXPORT } from '@/modules/audit/export-tables';
import { BURDEN_REPORT_EXPORT, MONITORING_POINT_EXPORT, OBJECTION_EXPORT } from '@/modules/burden-reports/export-tables';
import { DEMAND_EXPORT } from '@/modules/demands/export-tables';
import { DUTY_ITEM_EXPORT, TOPIC_EXPORT } from '@/modules/duties/export-tables';
import { FLAG_EXPORT } from '@/modules/flags/export-tables';
import { USER_EXPORT } from '@/modules/identity/export-tables';
import { INSPECTION_PLAN_EXPORT } from '@/modules/inspection-plans/export-tables';
import { JOB_EXPORT } from '@/modules/jobs/export-tables';
import { JOINT_INSPECTION_EXPORT } from '@/modules/joint-inspections/export-tables';
import { ISSUER_METRICS_EXPORT, RANKING_EXPORT } from '@/modules/metrics/export-tables';
import { ORG_UNIT_EXPORT } from '@/modules/org-units/export-tables';
import { POLICY_VERSION_EXPORT } from '@/modules/policy/export-tables';
import { bearer, createUnit, createUser, standardTree, StandardTree, standardUsers, StandardUsers, UserRef } from '../factories';
import { draftPlan } from '../factories/plans';
import { registerDemand, reportBody, shadowBody } from '../factories/reports';
import { TestApp } from '../utils/test-app';

const API = '/api/v1';

/**
 * Lists that do not yet answer format=csv|xlsx (they answer JSON to it). The metrics feature was
 * being written alongside the exports; each of its lists needs `@ExportableList(...)` and a table,
 * and then its entry here goes.
 */
const NOT_YET_EXPORTABLE = new Set<string>([]);
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const CSV_TYPE = 'text/csv; charset=utf-8';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The records of a CSV download (the header first), after checking it starts with the UTF-8 BOM. */
function csvRecords(body: Buffer): string[][] {
  expect(body.subarray(0, 3)).toEqual(BOM);
  return parse(body.subarray(3).toString('utf8'), { relax_column_count: false }) as string[][];
}

/** The data rows of a CSV download as objects keyed by the header. */
function csvObjects(body: Buffer): Record<string, string>[] {
  const [header, ...rows] = csvRecords(body);
  return rows.map((row) => Object.fromEntries(header.map((h, i) => [h, row[i]])));
}

async function xlsxSheet(body: Buffer): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  // exceljs types its parameter as an ArrayBuffer-backed Buffer; a Node Buffer's bytes are the same.
  await workbook.xlsx.load(body as unknown as ArrayBuffer);
  expect(workbook.worksheets).toHaveLength(1);
  return workbook.worksheets[0];
}

const headerOf = (sheet: ExcelJS.Worksheet) => (sheet.getRow(1).values as unknown[]).slice(1);

/** The cells of a sheet's data rows as objects keyed by the header, each cell as exceljs read it. */
function sheetObjects(sheet: ExcelJS.Worksheet): Record<string, ExcelJS.Cell>[] {
  const header = headerOf(sheet) as string[];
  const out: Record<string, ExcelJS.Cell>[] = [];
  for (let r = 2; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    out.push(Object.fromEntries(header.map((h, i) => [h, row.getCell(i + 1)])));
  }
  return out;
}

describe('list exports: format=csv|xlsx (e2e)', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  let neighbour: UserRef;
  let demandId: number;

  /** GET with the body collected as raw bytes, whatever its content type. */
  const download = (url: string, as?: UserRef) => {
    const req = t.http
      .get(url)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    return as ? req.set(bearer(as)) : req;
  };
  const json = async (url: string, as: UserRef) => {
    const res = await t.http.get(url).set(bearer(as));
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { items: Record<string, unknown>[]; total: number };
  };
  const report = async (as: UserRef, body: object) => {
    const res = await t.http.post(`${API}/burden-reports`).set(bearer(as)).send(body);
    if (res.status !== 201) throw new Error(`report: ${res.status} ${JSON.stringify(res.body)}`);
  };

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    neighbour = await createUser(t, 'reporter', tree.yuguopu);
    demandId = await registerDemand(t, users.issuer, tree, { title: '学生资助数据报送' });
    // 文澜街道: two shadow demands whose titles a spreadsheet would run as formulas, and a registered one.
    await report(users.reporter, shadowBody({ hoursSpent: 2.5 }, { title: '=1+1' }));
    await report(users.reporter, shadowBody({ hoursSpent: 1 }, { title: '-5' }));
    await report(users.reporter, reportBody(demandId, '2026-09', { hoursSpent: 4, note: '按通知要求整理材料，含"引号"' }));
    // 雨过铺街道, the neighbour township.
    await report(neighbour, shadowBody({ hoursSpent: 6 }, { title: '雨过铺的报送' }));
    const objection = await t.http.post(`${API}/demands/${demandId}/objections`).set(bearer(users.reporter)).send({ reason: '该事项属于收回事项' });
    expect(objection.status).toBe(201);
    await t.http.put(`${API}/monitoring-points`).set(bearer(users.coordinator)).send({ unitIds: [tree.wenlan.id], from: '2026-07' }).expect(200);
    await draftPlan(t, users.issuer);
  });
  afterAll(() => t.close());

  it('every GET handler that takes a PageQueryDto is exportable (none left out)', () => {
    const lists: string[] = [];
    const missing: string[] = [];
    for (const module of t.app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
        if (!controller) continue;
        const proto = controller.prototype as Record<string, unknown>;
        for (const name of Object.getOwnPropertyNames(proto)) {
          const handler = proto[name];
          if (name === 'constructor' || typeof handler !== 'function') continue;
          if (Reflect.getMetadata(METHOD_METADATA, handler) !== RequestMethod.GET) continue;
          const params = (Reflect.getMetadata('design:paramtypes', proto, name) ?? []) as unknown[];
          if (!params.some((p) => p === PageQueryDto || (typeof p === 'function' && p.prototype instanceof PageQueryDto))) continue;
          const label = `${controller.name}.${name}`;
          lists.push(label);
          if (!Reflect.getMetadata(EXPORTABLE_LIST_METADATA, handler)) missing.push(label);
        }
      }
    }
    expect(missing.filter((label) => !NOT_YET_EXPORTABLE.has(label))).toEqual([]);
    expect(lists.length).toBeGreaterThanOrEqual(14);
  });

  describe('each list downloads every row the JSON list holds for the same caller and filters', () => {
    const cases: [string, string, () => UserRef, ExportTable<never>][] = [
      ['org units', '/org-units', () => users.coordinator, ORG_UNIT_EXPORT],
      ['topics', '/topics', () => users.reporter, TOPIC_EXPORT],
      ['duty items', '/duty-items', () => users.reporter, DUTY_ITEM_EXPORT],
      ['users', '/users', () => users.admin, USER_EXPORT],
      ['policy versions', '/policy/versions', () => users.admin, POLICY_VERSION_EXPORT],
      ['jobs', '/jobs', () => users.admin, JOB_EXPORT],
      ['audit', '/audit', () => users.admin, AUDIT_EXPORT],
      ['demands', '/demands', () => users.coordinator, DEMAND_EXPORT],
      ['objections', '/objections', () => users.coordinator, OBJECTION_EXPORT],
      ['burden reports', '/burden-reports', () => users.coordinator, BURDEN_REPORT_EXPORT],
      ['monitoring points', '/monitoring-points?period=2026', () => users.coordinator, MONITORING_POINT_EXPORT],
      ['flags', '/flags', () => users.coordinator, FLAG_EXPORT],
      ['inspection plans', '/inspection-plans', () => users.coordinator, INSPECTION_PLAN_EXPORT],
      ['joint inspections', '/joint-inspections/suggestions?from=2026-01-01&to=2026-12-31', () => users.coordinator, JOINT_INSPECTION_EXPORT],
      ['unit burden ranking', '/metrics/units?level=township&period=2026', () => users.coordinator, RANKING_EXPORT],
      ['issuer metrics', '/metrics/issuers?period=2026', () => users.coordinator, ISSUER_METRICS_EXPORT],
    ];
    const withQuery = (path: string, query: string) => `${API}${path}${path.includes('?') ? '&' : '?'}${query}`;

    it.each(cases)('%s: CSV', async (_label, path, as, table) => {
      const { total } = await json(withQuery(path, 'pageSize=500'), as());
      const res = await download(withQuery(path, 'format=csv'), as()).expect(200);
      expect(res.headers['content-type']).toBe(CSV_TYPE);
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename="${table.name}-${todayInChina()}.csv"; filename*=UTF-8''${encodeURIComponent(`${table.title}-${todayInChina()}.csv`)}`,
      );
      const [header, ...rows] = csvRecords(res.body as Buffer);
      expect(header).toEqual(tableLayout(table).header);
      expect(rows).toHaveLength(total);
    });

    it.each(cases)('%s: XLSX', async (_label, path, as, table) => {
      const { total } = await json(withQuery(path, 'pageSize=500'), as());
      const res = await download(withQuery(path, 'format=xlsx'), as()).expect(200);
      expect(res.headers['content-type']).toBe(XLSX_TYPE);
      expect(res.headers['content-disposition']).toContain(`filename="${table.name}-${todayInChina()}.xlsx"`);
      const sheet = await xlsxSheet(res.body as Buffer);
      expect(headerOf(sheet)).toEqual(tableLayout(table).header);
      expect(sheet.rowCount).toBe(total + 1);
    });

    it('the data is there, not only the counts: some lists hold rows', async () => {
      for (const path of ['/org-units', '/users', '/audit', '/demands', '/objections', '/burden-reports', '/monitoring-points?period=2026', '/inspection-plans', '/metrics/units?level=township&period=2026', '/metrics/issuers?period=2026']) {
        const as = cases.find((c) => c[1] === path)![2]();
        expect((await json(withQuery(path, 'pageSize=1'), as)).total).toBeGreaterThan(0);
      }
    });
  });

  describe('everything that matches, across pages of 500', () => {
    const count = 520;
    let underId: number;

    beforeAll(async () => {
      const town = await createUnit(t, '532503003', '草坝镇', tree.mengzi);
      underId = town.id;
      for (let i = 1; i <= count; i++) await createUnit(t, `532503003${String(i).padStart(3, '0')}`, `第${i}村`, town, { staffCount: i });
    });

    it('CSV holds all 521 units of the subtree, in the order of the JSON pages', async () => {
      const page1 = await json(`${API}/org-units?underId=${underId}&pageSize=500&page=1`, users.coordinator);
      const page2 = await json(`${API}/org-units?underId=${underId}&pageSize=500&page=2`, users.coordinator);
      expect(page1.total).toBe(count + 1);
      const res = await download(`${API}/org-units?underId=${underId}&format=csv&page=2&pageSize=3`, users.coordinator).expect(200);
      const rows = csvObjects(res.body as Buffer);
      expect(rows).toHaveLength(count + 1);
      expect(rows.map((r) => Number(r.id))).toEqual([...page1.items, ...page2.items].map((u) => u.id));
      expect(new Set(rows.map((r) => r.id)).size).toBe(count + 1);
    });

    it('XLSX holds them too, ids and staff counts as numbers', async () => {
      const res = await download(`${API}/org-units?underId=${underId}&format=xlsx`, users.coordinator).expect(200);
      const rows = sheetObjects(await xlsxSheet(res.body as Buffer));
      expect(rows).toHaveLength(count + 1);
      const last = rows.find((r) => r.code.value === `532503003${count}`)!;
      expect(last.staffCount.type).toBe(ExcelJS.ValueType.Number);
      expect(last.staffCount.value).toBe(count);
      expect(rows.every((r) => typeof r.id.value === 'number')).toBe(true);
    });
  });

  describe('jurisdiction and escaping: burden reports', () => {
    it('a township reporter downloads its own subtree’s reports, never the neighbour’s (and the neighbour likewise)', async () => {
      const own = csvObjects((await download(`${API}/burden-reports?format=csv`, users.reporter).expect(200)).body as Buffer);
      expect(own).toHaveLength((await json(`${API}/burden-reports?pageSize=500`, users.reporter)).total);
      expect(own.length).toBe(3);
      expect(own.every((r) => Number(r.unitId) === tree.wenlan.id)).toBe(true);
      expect(own.map((r) => r['shadow.title'])).not.toContain('雨过铺的报送');

      const theirs = csvObjects((await download(`${API}/burden-reports?format=csv`, neighbour).expect(200)).body as Buffer);
      expect(theirs.map((r) => [Number(r.unitId), r['shadow.title']])).toEqual([[tree.yuguopu.id, '雨过铺的报送']]);

      const sheet = sheetObjects(await xlsxSheet((await download(`${API}/burden-reports?format=xlsx`, users.reporter).expect(200)).body as Buffer));
      expect(sheet.map((r) => r.unitId.value)).toEqual(own.map((r) => Number(r.unitId)));
    });

    it('filters apply to the download as to the JSON list', async () => {
      const shadows = csvObjects((await download(`${API}/burden-reports?format=csv&shadow=true`, users.reporter).expect(200)).body as Buffer);
      expect(shadows.map((r) => r['shadow.title']).sort()).toEqual(["'-5", "'=1+1"]);
    });

    it('a formula in a title is escaped in CSV, while hours stay numbers', async () => {
      const res = await download(`${API}/burden-reports?format=csv&shadow=true`, users.reporter).expect(200);
      const text = (res.body as Buffer).toString('utf8');
      expect(text).toContain(",'=1+1,");
      expect(text).not.toMatch(/,=1\+1,/);
      const byTitle = new Map(csvObjects(res.body as Buffer).map((r) => [r['shadow.title'], r]));
      expect(byTitle.get("'=1+1")!.hoursSpent).toBe('2.5');
      expect(byTitle.get("'-5")!.hoursSpent).toBe('1');
      const registered = csvObjects((await download(`${API}/burden-reports?format=csv&shadow=false`, users.reporter).expect(200)).body as Buffer);
      expect(registered[0].note).toBe('按通知要求整理材料，含"引号"');
    });

    it('a formula in a title is escaped in XLSX, a text cell and no formula, while hours are number cells', async () => {
      const res = await download(`${API}/burden-reports?format=xlsx&shadow=true`, users.reporter).expect(200);
      const rows = sheetObjects(await xlsxSheet(res.body as Buffer));
      const formula = rows.find((r) => r['shadow.title'].value === "'=1+1")!;
      expect(formula['shadow.title'].type).toBe(ExcelJS.ValueType.String);
      expect(formula.hoursSpent.type).toBe(ExcelJS.ValueType.Number);
      expect(formula.hoursSpent.value).toBe(2.5);
      expect(rows.some((r) => r['shadow.title'].type === ExcelJS.ValueType.Formula)).toBe(false);
      expect(rows.map((r) => r['shadow.title'].value).sort()).toEqual(["'-5", "'=1+1"]);
    });

    it('an issuer’s download shows what its JSON list shows: its demand’s reports, no shadow block, no note', async () => {
      const rows = csvObjects((await download(`${API}/burden-reports?format=csv`, users.issuer).expect(200)).body as Buffer);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ demandId: String(demandId), hoursSpent: '4', 'shadow.title': '', 'shadow.issuerName': '', note: '', linkedAt: '' });
    });

    it('names the file in Chinese (RFC 5987) with an ASCII fallback', async () => {
      const res = await download(`${API}/burden-reports?format=csv`, users.reporter).expect(200);
      const disposition = res.headers['content-disposition'];
      expect(disposition).toMatch(/^attachment; filename="burden-reports-\d{4}-\d{2}-\d{2}\.csv"; filename\*=UTF-8''/);
      expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)![1])).toBe(`负担填报-${todayInChina()}.csv`);
    });
  });

  describe('refusals answer exactly as the JSON list does', () => {
    const same = async (path: string, as?: UserRef) => {
      const get = (url: string) => (as ? t.http.get(url).set(bearer(as)) : t.http.get(url));
      const list = await get(`${API}${path}`);
      const csv = await get(`${API}${path}${path.includes('?') ? '&' : '?'}format=csv`);
      const xlsx = await get(`${API}${path}${path.includes('?') ? '&' : '?'}format=xlsx`);
      expect(csv.status).toBe(list.status);
      expect(xlsx.status).toBe(list.status);
      expect(csv.body).toEqual(list.body);
      expect(xlsx.body).toEqual(list.body);
      expect(csv.headers['content-type']).toMatch(/^application\/json/);
      return list;
    };

    it('401 without a token', async () => {
      expect((await same('/burden-reports')).status).toBe(401);
    });

    it('403 for a role the list refuses', async () => {
      expect((await same('/users', users.reporter)).status).toBe(403);
      expect((await same('/audit', users.issuer)).status).toBe(403);
      expect((await same('/monitoring-points?period=2026', users.reporter)).status).toBe(403);
    });

    it('400 for a filter the service rejects, before any byte of the file', async () => {
      const res = await same('/demands?from=2026-02-30', users.coordinator);
      expect(res.status).toBe(400);
      expect(res.body.details[0].field).toBe('from');
    });

    it('400 naming the field for a format that is not json, csv or xlsx', async () => {
      const res = await t.http.get(`${API}/burden-reports?format=pdf`).set(bearer(users.reporter)).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.details).toEqual([{ field: 'format', message: expect.stringContaining('json, csv, xlsx') }]);
      expect(res.body.message).toContain('format');
    });
  });
});
