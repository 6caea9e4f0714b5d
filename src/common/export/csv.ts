import { Cell, neutraliseFormula } from './cells';

/** Excel reads a UTF-8 CSV as the local code page (GBK in China) unless it starts with this. */
export const UTF8_BOM = '\uFEFF';
const CRLF = '\r\n';
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field (RFC 4180): text neutralised against formulas, quoted when it holds `"`, `,`, CR or LF. */
export function csvField(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  const text = neutraliseFormula(cell);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, ended by CRLF. */
export function csvLine(cells: readonly Cell[]): string {
  return cells.map(csvField).join(',') + CRLF;
}

/**
 * The file as text chunks: the BOM and the header row, then one chunk per page of rows. Pulled
 * by the response, so a slow client holds the next page back instead of it piling up in memory.
 */
export async function* csvChunks(header: readonly string[], pages: AsyncIterable<Cell[][]>): AsyncGenerator<string> {
  yield UTF8_BOM + csvLine(header);
  for await (const rows of pages) {
    if (rows.length > 0) yield rows.map(csvLine).join('');
  }
}
