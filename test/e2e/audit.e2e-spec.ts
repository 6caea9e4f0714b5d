import * as time from '@/common/time';
import { selectRows, toInt } from '@/database/dialect';
import { auditHash, GENESIS_HASH } from '@/modules/audit/audit-hash';
import { AuditService } from '@/modules/audit/audit.service';
import { bearer, standardTree, StandardTree, standardUsers, StandardUsers } from '../factories';
import { TestApp } from '../utils/test-app';

interface EntryView {
  id: number;
  at: string;
  actorId: number | null;
  actor: string;
  action: string;
  entityType: string;
  entityId: string | null;
  unitPath: string | null;
  before: unknown;
  after: unknown;
  prevHash: string;
  hash: string;
}

interface RawEntry {
  id: number | string;
  at: string;
  actor_id: number | string | null;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  unit_path: string | null;
  before_json: string | null;
  after_json: string | null;
  prev_hash: string;
  hash: string;
}

type Who = keyof StandardUsers;

describe('audit log over HTTP', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  /** Written through the API in beforeAll. */
  let mengziDept: { id: number; path: string; name: string };
  let gejiuDept: { id: number; path: string };
  let dutyItemId: number;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    const admin = bearer(users.admin);
    mengziDept = (
      await t.http
        .post('/api/v1/org-units')
        .set(admin)
        .send({ code: '532503-AJJ', name: '蒙自市应急管理局', kind: 'department', level: 'county', parentId: tree.mengzi.id })
        .expect(201)
    ).body;
    gejiuDept = (
      await t.http
        .post('/api/v1/org-units')
        .set(admin)
        .send({ code: '532501-AJJ', name: '个旧市应急管理局', kind: 'department', level: 'county', parentId: tree.gejiu.id })
        .expect(201)
    ).body;
    await t.http.patch(`/api/v1/org-units/${mengziDept.id}`).set(admin).send({ name: '蒙自市应急局' }).expect(200);
    dutyItemId = (
      await t.http.post('/api/v1/duty-items').set(admin).send({ level: 'township', topic: 'emergency', category: 'core', title: '组织应急演练' }).expect(201)
    ).body.id;
    // An entry stored under a sibling whose code merely starts with 蒙自市's (/53/5325/5325030/):
    // a prefix match would wrongly show it to 蒙自市's inspector.
    const audit = t.app.get(AuditService);
    await t.tx.run((tx) =>
      audit.append(tx, {
        actor: null,
        systemActor: 'test',
        action: 'test.prefix-trap',
        entityType: 'probe',
        entityId: 'trap',
        unitPath: '/53/5325/5325030/',
        after: {},
      }),
    );
  });
  afterAll(() => t.close());

  const list = (who: Who, query: Record<string, string | number> = {}) =>
    t.http
      .get('/api/v1/audit')
      .query({ pageSize: 500, ...query })
      .set(bearer(users[who]));
  const items = async (who: Who, query: Record<string, string | number> = {}): Promise<EntryView[]> => {
    const res = await list(who, query).expect(200);
    return res.body.items as EntryView[];
  };

  async function rawEntries(): Promise<RawEntry[]> {
    return selectRows<RawEntry>(t.db, 'SELECT * FROM audit_log ORDER BY id');
  }

  async function countEntries(): Promise<number> {
    const rows = await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM audit_log');
    return toInt(rows[0].n);
  }

  describe('what every write appends', () => {
    it('one entry per write, naming actor, action, entity, unit path and the state after', async () => {
      const created = await items('admin', { entityType: 'org_unit', entityId: String(mengziDept.id), action: 'org-unit.create' });
      expect(created).toHaveLength(1);
      expect(created[0]).toMatchObject({
        actorId: users.admin.id,
        actor: users.admin.username,
        action: 'org-unit.create',
        entityType: 'org_unit',
        entityId: String(mengziDept.id),
        unitPath: '/53/5325/532503/532503-AJJ/',
        before: null,
        after: { ...mengziDept },
      });
      expect(created[0].at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    });

    it('an update carries the state before and after', async () => {
      const [updated] = await items('admin', { entityType: 'org_unit', entityId: String(mengziDept.id), action: 'org-unit.update' });
      expect(updated.before).toMatchObject({ id: mengziDept.id, name: '蒙自市应急管理局' });
      expect(updated.after).toMatchObject({ id: mengziDept.id, name: '蒙自市应急局' });
    });

    it('stores canonical JSON (sorted keys, no whitespace) and chains every entry to the one before by hash', async () => {
      const rows = await rawEntries();
      expect(rows.length).toBeGreaterThanOrEqual(6);
      let prev = GENESIS_HASH;
      for (const r of rows) {
        expect(r.prev_hash).toBe(prev);
        const recomputed = auditHash({
          at: r.at,
          actorId: r.actor_id === null ? null : toInt(r.actor_id),
          actor: r.actor,
          action: r.action,
          entityType: r.entity_type,
          entityId: r.entity_id,
          unitPath: r.unit_path,
          beforeJson: r.before_json,
          afterJson: r.after_json,
          prevHash: r.prev_hash,
        });
        expect(r.hash).toBe(recomputed);
        for (const json of [r.before_json, r.after_json]) {
          if (json === null) continue;
          expect(json).not.toMatch(/": |, /);
          const keys = Object.keys(JSON.parse(json) as object);
          expect(keys).toEqual([...keys].sort());
        }
        prev = r.hash;
      }
      const [head] = await selectRows<{ last_id: number | string; hash: string }>(t.db, 'SELECT last_id, hash FROM audit_head');
      expect(toInt(head.last_id)).toBe(toInt(rows[rows.length - 1].id));
      expect(head.hash).toBe(prev);
    });

    it('a refused write appends nothing', async () => {
      const before = await countEntries();
      await t.http
        .post('/api/v1/org-units')
        .set(bearer(users.admin))
        .send({ code: '532503-AJJ', name: 'duplicate', kind: 'department', level: 'county', parentId: tree.mengzi.id })
        .expect(409);
      await t.http
        .post('/api/v1/org-units')
        .set(bearer(users.coordinator))
        .send({ code: '532503-XX', name: 'x', kind: 'department', level: 'county', parentId: tree.mengzi.id })
        .expect(403);
      expect(await countEntries()).toBe(before);
    });
  });

  describe('who may read it', () => {
    it.each<Who>(['issuer', 'reporter', 'villageReporter', 'coordinator', 'gejiuCoordinator'])('%s gets 403 on GET /audit and /audit/verify', async (who) => {
      const res = await t.http.get('/api/v1/audit').set(bearer(users[who])).expect(403);
      expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      await t.http.get('/api/v1/audit/verify').set(bearer(users[who])).expect(403);
    });

    it('no token, or a bad one, gets 401', async () => {
      await t.http.get('/api/v1/audit').expect(401);
      await t.http.get('/api/v1/audit/verify').expect(401);
      await t.http.get('/api/v1/audit').set('Authorization', 'Bearer x.y.z').expect(401);
    });

    it('a revoked token gets 401', async () => {
      const revoked = { ...users.inspector, token: t.token({ id: users.inspector.id, role: 'inspector', tokenVersion: 7 }) };
      await t.http.get('/api/v1/audit').set(bearer(revoked)).expect(401);
    });

    it.each<Who>(['admin', 'inspector', 'gejiuInspector'])('%s may read the log and verify the chain', async (who) => {
      await list(who).expect(200);
      await t.http.get('/api/v1/audit/verify').set(bearer(users[who])).expect(200);
    });
  });

  describe('scope: the entry’s stored unit path', () => {
    it('an inspector of 蒙自市 sees the entries stored inside 蒙自市 only', async () => {
      const seen = await items('inspector');
      expect(seen.length).toBeGreaterThan(0);
      for (const e of seen) expect(e.unitPath?.startsWith('/53/5325/532503/')).toBe(true);
      const ids = seen.map((e) => e.entityId);
      expect(ids).toContain(String(mengziDept.id));
      expect(ids).not.toContain(String(gejiuDept.id));
      expect(ids).not.toContain('trap');
      // Entries with no unit (duty items, topic seeding) are the admin's alone.
      expect(seen.some((e) => e.entityType === 'duty_item' || e.entityType === 'topic')).toBe(false);
    });

    it('an inspector of 个旧市 sees 个旧市’s entries and not 蒙自市’s', async () => {
      const seen = await items('gejiuInspector');
      expect(seen.map((e) => e.entityId)).toEqual([String(gejiuDept.id)]);
      expect(seen[0].unitPath).toBe('/53/5325/532501/532501-AJJ/');
    });

    it('a filter does not widen the scope', async () => {
      const res = await list('inspector', { entityType: 'org_unit', entityId: String(gejiuDept.id) }).expect(200);
      expect(res.body).toEqual({ items: [], total: 0, page: 1, pageSize: 500 });
    });

    it('admin sees every entry, those without a unit path included', async () => {
      const res = await list('admin').expect(200);
      expect(res.body.total).toBe(await countEntries());
      const types = (res.body.items as EntryView[]).map((e) => e.entityType);
      expect(types).toEqual(expect.arrayContaining(['topic', 'org_unit', 'duty_item', 'probe']));
    });
  });

  describe('filters and paging', () => {
    it('filters by entityType and entityId', async () => {
      const duty = await items('admin', { entityType: 'duty_item' });
      expect(duty.map((e) => e.entityId)).toEqual([String(dutyItemId)]);
      const unit = await items('admin', { entityType: 'org_unit', entityId: String(gejiuDept.id) });
      expect(unit.map((e) => e.action)).toEqual(['org-unit.create']);
    });

    it('filters by action', async () => {
      const updates = await items('admin', { action: 'org-unit.update' });
      expect(updates.map((e) => e.entityId)).toEqual([String(mengziDept.id)]);
    });

    it('filters by actorId', async () => {
      const byAdmin = await items('admin', { actorId: users.admin.id });
      expect(byAdmin.length).toBe(4);
      expect(byAdmin.every((e) => e.actorId === users.admin.id)).toBe(true);
      expect(await items('admin', { actorId: users.inspector.id })).toEqual([]);
    });

    it('rejects bad filter values and unknown parameters with 400 naming them', async () => {
      for (const [query, field] of [
        [{ actorId: 'abc' }, 'actorId'],
        [{ actorId: 0 }, 'actorId'],
        [{ from: '2026-7-1' }, 'from'],
        [{ to: 'yesterday' }, 'to'],
        [{ from: '2026-02-30' }, 'from'],
        [{ pageSize: 501 }, 'pageSize'],
        [{ unitPath: '/' }, 'unitPath'],
      ] as const) {
        const res = await list('admin', query).expect(400);
        expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      }
    });

    it('pages newest first with a stable order and the total of all matches', async () => {
      const all = await items('admin');
      const total = all.length;
      expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort((a, b) => b - a));
      const paged: EntryView[] = [];
      for (let page = 1; page <= Math.ceil(total / 2); page++) {
        const res = await list('admin', { page, pageSize: 2 }).expect(200);
        expect(res.body).toMatchObject({ total, page, pageSize: 2 });
        paged.push(...(res.body.items as EntryView[]));
      }
      expect(paged).toEqual(all);
    });

    describe('from and to: China calendar days, inclusive', () => {
      const dated: Record<string, number> = {};

      beforeAll(async () => {
        // Three writes at instants either side of midnight in Asia/Shanghai (UTC+8).
        const instants = {
          julyFirstEarly: '2025-06-30T16:30:00.000Z', // 2025-07-01 00:30 in China, still June 30 in UTC
          julyFirstLate: '2025-07-01T15:59:59.999Z', // 2025-07-01 23:59:59.999 in China
          julySecond: '2025-07-01T16:00:00.000Z', // 2025-07-02 00:00 in China
        };
        const clock = jest.spyOn(time, 'nowIso');
        try {
          for (const [name, at] of Object.entries(instants)) {
            clock.mockReturnValue(at);
            const res = await t.http
              .post('/api/v1/duty-items')
              .set(bearer(users.admin))
              .send({ level: 'village', topic: 'statistics', category: 'negative', title: `dated ${name}` })
              .expect(201);
            dated[name] = res.body.id;
          }
        } finally {
          clock.mockRestore();
        }
      });

      const datedIds = async (query: Record<string, string>) =>
        (await items('admin', { entityType: 'duty_item', ...query })).map((e) => Number(e.entityId)).filter((id) => Object.values(dated).includes(id));

      it('a day covers 00:00 to 24:00 in Asia/Shanghai', async () => {
        expect(await datedIds({ from: '2025-07-01', to: '2025-07-01' })).toEqual([dated.julyFirstLate, dated.julyFirstEarly]);
        expect(await datedIds({ from: '2025-07-02', to: '2025-07-02' })).toEqual([dated.julySecond]);
        expect(await datedIds({ from: '2025-06-30', to: '2025-06-30' })).toEqual([]);
      });

      it('either bound alone', async () => {
        expect(await datedIds({ from: '2025-07-02' })).toEqual([dated.julySecond]);
        expect(await datedIds({ to: '2025-07-01' })).toEqual([dated.julyFirstLate, dated.julyFirstEarly]);
        expect(await datedIds({ to: '2025-06-30' })).toEqual([]);
        expect(await datedIds({ from: '2025-06-01', to: '2025-07-31' })).toEqual([dated.julySecond, dated.julyFirstLate, dated.julyFirstEarly]);
      });
    });
  });

  describe('GET /audit/verify', () => {
    it('reports an intact chain: ok, the number of entries and the head hash', async () => {
      const res = await t.http.get('/api/v1/audit/verify').set(bearer(users.inspector)).expect(200);
      const rows = await rawEntries();
      expect(res.body).toEqual({ ok: true, entries: rows.length, headHash: rows[rows.length - 1].hash });
    });

    it('50 parallel audited writes (org units under 蒙自市) all land, once each, and the chain still verifies', async () => {
      const before = await countEntries();
      const codes = Array.from({ length: 50 }, (_, i) => `532503-P${String(i).padStart(2, '0')}`);
      const responses = await Promise.all(
        codes.map((code) =>
          t.http
            .post('/api/v1/org-units')
            .set(bearer(users.admin))
            .send({ code, name: `并发部门 ${code}`, kind: 'department', level: 'county', parentId: tree.mengzi.id }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(codes.map(() => 201));
      const ids = responses.map((r) => r.body.id as number);
      expect(new Set(ids).size).toBe(50);

      const units = await selectRows<{ code: string }>(t.db, `SELECT code FROM org_units WHERE code LIKE '532503-P%' ORDER BY code`);
      expect(units.map((u) => u.code)).toEqual(codes);
      const entries = await selectRows<{ entity_id: string }>(
        t.db,
        `SELECT entity_id FROM audit_log WHERE action = 'org-unit.create' AND unit_path LIKE '/53/5325/532503/532503-P%'`,
      );
      expect(entries.map((e) => Number(e.entity_id)).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
      expect(await countEntries()).toBe(before + 50);

      const verify = await t.http.get('/api/v1/audit/verify').set(bearer(users.admin)).expect(200);
      expect(verify.body).toMatchObject({ ok: true, entries: before + 50 });
      expect(verify.body.firstBrokenId).toBeUndefined();
    });
  });
});
