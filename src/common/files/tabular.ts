import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { DomainError, ErrorCode } from '../errors/domain-error';

/** One data row of an uploaded table; `row` is the 1-based row number as a spreadsheet shows it. */
export interface TabularRow {
  row: number;
  values: Record<string, string>;
}

export interface TabularFile {
  columns: string[];
  rows: TabularRow[];
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * Decodes CSV bytes: UTF-8 with or without BOM, else GB18030 (what Chinese Excel writes).
 * Node's ICU decoder handles GB18030, so no extra package is needed.
 */
export function decodeCsv(bytes: Buffer): string {
  // Text in either encoding never holds a NUL byte; a file that does is binary or UTF-16, and the
  // GB18030 fallback would otherwise turn it into a garbled "text" that imports.
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new DomainError(ErrorCode.BadRequest, `The file is not UTF-8 or GB18030 text: it holds a NUL byte at offset ${nul} (binary data, or UTF-16)`, [
      { message: `NUL byte at offset ${nul}`, offset: nul },
    ]);
  }
  if (bytes.length >= 3 && UTF8_BOM.every((b, i) => bytes[i] === b)) return bytes.subarray(3).toString('utf8');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    try {
      return new TextDecoder('gb18030', { fatal: true }).decode(bytes);
    } catch {
      throw new DomainError(ErrorCode.BadRequest, 'The file is neither UTF-8 nor GB18030 text');
    }
  }
}

/**
 * Parses CSV bytes into a header and rows. Blank lines are skipped but still counted, so that
 * `row` is the row number a spreadsheet shows for the same file.
 */
export function parseCsv(bytes: Buffer): TabularFile {
  const text = decodeCsv(bytes);
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: false, relax_column_count: true, trim: true, bom: true }) as string[][];
  } catch (error) {
    const e = error as { message?: string; lines?: number };
    throw new DomainError(ErrorCode.BadRequest, `The CSV cannot be read: ${e.message ?? String(error)}`, [
      { row: e.lines, message: e.message ?? 'malformed CSV' },
    ]);
  }
  const blank = (rec: string[]) => rec.every((v) => v === '');
  const headerAt = records.findIndex((rec) => !blank(rec));
  if (headerAt < 0) throw new DomainError(ErrorCode.BadRequest, 'The file is empty');
  const columns = records[headerAt];
  const rows: TabularRow[] = [];
  for (let i = headerAt + 1; i < records.length; i++) {
    const rec = records[i];
    if (blank(rec)) continue;
    if (rec.length > columns.length && rec.slice(columns.length).some((v) => v !== '')) {
      throw new DomainError(ErrorCode.Unprocessable, `Row ${i + 1} has more cells than the header`, [
        { row: i + 1, message: `${rec.length} cells, the header has ${columns.length}` },
      ]);
    }
    const values: Record<string, string> = {};
    columns.forEach((c, j) => (values[c] = rec[j] ?? ''));
    rows.push({ row: i + 1, values });
  }
  return { columns, rows };
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((t) => t.text).join('').trim();
    if ('text' in value && typeof value.text === 'string') return value.text.trim();
    if ('result' in value && value.result !== undefined) return cellText(value.result);
  }
  return '';
}

export async function parseXlsx(bytes: Buffer): Promise<TabularFile> {
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs types its parameter as an ArrayBuffer-backed Buffer; a Node Buffer's bytes are the same.
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (error) {
    throw new DomainError(ErrorCode.BadRequest, `The XLSX file cannot be read: ${(error as Error).message}`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet || sheet.rowCount === 0) throw new DomainError(ErrorCode.BadRequest, 'The workbook has no rows in its first sheet');
  const header = sheet.getRow(1);
  const columns: string[] = [];
  header.eachCell({ includeEmpty: true }, (cell, col) => (columns[col - 1] = cellText(cell.value)));
  const rows: TabularRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (rowNumber === 1) return;
    const values: Record<string, string> = {};
    let any = false;
    columns.forEach((c, j) => {
      const text = cellText(row.getCell(j + 1).value);
      if (text !== '') any = true;
      values[c] = text;
    });
    if (any) rows.push({ row: rowNumber, values });
  });
  return { columns, rows };
}

/** Reads an uploaded CSV or XLSX file by its content (XLSX is a ZIP archive). */
export async function parseTabular(bytes: Buffer, fileName = ''): Promise<TabularFile> {
  const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (isZip || /\.xlsx$/i.test(fileName)) return parseXlsx(bytes);
  return parseCsv(bytes);
}

export function requireColumns(file: TabularFile, required: string[]): void {
  const missing = required.filter((c) => !file.columns.includes(c));
  if (missing.length) {
    throw new DomainError(
      ErrorCode.Unprocessable,
      `The header lacks column(s) ${missing.join(', ')}`,
      missing.map((column) => ({ row: 1, column, message: 'required column missing from the header' })),
    );
  }
}
