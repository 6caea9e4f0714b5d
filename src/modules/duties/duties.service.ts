import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Actor } from '@/common/auth/actor';
import { conflict, invalid } from '@/common/errors/domain-error';
import { Page, PageRequest } from '@/common/paging/page';
import { nowIso } from '@/common/time';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { CreateDutyItemDto, DutyItemQueryDto } from './dto/duty.dto';
import { DutyItem, DutyRepository, Topic } from './duty.repository';

/** The shipped data folder (src/modules/duties and dist/modules/duties are both three levels down). */
const PRODUCT_DATA_DIR = join(__dirname, '..', '..', '..', 'data');

/** Topics ship with the product in data/topics.json, next to the policy. */
export function readTopicsFile(dataDir: string): Topic[] {
  const parsed = JSON.parse(readFileSync(join(dataDir, 'topics.json'), 'utf8')) as { topics: Topic[] };
  return parsed.topics;
}

@Injectable()
export class DutiesService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Duties');

  constructor(
    private readonly repo: DutyRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  /** Seeds topics missing from the database (a data backfill, not a migration). */
  async onApplicationBootstrap(): Promise<void> {
    const topics = readTopicsFile(PRODUCT_DATA_DIR);
    await this.tx.run(async (tx) => {
      const added = await this.repo.insertMissingTopics(tx, topics);
      if (added > 0) {
        await this.audit.append(tx, { actor: null, systemActor: 'seed', action: 'topic.seed', entityType: 'topic', entityId: null, unitPath: null, after: { added } });
        this.logger.log(`Seeded ${added} topics`);
      }
    });
  }

  listTopics(): Promise<Topic[]> {
    return this.repo.listTopics(this.tx.reader);
  }

  async listDuties(query: DutyItemQueryDto, page: PageRequest): Promise<Page<DutyItem>> {
    const { rows, total } = await this.repo.listDuties(this.tx.reader, query, page.offset, page.pageSize);
    return { items: rows, total, page: page.page, pageSize: page.pageSize };
  }

  async createDuty(actor: Actor, dto: CreateDutyItemDto): Promise<DutyItem> {
    return this.tx.run(async (tx) => {
      if (!(await this.repo.topicExists(tx, dto.topic))) throw invalid('topic', `no topic with code ${dto.topic}`);
      if (await this.repo.findDuty(tx, dto.level, dto.topic, dto.title)) {
        throw conflict('This duty item already exists for that level and topic', { field: 'title' });
      }
      const item = { level: dto.level, topic: dto.topic, category: dto.category, title: dto.title, basis: dto.basis ?? null, createdAt: nowIso() };
      const id = await this.repo.insertDuty(tx, item);
      const created = { id, ...item };
      await this.audit.append(tx, { actor, action: 'duty-item.create', entityType: 'duty_item', entityId: id, unitPath: null, after: created });
      return created;
    });
  }
}
