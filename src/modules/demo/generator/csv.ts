import { createHash, Hash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';

/** RFC 4180 quoting: a cell is quoted when it holds a comma, a quote, a line break or edge spaces. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  if (/[",\r\n]/.test(text) || text !== text.trim()) return `"${text.replace(/"/g, '""')}"`;
  return text;
}

export function csvLine(cells: readonly (string | number | boolean | null | undefined)[]): string {
  return cells.map(csvCell).join(',');
}

const FLUSH_AT = 1 << 20;

/**
 * Writes CSV lines to a file as they are produced: lines are buffered up to 1 MiB and then
 * written, so memory stays flat whatever the row count. UTF-8 without BOM, LF line ends.
 * Keeps the byte count, the row count and a SHA-256 of everything written.
 */
export class CsvSink {
  private readonly fd: number;
  private readonly sha: Hash = createHash('sha256');
  private pending: string[] = [];
  private pendingChars = 0;
  private closed = false;
  bytes = 0;
  rows = 0;

  constructor(
    readonly path: string,
    header: readonly string[],
  ) {
    this.fd = openSync(path, 'w');
    this.append(csvLine(header));
  }

  /** Writes one data row (the header does not count as a row). */
  row(cells: readonly (string | number | boolean | null | undefined)[]): void {
    this.append(csvLine(cells));
    this.rows++;
  }

  private append(line: string): void {
    this.pending.push(line, '\n');
    this.pendingChars += line.length + 1;
    if (this.pendingChars >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const buffer = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingChars = 0;
    let offset = 0;
    while (offset < buffer.length) offset += writeSync(this.fd, buffer, offset, buffer.length - offset);
    this.sha.update(buffer);
    this.bytes += buffer.length;
  }

  /** Flushes and closes; returns the file's SHA-256. */
  close(): string {
    if (this.closed) throw new Error(`${this.path} is already closed`);
    this.flush();
    closeSync(this.fd);
    this.closed = true;
    return this.sha.digest('hex');
  }
}
