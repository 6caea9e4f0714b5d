import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv, parseTabular } from '@/common/files/tabular';
import { selectRows, toInt } from '@/database/dialect';
import { bearer, createUser, standardTree, StandardTree, standardUsers, StandardUsers, UserRef } from '../factories';
import { csvBytes, xlsxBytes } from '../factories/files';
import { importRow, registerDemand, registrationNoOf, REPORT_IMPORT_HEADER } from '../factories/reports';
import { TestApp } from '../utils/test-app';

const URL = '/api/v1/burden-reports/import';
const TEMPLATE = readFileSync(join(__dirname, '..', '..', 'data', 'templates', 'burden-reports-import.csv'));

interface Detail {
  row: number;
  column: string;
  message: string;
  existingReportId?: number;
  amend?: string;
}

describe('POST /burden-reports/import (e2e)', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  let gejiuReporter: UserRef;
  /** The first demand registered: 532503-2026-000001, the template's example, lands on 文澜街道 in 2026-09. */
  let templateDemand: number;
  let secondNo: string;
  let villageNo: string;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    gejiuReporter = await createUser(t, 'reporter', tree.gejiuTown);
    templateDemand = await registerDemand(t, users.issuer, tree);
    secondNo = await registrationNoOf(t, await registerDemand(t, users.issuer, tree, { title: '第二个事项' }));
    villageNo = await registrationNoOf(t, await registerDemand(t, users.issuer, tree, { title: '村级事项', targetUnitIds: [tree.village.id] }));
  });
  afterAll(() => t.close());

  const upload = (bytes: Buffer, as: UserRef = users.reporter, name = 'reports.csv') => t.http.post(URL).set(bearer(as)).attach('file', bytes, name);
  const count = async (table: string, where = '1 = 1') => toInt((await selectRows<{ n: number | string }>(t.db, `SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`))[0].n);
  const snapshot = async () => ({
    reports: await count('burden_reports'),
    versions: await count('burden_report_versions'),
    imports: await count('report_imports'),
    audit: await count('audit_log'),
  });
  const row = (cells: Record<string, string | number> = {}) => importRow({ unitCode: '532503001', registrationNo: secondNo, month: '2026-09', hoursSpent: 2, staffInvolved: 1, ...cells });

  it('ships a template whose header is the import’s', () => {
    expect(parseCsv(TEMPLATE).columns).toEqual(REPORT_IMPORT_HEADER);
  });

  describe('importing the shipped template', () => {
    let first: { sha256: string; reportIds: number[]; imported: number };

    it('stores one report per row with its first version, and one audit entry carrying the file hash', async () => {
      expect(await registrationNoOf(t, templateDemand)).toBe('532503-2026-000001');
      const before = await snapshot();
      const res = await upload(TEMPLATE).expect(201);
      first = res.body;
      expect(res.body).toMatchObject({ imported: 2, replayed: false, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), reportIds: [expect.any(Number), expect.any(Number)] });
      expect(await snapshot()).toEqual({ reports: before.reports + 2, versions: before.versions + 2, imports: before.imports + 1, audit: before.audit + 1 });
      const entries = await selectRows<{ entity_id: string; after_json: string; unit_path: string }>(t.db, "SELECT entity_id, after_json, unit_path FROM audit_log WHERE action = 'burden-report.import'");
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ entity_id: res.body.sha256, unit_path: tree.wenlan.path });
      expect(JSON.parse(entries[0].after_json)).toMatchObject({ rows: 2, sha256: res.body.sha256 });
      const shadow = await t.http.get(`/api/v1/burden-reports/${res.body.reportIds[1]}`).set(bearer(users.reporter)).expect(200);
      expect(shadow.body).toMatchObject({ demandId: null, month: '2026-09', hoursSpent: 6, overtimeHours: 2, shadow: { issuerName: '县某局', channel: 'wechat_group', channelLabel: '微信群' } });
      const registered = await t.http.get(`/api/v1/burden-reports/${res.body.reportIds[0]}`).set(bearer(users.reporter)).expect(200);
      expect(registered.body).toMatchObject({ demandId: templateDemand, hoursSpent: 3.5, staffInvolved: 2, pages: 4, photos: 2, version: 1 });
    });

    it('answers a re-upload of the same file with the first result and stores nothing twice', async () => {
      const before = await snapshot();
      const again = await upload(TEMPLATE).expect(201);
      expect(again.body).toEqual({ ...first, replayed: true });
      // Even under another file name, and at the same moment twice.
      const [a, b] = await Promise.all([upload(TEMPLATE, users.reporter, 'copy.csv'), upload(TEMPLATE, users.reporter, 'copy2.csv')]);
      for (const r of [a, b]) expect(r.body).toMatchObject({ replayed: true, reportIds: first.reportIds });
      expect(await snapshot()).toEqual(before);
    });

    it('answers a different file reporting an already-reported unit, demand and month with a row error pointing to amend', async () => {
      const before = await snapshot();
      const res = await upload(csvBytes([REPORT_IMPORT_HEADER, row({ registrationNo: '532503-2026-000001', note: '另一份文件' })])).expect(422);
      expect(res.body.details).toEqual([
        expect.objectContaining({ row: 2, column: 'registrationNo', existingReportId: first.reportIds[0], amend: `/api/v1/burden-reports/${first.reportIds[0]}/amend` }),
      ]);
      expect(await snapshot()).toEqual(before);
    });
  });

  it('reports every wrong row and column with the plausibility checks, and stores nothing', async () => {
    const before = await snapshot();
    const res = await upload(
      csvBytes([
        REPORT_IMPORT_HEADER,
        row(),
        row({ unitCode: tree.gejiuTown.code }),
        row({ hoursSpent: -1 }),
        row({ staffInvolved: 99 }),
        row({ hoursSpent: 'abc' }),
        row({ registrationNo: '532503-2026-999999' }),
        row({ month: '2026-08' }),
        row({ month: '2099-01' }),
        row({ shadowIssuerName: '县某局' }),
        row({ registrationNo: '', shadowIssuerName: '县某局', shadowTitle: '临时报表', shadowKind: 'report', shadowReceivedOn: '2026-09-03', shadowChannel: 'fax' }),
        row({ hoursSpent: 1, overtimeHours: 2 }),
        row(),
      ]),
    ).expect(422);
    const got = (res.body.details as Detail[]).map((d) => [d.row, d.column]);
    expect(got).toEqual(
      expect.arrayContaining([
        [3, 'unitCode'],
        [4, 'hoursSpent'],
        [5, 'staffInvolved'],
        [6, 'hoursSpent'],
        [7, 'registrationNo'],
        [8, 'month'],
        [9, 'month'],
        [10, 'registrationNo'],
        [11, 'shadowChannel'],
        [12, 'overtimeHours'],
        [13, 'registrationNo'],
      ]),
    );
    expect((res.body.details as Detail[]).find((d) => d.row === 13)!.message).toContain('row 2');
    expect((res.body.details as Detail[]).some((d) => d.row === 2)).toBe(false);
    expect(await snapshot()).toEqual(before);
  });

  it('imports XLSX for a unit below the uploader’s, and keeps each uploader to its own subtree', async () => {
    const xlsx = await xlsxBytes([REPORT_IMPORT_HEADER, importRow({ unitCode: tree.village.code, registrationNo: villageNo, month: '2026-09', hoursSpent: 1.25 })], '填报');
    const res = await upload(xlsx, users.reporter, 'reports.xlsx').expect(201);
    expect(res.body).toMatchObject({ imported: 1, replayed: false });
    const [stored] = await selectRows<{ unit_id: number | string; minutes_spent: number | string }>(t.db, 'SELECT unit_id, minutes_spent FROM burden_reports WHERE id = ?', [res.body.reportIds[0]]);
    expect([toInt(stored.unit_id), toInt(stored.minutes_spent)]).toEqual([tree.village.id, 75]);
    // The same file from another unit is not a re-upload: judged afresh, and 文澜社区 is outside 个旧's subtree.
    const other = await upload(xlsx, gejiuReporter, 'reports.xlsx').expect(422);
    expect(other.body.details).toEqual([expect.objectContaining({ row: 2, column: 'unitCode' })]);
  });

  it('rolls everything back when the database rejects row N after earlier rows were written', async () => {
    const before = await snapshot();
    if (t.kind === 'sqlite') {
      await t.db.query(`CREATE TRIGGER reject_note BEFORE INSERT ON burden_reports WHEN NEW.note = '被拒绝的行' BEGIN SELECT RAISE(ABORT, 'rejected by test trigger'); END`);
    } else {
      await t.db.query(`CREATE FUNCTION reject_note() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN IF NEW.note = '被拒绝的行' THEN RAISE EXCEPTION 'rejected by test trigger'; END IF; RETURN NEW; END $fn$`);
      await t.db.query('CREATE TRIGGER reject_note BEFORE INSERT ON burden_reports FOR EACH ROW EXECUTE FUNCTION reject_note()');
    }
    try {
      const shadow = (note: string) => row({ registrationNo: '', shadowIssuerName: '县某局', shadowTitle: `临时报表${note}`, shadowKind: 'report', shadowReceivedOn: '2026-09-03', shadowChannel: 'phone', note });
      const res = await upload(csvBytes([REPORT_IMPORT_HEADER, shadow('第一行'), shadow('第二行'), shadow('被拒绝的行'), shadow('第四行')])).expect(422);
      expect(res.body.details).toEqual([expect.objectContaining({ row: 4, message: expect.stringContaining('rejected by test trigger') })]);
      expect(await snapshot()).toEqual(before);
    } finally {
      await t.db.query(t.kind === 'sqlite' ? 'DROP TRIGGER reject_note' : 'DROP TRIGGER reject_note ON burden_reports');
    }
  });

  it('is for reporters only, and needs a file with rows and known columns', async () => {
    const bytes = csvBytes([REPORT_IMPORT_HEADER, row()]);
    for (const who of [users.coordinator, users.inspector, users.issuer, users.admin]) await upload(bytes, who).expect(403);
    await t.http.post(URL).attach('file', bytes, 'x.csv').expect(401);
    await t.http.post(URL).set(bearer(users.reporter)).expect(400);
    const unknown = await upload(csvBytes([[...REPORT_IMPORT_HEADER, 'colour'], [...row(), 'red']])).expect(422);
    expect(unknown.body.details).toEqual([expect.objectContaining({ row: 1, column: 'colour' })]);
    await upload(csvBytes([REPORT_IMPORT_HEADER])).expect(422);
  });

  it('serves the template as XLSX with the same header', async () => {
    const res = await t.http
      .get('/api/v1/burden-reports/template.xlsx')
      .set(bearer(users.reporter))
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const parsed = await parseTabular(res.body as Buffer, 'template.xlsx');
    expect(parsed.columns).toEqual(REPORT_IMPORT_HEADER);
    await t.http.get('/api/v1/burden-reports/template.xlsx').set(bearer(users.issuer)).expect(403);
  });
});
