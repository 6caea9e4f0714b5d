import { execute, selectRows, Tx } from '@/database/dialect';
import { InspectionPlanRepository } from '@/modules/inspection-plans/inspection-plan.repository';
import { bearer, createUnit, createUser, standardTree, standardUsers, StandardTree, StandardUsers } from '../factories';
import { approvePlan, approvedPlan, draftPlan, planItem, PlanRef } from '../factories/plans';
import { TestApp } from '../utils/test-app';

const PLANS = '/api/v1/inspection-plans';

/**
 * What the inspection rules (UNPLANNED_INSPECTION, SPLIT_INSPECTION) and the demands read of the
 * plans, through the repository's exported methods, on a real migrated database; and the
 * constraints the schema itself holds.
 */
describe('inspection plans for the rules (medium)', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  let repo: InspectionPlanRepository;
  let reader: Tx;
  let v1: PlanRef;
  let v2: PlanRef;
  let healthDraft: PlanRef;
  /** 蒙自市卫生健康局, a second issuer with only a draft. */
  let healthId: number;
  const key = (plan: PlanRef, itemKey: string) => plan.items.find((i) => i.itemKey === itemKey)!;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    repo = t.app.get(InspectionPlanRepository);
    reader = t.tx.reader;
    v1 = await approvedPlan(t, users.issuer, users.coordinator, {
      year: 2026,
      items: [
        planItem({ title: '校园安全专项督查' }),
        planItem({ itemKey: 'FOOD-1', title: '食堂食品安全检查', topic: 'health', visits: 2 }),
        planItem({ title: '控辍保学检查', targetLevel: undefined, targetUnitIds: [tree.wenlan.id] }),
      ],
    });
    const health = await createUnit(t, '532503-WJJ', '蒙自市卫生健康局', tree.mengzi, { kind: 'department', level: 'county' });
    healthId = health.id;
    healthDraft = await draftPlan(t, await createUser(t, 'issuer', health), { year: 2026, items: [planItem({ topic: 'health' })] });
  });
  afterAll(() => t.close());

  it('finds the approved plan of an issuer and year, with its items; none for a draft, another year or an unknown issuer', async () => {
    const plan = await repo.findApprovedPlan(reader, tree.education.id, 2026);
    expect(plan).toMatchObject({ id: v1.id, version: 1, status: 'approved', effective: true, items: [{ itemKey: 'P2026-001' }, { itemKey: 'FOOD-1', visits: 2 }, { itemKey: 'P2026-002' }] });
    expect(await repo.findApprovedPlan(reader, tree.education.id, 2025)).toBeNull();
    expect(await repo.findApprovedPlan(reader, healthId, 2026)).toBeNull();
    expect(await repo.findApprovedPlan(reader, 999999, 2026)).toBeNull();
    expect(await repo.findApprovedPlan(reader, 99999999999, 2026)).toBeNull();
  });

  it('resolves a linked item to the approved plan by key; a draft revision does not count yet', async () => {
    v2 = (await t.http.post(`${PLANS}/${v1.id}/revise`).set(bearer(users.issuer)).expect(201)).body as PlanRef;
    await t.http
      .patch(`${PLANS}/${v2.id}`)
      .set(bearer(users.issuer))
      .send({ items: [planItem({ itemKey: 'P2026-001', title: '校园安全专项督查', visits: 3 }), planItem({ itemKey: 'FOOD-1', title: '食堂食品安全检查', topic: 'health', visits: 2 })] })
      .expect(200);
    v2 = (await t.http.get(`${PLANS}/${v2.id}`).set(bearer(users.issuer)).expect(200)).body as PlanRef;

    // A demand linked to the draft's item still finds the item as approved in version 1.
    expect(await repo.findApprovedItem(reader, tree.education.id, 2026, key(v2, 'P2026-001').id)).toMatchObject({
      id: key(v1, 'P2026-001').id,
      itemKey: 'P2026-001',
      version: 1,
      visits: 1,
      issuerId: tree.education.id,
      year: 2026,
    });
    expect(await repo.findApprovedItem(reader, tree.education.id, 2026, key(v1, 'P2026-002').id)).toMatchObject({ itemKey: 'P2026-002', version: 1 });
  });

  it('once the revision is approved, reads it: changed visits, and a dropped item is no longer planned', async () => {
    await approvePlan(t, v2.id, users.issuer, users.coordinator);
    expect(await repo.findApprovedPlan(reader, tree.education.id, 2026)).toMatchObject({ id: v2.id, version: 2, items: [{ itemKey: 'P2026-001' }, { itemKey: 'FOOD-1' }] });
    // Linked to version 1's row, read as version 2 says.
    expect(await repo.findApprovedItem(reader, tree.education.id, 2026, key(v1, 'P2026-001').id)).toMatchObject({ id: key(v2, 'P2026-001').id, version: 2, visits: 3 });
    expect(await repo.findApprovedItem(reader, tree.education.id, 2026, key(v1, 'P2026-002').id)).toBeNull();
  });

  it('never lends an item to another issuer or another year', async () => {
    const item = key(v2, 'FOOD-1').id;
    expect(await repo.findApprovedItem(reader, tree.education.id, 2026, item)).not.toBeNull();
    expect(await repo.findApprovedItem(reader, healthId, 2026, item)).toBeNull();
    expect(await repo.findApprovedItem(reader, tree.education.id, 2027, item)).toBeNull();
    expect(await repo.findApprovedItem(reader, tree.education.id, 2026, 999999)).toBeNull();
  });

  it('lists the approved items on a topic, and every approved item of many issuers at once', async () => {
    expect((await repo.findApprovedItemsOnTopic(reader, tree.education.id, 2026, 'education')).map((i) => i.itemKey)).toEqual(['P2026-001']);
    expect((await repo.findApprovedItemsOnTopic(reader, tree.education.id, 2026, 'health')).map((i) => [i.itemKey, i.visits])).toEqual([['FOOD-1', 2]]);
    expect(await repo.findApprovedItemsOnTopic(reader, tree.education.id, 2026, 'ecology')).toEqual([]);
    expect(await repo.findApprovedItemsOnTopic(reader, healthId, 2026, 'health')).toEqual([]);
    const many = await repo.findApprovedItemsOfIssuers(reader, 2026, [tree.education.id, healthId, tree.wenlan.id, 99999999999]);
    expect(many.map((i) => [i.issuerId, i.version, i.itemKey])).toEqual([
      [tree.education.id, 2, 'P2026-001'],
      [tree.education.id, 2, 'FOOD-1'],
    ]);
    expect(await repo.findApprovedItemsOfIssuers(reader, 2026, [])).toEqual([]);
  });

  it('gives the stable identity of item rows, so that rows of two versions of one item count as one', async () => {
    const keys = await repo.findItemKeys(reader, [key(v1, 'FOOD-1').id, key(v2, 'FOOD-1').id, healthDraft.items[0].id, 999999]);
    expect(keys.get(key(v1, 'FOOD-1').id)).toEqual({ issuerId: tree.education.id, year: 2026, itemKey: 'FOOD-1' });
    expect(keys.get(key(v2, 'FOOD-1').id)).toEqual(keys.get(key(v1, 'FOOD-1').id));
    expect(keys.get(healthDraft.items[0].id)).toEqual({ issuerId: healthId, year: 2026, itemKey: 'P2026-001' });
    expect(keys.size).toBe(3);
  });

  it('gives any item row with its plan, whatever the plan’s state (for a demand’s planItemId)', async () => {
    expect(await repo.findItemWithPlan(reader, healthDraft.items[0].id)).toMatchObject({
      id: healthDraft.items[0].id,
      planId: healthDraft.id,
      planStatus: 'draft',
      issuerId: healthId,
      year: 2026,
      version: 1,
      topic: 'health',
    });
    expect(await repo.findItemWithPlan(reader, 999999)).toBeNull();
  });

  it('answers 409 to an edit dropping an item a demand links to, and changes nothing', async () => {
    // Stands in for demands.plan_item_id, which a later migration adds with the same foreign key.
    await execute(t.db, 'CREATE TABLE probe_plan_links (id integer PRIMARY KEY, plan_item_id integer NOT NULL REFERENCES inspection_plan_items(id))');
    try {
      const draft = await draftPlan(t, users.issuer, { year: 2027, items: [planItem({ plannedMonth: '2027-01' }), planItem({ plannedMonth: '2027-02', title: '第二项' })] });
      await execute(t.db, 'INSERT INTO probe_plan_links (id, plan_item_id) VALUES (1, ?)', [draft.items[1].id]);
      const res = await t.http
        .patch(`${PLANS}/${draft.id}`)
        .set(bearer(users.issuer))
        .send({ title: '改', items: [planItem({ itemKey: draft.items[0].itemKey, plannedMonth: '2027-03' })] });
      expect(res.status).toBe(409);
      expect(res.body.details).toEqual([{ field: 'items', message: expect.any(String) }]);
      const after = (await t.http.get(`${PLANS}/${draft.id}`).set(bearer(users.issuer)).expect(200)).body;
      expect(after).toMatchObject({ title: null, itemCount: 2, items: [{ plannedMonth: '2027-01' }, { plannedMonth: '2027-02' }] });
      // Keeping the linked item's key keeps its row: the edit goes through.
      await t.http
        .patch(`${PLANS}/${draft.id}`)
        .set(bearer(users.issuer))
        .send({ items: [planItem({ itemKey: draft.items[1].itemKey, plannedMonth: '2027-04' })] })
        .expect(200);
    } finally {
      await execute(t.db, 'DROP TABLE probe_plan_links');
    }
  });

  describe('the schema holds the rules itself', () => {
    const at = new Date().toISOString();
    const insertPlan = (over: Record<string, unknown>) => {
      const row = { issuer_id: tree.education.id, year: 2040, version: 1, status: 'draft', supersedes_id: null, created_by: users.issuer.id, created_at: at, updated_at: at, ...over };
      const columns = Object.keys(row);
      return selectRows(t.db, `INSERT INTO inspection_plans (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) RETURNING id`, Object.values(row));
    };
    const insertItem = (over: Record<string, unknown>) => {
      const row = { plan_id: v1.id, item_key: 'X', position: 0, title: 't', topic_code: 'education', target_level: 'township', planned_month: '2026-01', on_site_days: 1, visits: 1, ...over };
      const columns = Object.keys(row);
      return execute(t.db, `INSERT INTO inspection_plan_items (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, Object.values(row));
    };

    it.each([
      ['an unknown status', () => ({ status: 'superseded' })],
      ['a year out of range', () => ({ year: 1999 })],
      ['a later version replacing nothing', () => ({ version: 2 })],
      ['a first version replacing something', () => ({ supersedes_id: v1.id })],
      ['a second replacement of one version', () => ({ version: 3, supersedes_id: v1.id })],
      ['an approval without a decider', () => ({ status: 'approved' })],
      ['a rejection without a reason', () => ({ status: 'rejected', decided_by: users.coordinator.id, decided_at: at })],
      ['a second version 1 of a year', () => ({ year: 2026 })],
      ['an unknown issuer', () => ({ issuer_id: 999999 })],
    ])('refuses %s', async (_what, over) => {
      await expect(insertPlan(over())).rejects.toThrow();
    });

    it('accepts a well-formed row (the refusals above are the constraints, not a broken insert)', async () => {
      await expect(insertPlan({ year: 2041 })).resolves.toHaveLength(1);
      await expect(insertItem({ item_key: 'PROBE' })).resolves.toBeUndefined();
    });

    it.each([
      ['zero visits', { visits: 0 }],
      ['negative on-site days', { on_site_days: -1 }],
      ['a malformed month', { planned_month: '2026-1' }],
      ['an unknown level', { target_level: 'street' }],
      ['no target', { target_level: null }],
      ['an unknown topic', { topic_code: 'astrology' }],
      ['a key used twice in a plan', { item_key: 'P2026-001' }],
    ])('refuses an item with %s', async (_what, over) => {
      await expect(insertItem(over)).rejects.toThrow();
    });
  });
});
