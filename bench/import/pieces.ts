import { closeSync, createReadStream, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The upload limit of the API (src/common/files/upload.ts MAX_UPLOAD_BYTES): a piece never exceeds it. */
export const UPLOAD_LIMIT_BYTES = 20 * 1024 * 1024;

/** One all-or-nothing import: a CSV with the header of demands.csv and some of its rows. */
export interface Piece {
  /** The issuer's prefecture (first 4 digits of the issuer code's area part; `53` = province offices), `-2`… when split further. */
  key: string;
  file: string;
  rows: number;
  bytes: number;
}

const LF = 0x0a;
const QUOTE = 0x22;

/** The piece a data line goes to: the first 4 digits of the area part of its issuer code (`532503-JYJ` → `5325`, `53-ZFB` → `53`). */
export function prefectureOf(line: Buffer): string {
  let end = line.indexOf(0x2c); // the first comma: issuer codes are never quoted
  if (end < 0) end = line.length;
  const issuer = line.subarray(0, end).toString('utf8').replace(/^"|"$/g, '').trim();
  const area = issuer.split('-')[0];
  return area === '' ? '_' : area.slice(0, 4);
}

class PieceWriter {
  private fd: number;
  private part = 1;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  readonly done: Piece[] = [];
  private current: Piece;

  constructor(
    private readonly dir: string,
    private readonly key: string,
    private readonly header: Buffer,
    private readonly limit: number,
  ) {
    this.current = this.open();
    this.fd = openSync(this.current.file, 'w');
    this.write(header);
  }

  private open(): Piece {
    const key = this.part === 1 ? this.key : `${this.key}-${this.part}`;
    return { key, file: join(this.dir, `demands-${key}.csv`), rows: 0, bytes: 0 };
  }

  private write(bytes: Buffer): void {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.current.bytes += bytes.length;
    if (this.pendingBytes >= 1 << 20) this.flush();
  }

  private flush(): void {
    if (!this.pending.length) return;
    const buffer = Buffer.concat(this.pending, this.pendingBytes);
    let offset = 0;
    while (offset < buffer.length) offset += writeSync(this.fd, buffer, offset, buffer.length - offset);
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Adds one line (with its LF); starts the next part when this one would exceed the limit. */
  add(line: Buffer): void {
    if (this.current.rows > 0 && this.current.bytes + line.length > this.limit) {
      this.close();
      this.part++;
      this.current = this.open();
      this.fd = openSync(this.current.file, 'w');
      this.write(this.header);
    }
    this.write(line);
    this.current.rows++;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
    this.done.push(this.current);
  }
}

/**
 * Splits demands.csv by the issuer's prefecture into per-prefecture CSVs, each with the header,
 * streaming (1 MiB reads, line ends found outside quoted cells). A prefecture whose rows would
 * exceed `limit` bytes (the header included) continues in `<key>-2`, `<key>-3`…; at seed 1 no
 * province prefecture comes near (昆明 5301 is the largest, ≈ 14 MB). Pieces come back sorted by key.
 */
export async function splitByPrefecture(demandsCsv: string, outDir: string, limit = UPLOAD_LIMIT_BYTES): Promise<{ header: string; pieces: Piece[] }> {
  mkdirSync(outDir, { recursive: true });
  const writers = new Map<string, PieceWriter>();
  let header: Buffer | null = null;
  let carry: Buffer = Buffer.alloc(0);
  let inQuote = false;
  // Resumes the quote state where the previous chunk stopped scanning (carry holds an unfinished line).
  let scanFrom = 0;

  const takeLine = (line: Buffer): void => {
    if (header === null) {
      header = line;
      return;
    }
    if (line.length <= 1) return; // a blank line
    const key = prefectureOf(line);
    let writer = writers.get(key);
    if (!writer) {
      writer = new PieceWriter(outDir, key, header, limit);
      writers.set(key, writer);
    }
    writer.add(line);
  };

  for await (const chunk of createReadStream(demandsCsv, { highWaterMark: 1 << 20 })) {
    const buffer: Buffer = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let i = scanFrom; i < buffer.length; i++) {
      const byte = buffer[i];
      if (byte === QUOTE) inQuote = !inQuote;
      else if (byte === LF && !inQuote) {
        takeLine(buffer.subarray(start, i + 1));
        start = i + 1;
      }
    }
    carry = Buffer.from(buffer.subarray(start));
    scanFrom = carry.length;
  }
  if (carry.length) takeLine(Buffer.concat([carry, Buffer.from('\n')]));
  if (header === null) throw new Error(`${demandsCsv} is empty`);
  const pieces: Piece[] = [];
  for (const writer of writers.values()) {
    writer.close();
    pieces.push(...writer.done);
  }
  pieces.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { header: (header as Buffer).toString('utf8').trimEnd(), pieces };
}
