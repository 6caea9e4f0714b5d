import { Get, StreamableFile } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import { ROLES_KEY, Roles } from '@/common/auth/decorators';
import { DomainError, ErrorCode } from '@/common/errors/domain-error';
import { Page, PageQueryDto, pageRequest } from '@/common/paging/page';
import { todayInChina } from '@/common/time';
import { exportTable } from './export-table';
import { EXPORTABLE_LIST_METADATA, ExportableList } from './exportable-list';

interface Item {
  id: number;
  title: string;
}

class ItemQuery extends PageQueryDto {
  unitId?: number;
}

const TABLE = exportTable<Item>({ name: 'items', title: '条目', columns: { id: true, title: true } });

/** A controller as the features write them: role decorator, DTO, one service call with pageRequest(query). */
class ItemsController {
  readonly calls: { actor: string; query: ItemQuery }[] = [];
  failWith?: Error;

  constructor(private readonly rows: Item[]) {}

  @Get('items')
  @Roles('coordinator')
  @ExportableList(TABLE)
  list(actor: string, query: ItemQuery): Promise<Page<Item>> {
    this.calls.push({ actor, query });
    if (this.failWith) return Promise.reject(this.failWith);
    const page = pageRequest(query);
    const visible = this.rows.filter((r) => query.unitId === undefined || r.id % query.unitId === 0);
    return Promise.resolve({ items: visible.slice(page.offset, page.offset + page.pageSize), total: visible.length, page: page.page, pageSize: page.pageSize });
  }

  /** The role decorator below the export: its metadata must survive the wrapping too. */
  @ExportableList(TABLE)
  @Roles('admin')
  other(_actor: string, query: ItemQuery): Promise<Page<Item>> {
    return Promise.resolve({ items: [], total: 0, page: query.page ?? 1, pageSize: query.pageSize ?? 50 });
  }
}

const query = (fields: Partial<ItemQuery>) => Object.assign(new ItemQuery(), fields);
const rows = (n: number): Item[] => Array.from({ length: n }, (_, i) => ({ id: i + 1, title: i === 0 ? '=1+1' : `第${i + 1}条` }));

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

const textOf = async (stream: Readable) => (await bytesOf(stream)).toString('utf8');

describe('@ExportableList', () => {
  it('answers the JSON page unchanged when no format (or json) is asked for', async () => {
    const controller = new ItemsController(rows(3));
    const page = await controller.list('coordinator-1', query({ page: 2, pageSize: 2 }));
    expect(page).toEqual({ items: [{ id: 3, title: '第3条' }], total: 3, page: 2, pageSize: 2 });
    expect(await controller.list('coordinator-1', query({ format: 'json' }))).toMatchObject({ total: 3 });
    expect(controller.calls).toHaveLength(2);
  });

  it('downloads every row as CSV through the same handler, 500 a page, filters and arguments kept', async () => {
    const controller = new ItemsController(rows(2100));
    const asked = query({ format: 'csv', unitId: 2, page: 3, pageSize: 10 });
    const file = (await controller.list('coordinator-1', asked)) as unknown as StreamableFile;
    expect(file).toBeInstanceOf(StreamableFile);
    const headers = file.getHeaders();
    expect(headers.type).toBe('text/csv; charset=utf-8');
    const day = todayInChina();
    expect(headers.disposition).toBe(`attachment; filename="items-${day}.csv"; filename*=UTF-8''${encodeURIComponent(`条目-${day}.csv`)}`);

    const text = await textOf(file.getStream());
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('\uFEFFid,title');
    expect(lines.slice(1, -1)).toHaveLength(1050); // the even ids: past two pages of 500
    expect(lines[1]).toBe('2,第2条');
    expect(lines[1050]).toBe('2100,第2100条');
    expect(lines.at(-1)).toBe('');

    expect(controller.calls.map((c) => [c.actor, c.query.page, c.query.pageSize, c.query.unitId, c.query.format])).toEqual([
      ['coordinator-1', 1, 500, 2, undefined],
      ['coordinator-1', 2, 500, 2, undefined],
      ['coordinator-1', 3, 500, 2, undefined],
    ]);
    expect(controller.calls.every((c) => c.query instanceof ItemQuery)).toBe(true);
    expect(asked).toEqual(query({ format: 'csv', unitId: 2, page: 3, pageSize: 10 }));
  });

  it('escapes a formula in a title, and keeps numbers as numbers', async () => {
    const file = (await new ItemsController(rows(2)).list('c', query({ format: 'csv' }))) as unknown as StreamableFile;
    expect(await textOf(file.getStream())).toBe("\uFEFFid,title\r\n1,'=1+1\r\n2,第2条\r\n");
  });

  it('downloads XLSX with its content type', async () => {
    const file = (await new ItemsController(rows(2)).list('c', query({ format: 'xlsx' }))) as unknown as StreamableFile;
    expect(file.getHeaders().type).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    // exceljs types its parameter as an ArrayBuffer-backed Buffer; a Node Buffer's bytes are the same.
    await workbook.xlsx.load((await bytesOf(file.getStream())) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.rowCount).toBe(3);
    expect(sheet.getRow(2).getCell(1).value).toBe(1);
    expect(sheet.getRow(2).getCell(2).value).toBe("'=1+1");
  });

  it('rejects (no stream yet) when the first page fails, so the error answers as for the JSON list', async () => {
    const controller = new ItemsController(rows(2));
    controller.failWith = new DomainError(ErrorCode.Forbidden, 'not in your jurisdiction');
    await expect(controller.list('c', query({ format: 'csv' }))).rejects.toBe(controller.failWith);
  });

  it('keeps the metadata of the decorators above and below it, and marks the handler exportable', () => {
    const proto = ItemsController.prototype;
    expect(Reflect.getMetadata(ROLES_KEY, proto.list)).toEqual(['coordinator']);
    expect(Reflect.getMetadata(PATH_METADATA, proto.list)).toBe('items');
    expect(Reflect.getMetadata(ROLES_KEY, proto.other)).toEqual(['admin']);
    expect(Reflect.getMetadata(EXPORTABLE_LIST_METADATA, proto.list)).toBe(TABLE);
    expect(proto.list.name).toBe('list');
  });

  it('refuses, at start-up, a method without a PageQueryDto parameter', () => {
    expect(() => {
      class Wrong {
        @ExportableList(TABLE)
        list(_id: number): Promise<Page<Item>> {
          return Promise.resolve({ items: [], total: 0, page: 1, pageSize: 1 });
        }
      }
      return Wrong;
    }).toThrow(/needs a query parameter extending PageQueryDto/);
  });
});
