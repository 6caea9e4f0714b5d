import { Injectable } from '@nestjs/common';
import { Level } from '@/common/auth/actor';
import { selectRows, toInt, Tx, Where } from '@/database/dialect';

export const DUTY_CATEGORIES = ['core', 'supporting', 'withdrawn', 'negative'] as const;
export type DutyCategory = (typeof DUTY_CATEGORIES)[number];

/** A topic's stable identifier, as data/topics.json and the API write it. */
export const TOPIC_CODE = /^[a-z0-9_]{1,40}$/;

export interface Topic {
  code: string;
  name: string;
}

export interface DutyItem {
  id: number;
  level: Level;
  topic: string;
  category: DutyCategory;
  title: string;
  basis: string | null;
  createdAt: string;
}

interface RawDuty {
  id: number | string;
  level: Level;
  topic_code: string;
  category: DutyCategory;
  title: string;
  basis: string | null;
  created_at: string;
}

const mapDuty = (r: RawDuty): DutyItem => ({
  id: toInt(r.id),
  level: r.level,
  topic: r.topic_code,
  category: r.category,
  title: r.title,
  basis: r.basis,
  createdAt: r.created_at,
});

@Injectable()
export class DutyRepository {
  async listTopics(tx: Tx, offset: number, limit: number): Promise<{ rows: Topic[]; total: number }> {
    const [count] = await selectRows<{ n: number | string }>(tx, 'SELECT COUNT(*) AS n FROM topics');
    const rows = await selectRows<Topic>(tx, 'SELECT code, name FROM topics ORDER BY sort_order, code LIMIT ? OFFSET ?', [limit, offset]);
    return { rows: rows.map((r) => ({ code: r.code, name: r.name })), total: toInt(count.n) };
  }

  async topicExists(tx: Tx, code: string): Promise<boolean> {
    return (await selectRows(tx, 'SELECT code FROM topics WHERE code = ?', [code])).length > 0;
  }

  /**
   * Inserts the topics not yet present (existing ones are left as they are); returns the codes
   * added. ON CONFLICT keeps two instances starting on one database from colliding.
   */
  async insertMissingTopics(tx: Tx, topics: Topic[]): Promise<string[]> {
    const existing = new Set((await selectRows<{ code: string }>(tx, 'SELECT code FROM topics')).map((t) => t.code));
    const added: string[] = [];
    for (const [i, t] of topics.entries()) {
      if (existing.has(t.code)) continue;
      const rows = await selectRows<{ code: string }>(tx, 'INSERT INTO topics (code, name, sort_order) VALUES (?, ?, ?) ON CONFLICT (code) DO NOTHING RETURNING code', [
        t.code,
        t.name,
        i,
      ]);
      if (rows.length) added.push(t.code);
    }
    return added;
  }

  async listDuties(tx: Tx, filter: { level?: Level; topic?: string; category?: DutyCategory }, offset: number, limit: number) {
    const where = new Where();
    if (filter.level) where.add('level = ?', filter.level);
    if (filter.topic) where.add('topic_code = ?', filter.topic);
    if (filter.category) where.add('category = ?', filter.category);
    const clause = where.clause;
    const [count] = await selectRows<{ n: number | string }>(tx, `SELECT COUNT(*) AS n FROM duty_items ${clause}`, where.params);
    const rows = await selectRows<RawDuty>(
      tx,
      `SELECT id, level, topic_code, category, title, basis, created_at FROM duty_items ${clause} ORDER BY id LIMIT ? OFFSET ?`,
      [...where.params, limit, offset],
    );
    return { rows: rows.map(mapDuty), total: toInt(count.n) };
  }

  async findDuty(tx: Tx, level: Level, topic: string, title: string): Promise<DutyItem | null> {
    const rows = await selectRows<RawDuty>(
      tx,
      'SELECT id, level, topic_code, category, title, basis, created_at FROM duty_items WHERE level = ? AND topic_code = ? AND title = ?',
      [level, topic, title],
    );
    return rows.length ? mapDuty(rows[0]) : null;
  }

  async insertDuty(tx: Tx, d: Omit<DutyItem, 'id'>): Promise<number> {
    const rows = await selectRows<{ id: number | string }>(
      tx,
      'INSERT INTO duty_items (level, topic_code, category, title, basis, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
      [d.level, d.topic, d.category, d.title, d.basis, d.createdAt],
    );
    return toInt(rows[0].id);
  }
}
