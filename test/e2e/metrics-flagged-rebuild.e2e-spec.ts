import { selectRows, toInt } from '@/database/dialect';
import { RollupRepository } from '@/modules/metrics/rollup.repository';
import { bearer, standardTree, StandardTree, standardUsers, StandardUsers } from '../factories';
import { demandBody } from '../factories/demands';
import { TestApp } from '../utils/test-app';

/**
 * The month rebuild refills the flagged demands counted in its months from the flags, and moves
 * only the counts of demands crossing the border of those months: a demand counted in a month the
 * rebuild does not touch, though it lands in one it rebuilds, is taken out there and counted where
 * it lands. After rebuilding that one month, every issuer row equals a rebuild from scratch.
 */
describe('metrics: the month rebuild of the flagged counts (e2e)', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
  });
  afterAll(() => t.close());

  const repo = () => t.app.get(RollupRepository);
  const snapshot = async () => ({
    months: await repo().allIssuerRows(t.db),
    periods: await repo().allIssuerPeriodRows(t.db),
    counted: (await selectRows<{ demand_id: number | string; lands_month: string }>(t.db, 'SELECT demand_id, lands_month FROM demand_flagged ORDER BY demand_id')).map((r) => [toInt(r.demand_id), r.lands_month]),
  });

  it('a demand counted outside the rebuilt month but landing in it moves there; the rest is refilled', async () => {
    const post = (overrides: Record<string, unknown>) => t.http.post('/api/v1/demands').set(bearer(users.issuer)).send(demandBody('document', tree, overrides)).expect(201);
    // Documents over the length limit: DOCUMENT_TOO_LONG at write time, so they count as flagged.
    const moved = (await post({ title: '五月的长文', issuedOn: '2026-05-04', dueOn: '2026-05-20', charCount: 9000 })).body as { id: number };
    await post({ title: '五月的另一篇长文', issuedOn: '2026-05-06', dueOn: '2026-05-22', charCount: 9000 });
    await post({ title: '四月的长文', issuedOn: '2026-04-06', dueOn: '2026-04-22', charCount: 9000 });
    const current = await snapshot();
    expect(current.counted).toContainEqual([moved.id, '2026-05']);

    // As if the demand had been counted in April (where it landed before an edit whose
    // reconciliation never ran): its row and its count in April, none in May.
    await t.tx.run(async (tx) => {
      await tx.query(`UPDATE demand_flagged SET lands_month = '2026-04' WHERE demand_id = ${moved.id}`);
      await tx.query(`UPDATE issuer_month_burden SET flagged = flagged - 1 WHERE issuer_id = ${tree.education.id} AND lands_month = '2026-05' AND month = '2026-05'`);
      await tx.query(`UPDATE issuer_month_burden SET flagged = flagged + 1 WHERE issuer_id = ${tree.education.id} AND lands_month = '2026-04' AND month = '2026-04'`);
    });
    expect((await snapshot()).months).not.toEqual(current.months);

    await t.tx.run((tx) => repo().recompute(tx, ['2026-05']));
    const rebuilt = await snapshot();
    expect(rebuilt).toEqual(current);
    await t.tx.run((tx) => repo().recompute(tx));
    expect(await snapshot()).toEqual(rebuilt);
  });
});
