import { selectRows, toInt } from '@/database/dialect';
import { bearer, createUnit, createUser, standardTree, standardUsers, UserRef } from '../factories';
import { registerDemand, reportBody, shadowBody } from '../factories/reports';
import { TestApp } from '../utils/test-app';

/**
 * Issue 4: many clients filing at once, with retries, never store a report twice or lose one.
 *
 * CLIENTS townships each file REPORTS_PER_CLIENT reports (half on registered demands, half shadow
 * reports, which no unique index protects: only the Idempotency-Key does), all clients in
 * parallel. Every request carries an Idempotency-Key; every third is sent twice at the same
 * moment, every fifth is re-sent after its answer (a lost response). A client retries while the
 * server says the key is still being processed (409) or the database is busy (503).
 *
 * The size, 20 × 200 = 4,000 reports (about 5,900 requests with the repeats): 12-20 s on
 * SQLite and 35 s on PostgreSQL alone here, 43 s beside two busy CPU loops. Its time is bound by
 * the machine's load, not by waiting (that run saw no 409 and no 503): in one CI run beside the
 * heavier suites it went past 120 s. The limit is a guard against a hang, so it is set well clear.
 */
const TIMEOUT_MS = 480_000;
const CLIENTS = 20;
const REPORTS_PER_CLIENT = 200;
const DEMANDS = REPORTS_PER_CLIENT / 2;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('burden reports under concurrent clients with retries (medium)', () => {
  let t: TestApp;
  let clients: { reporter: UserRef; unitId: number }[];
  let demands: number[];

  beforeAll(async () => {
    t = await TestApp.start();
    const tree = await standardTree(t);
    const users = await standardUsers(t, tree);
    clients = [];
    for (let i = 0; i < CLIENTS; i++) {
      const unit = await createUnit(t, `532503${String(100 + i)}`, `测试乡镇${i}`, tree.mengzi);
      clients.push({ reporter: await createUser(t, 'reporter', unit), unitId: unit.id });
    }
    demands = [];
    for (let d = 0; d < DEMANDS; d++) {
      demands.push(await registerDemand(t, users.issuer, tree, { title: `并发事项${d}`, targetUnitIds: undefined, targetScopes: [{ underId: tree.mengzi.id, level: 'township' }] }));
    }
  }, 60_000);
  afterAll(() => t.close());

  /** One logical submission: retried until it has a final answer. Returns the acknowledged report id, if any. */
  async function submit(reporter: UserRef, body: object, key: string): Promise<number | null> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const res = await t.http.post('/api/v1/burden-reports').set(bearer(reporter)).set('Idempotency-Key', key).send(body);
      if (res.status === 201) return (res.body as { id: number }).id;
      const stillRunning = res.status === 409 && String((res.body as { message: string }).message).includes('still being processed');
      if (stillRunning || res.status === 503) {
        await pause(5 + Math.random() * 20);
        continue;
      }
      throw new Error(`unexpected ${res.status}: ${JSON.stringify(res.body)}`);
    }
    throw new Error('gave up after 200 attempts');
  }

  it(`${CLIENTS} clients × ${REPORTS_PER_CLIENT} reports: stored count equals acknowledged count exactly`, async () => {
    const acknowledged = new Map<string, Set<number>>();
    const note = (key: string, id: number | null) => {
      if (id === null) return;
      const ids = acknowledged.get(key) ?? new Set<number>();
      ids.add(id);
      acknowledged.set(key, ids);
    };

    await Promise.all(
      clients.map(async ({ reporter }, c) => {
        for (let r = 0; r < REPORTS_PER_CLIENT; r++) {
          const key = `client-${c}-report-${r}`;
          const body =
            r < DEMANDS ? reportBody(demands[r], '2026-09', { hoursSpent: 1 + r, note: `c${c}r${r}` }) : shadowBody({ hoursSpent: 1 + r, note: `c${c}r${r}` }, { title: `影子事项 ${c}-${r}` });
          if (r % 3 === 0) {
            // The same key twice at the same moment: one runs, the other waits for its answer.
            const both = await Promise.all([submit(reporter, body, key), submit(reporter, body, key)]);
            both.forEach((id) => note(key, id));
          } else {
            note(key, await submit(reporter, body, key));
            // The answer was "lost": the client sends the same request again.
            if (r % 5 === 0) note(key, await submit(reporter, body, key));
          }
        }
      }),
    );

    // Every submission was acknowledged, each with exactly one report id however often it was sent.
    expect(acknowledged.size).toBe(CLIENTS * REPORTS_PER_CLIENT);
    for (const ids of acknowledged.values()) expect(ids.size).toBe(1);
    const acknowledgedIds = [...acknowledged.values()].map((ids) => [...ids][0]).sort((a, b) => a - b);

    const unitIds = clients.map((c) => c.unitId);
    const stored = await selectRows<{ id: number | string }>(t.db, `SELECT id FROM burden_reports WHERE unit_id IN (${unitIds.map(() => '?').join(', ')}) ORDER BY id`, unitIds);
    expect(stored.map((r) => toInt(r.id))).toEqual(acknowledgedIds);
    const versions = await selectRows<{ n: number | string }>(
      t.db,
      `SELECT COUNT(*) AS n FROM burden_report_versions WHERE report_id IN (SELECT id FROM burden_reports WHERE unit_id IN (${unitIds.map(() => '?').join(', ')}))`,
      unitIds,
    );
    expect(toInt(versions[0].n)).toBe(acknowledgedIds.length);
    const audited = await selectRows<{ n: number | string }>(t.db, "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'burden-report.create'");
    expect(toInt(audited[0].n)).toBe(acknowledgedIds.length);
  }, TIMEOUT_MS);
});
