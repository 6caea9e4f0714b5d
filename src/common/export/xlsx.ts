import { Logger } from '@nestjs/common';
import ExcelJS from 'exceljs';
import { PassThrough, Readable, Writable } from 'node:stream';
import { Cell, neutraliseFormula } from './cells';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Excel refuses a cell holding more characters than this; longer text is cut and marked. */
export const XLSX_MAX_CELL_TEXT = 32_767;
const CUT_MARK = '…[truncated]';

/** A text cell as written to the workbook: neutralised against formulas, within Excel's limit. */
export function xlsxText(text: string): string {
  const safe = neutraliseFormula(text);
  return safe.length <= XLSX_MAX_CELL_TEXT ? safe : safe.slice(0, XLSX_MAX_CELL_TEXT - CUT_MARK.length) + CUT_MARK;
}

const xlsxValue = (cell: Cell): ExcelJS.CellValue => (typeof cell === 'string' ? xlsxText(cell) : cell);

const logger = new Logger('XlsxExport');

/**
 * Streams a one-sheet workbook: a bold, frozen header row, then the rows of each page as it
 * arrives. exceljs's streaming WorkbookWriter commits each row to the zip as it goes, and strings
 * are written inline (no shared-string table), so the file never sits whole in memory. Between
 * pages the writer waits while the response is behind, so a slow client holds the next page back.
 *
 * A failure after the first byte can no longer change the status: the stream is destroyed, which
 * aborts the response rather than ending a truncated file that would look complete.
 */
export function xlsxStream(sheetName: string, header: readonly string[], pages: AsyncIterable<Cell[][]>): Readable {
  const out = new PassThrough();
  void writeWorkbook(out, sheetName, header, pages).catch((error: unknown) => {
    logger.error({ err: error }, `XLSX export of ${sheetName} failed midway`);
    out.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return out;
}

async function writeWorkbook(out: PassThrough, sheetName: string, header: readonly string[], pages: AsyncIterable<Cell[][]>): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  const headerRow = sheet.addRow([...header]);
  headerRow.font = { bold: true };
  headerRow.commit();
  for await (const rows of pages) {
    for (const cells of rows) sheet.addRow(cells.map(xlsxValue)).commit();
    await writable(out);
    if (out.destroyed) return; // the client went away: read no further page
  }
  if (out.destroyed) return;
  sheet.commit();
  await workbook.commit();
}

/** Resolves once `out` wants more (or is gone), so pages are not read faster than they are sent. */
function writable(out: Writable): Promise<void> {
  if (!out.writableNeedDrain || out.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}
