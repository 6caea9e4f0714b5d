import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseCsv } from '@/common/files/tabular';
import { selectRows, toInt } from '@/database/dialect';
import { bearer, createUnit, standardTree, StandardTree, standardUsers, StandardUsers, UserRef } from '../factories';
import { csvBytes, xlsxBytes } from '../factories/files';
import { TestApp } from '../utils/test-app';

const TEMPLATE = readFileSync(join(__dirname, '..', '..', 'data', 'templates', 'demands-import.csv'));
const HEADER = parseCsv(TEMPLATE).columns;

/** A row of the template as a header-ordered array, from a sparse object. */
const row = (cells: Record<string, string | number>) => HEADER.map((c) => (cells[c] === undefined ? '' : String(cells[c])));
const report = (overrides: Record<string, string | number> = {}) =>
  row({ issuerCode: '532503-JYJ', kind: 'report', title: '报送在校学生情况', topic: 'education', issuedOn: '2026-09-01', dueOn: '2026-09-10', targetCodes: '532503001', fields: '在校学生数;教师总数', ...overrides });

describe('POST /demands/import (e2e)', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    // The template's joint inspector.
    await createUnit(t, '532503-YJJ', '蒙自市应急管理局', tree.mengzi, { kind: 'department', level: 'county' });
  });
  afterAll(() => t.close());

  const upload = (bytes: Buffer, as: UserRef, name = 'demands.csv') => t.http.post('/api/v1/demands/import').set(bearer(as)).attach('file', bytes, name);
  /** The import's job once it has ended (small files end before the 202 answer; large ones are polled). */
  interface EndedJob {
    kind: string;
    status: 'succeeded' | 'failed';
    result?: { imported: number; targets: number; sha256: string };
    error: { code?: string; message: string; details: { row: number; column?: string; message: string }[] };
  }
  const importJob = async (bytes: Buffer, as: UserRef, name = 'demands.csv'): Promise<EndedJob> => {
    const res = await upload(bytes, as, name).expect(202);
    expect(res.body).toEqual({ jobId: expect.any(Number), status: expect.any(String) });
    for (let i = 0; i < 600; i++) {
      const job = await t.http.get(`/api/v1/jobs/${res.body.jobId}`).set(bearer(as)).expect(200);
      if (job.body.status === 'succeeded' || job.body.status === 'failed') return job.body as EndedJob;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('import job did not end');
  };
  const count = async (table: string) => toInt((await selectRows<{ n: number | string }>(t.db, `SELECT COUNT(*) AS n FROM ${table}`))[0].n);
  const snapshot = async () => ({ demands: await count('demands'), targets: await count('demand_targets'), audit: await count('audit_log') });

  it('imports the shipped template as its issuer, expanding scopes, with one audit entry carrying the file hash', async () => {
    const before = await snapshot();
    const job = await importJob(TEMPLATE, users.issuer);
    // targets: 2 codes + 2 townships + 2 townships + 1 + 1
    expect(job).toMatchObject({ kind: 'demands-import', status: 'succeeded', result: { imported: 5, targets: 8, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    const res = { body: job.result! };
    // the job's start and the import itself
    expect(await snapshot()).toEqual({ demands: before.demands + 5, targets: before.targets + 8, audit: before.audit + 2 });
    const [entry] = await selectRows<{ action: string; entity_id: string; after_json: string }>(t.db, "SELECT action, entity_id, after_json FROM audit_log WHERE action = 'demand.import'");
    expect(entry.entity_id).toBe(res.body.sha256);
    expect(JSON.parse(entry.after_json)).toMatchObject({ rows: 5, targets: 8 });
    const list = await t.http.get(`/api/v1/demands?issuerId=${tree.education.id}&pageSize=500`).set(bearer(users.issuer)).expect(200);
    const titles = list.body.items.map((d: { title: string }) => d.title);
    expect(titles).toEqual(expect.arrayContaining(['2026年秋季学期校园安全专项检查', '学习强国"每日打卡"']));
    const daily = list.body.items.find((d: { recurrence: string }) => d.recurrence === 'daily');
    const detail = await t.http.get(`/api/v1/demands/${daily.id}`).set(bearer(users.issuer)).expect(200);
    expect(detail.body.occurrences).toEqual([
      { month: '2026-09', occurrences: 30 },
      { month: '2026-10', occurrences: 31 },
      { month: '2026-11', occurrences: 30 },
      { month: '2026-12', occurrences: 31 },
    ]);
    expect(detail.body).toMatchObject({ estimatedHoursPerTarget: 0.25, estimateSource: 'issuer', appRequirements: ['clock_in', 'usage_ranking'] });
    const inspection = list.body.items.find((d: { kind: string }) => d.kind === 'inspection');
    expect(inspection).toMatchObject({ targetCount: 2, onSiteDays: 1.5, requiresTrace: ['photos'] });
  });

  it('lets a coordinator import for an issuer in its jurisdiction, from GB18030 CSV and from XLSX', async () => {
    const rows = [HEADER, report({ title: '国标编码导入' })];
    expect((await importJob(csvBytes(rows, 'gb18030'), users.coordinator)).status).toBe('succeeded');
    expect((await importJob(await xlsxBytes([HEADER, report({ title: 'XLSX 导入' })], 'demands'), users.coordinator, 'demands.xlsx')).status).toBe('succeeded');
    const titles = (await selectRows<{ title: string }>(t.db, 'SELECT title FROM demands')).map((r) => r.title);
    expect(titles).toEqual(expect.arrayContaining(['国标编码导入', 'XLSX 导入']));
  });

  it('reports every wrong row and column, and writes nothing', async () => {
    const before = await snapshot();
    const job = await importJob(
      csvBytes([
        HEADER,
        report(),
        report({ dueOn: '2026-08-01' }),
        report({ kind: 'meeting', fields: '' }),
        report({ topic: 'nope', targetCodes: '532501001' }),
        report({ issuerCode: '532503-YJJ' }),
      ]),
      users.issuer,
    );
    expect(job).toMatchObject({ status: 'failed', error: { code: 'UNPROCESSABLE' } });
    const res = { body: job.error };
    expect(res.body.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 3, column: 'dueOn' }),
        expect.objectContaining({ row: 4, column: 'durationMinutes' }),
        expect.objectContaining({ row: 5, column: 'topic' }),
        expect.objectContaining({ row: 5, column: 'targetCodes' }),
        expect.objectContaining({ row: 6, column: 'issuerCode' }),
      ]),
    );
    expect(res.body.details.some((d: { row: number }) => d.row === 2)).toBe(false);
    expect(await snapshot()).toEqual({ ...before, audit: before.audit + 1 }); // only the job's start is audited
  });

  it('keeps a coordinator to issuers in its jurisdiction, and other roles out', async () => {
    const job = await importJob(csvBytes([HEADER, report()]), users.gejiuCoordinator);
    expect(job.error.details).toEqual([expect.objectContaining({ row: 2, column: 'issuerCode' })]);
    for (const u of [users.reporter, users.inspector, users.admin]) await upload(csvBytes([HEADER, report()]), u).expect(403);
    await t.http.post('/api/v1/demands/import').attach('file', csvBytes([HEADER, report()]), 'x.csv').expect(401);
  });

  it('rejects unknown columns, a missing file and a header without rows', async () => {
    const bad = await importJob(csvBytes([[...HEADER, 'colour'], [...report(), 'red']]), users.issuer);
    expect(bad.error.details).toEqual([expect.objectContaining({ column: 'colour' })]);
    await t.http.post('/api/v1/demands/import').set(bearer(users.issuer)).expect(400);
    expect((await importJob(csvBytes([HEADER]), users.issuer)).error.code).toBe('UNPROCESSABLE');
  });

  it('refuses a form field beside the file with 400 naming it, imports nothing and leaves no upload behind', async () => {
    // The upload goes to disk as it arrives, under os.tmpdir() (asked when each upload starts): a folder of this test's own.
    const tmp = mkdtempSync(join(os.tmpdir(), 'upload-fields-'));
    const spy = jest.spyOn(os, 'tmpdir').mockReturnValue(tmp);
    try {
      const before = await snapshot();
      const res = await t.http
        .post('/api/v1/demands/import')
        .set(bearer(users.issuer))
        .field('issuerId', String(tree.gejiu.id))
        .attach('file', csvBytes([HEADER, report()]), 'demands.csv')
        .expect(400);
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'issuerId' })]);
      expect(await snapshot()).toEqual(before);
      expect(readdirSync(join(tmp, 'burden-ledger-uploads'))).toEqual([]);
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('rolls everything back when the database itself rejects row N after earlier rows were written', async () => {
    const before = await snapshot();
    if (t.kind === 'sqlite') {
      await t.db.query(`CREATE TRIGGER reject_title BEFORE INSERT ON demands WHEN NEW.title = '被拒绝的事项' BEGIN SELECT RAISE(ABORT, 'rejected by test trigger'); END`);
    } else {
      await t.db.query(`CREATE FUNCTION reject_title() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN IF NEW.title = '被拒绝的事项' THEN RAISE EXCEPTION 'rejected by test trigger'; END IF; RETURN NEW; END $fn$`);
      await t.db.query('CREATE TRIGGER reject_title BEFORE INSERT ON demands FOR EACH ROW EXECUTE FUNCTION reject_title()');
    }
    try {
      const rows = [HEADER, report({ title: '第一行' }), report({ title: '第二行' }), report({ title: '被拒绝的事项' }), report({ title: '第四行' })];
      const job = await importJob(csvBytes(rows), users.issuer);
      expect(job.error.details).toEqual([expect.objectContaining({ row: 4, message: expect.stringContaining('rejected by test trigger') })]);
      expect(await snapshot()).toEqual({ ...before, audit: before.audit + 1 }); // only the job's start is audited
    } finally {
      await t.db.query(t.kind === 'sqlite' ? 'DROP TRIGGER reject_title' : 'DROP TRIGGER reject_title ON demands');
    }
  });

  it('runs a large file in a worker thread, with progress, while health still answers', async () => {
    const rows = [HEADER, ...Array.from({ length: 3000 }, (_, i) => report({ title: `批量导入事项第${i + 1}号：关于报送秋季学期在校学生与教师情况的通知`, targetCodes: '532503001;532503002' }))];
    const bytes = csvBytes(rows);
    expect(bytes.length).toBeGreaterThan(256 * 1024);
    const before = await snapshot();
    const res = await upload(bytes, users.issuer).expect(202);
    expect(res.body.status).toBe('queued');
    const health = await t.http.get('/api/v1/health').expect(200);
    expect(health.body.status).toBe('ok');
    let job: { status: string; result?: unknown } = { status: 'queued' };
    for (let i = 0; i < 600 && job.status !== 'succeeded' && job.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await t.http.get(`/api/v1/jobs/${res.body.jobId}`).set(bearer(users.issuer)).expect(200)).body;
    }
    expect(job).toMatchObject({ status: 'succeeded', result: { imported: 3000, targets: 6000 } });
    expect((await snapshot()).demands).toBe(before.demands + 3000);
    // The worker boots from the TypeScript sources: seconds on a loaded machine, past jest's 5 s default.
  }, 90_000);
});
