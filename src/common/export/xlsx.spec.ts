import { Logger } from '@nestjs/common';
import ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import { Cell } from './cells';
import { XLSX_MAX_CELL_TEXT, xlsxStream, xlsxText } from './xlsx';

/** Pages of rows arriving one after another, as from the database. */
async function* pagesOf(...pages: Cell[][][]): AsyncGenerator<Cell[][]> {
  for (const page of pages) yield await Promise.resolve(page);
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function sheetOf(stream: Readable): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  // exceljs types its parameter as an ArrayBuffer-backed Buffer; a Node Buffer's bytes are the same.
  await workbook.xlsx.load((await bytesOf(stream)) as unknown as ArrayBuffer);
  return workbook.worksheets[0];
}

describe('xlsxText', () => {
  it('neutralises formulas like the CSV does', () => {
    expect(xlsxText('=1+1')).toBe("'=1+1");
    expect(xlsxText('-5')).toBe("'-5");
    expect(xlsxText('文澜街道')).toBe('文澜街道');
  });

  it("cuts text longer than Excel's cell limit, and says so", () => {
    const cut = xlsxText('x'.repeat(XLSX_MAX_CELL_TEXT + 10));
    expect(cut).toHaveLength(XLSX_MAX_CELL_TEXT);
    expect(cut.endsWith('…[truncated]')).toBe(true);
    expect(xlsxText('y'.repeat(XLSX_MAX_CELL_TEXT))).toHaveLength(XLSX_MAX_CELL_TEXT);
  });
});

describe('xlsxStream', () => {
  it('writes a bold header and every page, with numbers as numbers and text escaped', async () => {
    const sheet = await sheetOf(
      xlsxStream('burden-reports', ['id', 'title', 'hours', 'shadow', 'note'], pagesOf([[1, '=1+1', -5, true, null]], [], [[2, '-5', 2.5, false, '蒙自市，文澜街道\n第二行']])),
    );
    expect(sheet.name).toBe('burden-reports');
    expect(sheet.rowCount).toBe(3);
    expect(sheet.getRow(1).values).toEqual([undefined, 'id', 'title', 'hours', 'shadow', 'note']);
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);

    const first = sheet.getRow(2);
    expect(first.getCell(1).value).toBe(1);
    expect(first.getCell(2).value).toBe("'=1+1");
    expect(first.getCell(2).type).toBe(ExcelJS.ValueType.String);
    expect(first.getCell(3).value).toBe(-5);
    expect(first.getCell(3).type).toBe(ExcelJS.ValueType.Number);
    expect(first.getCell(4).value).toBe(true);
    expect(first.getCell(5).value).toBeNull();

    const second = sheet.getRow(3);
    expect(second.getCell(2).value).toBe("'-5");
    expect(second.getCell(3).value).toBe(2.5);
    expect(second.getCell(5).value).toBe('蒙自市，文澜街道\n第二行');
  });

  it('writes the header alone when nothing matches', async () => {
    const sheet = await sheetOf(xlsxStream('empty', ['id'], pagesOf([])));
    expect(sheet.rowCount).toBe(1);
  });

  it('fails the stream (so the response is aborted, not ended) when a later page fails', async () => {
    async function* failing(): AsyncGenerator<Cell[][]> {
      yield await Promise.resolve([[1]]);
      throw new Error('database went away');
    }
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      await expect(bytesOf(xlsxStream('broken', ['id'], failing()))).rejects.toThrow('database went away');
      expect(logged).toHaveBeenCalledWith(expect.objectContaining({ err: expect.any(Error) }), 'XLSX export of broken failed midway');
    } finally {
      logged.mockRestore();
    }
  });
});
