import { parse } from 'csv-parse/sync';
import { bearer, createUnit, createUser, standardTree, StandardTree, standardUsers, StandardUsers, UnitRef, UserRef } from '../factories';
import { demandBody } from '../factories/demands';
import { TestApp } from '../utils/test-app';

const API = '/api/v1';

interface Item {
  issuer: { id: number; code: string };
  demandsIssued: number;
  hoursImposed: number;
  flaggedDemands: number;
  flaggedShare: number | null;
}

interface ListPage {
  items: Item[];
  total: number;
  page: number;
  pageSize: number;
}

type Sort = 'hoursImposed' | 'demandsIssued' | 'flaggedShare' | 'code';

/**
 * The order GET /metrics/issuers promises (DESIGN §3: a stable key), written out in JS from the
 * figures each item shows: figures descending by default, code ascending by default; ties by
 * code ascending whichever the order. The list sorts and pages in SQL: it must give exactly this.
 */
function expectedOrder(items: readonly Item[], sort: Sort, order: 'asc' | 'desc'): string[] {
  const dir = order === 'asc' ? 1 : -1;
  const value = (i: Item): number | string | null => (sort === 'hoursImposed' ? i.hoursImposed : sort === 'demandsIssued' ? i.demandsIssued : sort === 'flaggedShare' ? i.flaggedShare : i.issuer.code);
  const byCode = (a: Item, b: Item) => (a.issuer.code < b.issuer.code ? -1 : a.issuer.code > b.issuer.code ? 1 : 0);
  return [...items]
    .sort((a, b) => {
      const va = value(a);
      const vb = value(b);
      if (va === null || vb === null) return va === vb ? byCode(a, b) : va === null ? 1 : -1;
      if (va < vb) return -dir;
      if (va > vb) return dir;
      return byCode(a, b);
    })
    .map((i) => i.issuer.code);
}

/**
 * GET /metrics/issuers sorted and paged in SQL (issue 6: the province-wide list must not map every
 * office on the request thread): every sort key in both orders gives the order worked out by hand
 * below and by the rule above, page by page, on SQLite and PostgreSQL alike.
 *
 * Eight offices of 蒙自市, each registering documents to 文澜街道 landing in 2026-09 (a document of
 * 6 000 characters is DOCUMENT_TOO_LONG, standing: ⌈6 000 / 300⌉ + 30 = 50 min; one of 3 200 is
 * not: ⌈3 200 / 300⌉ + 30 = 41 min):
 *
 *   office           long short  demands  minutes            flagged share
 *   532503-A01        2    0       2      100                1
 *   532503-A02        2    2       4      182                0.5
 *   532503-A03        1    1       2       91                0.5
 *   532503-A04        1    2       3      132                1/3
 *   532503-A05        2    4       6      264                2/6 (= 1/3 exactly, as doubles too)
 *   532503-A06        0    2       2       82                0
 *   532503-A07        1    1       2       91 (ties A03)     0.5
 *   532503001 文澜街道  0    1       1       41 (to its village) 0
 *
 * Ties in every key (hours A03 = A07; demands A01 = A03 = A06 = A07; shares 0.5 × 3, 1/3 × 2, 0 × 2)
 * fall back to the code, and the codes mix '-' and digits: byte order puts '532503-A…' before
 * '532503001', which a linguistic collation (PostgreSQL's default) would not.
 */
describe('metrics: GET /metrics/issuers sorted and paged in SQL (e2e)', () => {
  jest.setTimeout(120_000);
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;

  const OFFICES: { code: string; long: number; short: number }[] = [
    { code: '532503-A01', long: 2, short: 0 },
    { code: '532503-A02', long: 2, short: 2 },
    { code: '532503-A03', long: 1, short: 1 },
    { code: '532503-A04', long: 1, short: 2 },
    { code: '532503-A05', long: 2, short: 4 },
    { code: '532503-A06', long: 0, short: 2 },
    { code: '532503-A07', long: 1, short: 1 },
  ];

  const list = async (query: string): Promise<ListPage> => (await t.http.get(`${API}/metrics/issuers?period=2026&${query}`).set(bearer(users.coordinator)).expect(200)).body as ListPage;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    const register = async (issuer: UserRef, target: UnitRef, charCount: number, n: number) => {
      const res = await t.http
        .post(`${API}/demands`)
        .set(bearer(issuer))
        .send(demandBody('document', tree, { title: `文件${n}`, charCount, targetUnitIds: [target.id] }))
        .expect(201);
      return res.body as { id: number };
    };
    let n = 0;
    for (const office of OFFICES) {
      const unit = await createUnit(t, office.code, `蒙自市${office.code.slice(-3)}局`, tree.mengzi, { kind: 'department', level: 'county' });
      const issuer = await createUser(t, 'issuer', unit);
      for (let i = 0; i < office.long; i++) await register(issuer, tree.wenlan, 6000, ++n);
      for (let i = 0; i < office.short; i++) await register(issuer, tree.wenlan, 3200, ++n);
    }
    await register(await createUser(t, 'issuer', tree.wenlan), tree.village, 3200, ++n);
  });
  afterAll(() => t.close());

  it('every office carries the figures worked out above', async () => {
    const all = await list('pageSize=500&sort=code');
    expect(all.total).toBe(8);
    const figures = Object.fromEntries(all.items.map((i) => [i.issuer.code, [i.demandsIssued, Math.round(i.hoursImposed * 60), i.flaggedDemands]]));
    expect(figures).toEqual({
      '532503-A01': [2, 100, 2],
      '532503-A02': [4, 182, 2],
      '532503-A03': [2, 91, 1],
      '532503-A04': [3, 132, 1],
      '532503-A05': [6, 264, 2],
      '532503-A06': [2, 82, 0],
      '532503-A07': [2, 91, 1],
      '532503001': [1, 41, 0],
    });
  });

  const A = (n: number) => `532503-A0${n}`;
  const TOWN = '532503001';
  const HAND_WORKED: Record<Sort, Record<'asc' | 'desc', string[]>> = {
    hoursImposed: {
      desc: [A(5), A(2), A(4), A(1), A(3), A(7), A(6), TOWN],
      asc: [TOWN, A(6), A(3), A(7), A(1), A(4), A(2), A(5)],
    },
    demandsIssued: {
      desc: [A(5), A(2), A(4), A(1), A(3), A(6), A(7), TOWN],
      asc: [TOWN, A(1), A(3), A(6), A(7), A(4), A(2), A(5)],
    },
    flaggedShare: {
      desc: [A(1), A(2), A(3), A(7), A(4), A(5), A(6), TOWN],
      asc: [A(6), TOWN, A(4), A(5), A(2), A(3), A(7), A(1)],
    },
    code: {
      desc: [TOWN, A(7), A(6), A(5), A(4), A(3), A(2), A(1)],
      asc: [A(1), A(2), A(3), A(4), A(5), A(6), A(7), TOWN],
    },
  };

  for (const sort of ['hoursImposed', 'demandsIssued', 'flaggedShare', 'code'] as const) {
    for (const order of ['desc', 'asc'] as const) {
      it(`sort=${sort}&order=${order}: the hand-worked order, the rule's order, and pages of 3 that add up to it`, async () => {
        const whole = await list(`sort=${sort}&order=${order}&pageSize=500`);
        const codes = whole.items.map((i) => i.issuer.code);
        expect(codes).toEqual(HAND_WORKED[sort][order]);
        expect(codes).toEqual(expectedOrder(whole.items, sort, order));

        // Pages of 3: 3 + 3 + 2, each with the total of all; the page after the last is empty, total kept.
        const pages = await Promise.all([1, 2, 3, 4].map((page) => list(`sort=${sort}&order=${order}&page=${page}&pageSize=3`)));
        expect(pages.map((p) => p.items.length)).toEqual([3, 3, 2, 0]);
        expect(pages.map((p) => [p.total, p.page, p.pageSize])).toEqual([1, 2, 3, 4].map((page) => [8, page, 3]));
        expect(pages.flatMap((p) => p.items.map((i) => i.issuer.code))).toEqual(codes);
        // Each page's items are the whole list's items at those positions, figures and all.
        expect(pages.flatMap((p) => p.items)).toEqual(whole.items);
      });
    }
  }

  it('the default sort is hoursImposed descending; code alone defaults to ascending', async () => {
    expect((await list('pageSize=500')).items.map((i) => i.issuer.code)).toEqual(HAND_WORKED.hoursImposed.desc);
    expect((await list('sort=code&pageSize=500')).items.map((i) => i.issuer.code)).toEqual(HAND_WORKED.code.asc);
  });

  it('page boundaries: size 1 walks every office; the last page of 7 holds one; far past the end is empty with the total', async () => {
    const single = await Promise.all(HAND_WORKED.flaggedShare.desc.map((_, i) => list(`sort=flaggedShare&page=${i + 1}&pageSize=1`)));
    expect(single.map((p) => p.items.map((i) => i.issuer.code))).toEqual(HAND_WORKED.flaggedShare.desc.map((c) => [c]));
    const seven = await list('sort=demandsIssued&page=2&pageSize=7');
    expect(seven).toMatchObject({ total: 8, page: 2, pageSize: 7 });
    expect(seven.items.map((i) => i.issuer.code)).toEqual([TOWN]);
    const far = await list('sort=flaggedShare&page=1000&pageSize=500');
    expect(far).toMatchObject({ items: [], total: 8, page: 1000, pageSize: 500 });
    // underId narrowing to a unit with no issuing office below it: nothing, total 0.
    expect(await list(`underId=${tree.yuguopu.id}&page=2&pageSize=3`)).toMatchObject({ items: [], total: 0 });
  });

  it('format=csv downloads every office in the list order, whatever page and size the query names', async () => {
    const res = await t.http
      .get(`${API}/metrics/issuers?period=2026&sort=flaggedShare&order=asc&page=2&pageSize=3&format=csv`)
      .set(bearer(users.coordinator))
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const [header, ...rows] = parse((res.body as Buffer).subarray(3).toString('utf8')) as string[][];
    const code = header.indexOf('issuer.code');
    expect(rows.map((r) => r[code])).toEqual(HAND_WORKED.flaggedShare.asc);
  });
});
