import { Get, StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';
import { DomainError, ErrorCode } from '@/common/errors/domain-error';
import { Page, PageQueryDto, pageRequest } from '@/common/paging/page';
import { exportTable } from './export-table';
import { ExportableList } from './exportable-list';

interface Ranked {
  id: number;
  share: number;
}

class RankingQuery extends PageQueryDto {
  order?: 'asc' | 'desc';
}

const TABLE = exportTable<Ranked>({ name: 'ranking', title: '排名', columns: { id: true, share: true } });

/** A list that must rank every row to answer any page, as the metrics ranking does. */
class RankingController {
  rankings = 0;
  pagesAnswered = 0;
  failWith?: Error;

  constructor(private readonly count: number) {}

  @Get('ranking')
  @ExportableList(TABLE, {
    everyRow(this: RankingController, actor: string, query: RankingQuery) {
      return this.rank(actor, query);
    },
  })
  async list(actor: string, query: RankingQuery): Promise<Page<Ranked>> {
    this.pagesAnswered++;
    const all = await this.rank(actor, query);
    const page = pageRequest(query);
    return { items: all.slice(page.offset, page.offset + page.pageSize), total: all.length, page: page.page, pageSize: page.pageSize };
  }

  private rank(actor: string, query: RankingQuery): Promise<Ranked[]> {
    this.rankings++;
    if (this.failWith) return Promise.reject(this.failWith);
    if (actor !== 'coordinator') return Promise.resolve([]);
    const rows = Array.from({ length: this.count }, (_, i) => ({ id: i + 1, share: ((i * 7919) % 1000) / 1000 }));
    return Promise.resolve(rows.sort((a, b) => (query.order === 'asc' ? a.share - b.share : b.share - a.share) || a.id - b.id));
  }
}

const query = (fields: Partial<RankingQuery>) => Object.assign(new RankingQuery(), fields);

async function textOf(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}

describe('@ExportableList with everyRow', () => {
  it('downloads every row of three pages from one ranking, in the order the JSON pages give', async () => {
    const controller = new RankingController(1234);
    const pages: Ranked[] = [];
    for (let page = 1; page <= 3; page++) pages.push(...(await controller.list('coordinator', query({ page, pageSize: 500, order: 'asc' }))).items);
    expect(controller.rankings).toBe(3);

    controller.rankings = 0;
    controller.pagesAnswered = 0;
    const file = (await controller.list('coordinator', query({ format: 'csv', order: 'asc', page: 2, pageSize: 7 }))) as unknown as StreamableFile;
    const lines = (await textOf(file.getStream())).split('\r\n').slice(1, -1);
    expect(lines).toEqual(pages.map((r) => `${r.id},${r.share}`));
    expect(controller.rankings).toBe(1);
    expect(controller.pagesAnswered).toBe(0);
  });

  it('answers JSON through the handler as before', async () => {
    const controller = new RankingController(3);
    expect(await controller.list('coordinator', query({ pageSize: 2 }))).toMatchObject({ total: 3, items: [{}, {}] });
    expect(controller.pagesAnswered).toBe(1);
  });

  it('rejects before any byte when the ranking fails, so the error answers as for the JSON list', async () => {
    const controller = new RankingController(3);
    controller.failWith = new DomainError(ErrorCode.Forbidden, 'not in your jurisdiction');
    await expect(controller.list('coordinator', query({ format: 'csv' }))).rejects.toBe(controller.failWith);
  });

  it('downloads an empty ranking as the header alone', async () => {
    const file = (await new RankingController(3).list('issuer', query({ format: 'csv' }))) as unknown as StreamableFile;
    expect(await textOf(file.getStream())).toBe('\uFEFFid,share\r\n');
  });
});
