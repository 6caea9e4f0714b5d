import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { csvLine, UTF8_BOM } from '@/common/export/csv';
import { tableLayout } from '@/common/export/export-table';
import { RANKING_EXPORT } from '@/modules/metrics/export-tables';
import { MetricsRepository } from '@/modules/metrics/metrics.repository';
import type { RankedUnit } from '@/modules/metrics/metrics.service';
import { bearer, createUnit, standardTree, StandardTree, standardUsers, StandardUsers, UserRef } from '../factories';
import { demandBody } from '../factories/demands';
import { TestApp } from '../utils/test-app';

/**
 * GET /metrics/units?format=csv|xlsx: the ranking of more units than one page of 500, downloaded,
 * is the paged JSON ranking row for row, and is computed once for the whole download (every page
 * of the ranking needs every unit: percent ranks and the sort span them all).
 */
describe('metrics: the ranking download computes the ranking once (e2e)', () => {
  jest.setTimeout(180_000);
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  const VILLAGES = { wenlan: 600, yuguopu: 500 };

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    // 1,100 villages more under 蒙自市 (one stands already): three pages of 500.
    for (const [town, count] of [
      [tree.wenlan, VILLAGES.wenlan],
      [tree.yuguopu, VILLAGES.yuguopu],
    ] as const) {
      for (let i = 2; i < count + 2; i++) await createUnit(t, `${town.code}${String(i).padStart(3, '0')}`, `村${town.code}-${i}`, town, { staffCount: 3 + (i % 7) });
    }
    // Some load on a few villages, so that the ranking is not the order of the codes alone.
    const villages = (await t.http.get(`/api/v1/org-units?underId=${tree.wenlan.id}&level=village&pageSize=50`).set(bearer(users.coordinator)).expect(200)).body.items as { id: number }[];
    for (const [i, v] of villages.slice(0, 12).entries()) {
      await t.http
        .post('/api/v1/demands')
        .set(bearer(users.issuer))
        .send(demandBody('meeting', tree, { title: `村级会议${i}`, issuedOn: '2026-04-06', dueOn: undefined, targetUnitIds: [v.id], durationMinutes: 30 * (i + 1) }))
        .expect(201);
    }
  });
  afterAll(() => t.close());

  /** The villages of 蒙自市 ranked over 2026. */
  const url = (query: string) => `/api/v1/metrics/units?level=village&underId=${tree.mengzi.id}&period=2026&${query}`;
  /** GET with the body collected as raw bytes. */
  const download = (path: string, as: UserRef) =>
    t.http
      .get(path)
      .set(bearer(as))
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
  /** Counts how often the units of a ranking are read while `work` runs: once per computation of the ranking. */
  const rankingsComputed = async (work: () => Promise<unknown>): Promise<number> => {
    const spy = jest.spyOn(t.app.get(MetricsRepository), 'areaUnitsUnder');
    try {
      await work();
      return spy.mock.calls.length;
    } finally {
      spy.mockRestore();
    }
  };
  const pagedJson = async (query = ''): Promise<RankedUnit[]> => {
    const items: RankedUnit[] = [];
    for (let page = 1; ; page++) {
      const res = await t.http.get(url(`pageSize=500&page=${page}${query}`)).set(bearer(users.coordinator)).expect(200);
      items.push(...(res.body.items as RankedUnit[]));
      if (items.length >= (res.body.total as number)) return items;
    }
  };

  it('the CSV is the paged JSON ranking, row for row, computed once', async () => {
    let json: RankedUnit[] = [];
    // The JSON list computes the ranking for each page it answers (three here).
    expect(await rankingsComputed(async () => (json = await pagedJson()))).toBe(3);
    expect(json).toHaveLength(VILLAGES.wenlan + VILLAGES.yuguopu + 1);
    expect(json[0].burdenHours).toBeGreaterThan(0);

    let body: Buffer = Buffer.alloc(0);
    const computed = await rankingsComputed(async () => {
      body = (await download(url('format=csv'), users.coordinator).expect(200)).body as Buffer;
    });
    expect(computed).toBe(1);
    const { header, row } = tableLayout(RANKING_EXPORT);
    expect(body.toString('utf8')).toBe(UTF8_BOM + csvLine(header) + json.map((item) => csvLine(row(item))).join(''));
    // And as a reader parses it: one record per unit, in the ranking's order.
    const records = parse(body.subarray(3).toString('utf8')) as string[][];
    expect(records.slice(1).map((r) => Number(r[0]))).toEqual(json.map((item) => item.unit.id));
  });

  it('the XLSX holds every unit of the ranking in its order, computed once', async () => {
    const json = await pagedJson('&sort=code&order=desc');
    let body: Buffer = Buffer.alloc(0);
    expect(
      await rankingsComputed(async () => {
        body = (await download(url('format=xlsx&sort=code&order=desc'), users.coordinator).expect(200)).body as Buffer;
      }),
    ).toBe(1);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(body as unknown as ArrayBuffer);
    const sheet = book.worksheets[0];
    const ids: number[] = [];
    sheet.eachRow((r, n) => {
      if (n > 1) ids.push(Number(r.getCell(1).value));
    });
    expect(ids).toEqual(json.map((item) => item.unit.id));
    expect(json[0].unit.code > json[json.length - 1].unit.code).toBe(true);
  });

  it('a download outside the jurisdiction answers as the JSON list does', async () => {
    const res = await t.http.get(url('format=csv')).set(bearer(users.gejiuCoordinator)).expect(403);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });
});
