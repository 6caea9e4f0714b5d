import ExcelJS from 'exceljs';

/**
 * Test files for uploads: CSV in UTF-8 (with or without BOM) or GB18030, and XLSX.
 * Node decodes GB18030 but has no encoder, so the two-byte (GBK) table is built once by decoding
 * every lead/trail byte pair and inverting the result; that covers all common Chinese characters.
 */
let gbkTable: Map<string, number[]> | null = null;

function gbk(): Map<string, number[]> {
  if (gbkTable) return gbkTable;
  const table = new Map<string, number[]>();
  const decoder = new TextDecoder('gb18030', { fatal: true });
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      let ch: string;
      try {
        ch = decoder.decode(Uint8Array.from([lead, trail]));
      } catch {
        continue;
      }
      if (ch.length === 1 && ch !== '\ufffd' && !table.has(ch)) table.set(ch, [lead, trail]);
    }
  }
  gbkTable = table;
  return table;
}

/** GB18030 bytes of text made of ASCII and GBK characters (throws for anything else). */
export function encodeGb18030(text: string): Buffer {
  const table = gbk();
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) out.push(code);
    else {
      const bytes = table.get(ch);
      if (!bytes) throw new Error(`no two-byte GB18030 code for ${ch}`);
      out.push(...bytes);
    }
  }
  return Buffer.from(out);
}

function csvCell(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvText(rows: (string | number | null | undefined)[][]): string {
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export type CsvEncoding = 'utf8' | 'utf8-bom' | 'gb18030';

export function csvBytes(rows: (string | number | null | undefined)[][], encoding: CsvEncoding = 'utf8'): Buffer {
  const text = csvText(rows);
  switch (encoding) {
    case 'utf8':
      return Buffer.from(text, 'utf8');
    case 'utf8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'gb18030':
      return encodeGb18030(text);
  }
}

/** An XLSX workbook with one sheet holding these rows (the first is the header). */
export async function xlsxBytes(rows: (string | number | null)[][], sheetName = 'org-units'): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(sheetName);
  for (const r of rows) sheet.addRow(r);
  const data = await workbook.xlsx.writeBuffer();
  return Buffer.from(data);
}
