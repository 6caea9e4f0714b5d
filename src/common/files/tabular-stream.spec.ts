import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { csvBytes, encodeGb18030, xlsxBytes } from '../../../test/factories/files';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { parseCsv, parseTabular } from './tabular';
import { CsvRecordParser, openTabular, sha256Of, TabularInput } from './tabular-stream';
import { createHash } from 'node:crypto';

/** What csv-parse makes of the text with parseCsv's options. */
const csvParse = (text: string) => parse(text, { skip_empty_lines: false, relax_column_count: true, trim: true, bom: true }) as string[][];

/** The streaming parser fed the text in the given pieces. */
function streamed(pieces: string[]): string[][] {
  const parser = new CsvRecordParser();
  const out: string[][] = [];
  for (const piece of pieces) parser.write(piece, out);
  parser.end(out);
  return out;
}

async function rows(input: TabularInput, fileName = '', batchRows = 2) {
  const reader = await openTabular(input, fileName, batchRows);
  const out: { row: number; values: Record<string, string> }[] = [];
  for await (const batch of reader.batches()) {
    expect(batch.length).toBeLessThanOrEqual(batchRows);
    for (const r of batch) out.push({ row: r.row, values: Object.fromEntries(reader.columns.map((c, i) => [c, r.cells[i]])) });
  }
  return { columns: reader.columns, rows: out };
}

async function rejected(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError, nothing was thrown');
}

const SAMPLES = [
  'code,name\r\n53,云南省\r\n',
  'code , name,note\n 53 ,"云南省, ""滇""\n第二行"," kept "\n5325,红河州,\n',
  'code,name\n53,云南省\n\n,\n5325,红河州\n',
  'code,name,level\n53,云南省\n5325,红河州,prefecture,,\n',
  'a,b\r"x\r\ny", "q" \r1,2',
  '\ufeffa,b\n"",""\n"""",x\n',
  'a,b\n1,2\n\n\n',
];

describe('CsvRecordParser', () => {
  it.each(SAMPLES.map((s) => [JSON.stringify(s), s]))('reads %s as csv-parse does, however the text is cut', (_name, text) => {
    const expected = csvParse(text);
    expect(streamed([text])).toEqual(expected);
    for (let cut = 0; cut <= text.length; cut++) expect(streamed([text.slice(0, cut), text.slice(cut)])).toEqual(expected);
    expect(streamed([...text])).toEqual(expected);
  });

  it('refuses what csv-parse refuses: an unclosed quote, a stray quote, text after a closing quote', () => {
    for (const text of ['code,name\n53,"云南省\n5325,红河州\n', 'code,name\n53,"云南"省"\n', 'a,b\n1,x"y"\n']) {
      expect(() => csvParse(text)).toThrow();
      expect(() => streamed([text])).toThrow(DomainError);
      for (let cut = 0; cut <= text.length; cut++) expect(() => streamed([text.slice(0, cut), text.slice(cut)])).toThrow(DomainError);
    }
  });
});

describe('openTabular', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'tabular-stream-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const ROWS = [
    ['code', 'name', 'level', 'parentCode'],
    ['53', '云南省', 'province', ''],
    ['5325', '红河哈尼族彝族自治州', 'prefecture', '53'],
    ['532503', '蒙自市', 'county', '5325'],
    ['532503001', '文澜街道', 'township', '532503'],
    ['532503001001', '文澜社区', 'village', '532503001'],
  ];

  it('gives the rows of parseCsv, in batches, from bytes and from a file, in UTF-8, UTF-8 with BOM and GB18030', async () => {
    for (const encoding of ['utf8', 'utf8-bom', 'gb18030'] as const) {
      const bytes = csvBytes(ROWS, encoding);
      const expected = parseCsv(bytes);
      expect(await rows(bytes)).toEqual(expected);
      const path = join(dir, `units-${encoding}.csv`);
      writeFileSync(path, bytes);
      expect(await rows({ path }, 'units.csv', 3)).toEqual(expected);
    }
  });

  it('numbers rows as parseCsv does across blank lines, quoted line breaks and leading blank lines', async () => {
    const text = '\n\ncode,name\n53,"云南省\n第二行"\n\n,\n5325,红河州\n';
    const bytes = Buffer.from(text, 'utf8');
    expect(await rows(bytes, '', 1)).toEqual(parseCsv(bytes));
  });

  it('reads a file larger than one read chunk with the same rows as parseCsv', async () => {
    const big = [ROWS[0], ...Array.from({ length: 40_000 }, (_, i) => [String(530000 + i), `第${i}个单位，"名称"`, 'county', '53'])];
    const bytes = csvBytes(big);
    expect(bytes.length).toBeGreaterThan(1 << 20);
    const path = join(dir, 'big.csv');
    writeFileSync(path, bytes);
    const got = await rows({ path }, 'big.csv', 1000);
    const expected = parseCsv(bytes);
    expect(got.rows.length).toBe(40_000);
    expect(got).toEqual(expected);
  });

  it('reads XLSX (by content) as parseTabular does', async () => {
    const xlsx = await xlsxBytes(ROWS);
    const path = join(dir, 'units.bin');
    writeFileSync(path, xlsx);
    expect(await rows({ path }, 'units.csv')).toEqual(await parseTabular(xlsx));
  });

  it('refuses bytes neither UTF-8 nor GB18030, an empty file, and a row with more cells than the header', async () => {
    expect((await rejected(openTabular(Buffer.from([0x63, 0x6f, 0x64, 0x65, 0xff, 0xff, 0x0a])))).code).toBe(ErrorCode.BadRequest);
    expect((await rejected(openTabular(Buffer.from('\n\n  \n', 'utf8')))).code).toBe(ErrorCode.BadRequest);
    const extra = await rejected(rows(Buffer.from('code,name\n53,云南省\n5325,红河州,extra\n', 'utf8')));
    expect(extra.code).toBe(ErrorCode.Unprocessable);
    expect(extra.details).toEqual([expect.objectContaining({ row: 3 })]);
  });

  it('hashes a file as its bytes', async () => {
    const bytes = encodeGb18030('code,name\n53,云南省\n');
    const path = join(dir, 'hash.csv');
    writeFileSync(path, bytes);
    const expected = createHash('sha256').update(bytes).digest('hex');
    expect(await sha256Of({ path })).toBe(expected);
    expect(await sha256Of(bytes)).toBe(expected);
  });
});
