import { StreamableFile } from '@nestjs/common';
import { ApiProduces } from '@nestjs/swagger';
import { Readable } from 'node:stream';
import { Page, PageQueryDto, PageRequest } from '@/common/paging/page';
import { todayInChina } from '@/common/time';
import { Cell } from './cells';
import { attachmentDisposition } from './content-disposition';
import { csvChunks } from './csv';
import { ExportTable, tableLayout } from './export-table';
import { EXPORT_PAGE_SIZE, pagesOf } from './pages';
import { XLSX_CONTENT_TYPE, xlsxStream } from './xlsx';

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

/** Set on a list handler by @ExportableList, holding its export table (read by the test that finds lists left out). */
export const EXPORTABLE_LIST_METADATA = 'burden-ledger:exportable-list';

export type DownloadFormat = 'csv' | 'xlsx';

/**
 * Every row of a list as a file, streamed page by page. The first page is read before anything
 * is sent, so an error in it (forbidden, a filter the service rejects) answers exactly as the
 * JSON list would, through the global exception filter.
 */
export async function exportList<T>(
  table: ExportTable<T>,
  format: DownloadFormat,
  list: (page: PageRequest) => Promise<Page<T>>,
  pageSize: number = EXPORT_PAGE_SIZE,
): Promise<StreamableFile> {
  const { header, row } = tableLayout(table);
  const pages = pagesOf(list, pageSize);
  const first = await pages.next();
  const rows = rowPages(first.done ? [] : first.value, pages, row);
  const day = todayInChina();
  const disposition = attachmentDisposition(`${table.title}-${day}.${format}`, `${table.name}-${day}.${format}`);
  if (format === 'csv') {
    return new StreamableFile(Readable.from(csvChunks(header, rows), { objectMode: false }), { type: CSV_CONTENT_TYPE, disposition });
  }
  return new StreamableFile(xlsxStream(table.name, header, rows), { type: XLSX_CONTENT_TYPE, disposition });
}

async function* rowPages<T>(first: T[], rest: AsyncGenerator<T[]>, row: (item: T) => Cell[]): AsyncGenerator<Cell[][]> {
  yield first.map(row);
  for await (const items of rest) yield items.map(row);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a handler's parameters are whatever its Nest decorators inject
type ListHandler<T> = (...args: any[]) => Promise<Page<T>>;

export interface ExportableListOptions<T> {
  /**
   * For a list that computes every row to answer any page (a ranking ranks and sorts all its
   * units first): a function called as a method of the controller with the handler's own
   * arguments, answering every row in the list's order. A download then calls it once and cuts
   * its pages from that answer, rather than calling the handler (and computing everything) once
   * per page. Its rows are held in memory for the download: only for lists whose whole answer is
   * computed in memory anyway.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- called with the handler's arguments, whatever its Nest decorators inject
  everyRow?: (...args: any[]) => Promise<readonly T[]>;
}

/** Pages cut from rows computed once, on the first page asked. */
function pagesFromRows<T>(rows: () => Promise<readonly T[]>): (page: PageRequest) => Promise<Page<T>> {
  let all: Promise<readonly T[]> | null = null;
  return async (page) => {
    const items = await (all ??= rows());
    return { items: items.slice(page.offset, page.offset + page.pageSize), total: items.length, page: page.page, pageSize: page.pageSize };
  };
}

const isPageQueryType = (type: unknown): boolean => type === PageQueryDto || (typeof type === 'function' && type.prototype instanceof PageQueryDto);

/** The same query at another page, as the page loop reads it (the filters untouched). */
function atPage(query: PageQueryDto, page: PageRequest): PageQueryDto {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(query) as object) as PageQueryDto, query);
  copy.page = page.page;
  copy.pageSize = page.pageSize;
  delete copy.format;
  return copy;
}

/**
 * Lets a list handler answer `format=csv|xlsx` with every matching row, for this table of columns.
 * The handler stays as it is (guard, DTO, one service call with `pageRequest(query)`): for a
 * download it is called once per page of 500 with the same arguments but the page, so filters,
 * roles and jurisdiction are those of the JSON list by construction. The query parameter is the
 * one whose DTO extends PageQueryDto. A list that must compute all its rows for any page says how
 * to have them all at once (`options.everyRow`), and a download computes them once.
 *
 * It replaces the handler with a wrapper, copying the metadata other decorators left on it (route,
 * roles), so it may sit anywhere among the method's decorators.
 */
export function ExportableList<T>(table: ExportTable<T>, options: ExportableListOptions<T> = {}) {
  return <H extends ListHandler<T>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<H>): void => {
    const original = descriptor.value;
    const paramTypes = Reflect.getMetadata('design:paramtypes', target, key) as unknown[] | undefined;
    const queryIndex = paramTypes?.findIndex(isPageQueryType) ?? -1;
    if (!original || queryIndex < 0) throw new Error(`@ExportableList on ${String(key)}: the method needs a query parameter extending PageQueryDto`);

    const handler = function (this: unknown, ...args: unknown[]): Promise<Page<T> | StreamableFile> {
      const query = args[queryIndex] as PageQueryDto;
      const format = query.format ?? 'json';
      if (format === 'json') return original.apply(this, args);
      const everyRow = options.everyRow;
      if (everyRow) return exportList(table, format, pagesFromRows(() => everyRow.apply(this, args)));
      return exportList(table, format, (page) => original.apply(this, args.map((arg, i) => (i === queryIndex ? atPage(query, page) : arg))));
    };
    for (const metadataKey of Reflect.getOwnMetadataKeys(original) as unknown[]) {
      Reflect.defineMetadata(metadataKey, Reflect.getOwnMetadata(metadataKey, original) as unknown, handler);
    }
    Object.defineProperty(handler, 'name', { value: original.name });
    Reflect.defineMetadata(EXPORTABLE_LIST_METADATA, table, handler);
    // Nest sends a StreamableFile as it is, whatever the declared return type says.
    descriptor.value = handler as unknown as H;
    ApiProduces('application/json', CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE)(target, key, descriptor);
  };
}
