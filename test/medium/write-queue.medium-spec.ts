import { execute, selectRows, toInt, Tx } from '@/database/dialect';
import type { UnitOfWorkParticipant } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { bearer, createUser } from '../factories';
import { TestApp } from '../utils/test-app';

const pause = (ms = 1) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * DESIGN §7: on SQLite every transaction waits its turn in one queue (TypeORM shares a single
 * connection); on PostgreSQL each has its own connection and the locked audit head keeps the
 * chain from forking. The same tests run on both.
 */
describe('TransactionRunner and the write queue (medium)', () => {
  let t: TestApp;
  let audit: AuditService;

  beforeAll(async () => {
    t = await TestApp.start();
    audit = t.app.get(AuditService);
  });
  afterAll(() => t.close());

  /** One audited write: a topic row and its audit entry, with awaits between the statements. */
  async function auditedWrite(tx: Tx, code: string): Promise<void> {
    await execute(tx, 'INSERT INTO topics (code, name, sort_order) VALUES (?, ?, ?)', [code, `专题 ${code}`, 1000]);
    await pause();
    await audit.append(tx, { actor: null, systemActor: 'test', action: 'probe.queue', entityType: 'topic', entityId: code, unitPath: null, after: { code } });
  }

  const topicsLike = async (prefix: string) =>
    // Through the runner's reader: inside a unit of work it is that transaction's manager.
    (await selectRows<{ code: string }>(t.tx.reader, 'SELECT code FROM topics WHERE code LIKE ? ORDER BY code', [`${prefix}%`])).map((r) => r.code);
  const entriesFor = async (prefix: string) =>
    (
      await selectRows<{ entity_id: string }>(t.db, `SELECT entity_id FROM audit_log WHERE entity_type = 'topic' AND entity_id LIKE ? ORDER BY entity_id`, [
        `${prefix}%`,
      ])
    ).map((r) => r.entity_id);
  const head = async () => {
    const [h] = await selectRows<{ last_id: number | string; hash: string }>(t.db, 'SELECT last_id, hash FROM audit_head WHERE id = 1');
    return { lastId: toInt(h.last_id), hash: h.hash };
  };

  it('50 parallel audited writes all commit, once each, and the audit chain verifies', async () => {
    const codes = Array.from({ length: 50 }, (_, i) => `queue_${String(i).padStart(2, '0')}`);
    await Promise.all(codes.map((code) => t.tx.run((tx) => auditedWrite(tx, code))));

    expect(await topicsLike('queue_')).toEqual(codes);
    expect(await entriesFor('queue_')).toEqual(codes);
    const chainLinks = await selectRows<{ prev_hash: string; n: number | string }>(
      t.db,
      'SELECT prev_hash, COUNT(*) AS n FROM audit_log GROUP BY prev_hash HAVING COUNT(*) > 1',
    );
    expect(chainLinks).toEqual([]); // no two entries follow the same one: the chain did not fork
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it(`runs units of work one at a time on SQLite, side by side on PostgreSQL`, async () => {
    let active = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.tx.run(async (tx) => {
          active++;
          most = Math.max(most, active);
          await auditedWrite(tx, `overlap_${i}`);
          await pause(5);
          active--;
        }),
      ),
    );
    if (t.kind === 'sqlite') expect(most).toBe(1);
    else expect(most).toBeGreaterThan(1);
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it('a unit of work that throws rolls back its row, its audit entry and the head, and the queue goes on', async () => {
    const headBefore = await head();
    await expect(
      t.tx.run(async (tx) => {
        await auditedWrite(tx, 'rollback_1');
        throw new Error('fails after writing');
      }),
    ).rejects.toThrow('fails after writing');

    expect(await topicsLike('rollback_')).toEqual([]);
    expect(await entriesFor('rollback_')).toEqual([]);
    expect(await head()).toEqual(headBefore);

    // The next write chains from the head as it was before the failed one.
    await t.tx.run((tx) => auditedWrite(tx, 'after_rollback'));
    const [entry] = await selectRows<{ prev_hash: string }>(t.db, `SELECT prev_hash FROM audit_log WHERE entity_id = 'after_rollback'`);
    expect(entry.prev_hash).toBe(headBefore.hash);
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it('failures among parallel writes roll back alone', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        t.tx.run(async (tx) => {
          await auditedWrite(tx, `mixed_${String(i).padStart(2, '0')}`);
          if (i % 2 === 1) throw new Error(`write ${i} fails`);
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(10);
    const kept = Array.from({ length: 10 }, (_, j) => `mixed_${String(j * 2).padStart(2, '0')}`);
    expect(await topicsLike('mixed_')).toEqual(kept);
    expect(await entriesFor('mixed_')).toEqual(kept);
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it('a database error inside a unit of work rolls it back too', async () => {
    await t.tx.run((tx) => auditedWrite(tx, 'dup_1'));
    const entriesBefore = await entriesFor('dup_');
    await expect(
      t.tx.run(async (tx) => {
        await audit.append(tx, {
          actor: null,
          systemActor: 'test',
          action: 'probe.queue',
          entityType: 'topic',
          entityId: 'dup_ghost',
          unitPath: null,
          after: {},
        });
        await execute(tx, 'INSERT INTO topics (code, name, sort_order) VALUES (?, ?, ?)', ['dup_1', 'again', 0]);
      }),
    ).rejects.toThrow();
    expect(await entriesFor('dup_')).toEqual(entriesBefore);
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  describe('a nested run', () => {
    it('joins the outer transaction (same manager) instead of waiting behind it', async () => {
      const seen = await t.tx.run(async (outer) => {
        const inner = await t.tx.run((tx) => Promise.resolve(tx));
        return { same: inner === outer, reader: t.tx.reader === outer };
      });
      expect(seen).toEqual({ same: true, reader: true });
    });

    it('sees the outer writes, and is rolled back with the outer work', async () => {
      await expect(
        t.tx.run(async (tx) => {
          await auditedWrite(tx, 'nested_outer');
          const visible = await t.tx.run(async (inner) => {
            await auditedWrite(inner, 'nested_inner');
            return topicsLike('nested_');
          });
          expect(visible).toEqual(['nested_inner', 'nested_outer']);
          throw new Error('outer fails after the inner run');
        }),
      ).rejects.toThrow('outer fails');
      expect(await topicsLike('nested_')).toEqual([]);
      expect(await entriesFor('nested_')).toEqual([]);
    });

    it('commits with the outer work', async () => {
      await t.tx.run(async (tx) => {
        await auditedWrite(tx, 'joined_outer');
        await t.tx.run((inner) => auditedWrite(inner, 'joined_inner'));
      });
      expect(await topicsLike('joined_')).toEqual(['joined_inner', 'joined_outer']);
      expect(await audit.verify()).toMatchObject({ ok: true });
    });
  });

  it('outside a unit of work, reader is the plain manager and the next run starts a fresh transaction', async () => {
    const outer = t.tx.reader;
    expect(outer.queryRunner).toBeUndefined();
    const inside = await t.tx.run((tx) => Promise.resolve(tx.queryRunner?.isTransactionActive));
    expect(inside).toBe(true);
  });

  it('reads outside a unit of work never see a write that is still open, and see it once committed', async () => {
    const admin = await createUser(t, 'admin', null);
    let commit!: () => void;
    const held = new Promise<void>((resolve) => (commit = resolve));
    let written!: () => void;
    const insertDone = new Promise<void>((resolve) => (written = resolve));
    const writer = t.tx.run(async (tx) => {
      await execute(tx, 'INSERT INTO topics (code, name, sort_order) VALUES (?, ?, ?)', ['open_write', '未提交', 0]);
      written();
      await held;
    });
    let readWhileOpen: unknown;
    let snapshotWhileOpen: unknown;
    let listed: { body: unknown; status: number };
    try {
      await insertDone;
      readWhileOpen = await selectRows<{ code: string }>(t.tx.reader, "SELECT code FROM topics WHERE code = 'open_write'");
      snapshotWhileOpen = await t.tx.snapshot((r) => selectRows<{ code: string }>(r, "SELECT code FROM topics WHERE code = 'open_write'"));
      listed = await t.http.get('/api/v1/topics?pageSize=500').set(bearer(admin));
    } finally {
      commit();
      await writer;
    }
    expect(listed.status).toBe(200);
    expect(readWhileOpen).toEqual([]);
    expect(snapshotWhileOpen).toEqual([]);
    expect((listed.body as { items: { code: string }[] }).items.map((i) => i.code)).not.toContain('open_write');
    expect(await selectRows(t.tx.reader, "SELECT code FROM topics WHERE code = 'open_write'")).toEqual([{ code: 'open_write' }]);
  });

  /**
   * A participant (the record of an Idempotency-Key) commits or rolls back with the first unit
   * of work started inside `withParticipant`, so the two can never part.
   */
  describe('a participant', () => {
    /** Writes a topic row inside the unit of work it joins, and notes what it was told. */
    function probe(code: string, fail = false) {
      const calls: { tx: Tx; result: unknown; resultIsAnswer: boolean }[] = [];
      const settled: boolean[] = [];
      const participant: UnitOfWorkParticipant = {
        async beforeCommit(tx, outcome) {
          calls.push({ tx, ...outcome });
          await execute(tx, 'INSERT INTO topics (code, name, sort_order) VALUES (?, ?, ?)', [code, `参与者 ${code}`, 0]);
          if (fail) throw new Error('the participant fails');
        },
        settled: (committed) => settled.push(committed),
      };
      return { participant, calls, settled };
    }

    it('writes in the first unit of work, before its commit, and in no later one', async () => {
      const p = probe('pq_first');
      const seen: Tx[] = [];
      await t.tx.withParticipant(p.participant, async () => {
        expect(t.tx.reader.queryRunner).toBeUndefined(); // outside a unit of work: still the plain reader
        await t.tx.run(async (tx) => {
          seen.push(tx);
          await auditedWrite(tx, 'pq_work_1');
          return 'first';
        });
        await t.tx.run((tx) => auditedWrite(tx, 'pq_work_2'));
      });
      expect(p.calls).toHaveLength(1);
      expect(p.calls[0]).toMatchObject({ result: 'first', resultIsAnswer: false });
      expect(p.calls[0].tx).toBe(seen[0]);
      expect(p.settled).toEqual([true]);
      expect(await topicsLike('pq_')).toEqual(['pq_first', 'pq_work_1', 'pq_work_2']);
    });

    it('passes the result as the answer only when the outermost unit of work declares it', async () => {
      const declared = probe('pq_declared');
      await t.tx.withParticipant(declared.participant, () => t.tx.run(() => Promise.resolve({ id: 1 }), { resultIsAnswer: true }));
      expect(declared.calls[0]).toMatchObject({ result: { id: 1 }, resultIsAnswer: true });

      const joined = probe('pq_joined');
      await t.tx.withParticipant(joined.participant, () => t.tx.run(() => t.tx.run(() => Promise.resolve({ id: 2 }), { resultIsAnswer: true })));
      expect(joined.calls[0]).toMatchObject({ result: { id: 2 }, resultIsAnswer: false });
    });

    it('rolls back with a unit of work that fails, then joins the next one', async () => {
      const p = probe('pq_retry');
      await t.tx.withParticipant(p.participant, async () => {
        await expect(
          t.tx.run(async (tx) => {
            await auditedWrite(tx, 'pq_failed_work');
            throw new Error('the work fails');
          }),
        ).rejects.toThrow('the work fails');
        expect(p.calls).toHaveLength(0);
        expect(await topicsLike('pq_retry')).toEqual([]);
        await t.tx.run((tx) => auditedWrite(tx, 'pq_next_work'));
      });
      expect(p.calls).toHaveLength(1);
      expect(p.settled).toEqual([false, true]);
      expect(await topicsLike('pq_')).toEqual(expect.arrayContaining(['pq_next_work', 'pq_retry']));
      expect(await topicsLike('pq_failed')).toEqual([]);
    });

    it('that fails rolls back the work it joined', async () => {
      const p = probe('pq_fails', true);
      const headBefore = await head();
      await expect(t.tx.withParticipant(p.participant, () => t.tx.run((tx) => auditedWrite(tx, 'pq_lost_work')))).rejects.toThrow('the participant fails');
      expect(p.settled).toEqual([false]);
      expect(await topicsLike('pq_lost')).toEqual([]);
      expect(await topicsLike('pq_fails')).toEqual([]);
      expect(await head()).toEqual(headBefore);
      expect(await audit.verify()).toMatchObject({ ok: true });
    });

    it('is not taken by units of work outside withParticipant, nor by two at once', async () => {
      const p = probe('pq_once');
      const outside = t.tx.run((tx) => auditedWrite(tx, 'pq_outside'));
      await t.tx.withParticipant(p.participant, () => Promise.all([t.tx.run((tx) => auditedWrite(tx, 'pq_both_1')), t.tx.run((tx) => auditedWrite(tx, 'pq_both_2'))]));
      await outside;
      expect(p.calls).toHaveLength(1);
      expect(p.settled).toEqual([true]);
    });
  });
});
