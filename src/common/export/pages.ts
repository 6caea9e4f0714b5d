import { MAX_PAGE_SIZE, Page, PageRequest } from '@/common/paging/page';

/** Exports read the list in the largest page the JSON API allows, so each read is one the API already serves. */
export const EXPORT_PAGE_SIZE = MAX_PAGE_SIZE;

/**
 * Every page of a list, in order: page 1, 2, … through the same list method that answers the JSON
 * list, so filters and jurisdiction are the same by construction. Always yields the first page
 * (possibly empty); stops after a short page or once `total` is reached.
 *
 * Each page is its own read (as when a client pages through the JSON list): rows written while
 * an export runs may be missed or repeated. One snapshot across the whole download would hold the
 * SQLite read connection for as long as the slowest client takes.
 */
export async function* pagesOf<T>(list: (page: PageRequest) => Promise<Page<T>>, pageSize: number = EXPORT_PAGE_SIZE): AsyncGenerator<T[]> {
  for (let page = 1; ; page++) {
    const { items, total } = await list({ page, pageSize, offset: (page - 1) * pageSize });
    yield items;
    if (items.length < pageSize || page * pageSize >= total) return;
  }
}
