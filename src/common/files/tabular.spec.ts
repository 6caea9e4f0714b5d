import { csvBytes, encodeGb18030, xlsxBytes } from '../../../test/factories/files';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { decodeCsv, parseCsv, parseTabular, parseXlsx, requireColumns } from './tabular';

const HEADER = ['code', 'name', 'level', 'parentCode'];
const ROWS = [
  HEADER,
  ['53', '云南省', 'province', ''],
  ['5325', '红河哈尼族彝族自治州', 'prefecture', '53'],
  ['532503', '蒙自市', 'county', '5325'],
];

/** The DomainError a call throws (fails the test when it throws something else or nothing). */
function thrown(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError, nothing was thrown');
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

describe('decodeCsv', () => {
  const text = 'code,name\r\n532503,蒙自市\r\n';

  it('reads UTF-8 without a BOM', () => {
    expect(decodeCsv(Buffer.from(text, 'utf8'))).toBe(text);
  });

  it('drops a UTF-8 BOM', () => {
    const decoded = decodeCsv(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
    expect(decoded).toBe(text);
    expect(decoded.charCodeAt(0)).not.toBe(0xfeff);
  });

  it('falls back to GB18030 when the bytes are not UTF-8', () => {
    const bytes = encodeGb18030(text);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    expect(decodeCsv(bytes)).toBe(text);
  });

  it('decodes the GB18030 of real place names exactly', () => {
    const names = '云南省,红河哈尼族彝族自治州,蒙自市,个旧市,文澜街道,雨过铺街道,西双版纳傣族自治州,怒江傈僳族自治州';
    expect(decodeCsv(encodeGb18030(names))).toBe(names);
  });

  it('refuses bytes that are neither UTF-8 nor GB18030 with a 400', () => {
    const error = thrown(() => decodeCsv(Buffer.from([0x63, 0x6f, 0x64, 0x65, 0xff, 0xff, 0x0a])));
    expect(error.code).toBe(ErrorCode.BadRequest);
  });

  it('decodes an empty file to an empty string', () => {
    expect(decodeCsv(Buffer.alloc(0))).toBe('');
  });
});

describe('parseCsv', () => {
  it('reads the header and numbers data rows as a spreadsheet does (header is row 1)', () => {
    const file = parseCsv(csvBytes(ROWS));
    expect(file.columns).toEqual(HEADER);
    expect(file.rows).toEqual([
      { row: 2, values: { code: '53', name: '云南省', level: 'province', parentCode: '' } },
      { row: 3, values: { code: '5325', name: '红河哈尼族彝族自治州', level: 'prefecture', parentCode: '53' } },
      { row: 4, values: { code: '532503', name: '蒙自市', level: 'county', parentCode: '5325' } },
    ]);
  });

  it('reads the same rows from UTF-8, UTF-8 with BOM and GB18030', () => {
    const expected = parseCsv(csvBytes(ROWS, 'utf8'));
    expect(parseCsv(csvBytes(ROWS, 'utf8-bom'))).toEqual(expected);
    expect(parseCsv(csvBytes(ROWS, 'gb18030'))).toEqual(expected);
    expect(parseCsv(csvBytes(ROWS, 'utf8-bom')).columns[0]).toBe('code');
  });

  it('skips blank lines but keeps counting them, so row numbers match the spreadsheet', () => {
    const file = parseCsv(Buffer.from('code,name\n53,云南省\n\n,\n5325,红河州\n', 'utf8'));
    expect(file.rows.map((r) => [r.row, r.values.code])).toEqual([
      [2, '53'],
      [5, '5325'],
    ]);
  });

  it('handles quoted cells with commas, quotes and line breaks; trims unquoted cells only', () => {
    const file = parseCsv(Buffer.from('code , name,note\n 53 ,"云南省, ""滇""\n第二行"," kept "\n5325,红河州,\n', 'utf8'));
    expect(file.columns).toEqual(['code', 'name', 'note']);
    expect(file.rows).toEqual([
      { row: 2, values: { code: '53', name: '云南省, "滇"\n第二行', note: ' kept ' } },
      { row: 3, values: { code: '5325', name: '红河州', note: '' } },
    ]);
  });

  it('fills missing trailing cells with empty strings and accepts empty extra cells', () => {
    const file = parseCsv(Buffer.from('code,name,level\n53,云南省\n5325,红河州,prefecture,,\n', 'utf8'));
    expect(file.rows[0].values).toEqual({ code: '53', name: '云南省', level: '' });
    expect(file.rows[1].values).toEqual({ code: '5325', name: '红河州', level: 'prefecture' });
  });

  it('refuses a row with more non-empty cells than the header, naming the row', () => {
    const error = thrown(() => parseCsv(Buffer.from('code,name\n53,云南省\n5325,红河州,extra\n', 'utf8')));
    expect(error.code).toBe(ErrorCode.Unprocessable);
    expect(error.details).toEqual([expect.objectContaining({ row: 3 })]);
  });

  it('refuses an unclosed quote with a 400 rather than a crash', () => {
    const error = thrown(() => parseCsv(Buffer.from('code,name\n53,"云南省\n5325,红河州\n', 'utf8')));
    expect(error.code).toBe(ErrorCode.BadRequest);
    expect(error.message).toMatch(/CSV/);
    expect(Array.isArray(error.details)).toBe(true);
  });

  it('refuses a stray quote inside an unquoted cell with a 400', () => {
    const error = thrown(() => parseCsv(Buffer.from('code,name\n53,"云南"省"\n', 'utf8')));
    expect(error.code).toBe(ErrorCode.BadRequest);
  });

  it('calls an empty or blank file empty', () => {
    expect(thrown(() => parseCsv(Buffer.alloc(0))).code).toBe(ErrorCode.BadRequest);
    expect(thrown(() => parseCsv(Buffer.from('\n\n  \n', 'utf8'))).code).toBe(ErrorCode.BadRequest);
    expect(thrown(() => parseCsv(Buffer.from([0xef, 0xbb, 0xbf]))).code).toBe(ErrorCode.BadRequest);
  });

  it('reads a header-only file as no rows', () => {
    expect(parseCsv(Buffer.from('code,name\n', 'utf8'))).toEqual({ columns: ['code', 'name'], rows: [] });
  });
});

describe('parseXlsx and parseTabular', () => {
  it('reads the first sheet of a workbook, numbers as text, empty rows skipped with their numbers kept', async () => {
    const bytes = await xlsxBytes([HEADER, ['53', '云南省', 'province', null], [], [532503001001, '文澜社区', 'village', 532503001]]);
    const file = await parseXlsx(bytes);
    expect(file.columns).toEqual(HEADER);
    expect(file.rows).toEqual([
      { row: 2, values: { code: '53', name: '云南省', level: 'province', parentCode: '' } },
      { row: 4, values: { code: '532503001001', name: '文澜社区', level: 'village', parentCode: '532503001' } },
    ]);
  });

  it('tells XLSX from CSV by content, whatever the file is called', async () => {
    const xlsx = await xlsxBytes(ROWS);
    expect(await parseTabular(xlsx, 'units.csv')).toEqual(await parseXlsx(xlsx));
    expect(await parseTabular(csvBytes(ROWS), 'units.txt')).toEqual(parseCsv(csvBytes(ROWS)));
  });

  it('refuses a file named .xlsx that is not a workbook with a 400', async () => {
    const error = await rejected(parseTabular(csvBytes(ROWS), 'units.xlsx'));
    expect(error.code).toBe(ErrorCode.BadRequest);
  });

  it('refuses a corrupt workbook with a 400', async () => {
    const xlsx = await xlsxBytes(ROWS);
    const error = await rejected(parseTabular(xlsx.subarray(0, 200), 'units.xlsx'));
    expect(error.code).toBe(ErrorCode.BadRequest);
  });
});

describe('requireColumns', () => {
  it('passes when every column is there, in any order, with extra columns', () => {
    expect(() => requireColumns({ columns: ['name', 'extra', 'code'], rows: [] }, ['code', 'name'])).not.toThrow();
  });

  it('names each missing column against row 1', () => {
    const error = thrown(() => requireColumns({ columns: ['code'], rows: [] }, ['code', 'name', 'level']));
    expect(error.code).toBe(ErrorCode.Unprocessable);
    expect(error.details).toEqual([
      expect.objectContaining({ row: 1, column: 'name' }),
      expect.objectContaining({ row: 1, column: 'level' }),
    ]);
  });
});
