import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Actor } from '@/common/auth/actor';
import { conflict, invalid } from '@/common/errors/domain-error';
import { Page, PageRequest } from '@/common/paging/page';
import { nowIso } from '@/common/time';
import { isUniqueViolation } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { CreateDutyItemDto, DutyItemQueryDto } from './dto/duty.dto';
import { DutyItem, DutyRepository, Topic, TOPIC_CODE } from './duty.repository';

/** The shipped data folder (src/modules/duties and dist/modules/duties are both three levels down). */
const PRODUCT_DATA_DIR = join(__dirname, '..', '..', '..', 'data');

/** Topics ship with the product in data/topics.json, next to the policy; a malformed file stops the start. */
export function readTopicsFile(dataDir: string): Topic[] {
  const file = join(dataDir, 'topics.json');
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { topics?: unknown };
  if (!Array.isArray(parsed.topics)) throw new Error(`${file}: "topics" must be an array`);
  const seen = new Set<string>();
  return parsed.topics.map((raw: unknown, i) => {
    const t = raw as Partial<Topic> | null;
    if (typeof t?.code !== 'string' || !TOPIC_CODE.test(t.code)) throw new Error(`${file}: topics[${i}].code must match ${String(TOPIC_CODE)}`);
    if (typeof t.name !== 'string' || t.name.trim() === '' || t.name.length > 100) throw new Error(`${file}: topics[${i}].name must be 1-100 characters`);
    if (seen.has(t.code)) throw new Error(`${file}: topic code ${t.code} appears twice`);
    seen.add(t.code);
    return { code: t.code, name: t.name };
  });
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
      if (added.length > 0) {
        await this.audit.append(tx, { actor: null, systemActor: 'seed', action: 'topic.seed', entityType: 'topic', entityId: null, unitPath: null, after: { added } });
        this.logger.log(`Seeded ${added.length} topics`);
      }
    });
  }

  async listTopics(page: PageRequest): Promise<Page<Topic>> {
    const { rows, total } = await this.tx.snapshot((reader) => this.repo.listTopics(reader, page.offset, page.pageSize));
    return { items: rows, total, page: page.page, pageSize: page.pageSize };
  }

  async listDuties(query: DutyItemQueryDto, page: PageRequest): Promise<Page<DutyItem>> {
    const { rows, total } = await this.tx.snapshot((reader) => this.repo.listDuties(reader, query, page.offset, page.pageSize));
    return { items: rows, total, page: page.page, pageSize: page.pageSize };
  }

  async createDuty(actor: Actor, dto: CreateDutyItemDto): Promise<DutyItem> {
    return this.tx.run(async (tx) => {
      if (!(await this.repo.topicExists(tx, dto.topic))) throw invalid('topic', `no topic with code ${dto.topic}`);
      if (await this.repo.findDuty(tx, dto.level, dto.topic, dto.title)) {
        throw conflict('This duty item already exists for that level and topic', 'title');
      }
      const item = { level: dto.level, topic: dto.topic, category: dto.category, title: dto.title, basis: dto.basis ?? null, createdAt: nowIso() };
      let id: number;
      try {
        id = await this.repo.insertDuty(tx, item);
      } catch (error) {
        // Two admins adding the same item at once on PostgreSQL: the unique index decides.
        if (isUniqueViolation(error)) throw conflict('This duty item already exists for that level and topic', 'title');
        throw error;
      }
      const created = { id, ...item };
      await this.audit.append(tx, { actor, action: 'duty-item.create', entityType: 'duty_item', entityId: id, unitPath: null, after: created });
      return created;
    }, { resultIsAnswer: true });
  }
}
