import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '@/common/files/tabular';
import { selectRows, toInt } from '@/database/dialect';
import { IMPORT_BATCH_ROWS } from '@/modules/demands/demand-importer';
import { loadFieldSynonyms, normaliseFieldName } from '@/modules/demands/fields/field-key';
import { bearer, standardTree, StandardTree, standardUsers, StandardUsers, UserRef } from '../factories';
import { csvBytes, encodeGb18030 } from '../factories/files';
import { TestApp } from '../utils/test-app';

const TEMPLATE = readFileSync(join(__dirname, '..', '..', 'data', 'templates', 'demands-import.csv'));
const HEADER = parseCsv(TEMPLATE).columns;
const row = (cells: Record<string, string | number>) => HEADER.map((c) => (cells[c] === undefined ? '' : String(cells[c])));
const report = (i: number, overrides: Record<string, string | number> = {}) =>
  row({ kind: 'report', title: `分批导入第${i}号报表`, topic: 'education', issuedOn: '2026-09-01', dueOn: '2026-09-10', targetCodes: '532503001;532503002', fields: '在校学生数;教师总数', ...overrides });

/**
 * The import reads, checks and writes a file a batch of rows at a time (IMPORT_BATCH_ROWS) inside
 * one transaction: files of several batches, uploaded to disk and run in the worker thread, stay
 * all-or-nothing with every problem reported, whichever batch it is in.
 */
describe('POST /demands/import over several batches (e2e)', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  const rows = IMPORT_BATCH_ROWS * 2 + 300;
  // Each file runs as a job in a worker thread (compiled from the TypeScript sources under jest).
  jest.setTimeout(120_000);

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
  });
  afterAll(() => t.close());

  interface EndedJob {
    status: 'succeeded' | 'failed';
    result?: { imported: number; targets: number; sha256: string };
    error?: { code?: string; details: { row: number; column?: string; message: string }[] };
  }
  const importJob = async (bytes: Buffer, as: UserRef): Promise<EndedJob> => {
    const res = await t.http.post('/api/v1/demands/import').set(bearer(as)).attach('file', bytes, 'demands.csv').expect(202);
    for (let i = 0; i < 1200; i++) {
      const job = await t.http.get(`/api/v1/jobs/${res.body.jobId}`).set(bearer(as)).expect(200);
      if (job.body.status === 'succeeded' || job.body.status === 'failed') return job.body as EndedJob;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('import job did not end');
  };
  const count = async (table: string) => toInt((await selectRows<{ n: number | string }>(t.db, `SELECT COUNT(*) AS n FROM ${table}`))[0].n);
  const snapshot = async () => ({
    demands: await count('demands'),
    targets: await count('demand_targets'),
    fields: await count('demand_fields'),
    fieldKeys: await count('field_keys'),
    occurrences: await count('demand_occurrences'),
    imports: await count("audit_log WHERE action = 'demand.import'"),
  });
  /** The job files left once the job has ended (the worker records the end; the app thread then removes the file). */
  const jobFilesLeft = async () => {
    const dir = join(t.config.dataDir, 'job-files');
    const files = () => (existsSync(dir) ? readdirSync(dir) : []);
    for (let i = 0; i < 50 && files().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    return files();
  };

  it('reports wrong rows of the first and the last batch, and writes nothing although earlier batches were good', async () => {
    const before = await snapshot();
    const lines = [HEADER, ...Array.from({ length: rows }, (_, i) => report(i + 1))];
    lines[3] = report(3, { dueOn: '2026-08-01' }); // file row 4, first batch
    lines[rows] = report(rows, { topic: 'nope' }); // the last file row, third batch
    const job = await importJob(csvBytes(lines), users.issuer);
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('UNPROCESSABLE');
    expect(job.error?.details).toEqual([expect.objectContaining({ row: 4, column: 'dueOn' }), expect.objectContaining({ row: rows + 1, column: 'topic' })]);
    expect(await snapshot()).toEqual(before);
    expect(await jobFilesLeft()).toEqual([]);
  });

  it('writes nothing when only a row of the last batch is wrong (the first batches were written, then rolled back)', async () => {
    const before = await snapshot();
    const lines = [HEADER, ...Array.from({ length: rows }, (_, i) => report(i + 1))];
    lines[rows - 1] = report(rows - 1, { kind: 'meeting', fields: '' });
    const job = await importJob(csvBytes(lines), users.issuer);
    expect(job.error?.details).toEqual([expect.objectContaining({ row: rows, column: 'durationMinutes' }), expect.objectContaining({ row: rows, column: 'attendeesPerTarget' })]);
    expect(await snapshot()).toEqual(before);
  });

  it('imports every batch of a GB18030 file, with registration numbers in file order and one audit entry carrying the file hash', async () => {
    const before = await snapshot();
    const text = [HEADER, ...Array.from({ length: rows }, (_, i) => report(i + 1))].map((r) => r.join(',')).join('\r\n');
    const bytes = encodeGb18030(text);
    const job = await importJob(bytes, users.issuer);
    expect(job).toMatchObject({ status: 'succeeded', result: { imported: rows, targets: rows * 2 } });
    expect(await snapshot()).toEqual({
      demands: before.demands + rows,
      targets: before.targets + rows * 2,
      fields: before.fields + rows * 2,
      // The file's two keys, added once to the dictionary (nothing before in this file wrote one).
      fieldKeys: before.fieldKeys + 2,
      occurrences: before.occurrences + rows,
      imports: before.imports + 1,
    });
    const [entry] = await selectRows<{ entity_id: string; after_json: string }>(t.db, "SELECT entity_id, after_json FROM audit_log WHERE action = 'demand.import' ORDER BY id DESC");
    const { createHash } = await import('node:crypto');
    expect(entry.entity_id).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(JSON.parse(entry.after_json)).toMatchObject({ rows, targets: rows * 2 });
    const stored = await selectRows<{ title: string; registration_no: string }>(t.db, `SELECT title, registration_no FROM demands WHERE title LIKE '分批导入第%' ORDER BY registration_no`);
    expect(stored.map((d) => d.title)).toEqual(Array.from({ length: rows }, (_, i) => `分批导入第${i + 1}号报表`));
    const fields = await selectRows<{ name: string; field_key: string; position: number | string }>(
      t.db,
      `SELECT f.name, k.field_key, f.position FROM demand_fields f JOIN demands d ON d.id = f.demand_id JOIN field_keys k ON k.id = f.key_id
        WHERE d.registration_no = ? ORDER BY f.position`,
      [stored[rows - 1].registration_no],
    );
    const synonyms = loadFieldSynonyms();
    expect(fields.map((f) => [f.name, f.field_key, toInt(f.position)])).toEqual([
      ['在校学生数', normaliseFieldName('在校学生数', synonyms), 1],
      ['教师总数', normaliseFieldName('教师总数', synonyms), 2],
    ]);
    // The names are kept once, in demand_fields; the answers read them from there.
    const [last] = await selectRows<{ id: number | string; details: string }>(t.db, 'SELECT id, details FROM demands WHERE registration_no = ?', [stored[rows - 1].registration_no]);
    expect(JSON.parse(last.details)).not.toHaveProperty('fields');
    const detail = await t.http.get(`/api/v1/demands/${toInt(last.id)}`).set(bearer(users.issuer)).expect(200);
    expect(detail.body.fields).toEqual(['在校学生数', '教师总数']);
    expect(await jobFilesLeft()).toEqual([]);
  });
});
