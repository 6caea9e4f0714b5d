import Database from 'better-sqlite3';
import { writeWaiters } from '@/database/write-waiters';
import { bearer, standardTree, StandardTree, standardUsers, StandardUsers } from '../factories';
import { demandBody } from '../factories/demands';
import { TEST_DB } from '../utils/test-db';
import { TestApp } from '../utils/test-app';

/**
 * SQLite: a request that writes while another connection holds the write lock (a job's worker
 * thread in a month's rebuild or an evaluation batch) waits for it without stopping the server's
 * event loop: other requests are answered meanwhile, and the write goes through once the lock is
 * free. Here the other connection lives on the test's own thread and lets go after a timer: were
 * the wait a blocking one (SQLite's busy timeout), that timer could not fire until the wait gave
 * up, and the write would answer 503 after 5 s with /health stalled as long.
 */
(TEST_DB === 'sqlite' ? describe : describe.skip)('a write waiting for the SQLite write lock (e2e)', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
  });
  afterAll(() => t.close());

  it('waits without blocking: /health answers meanwhile and the write succeeds when the lock is released', async () => {
    if (t.config.database.type !== 'sqlite') throw new Error('SQLite only');
    const holder = new Database(t.config.database.path);
    const HOLD_MS = 1500;
    let released = 0;
    try {
      holder.exec('BEGIN IMMEDIATE');
      const held = performance.now();
      setTimeout(() => {
        holder.exec('COMMIT');
        released = performance.now();
      }, HOLD_MS);

      const write = t.http.post('/api/v1/demands').set(bearer(users.issuer)).send(demandBody('meeting', tree, { title: '等待写锁的会议' }));
      const healthTimes: number[] = [];
      const health = (async () => {
        while (performance.now() - held < HOLD_MS + 200) {
          const at = performance.now();
          await t.http.get('/api/v1/health').expect(200);
          healthTimes.push(performance.now() - at);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      // While it waits, the write is counted as waiting (a job's worker would let it go first).
      let counted = 0;
      const counting = (async () => {
        while (performance.now() - held < HOLD_MS - 200) {
          counted = Math.max(counted, writeWaiters());
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const [res] = await Promise.all([write, health, counting]);

      expect(res.status).toBe(201);
      expect(counted).toBe(1);
      expect(writeWaiters()).toBe(0);
      expect(released).toBeGreaterThan(0);
      // The write committed after the other connection let go, not before and not by failing.
      expect(performance.now() - held).toBeGreaterThanOrEqual(HOLD_MS);
      // /health kept answering while the write waited: polled again and again, none stalled (a
      // blocking wait stalls it for the whole 5 s busy timeout). The bounds leave room for a CI
      // machine under load (about 25 answers of a few ms each here).
      expect(healthTimes.length).toBeGreaterThan(5);
      expect(Math.max(...healthTimes)).toBeLessThan(1000);
    } finally {
      if (holder.inTransaction) holder.exec('ROLLBACK');
      holder.close();
    }
  }, 30_000);

  it('gives up after 5 s with a 503 that wrote nothing, still without blocking, and the connection waits as before afterwards', async () => {
    if (t.config.database.type !== 'sqlite') throw new Error('SQLite only');
    const holder = new Database(t.config.database.path);
    const count = () => (holder.prepare("SELECT COUNT(*) AS n FROM demands WHERE title = '等不到写锁的会议'").get() as { n: number }).n;
    try {
      holder.exec('BEGIN IMMEDIATE');
      const held = performance.now();
      const write = t.http.post('/api/v1/demands').set(bearer(users.issuer)).send(demandBody('meeting', tree, { title: '等不到写锁的会议' }));
      const healthTimes: number[] = [];
      let answered = false;
      const health = (async () => {
        while (!answered) {
          const at = performance.now();
          await t.http.get('/api/v1/health').expect(200);
          healthTimes.push(performance.now() - at);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      const res = await write;
      answered = true;
      await health;
      const waited = performance.now() - held;
      holder.exec('COMMIT');

      expect(res.status).toBe(503);
      expect(waited).toBeGreaterThanOrEqual(4900);
      expect(healthTimes.length).toBeGreaterThan(10);
      expect(Math.max(...healthTimes)).toBeLessThan(1000);
      expect(count()).toBe(0);
      // The server's connection is back to its 5 s busy timeout for the statements after the lock.
      const pragma = await t.tx.run((tx) => tx.query('PRAGMA busy_timeout'));
      expect(pragma).toEqual([{ timeout: 5000 }]);
      // And the same write goes through once nobody holds the lock.
      await t.http.post('/api/v1/demands').set(bearer(users.issuer)).send(demandBody('meeting', tree, { title: '等不到写锁的会议' })).expect(201);
      expect(count()).toBe(1);
    } finally {
      if (holder.inTransaction) holder.exec('ROLLBACK');
      holder.close();
    }
  }, 30_000);
});
