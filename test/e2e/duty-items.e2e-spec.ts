import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { selectRows, toInt } from '@/database/dialect';
import { bearer, standardTree, standardUsers, StandardUsers } from '../factories';
import { TestApp } from '../utils/test-app';

interface TopicFileEntry {
  code: string;
  name: string;
}

const TOPICS_FILE = JSON.parse(readFileSync(join(__dirname, '..', '..', 'data', 'topics.json'), 'utf8')) as { topics: TopicFileEntry[] };

type RoleName = keyof StandardUsers;
const ALL_USERS: RoleName[] = ['admin', 'issuer', 'reporter', 'villageReporter', 'coordinator', 'inspector', 'gejiuCoordinator', 'gejiuInspector'];
const NOT_ADMIN: RoleName[] = ALL_USERS.filter((u) => u !== 'admin');

describe('topics and duty items', () => {
  let t: TestApp;
  let users: StandardUsers;

  beforeAll(async () => {
    t = await TestApp.start();
    users = await standardUsers(t, await standardTree(t));
  });
  afterAll(() => t.close());

  const item = (over: Record<string, unknown> = {}) => ({
    level: 'township',
    topic: 'work_safety',
    category: 'core',
    title: '组织开展辖区安全生产隐患排查',
    basis: '《乡镇（街道）履行职责事项清单》',
    ...over,
  });

  describe('GET /topics', () => {
    it('data/topics.json holds well-formed, unique topic codes, including those DESIGN §2 names', () => {
      const codes = TOPICS_FILE.topics.map((x) => x.code);
      expect(new Set(codes).size).toBe(codes.length);
      for (const topic of TOPICS_FILE.topics) {
        expect(topic.code).toMatch(/^[a-z0-9_]{1,40}$/);
        expect(topic.name.trim()).not.toBe('');
      }
      const names = TOPICS_FILE.topics.map((x) => x.name);
      expect(names).toEqual(expect.arrayContaining(['安全生产', '生态环境', '乡村振兴', '党建', '教育', '卫生健康', '民政', '统计']));
    });

    it.each(ALL_USERS)('lists every seeded topic, in file order, to %s', async (who) => {
      const res = await t.http.get('/api/v1/topics').query({ pageSize: 500 }).set(bearer(users[who])).expect(200);
      expect(res.body).toEqual({ items: TOPICS_FILE.topics, total: TOPICS_FILE.topics.length, page: 1, pageSize: 500 });
    });

    it('pages the topics', async () => {
      const res = await t.http.get('/api/v1/topics').query({ page: 2, pageSize: 5 }).set(bearer(users.reporter)).expect(200);
      expect(res.body).toEqual({ items: TOPICS_FILE.topics.slice(5, 10), total: TOPICS_FILE.topics.length, page: 2, pageSize: 5 });
    });

    it('seeded them once, with one audit entry naming the codes', async () => {
      const rows = await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM topics');
      expect(toInt(rows[0].n)).toBe(TOPICS_FILE.topics.length);
      const seeds = await selectRows<{ actor: string; after_json: string }>(t.db, `SELECT actor, after_json FROM audit_log WHERE action = 'topic.seed'`);
      expect(seeds).toHaveLength(1);
      expect(seeds[0].actor).toBe('seed');
      expect(JSON.parse(seeds[0].after_json)).toEqual({ added: TOPICS_FILE.topics.map((x) => x.code) });
    });

    it('needs a token', async () => {
      await t.http.get('/api/v1/topics').expect(401);
      await t.http.get('/api/v1/topics').set('Authorization', 'Bearer not-a-token').expect(401);
    });
  });

  describe('POST /duty-items', () => {
    it('admin creates a duty item, answered 201 with the stored item, and the write is audited', async () => {
      const res = await t.http.post('/api/v1/duty-items').set(bearer(users.admin)).send(item()).expect(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        level: 'township',
        topic: 'work_safety',
        category: 'core',
        title: '组织开展辖区安全生产隐患排查',
        basis: '《乡镇（街道）履行职责事项清单》',
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      });
      const entries = await selectRows<{ actor_id: number | string; actor: string; entity_id: string; unit_path: string | null; after_json: string }>(
        t.db,
        `SELECT actor_id, actor, entity_id, unit_path, after_json FROM audit_log WHERE action = 'duty-item.create' AND entity_type = 'duty_item' AND entity_id = ?`,
        [String(res.body.id)],
      );
      expect(entries).toHaveLength(1);
      expect(toInt(entries[0].actor_id)).toBe(users.admin.id);
      expect(entries[0].actor).toBe(users.admin.username);
      expect(entries[0].unit_path).toBeNull();
      expect(JSON.parse(entries[0].after_json)).toEqual(res.body);
    });

    it('takes basis as optional', async () => {
      const res = await t.http
        .post('/api/v1/duty-items')
        .set(bearer(users.admin))
        .send(item({ title: '配合开展森林防火巡查', category: 'supporting', topic: 'forestry', basis: undefined }))
        .expect(201);
      expect(res.body.basis).toBeNull();
    });

    it.each(NOT_ADMIN)('refuses %s with 403 and writes nothing', async (who) => {
      const before = await countDuties();
      const res = await t.http
        .post('/api/v1/duty-items')
        .set(bearer(users[who]))
        .send(item({ title: `by ${who}` }))
        .expect(403);
      expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      expect(await countDuties()).toBe(before);
    });

    it('needs a token', async () => {
      await t.http
        .post('/api/v1/duty-items')
        .send(item({ title: 'anonymous' }))
        .expect(401);
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['an unknown field', { priority: 'high' }, 'priority'],
      ['a bad category', { category: 'optional' }, 'category'],
      ['a bad level', { level: 'district' }, 'level'],
      ['a malformed topic code', { topic: 'Work Safety' }, 'topic'],
      ['a missing title', { title: undefined }, 'title'],
      ['a blank title', { title: '   ' }, 'title'],
      ['a title of the wrong type', { title: 42 }, 'title'],
      ['a title over 300 characters', { title: '长'.repeat(301) }, 'title'],
      ['a basis over 500 characters', { basis: 'x'.repeat(501) }, 'basis'],
    ])('answers 400 naming the field for %s', async (_what, over, field) => {
      const before = await countDuties();
      const res = await t.http
        .post('/api/v1/duty-items')
        .set(bearer(users.admin))
        .send(item({ title: `bad ${field}`, ...over }))
        .expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(await countDuties()).toBe(before);
    });

    it('answers 422 naming topic for a topic that does not exist', async () => {
      const res = await t.http
        .post('/api/v1/duty-items')
        .set(bearer(users.admin))
        .send(item({ topic: 'no_such_topic' }))
        .expect(422);
      expect(res.body).toMatchObject({ statusCode: 422, details: [{ field: 'topic' }] });
      expect(res.body.message).toContain('topic');
      expect(res.body.message).toContain('no_such_topic');
    });

    it('answers 409 for the same title at the same level and topic, and writes no second entry', async () => {
      const body = item({ title: '组织开展防汛演练', topic: 'emergency' });
      await t.http.post('/api/v1/duty-items').set(bearer(users.admin)).send(body).expect(201);
      const auditBefore = await countAudit();
      const res = await t.http
        .post('/api/v1/duty-items')
        .set(bearer(users.admin))
        .send({ ...body, category: 'negative' })
        .expect(409);
      expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict', details: [{ field: 'title' }] });
      expect(await countAudit()).toBe(auditBefore);
      // The same title at another level, or under another topic, is another item.
      await t.http
        .post('/api/v1/duty-items')
        .set(bearer(users.admin))
        .send({ ...body, level: 'village' })
        .expect(201);
      await t.http
        .post('/api/v1/duty-items')
        .set(bearer(users.admin))
        .send({ ...body, topic: 'water' })
        .expect(201);
    });

    it('answers 409, never 500, when the same item is posted twice at once', async () => {
      const body = item({ title: '同时提交的职责事项', topic: 'health' });
      const statuses = (await Promise.all([0, 1, 2].map(() => t.http.post('/api/v1/duty-items').set(bearer(users.admin)).send(body)))).map((r) => r.status);
      expect(statuses.sort()).toEqual([201, 409, 409]);
    });
  });

  describe('GET /duty-items', () => {
    const created: { id: number; level: string; topic: string; category: string }[] = [];

    beforeAll(async () => {
      await t.db.query('DELETE FROM duty_items');
      const specs: [string, string, string][] = [
        ['township', 'ecology', 'core'],
        ['township', 'ecology', 'negative'],
        ['township', 'statistics', 'withdrawn'],
        ['village', 'ecology', 'supporting'],
        ['village', 'statistics', 'negative'],
        ['county', 'ecology', 'core'],
        ['township', 'ecology', 'supporting'],
      ];
      for (const [i, [level, topic, category]] of specs.entries()) {
        const res = await t.http
          .post('/api/v1/duty-items')
          .set(bearer(users.admin))
          .send({ level, topic, category, title: `事项 ${i}` })
          .expect(201);
        created.push(res.body);
      }
    });

    it.each(ALL_USERS)('lets %s read every item, in id order', async (who) => {
      const res = await t.http.get('/api/v1/duty-items').set(bearer(users[who])).expect(200);
      expect(res.body).toEqual({ items: created, total: created.length, page: 1, pageSize: 50 });
    });

    it.each<[Record<string, string>, (d: (typeof created)[number]) => boolean]>([
      [{ level: 'township' }, (d) => d.level === 'township'],
      [{ topic: 'ecology' }, (d) => d.topic === 'ecology'],
      [{ category: 'negative' }, (d) => d.category === 'negative'],
      [{ level: 'township', topic: 'ecology', category: 'supporting' }, (d) => d.level === 'township' && d.topic === 'ecology' && d.category === 'supporting'],
      [{ level: 'province' }, () => false],
      [{ topic: 'no_such_topic' }, () => false],
    ])('filters by %p', async (query, keep) => {
      const expected = created.filter(keep);
      const res = await t.http.get('/api/v1/duty-items').query(query).set(bearer(users.reporter)).expect(200);
      expect(res.body.items).toEqual(expected);
      expect(res.body.total).toBe(expected.length);
    });

    it('pages with a stable order and the total of all matches', async () => {
      const pages = [];
      for (const page of [1, 2, 3]) {
        const res = await t.http.get('/api/v1/duty-items').query({ page, pageSize: 3 }).set(bearer(users.inspector)).expect(200);
        expect(res.body).toMatchObject({ total: created.length, page, pageSize: 3 });
        pages.push(...res.body.items);
      }
      expect(pages).toEqual(created);
      const beyond = await t.http.get('/api/v1/duty-items').query({ page: 4, pageSize: 3 }).set(bearer(users.inspector)).expect(200);
      expect(beyond.body).toEqual({ items: [], total: created.length, page: 4, pageSize: 3 });
    });

    it.each<[Record<string, string | number>, string]>([
      [{ level: 'district' }, 'level'],
      [{ category: 'optional' }, 'category'],
      [{ pageSize: 501 }, 'pageSize'],
      [{ page: 0 }, 'page'],
      [{ page: 'two' }, 'page'],
      [{ sort: 'title' }, 'sort'],
    ])('answers 400 for %p', async (query, field) => {
      const res = await t.http.get('/api/v1/duty-items').query(query).set(bearer(users.admin)).expect(400);
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it('needs a token', async () => {
      await t.http.get('/api/v1/duty-items').expect(401);
    });
  });

  async function countDuties(): Promise<number> {
    const rows = await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM duty_items');
    return toInt(rows[0].n);
  }

  async function countAudit(): Promise<number> {
    const rows = await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM audit_log');
    return toInt(rows[0].n);
  }
});
