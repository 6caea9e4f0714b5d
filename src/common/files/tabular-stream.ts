import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { parseXlsx } from './tabular';

/**
 * An uploaded table read a batch of rows at a time, so a large import never holds the whole file
 * (its bytes, its text or its rows) in memory: the bytes themselves, or the file they were
 * stored to (what the upload of a job leaves).
 */
export type TabularInput = Buffer | { path: string };

/** One data row: its 1-based row number as a spreadsheet shows it, and its cells in header order. */
export interface TabularRecord {
  row: number;
  cells: string[];
}

export interface TabularReader {
  columns: string[];
  /** Bytes of the file read so far, and its size (a read chunk at a time for CSV): the progress of a long import. */
  position(): { done: number; total: number };
  /** The data rows (blank rows skipped, still counted), `batchRows` at a time. Read once. */
  batches(): AsyncGenerator<TabularRecord[]>;
}

const CHUNK_BYTES = 1 << 20;
const UTF8_BOM = [0xef, 0xbb, 0xbf];

async function* byteChunks(input: TabularInput): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(input)) {
    for (let i = 0; i < input.length; i += CHUNK_BYTES) yield input.subarray(i, i + CHUNK_BYTES);
    return;
  }
  for await (const chunk of createReadStream(input.path, { highWaterMark: CHUNK_BYTES })) yield chunk as Buffer;
}

/** SHA-256 (hex) of the input, read a chunk at a time. */
export async function sha256Of(input: TabularInput): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of byteChunks(input)) hash.update(chunk);
  return hash.digest('hex');
}

async function firstBytes(input: TabularInput, n: number): Promise<Buffer> {
  if (Buffer.isBuffer(input)) return input.subarray(0, n);
  for await (const chunk of byteChunks(input)) return chunk.subarray(0, n);
  return Buffer.alloc(0);
}

/** Whether every byte of the input decodes in `encoding` (a streaming pass; the text is dropped). */
async function decodes(input: TabularInput, encoding: string): Promise<boolean> {
  const decoder = new TextDecoder(encoding, { fatal: true });
  try {
    for await (const chunk of byteChunks(input)) decoder.decode(chunk, { stream: true });
    decoder.decode();
    return true;
  } catch {
    return false;
  }
}

/**
 * The encoding of CSV bytes as `decodeCsv` chooses it: UTF-8 with or without BOM, else GB18030,
 * else a 400. Decided over the whole input before any row is read, so a file that is neither
 * fails before the import writes anything.
 */
async function csvEncoding(input: TabularInput): Promise<'utf-8' | 'gb18030'> {
  const head = await firstBytes(input, 3);
  if (head.length === 3 && UTF8_BOM.every((b, i) => head[i] === b)) return 'utf-8';
  if (await decodes(input, 'utf-8')) return 'utf-8';
  if (await decodes(input, 'gb18030')) return 'gb18030';
  throw new DomainError(ErrorCode.BadRequest, 'The file is neither UTF-8 nor GB18030 text');
}

const COMMA = 0x2c;
const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;

function csvError(message: string, line: number): DomainError {
  return new DomainError(ErrorCode.BadRequest, `The CSV cannot be read: ${message}`, [{ row: line, message }]);
}

/**
 * A streaming CSV parser for the options `parseCsv` gives csv-parse (comma, double quotes doubled
 * inside quotes, CRLF / LF / CR line ends, unquoted cells trimmed, quoted cells kept as written,
 * blank lines kept as records of one empty cell, no fixed column count). Text is fed in pieces
 * of any size; complete records are handed out as they end. A quote inside an unquoted cell, text
 * after a closing quote, or a quote still open at the end is a 400.
 */
export class CsvRecordParser {
  private record: string[] = [];
  private cell = '';
  private inQuotes = false;
  /** The current cell was quoted (its text is kept untrimmed); after its closing quote only blanks may follow. */
  private quoted = false;
  private closed = false;
  /** The previous piece ended on a quote inside quotes: a doubled quote or the closing one, decided by the next piece. */
  private quoteAtEnd = false;
  /** The previous piece ended on CR: an LF at the start of the next one belongs to it. */
  private crAtEnd = false;
  private started = false;
  /** Line of the record being read (1-based; a quoted line break moves it on). */
  private line = 1;

  write(text: string, out: string[][]): void {
    let i = 0;
    const n = text.length;
    if (!this.started && n > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    if (this.quoteAtEnd && n > i) {
      this.quoteAtEnd = false;
      if (text.charCodeAt(i) === QUOTE) {
        this.cell += '"';
        i++;
      } else {
        this.inQuotes = false;
        this.closed = true;
      }
    }
    if (this.crAtEnd && n > i) {
      this.crAtEnd = false;
      if (text.charCodeAt(i) === LF) i++;
    }
    while (i < n) {
      if (this.inQuotes) {
        const q = text.indexOf('"', i);
        const segment = q < 0 ? text.slice(i) : text.slice(i, q);
        for (let k = segment.indexOf('\n'); k >= 0; k = segment.indexOf('\n', k + 1)) this.line++;
        this.cell += segment;
        if (q < 0) return;
        if (q + 1 >= n) {
          this.quoteAtEnd = true;
          return;
        }
        if (text.charCodeAt(q + 1) === QUOTE) {
          this.cell += '"';
          i = q + 2;
        } else {
          this.inQuotes = false;
          this.closed = true;
          i = q + 1;
        }
        continue;
      }
      const c = text.charCodeAt(i);
      if (c === COMMA) {
        this.endCell();
        i++;
      } else if (c === LF || c === CR) {
        this.endCell();
        out.push(this.record);
        this.record = [];
        this.line++;
        i++;
        if (c === CR) {
          if (i < n) {
            if (text.charCodeAt(i) === LF) i++;
          } else this.crAtEnd = true;
        }
      } else if (this.closed) {
        if (c !== SPACE && c !== TAB) throw csvError(`Invalid Closing Quote: got "${text[i]}" at line ${this.line} instead of delimiter, record delimiter, trimable character or end of file`, this.line);
        i++;
      } else if (c === QUOTE) {
        if (this.cell.trim() !== '') throw csvError(`Invalid Opening Quote: a quote is found on field ${this.record.length + 1} at line ${this.line}, value is ${JSON.stringify(this.cell)}`, this.line);
        this.cell = '';
        this.inQuotes = true;
        this.quoted = true;
        i++;
      } else {
        let j = i + 1;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === COMMA || d === LF || d === CR || d === QUOTE) break;
          j++;
        }
        this.cell += text.slice(i, j);
        i = j;
      }
    }
  }

  /** The end of the text: the last record (when the text does not end with a line break). */
  end(out: string[][]): void {
    if (this.quoteAtEnd) {
      this.quoteAtEnd = false;
      this.inQuotes = false;
      this.closed = true;
    }
    if (this.inQuotes) throw csvError(`Quote Not Closed: the parsing is finished with an opening quote at line ${this.line}`, this.line);
    if (this.record.length > 0 || this.cell !== '' || this.quoted) {
      this.endCell();
      out.push(this.record);
      this.record = [];
    }
  }

  private endCell(): void {
    this.record.push(this.quoted ? this.cell : this.cell.trim());
    this.cell = '';
    this.quoted = false;
    this.closed = false;
  }
}

const sizeOf = async (input: TabularInput) => (Buffer.isBuffer(input) ? input.length : (await stat(input.path)).size);

/** The records of CSV input, a decoded chunk at a time; `read.bytes` counts the bytes parsed. */
async function* csvRecords(input: TabularInput, read: { bytes: number }): AsyncGenerator<string[][]> {
  const encoding = await csvEncoding(input);
  const decoder = new TextDecoder(encoding, { fatal: true });
  const parser = new CsvRecordParser();
  for await (const chunk of byteChunks(input)) {
    read.bytes += chunk.length;
    const out: string[][] = [];
    parser.write(decoder.decode(chunk, { stream: true }), out);
    if (out.length) yield out;
  }
  const out: string[][] = [];
  parser.write(decoder.decode(), out);
  parser.end(out);
  if (out.length) yield out;
}

const blank = (rec: string[]) => rec.every((v) => v === '');

/** CSV as a reader: the header (the first non-blank record), then the data rows in batches. */
async function csvReader(input: TabularInput, batchRows: number): Promise<TabularReader> {
  const total = await sizeOf(input);
  const read = { bytes: 0 };
  const source = csvRecords(input, read);
  /** Records read before `pending`: rows are numbered by record, blank ones included, as parseCsv numbers them. */
  let base = 0;
  let pending: string[][] = [];
  let start = -1;
  while (start < 0) {
    const next = await source.next();
    if (next.done) throw new DomainError(ErrorCode.BadRequest, 'The file is empty');
    base += pending.length;
    pending = next.value;
    start = pending.findIndex((rec) => !blank(rec));
  }
  const header = pending[start];
  return {
    columns: header,
    position: () => ({ done: read.bytes, total }),
    async *batches() {
      let batch: TabularRecord[] = [];
      const take = (records: string[][], from: number) => {
        for (let i = from; i < records.length; i++) {
          const rec = records[i];
          if (blank(rec)) continue;
          const row = base + i + 1;
          if (rec.length > header.length && rec.slice(header.length).some((v) => v !== '')) {
            throw new DomainError(ErrorCode.Unprocessable, `Row ${row} has more cells than the header`, [{ row, message: `${rec.length} cells, the header has ${header.length}` }]);
          }
          while (rec.length < header.length) rec.push('');
          batch.push({ row, cells: rec });
        }
        base += records.length;
      };
      take(pending, start + 1);
      pending = [];
      for (;;) {
        while (batch.length >= batchRows) {
          yield batch.slice(0, batchRows);
          batch = batch.slice(batchRows);
        }
        const next = await source.next();
        if (next.done) break;
        take(next.value, 0);
      }
      if (batch.length) yield batch;
    },
  };
}

/** XLSX is read whole (exceljs loads the workbook), then handed out in the same batches. */
async function xlsxReader(input: TabularInput, batchRows: number): Promise<TabularReader> {
  const bytes = Buffer.isBuffer(input) ? input : await readFile(input.path);
  const file = await parseXlsx(bytes);
  const columns = Array.from(file.columns, (c) => c ?? '');
  return {
    columns,
    position: () => ({ done: bytes.length, total: bytes.length }),
    async *batches() {
      for (let i = 0; i < file.rows.length; i += batchRows) {
        // Async like the CSV reader (which awaits its file reads); the workbook is already in memory.
        await Promise.resolve();
        yield file.rows.slice(i, i + batchRows).map(({ row, values }) => ({ row, cells: columns.map((c) => values[c] ?? '') }));
      }
    },
  };
}

/**
 * Opens an uploaded CSV (UTF-8 or GB18030) or XLSX table (told apart by content, as
 * `parseTabular` does) and reads its header; the rows follow in batches of `batchRows`. CSV is
 * streamed; rows, cells and numbering are those of `parseTabular`.
 */
export async function openTabular(input: TabularInput, fileName = '', batchRows = 2000): Promise<TabularReader> {
  const head = await firstBytes(input, 4);
  const isZip = head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  if (isZip || /\.xlsx$/i.test(fileName)) return xlsxReader(input, batchRows);
  return csvReader(input, batchRows);
}
