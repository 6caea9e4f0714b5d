import { Page, PageRequest } from '@/common/paging/page';
import { EXPORT_PAGE_SIZE, pagesOf } from './pages';

/** A list of `total` numbered rows, recording the page requests it answers. */
function listOf(total: number) {
  const requests: PageRequest[] = [];
  const list = (page: PageRequest): Promise<Page<number>> => {
    requests.push(page);
    const items = Array.from({ length: Math.max(0, Math.min(page.pageSize, total - page.offset)) }, (_, i) => page.offset + i + 1);
    return Promise.resolve({ items, total, page: page.page, pageSize: page.pageSize });
  };
  return { list, requests };
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('pagesOf', () => {
  it('reads pages of 500, the largest the JSON list allows', async () => {
    const { list, requests } = listOf(1201);
    const pages = await collect(pagesOf(list));
    expect(EXPORT_PAGE_SIZE).toBe(500);
    expect(requests).toEqual([
      { page: 1, pageSize: 500, offset: 0 },
      { page: 2, pageSize: 500, offset: 500 },
      { page: 3, pageSize: 500, offset: 1000 },
    ]);
    expect(pages.map((p) => p.length)).toEqual([500, 500, 201]);
    expect(pages.flat()).toEqual(Array.from({ length: 1201 }, (_, i) => i + 1));
  });

  it('crosses pages in order, every row once', async () => {
    const { list } = listOf(7);
    expect(await collect(pagesOf(list, 3))).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('stops without another read when the total ends on a page boundary', async () => {
    const { list, requests } = listOf(6);
    expect(await collect(pagesOf(list, 3))).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(requests).toHaveLength(2);
  });

  it('yields the first page even when it is empty, and stops there', async () => {
    const { list, requests } = listOf(0);
    expect(await collect(pagesOf(list, 3))).toEqual([[]]);
    expect(requests).toHaveLength(1);
  });

  it('stops after a short page even if the total (read earlier) promised more', async () => {
    const list = (page: PageRequest): Promise<Page<number>> => Promise.resolve({ items: page.page === 1 ? [1, 2, 3] : [4], total: 10, page: page.page, pageSize: page.pageSize });
    expect(await collect(pagesOf(list, 3))).toEqual([[1, 2, 3], [4]]);
  });

  it('reads the next page only when asked for it', async () => {
    const { list, requests } = listOf(10);
    const pages = pagesOf(list, 3);
    await pages.next();
    expect(requests).toHaveLength(1);
    await pages.return(undefined);
    expect(requests).toHaveLength(1);
  });
});
