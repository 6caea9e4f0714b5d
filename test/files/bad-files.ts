import { deflateRawSync } from 'node:zlib';
import { MAX_UPLOAD_BYTES } from '@/common/files/upload';
import { csvText, encodeGb18030 } from '../factories/files';

/** One file an import must refuse, and why. */
export interface BadFile {
  label: string;
  filename: string;
  bytes: Buffer;
  /** Too large for the upload limit: only a 413 will do. */
  oversized?: boolean;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A valid ZIP archive of these entries (deflated): a workbook's container without a workbook in it. */
export function zipOf(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = Buffer.from(text, 'utf8');
    const packed = deflateRawSync(data);
    const nameBytes = Buffer.from(name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, packed);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** Deterministic bytes that are no text and no archive. */
export const garbage = (length: number, salt = 7): Buffer => Buffer.from(Array.from({ length }, (_, i) => (i * 131 + salt * 17 + ((i * i) % 251)) % 256));

/** The index of a byte inside a multibyte character of the last row (so a cut there splits the character). */
function cutInsideCharacter(bytes: Buffer, fromEnd: boolean): number {
  // UTF-8 continuation bytes are 10xxxxxx; a GB18030 trail byte follows a lead byte ≥ 0x81.
  for (let i = fromEnd ? bytes.length - 1 : 1; fromEnd ? i > 0 : i < bytes.length; i += fromEnd ? -1 : 1) {
    if ((bytes[i] & 0xc0) === 0x80 && bytes[i - 1] >= 0xc0) return i; // after the lead byte of a UTF-8 sequence
  }
  throw new Error('no multibyte character to cut');
}
function cutInsideGbCharacter(bytes: Buffer): number {
  for (let i = bytes.length - 2; i > 0; i -= 1) if (bytes[i] >= 0x81 && bytes[i + 1] >= 0x40 && bytes[i - 1] < 0x80) return i + 1;
  throw new Error('no GB18030 character to cut');
}

/**
 * Malformed, truncated and oversized versions of one valid import file (header + rows, the last
 * row holding Chinese text in a middle column so a cut leaves columns missing), in CSV and XLSX.
 */
export function badFiles(header: string[], rows: string[][], xlsx: Buffer): BadFile[] {
  const csv = Buffer.from(csvText([header, ...rows]), 'utf8');
  const gb = encodeGb18030(csvText([header, ...rows]));
  const lastRowStart = csv.lastIndexOf(Buffer.from('\r\n'), csv.length - 3) + 2;
  let middleOfLastRow = lastRowStart + Math.floor((csv.length - lastRowStart) / 2);
  // On a character boundary, so an inserted byte is the only thing wrong (a cut keeps the split on purpose).
  while ((csv[middleOfLastRow] & 0xc0) === 0x80) middleOfLastRow += 1;
  const wrongHeader = csvText([header.map((h, i) => (i % 2 === 0 ? `${h}_x` : h.toUpperCase())), ...rows]);
  const semicolons = [header, ...rows].map((r) => r.join(';')).join('\r\n') + '\r\n';
  const tabs = [header, ...rows].map((r) => r.join('\t')).join('\r\n') + '\r\n';
  const corrupted = Buffer.from(xlsx);
  for (let i = Math.floor(corrupted.length / 3); i < Math.floor(corrupted.length / 3) + 64; i += 1) corrupted[i] ^= 0x5a;
  const oneRow = Buffer.from(`${csvText([rows[0]])}`, 'utf8');
  const oversized = Buffer.concat([csv, Buffer.alloc(MAX_UPLOAD_BYTES + 1 - csv.length, oneRow.toString('utf8'))]);
  return [
    { label: 'wrong header (renamed columns)', filename: 'import.csv', bytes: Buffer.from(wrongHeader, 'utf8') },
    { label: 'only a header', filename: 'import.csv', bytes: Buffer.from(csvText([header]), 'utf8') },
    { label: 'wrong delimiter (semicolons)', filename: 'import.csv', bytes: Buffer.from(semicolons, 'utf8') },
    { label: 'wrong delimiter (tabs)', filename: 'import.csv', bytes: Buffer.from(tabs, 'utf8') },
    { label: 'binary garbage named .csv', filename: 'import.csv', bytes: garbage(4096) },
    { label: 'a PNG named .csv', filename: 'import.csv', bytes: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), garbage(1024, 3)]) },
    { label: 'UTF-16LE text', filename: 'import.csv', bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csvText([header, ...rows]), 'utf16le')]) },
    { label: 'invalid UTF-8 inside a cell', filename: 'import.csv', bytes: Buffer.concat([csv.subarray(0, middleOfLastRow), Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff]), csv.subarray(middleOfLastRow)]) },
    { label: 'an unclosed quote', filename: 'import.csv', bytes: Buffer.concat([csv.subarray(0, lastRowStart), Buffer.from('"'), csv.subarray(lastRowStart)]) },
    { label: 'a NUL byte inside a cell', filename: 'import.csv', bytes: Buffer.concat([csv.subarray(0, middleOfLastRow), Buffer.from([0x00]), csv.subarray(middleOfLastRow)]) },
    { label: 'an XLSX that is a renamed CSV', filename: 'import.xlsx', bytes: csv },
    { label: 'a ZIP that is not an XLSX', filename: 'import.xlsx', bytes: zipOf({ 'readme.txt': '这不是工作簿', '[Content_Types].xml': '<Types/>' }) },
    { label: 'a corrupted XLSX (bytes flipped in the middle)', filename: 'import.xlsx', bytes: corrupted },
    { label: 'garbage named .xlsx', filename: 'import.xlsx', bytes: garbage(8192, 11) },
    { label: 'CSV cut in the middle of a row', filename: 'import.csv', bytes: csv.subarray(0, middleOfLastRow) },
    { label: 'UTF-8 CSV cut inside a multibyte character', filename: 'import.csv', bytes: csv.subarray(0, cutInsideCharacter(csv.subarray(0, middleOfLastRow + 6), true)) },
    { label: 'GB18030 CSV cut inside a two-byte character', filename: 'import.csv', bytes: gb.subarray(0, cutInsideGbCharacter(gb.subarray(0, gb.length - 8))) },
    { label: 'XLSX cut in half', filename: 'import.xlsx', bytes: xlsx.subarray(0, Math.floor(xlsx.length / 2)) },
    { label: `CSV over the ${MAX_UPLOAD_BYTES / 1024 / 1024} MB upload limit`, filename: 'import.csv', bytes: oversized, oversized: true },
    { label: `XLSX-named file over the upload limit`, filename: 'import.xlsx', bytes: Buffer.concat([xlsx, garbage(MAX_UPLOAD_BYTES + 1 - xlsx.length)]), oversized: true },
  ];
}
