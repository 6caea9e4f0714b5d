import type { Actor } from '@/common/auth/actor';
import { execute, selectRows, toInt } from '@/database/dialect';
import { auditHash, GENESIS_HASH } from '@/modules/audit/audit-hash';
import { AuditService, AuditVerification } from '@/modules/audit/audit.service';
import { TestApp } from '../utils/test-app';

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

const ADMIN: Actor = {
  userId: 1,
  username: 'admin',
  role: 'admin',
  orgUnitId: null,
  unitPath: null,
  jurisdictionPath: null,
  level: null,
};

const COLUMNS = ['id', 'at', 'actor_id', 'actor', 'action', 'entity_type', 'entity_id', 'unit_path', 'before_json', 'after_json', 'prev_hash', 'hash'] as const;

/**
 * The audit chain on a real database, tampered with behind the API. Each test leaves the chain as
 * it found it (restoring what it changed), so one application serves the whole file.
 */
describe('audit chain (medium)', () => {
  let t: TestApp;
  let audit: AuditService;
  let seq = 0;

  beforeAll(async () => {
    t = await TestApp.start();
    audit = t.app.get(AuditService);
  });
  afterAll(() => t.close());

  /** Appends n entries, each in its own transaction, as a service would; returns their ids. */
  async function appendEntries(n: number): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const k = ++seq;
      ids.push(
        await t.tx.run((tx) =>
          audit.append(tx, {
            actor: null,
            systemActor: 'test',
            action: 'probe.write',
            entityType: 'probe',
            entityId: k,
            unitPath: '/53/5325/532503/',
            before: k > 1 ? { n: k - 1 } : undefined,
            after: { n: k, 名称: `第${k}条` },
          }),
        ),
      );
    }
    return ids;
  }

  const rows = () => selectRows<RawEntry>(t.db, `SELECT ${COLUMNS.join(', ')} FROM audit_log ORDER BY id`);
  const row = async (id: number) => (await selectRows<RawEntry>(t.db, `SELECT ${COLUMNS.join(', ')} FROM audit_log WHERE id = ?`, [id]))[0];
  const head = async () => {
    const [h] = await selectRows<{ last_id: number | string; hash: string }>(t.db, 'SELECT last_id, hash FROM audit_head WHERE id = 1');
    return { lastId: toInt(h.last_id), hash: h.hash };
  };
  /** Puts deleted rows back exactly as they were (explicit ids). */
  async function reinsert(saved: RawEntry[]): Promise<void> {
    for (const r of saved) {
      await execute(
        t.db,
        `INSERT INTO audit_log (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
        COLUMNS.map((c) => r[c]),
      );
    }
  }
  const verify = (): Promise<AuditVerification> => audit.verify();

  it('the chain begins at the genesis hash', async () => {
    // The topic seed wrote the first entry at start; a chain always begins at the genesis hash.
    const [first] = await rows();
    expect(first.prev_hash).toBe(GENESIS_HASH);
  });

  it('stores the payload as canonical JSON, byte for byte the same on both databases', async () => {
    const id = await t.tx.run((tx) =>
      audit.append(tx, {
        actor: { ...ADMIN, userId: 7 },
        action: 'probe.canonical',
        entityType: 'probe',
        entityId: 123,
        unitPath: '/53/',
        before: {
          z: 1,
          a: [3, 2, 1],
          nested: { y: null, x: '蒙自市 "教育局"' },
          dropped: undefined,
        },
        after: {
          at: new Date('2026-07-01T00:00:00.000Z'),
          emoji: '😀',
          ratio: 0.25,
          big: 12345678901,
        },
      }),
    );
    const stored = await row(id);
    expect(stored.before_json).toBe('{"a":[3,2,1],"nested":{"x":"蒙自市 \\"教育局\\"","y":null},"z":1}');
    expect(stored.after_json).toBe('{"at":"2026-07-01T00:00:00.000Z","big":12345678901,"emoji":"😀","ratio":0.25}');
    expect(stored.entity_id).toBe('123');
    expect(toInt(stored.actor_id)).toBe(7);
    expect(stored.actor).toBe('admin');
    expect(stored.hash).toBe(
      auditHash({
        at: stored.at,
        actorId: 7,
        actor: 'admin',
        action: 'probe.canonical',
        entityType: 'probe',
        entityId: '123',
        unitPath: '/53/',
        beforeJson: stored.before_json,
        afterJson: stored.after_json,
        prevHash: stored.prev_hash,
      }),
    );
    expect(await head()).toEqual({ lastId: id, hash: stored.hash });
  });

  it('appending outside a transaction is refused (the entry must share the write’s transaction)', async () => {
    const before = await head();
    await expect(
      audit.append(t.db, {
        actor: null,
        action: 'probe.outside',
        entityType: 'probe',
        entityId: null,
        unitPath: null,
      }),
    ).rejects.toThrow(/inside TransactionRunner.run/);
    expect(await head()).toEqual(before);
  });

  it('verify on an intact chain: ok, every entry counted, the head hash of the last entry', async () => {
    await appendEntries(5);
    const all = await rows();
    expect(await verify()).toEqual({
      ok: true,
      entries: all.length,
      headHash: all[all.length - 1].hash,
    });
    expect((await head()).hash).toBe(all[all.length - 1].hash);
  });

  it('(a) an edited payload breaks the chain at that very entry', async () => {
    const ids = await appendEntries(5);
    const target = ids[2];
    const original = await row(target);
    const all = await rows();
    await execute(t.db, 'UPDATE audit_log SET after_json = ? WHERE id = ?', ['{"n":999}', target]);

    const result = await verify();
    expect(result).toMatchObject({
      ok: false,
      firstBrokenId: target,
      entries: all.findIndex((r) => toInt(r.id) === target) + 1,
    });
    expect(result.problem).toMatch(/content does not match its hash/);

    await execute(t.db, 'UPDATE audit_log SET after_json = ? WHERE id = ?', [original.after_json, target]);
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('(a′) an edit whose hash is recomputed to match breaks the link from the next entry', async () => {
    const ids = await appendEntries(4);
    const target = ids[1];
    const original = await row(target);
    const forgedAfter = '{"n":-1}';
    const forgedHash = auditHash({
      at: original.at,
      actorId: null,
      actor: original.actor,
      action: original.action,
      entityType: original.entity_type,
      entityId: original.entity_id,
      unitPath: original.unit_path,
      beforeJson: original.before_json,
      afterJson: forgedAfter,
      prevHash: original.prev_hash,
    });
    await execute(t.db, 'UPDATE audit_log SET after_json = ?, hash = ? WHERE id = ?', [forgedAfter, forgedHash, target]);

    const result = await verify();
    expect(result).toMatchObject({ ok: false, firstBrokenId: ids[2] });
    expect(result.problem).toMatch(/prevHash does not match/);

    await execute(t.db, 'UPDATE audit_log SET after_json = ?, hash = ? WHERE id = ?', [original.after_json, original.hash, target]);
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('(b) a deleted middle entry breaks the chain at the entry after the hole', async () => {
    const ids = await appendEntries(5);
    const saved = await row(ids[2]);
    await execute(t.db, 'DELETE FROM audit_log WHERE id = ?', [ids[2]]);

    const result = await verify();
    expect(result).toMatchObject({ ok: false, firstBrokenId: ids[3] });
    expect(result.problem).toMatch(/prevHash does not match/);
    // The chain up to the hole is reported as far as it holds.
    expect(result.headHash).toBe((await row(ids[1])).hash);

    await reinsert([saved]);
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('(c) a truncated tail changes the head hash; the service also sees the chain end short of its head row', async () => {
    const ids = await appendEntries(5);
    const kept = await verify();
    expect(kept.ok).toBe(true);
    const saved = [await row(ids[3]), await row(ids[4])];
    await execute(t.db, 'DELETE FROM audit_log WHERE id >= ?', [ids[3]]);

    // What remains is a valid chain, so no entry is broken, but its head is another hash:
    // anyone who kept the earlier head can tell entries were removed.
    const result = await verify();
    const newLast = await row(ids[2]);
    expect(result.headHash).toBe(newLast.hash);
    expect(result.headHash).not.toBe(kept.headHash);
    expect(result.entries).toBe(kept.entries - 2);
    expect(result.firstBrokenId).toBeUndefined();
    // The head row the appender maintains still names the removed last entry: verify reports
    // ok=false, without a firstBrokenId, saying the chain ends before the recorded head.
    expect(result.ok).toBe(false);
    expect(result.problem).toMatch(/removed from .*the end/);

    // Whoever truncates can also rewrite the head row; then only the kept head hash tells.
    const headRow = await head();
    await execute(t.db, 'UPDATE audit_head SET last_id = ?, hash = ? WHERE id = 1', [ids[2], newLast.hash]);
    const rewritten = await verify();
    expect(rewritten).toEqual({
      ok: true,
      entries: kept.entries - 2,
      headHash: newLast.hash,
    });
    expect(rewritten.headHash).not.toBe(kept.headHash);

    await execute(t.db, 'UPDATE audit_head SET last_id = ?, hash = ? WHERE id = 1', [headRow.lastId, headRow.hash]);
    await reinsert(saved);
    expect(await verify()).toEqual(kept);
  });

  it('entries forged past the head row are reported', async () => {
    const ids = await appendEntries(2);
    const last = await row(ids[1]);
    const forged = {
      ...last,
      id: ids[1] + 1000,
      at: '2099-01-01T00:00:00.000Z',
      prev_hash: last.hash,
      after_json: '{"forged":true}',
    };
    forged.hash = auditHash({
      at: forged.at,
      actorId: null,
      actor: forged.actor,
      action: forged.action,
      entityType: forged.entity_type,
      entityId: forged.entity_id,
      unitPath: forged.unit_path,
      beforeJson: forged.before_json,
      afterJson: forged.after_json,
      prevHash: forged.prev_hash,
    });
    await reinsert([forged]);
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.problem).toMatch(/the end/);
    await execute(t.db, 'DELETE FROM audit_log WHERE id = ?', [forged.id]);
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('a break beyond the first verify batch (2,000 entries) is found at the right id', async () => {
    // 2,100 valid entries written straight into the table (the chain computed here, as append
    // would), a hundred rows per statement to keep the test fast on PostgreSQL too.
    const start = await head();
    let prevHash = start.hash;
    const fresh: RawEntry[] = [];
    for (let i = 0; i < 2100; i++) {
      const entry = {
        at: '2026-07-01T00:00:00.000Z',
        actorId: null,
        actor: 'bulk',
        action: 'probe.bulk',
        entityType: 'probe',
        entityId: String(i),
        unitPath: null,
        beforeJson: null,
        afterJson: `{"i":${i}}`,
        prevHash,
      };
      prevHash = auditHash(entry);
      fresh.push({
        id: 0,
        at: entry.at,
        actor_id: null,
        actor: 'bulk',
        action: 'probe.bulk',
        entity_type: 'probe',
        entity_id: entry.entityId,
        unit_path: null,
        before_json: null,
        after_json: entry.afterJson,
        prev_hash: entry.prevHash,
        hash: prevHash,
      });
    }
    // The database numbers the rows (explicit ids would leave PostgreSQL's sequence behind).
    const columns = COLUMNS.filter((c) => c !== 'id');
    for (let i = 0; i < fresh.length; i += 100) {
      const chunk = fresh.slice(i, i + 100);
      const values = chunk.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
      await execute(
        t.db,
        `INSERT INTO audit_log (${columns.join(', ')}) VALUES ${values}`,
        chunk.flatMap((r) => columns.map((c) => r[c])),
      );
    }
    const [last] = await selectRows<{ id: number | string }>(t.db, 'SELECT MAX(id) AS id FROM audit_log');
    await execute(t.db, 'UPDATE audit_head SET last_id = ?, hash = ? WHERE id = 1', [toInt(last.id), prevHash]);

    const all = await rows();
    expect(all.length).toBeGreaterThan(2100);
    expect(await verify()).toEqual({
      ok: true,
      entries: all.length,
      headHash: prevHash,
    });
    const target = all[2040];
    await execute(t.db, 'UPDATE audit_log SET action = ? WHERE id = ?', ['probe.edited', target.id]);
    expect(await verify()).toMatchObject({
      ok: false,
      firstBrokenId: toInt(target.id),
      entries: 2041,
    });
    await execute(t.db, 'UPDATE audit_log SET action = ? WHERE id = ?', [target.action, target.id]);
    expect(await verify()).toMatchObject({ ok: true, entries: all.length });
    // The service appends after rows it did not write itself, as long as the head names them.
    await appendEntries(1);
    expect(await verify()).toMatchObject({ ok: true, entries: all.length + 1 });
  });

  it('verify while writes are committing never reports a sound chain as broken', async () => {
    const writes = Array.from({ length: 40 }, (_, i) =>
      t.tx.run(async (tx) => {
        await audit.append(tx, {
          actor: null,
          systemActor: 'test',
          action: 'probe.concurrent',
          entityType: 'probe',
          entityId: `c${i}`,
          unitPath: null,
          after: { i },
        });
        // Keep the transaction open a moment after the head moved, as a service finishing its work would.
        await new Promise((resolve) => setTimeout(resolve, 2));
      }),
    );
    const checks = Array.from({ length: 20 }, async (_, i) => {
      await new Promise((resolve) => setTimeout(resolve, i * 3));
      return verify();
    });
    const results = await Promise.all(checks);
    await Promise.all(writes);
    for (const r of results) expect(r).toMatchObject({ ok: true });
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('verify never reports an entry whose transaction then rolls back', async () => {
    const committed = await verify();
    let appended!: () => void;
    const entryWritten = new Promise<void>((resolve) => (appended = resolve));
    const failing = t.tx.run(async (tx) => {
      await audit.append(tx, {
        actor: null,
        systemActor: 'test',
        action: 'probe.rolled-back',
        entityType: 'probe',
        entityId: 'rb',
        unitPath: null,
        after: {},
      });
      appended();
      await new Promise((resolve) => setTimeout(resolve, 30));
      throw new Error('the write fails after its audit entry');
    });
    await entryWritten;
    const during = await verify();
    const listed = await audit.list(ADMIN, { action: 'probe.rolled-back' }, { page: 1, pageSize: 50, offset: 0 });
    await expect(failing).rejects.toThrow('the write fails');
    expect(during).toEqual(committed);
    expect(listed).toEqual({ items: [], total: 0, page: 1, pageSize: 50 });
    expect(await verify()).toEqual(committed);
  });
});
