import type { Response } from 'supertest';
import { selectRows, toInt } from '@/database/dialect';
import { AuditService } from '@/modules/audit/audit.service';
import { bearer, createUnit, createUser, standardTree, standardUsers, StandardTree, StandardUsers, UnitRef, UserRef } from '../factories';
import { approvedPlan, approvePlan, draftPlan, planItem, PlanRef } from '../factories/plans';
import { TestApp } from '../utils/test-app';

const API = '/api/v1';
const PLANS = `${API}/inspection-plans`;

interface AuditRecord {
  action: string;
  entity_type: string;
  entity_id: string;
  unit_path: string | null;
  actor: string;
  before_json: string | null;
  after_json: string | null;
}

function blamedFields(res: Response): string[] {
  const details: unknown = res.body.details;
  const list = Array.isArray(details) ? details : [];
  return (list as { field?: string }[]).map((d) => d.field).filter((f): f is string => typeof f === 'string');
}

function expectError(res: Response, status: number, field?: string): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { statusCode: status, error: expect.any(String), message: expect.any(String) } });
  if (field !== undefined) expect(blamedFields(res)).toContain(field);
}

/** A 409 for a transition the plan's state does not allow, carrying the state it is in. */
function expectWrongState(res: Response, currentStatus: string): void {
  expectError(res, 409);
  expect(res.body.details).toMatchObject({ currentStatus });
}

describe('inspection plans', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  /** 蒙自市卫生健康局: a second issuer in the same county. */
  let health: UnitRef;
  let healthIssuer: UserRef;
  /** A coordinator above the county (红河州), whose jurisdiction also covers 蒙自市. */
  let prefectureCoordinator: UserRef;
  /** A township issuing to its villages, with a coordinator bound to the same township. */
  let townshipIssuer: UserRef;
  let townshipCoordinator: UserRef;

  const list = (user: UserRef, query: Record<string, string | number> = {}) => t.http.get(PLANS).query({ pageSize: 500, ...query }).set(bearer(user));
  const get = (user: UserRef, id: number) => t.http.get(`${PLANS}/${id}`).set(bearer(user));
  const act = (user: UserRef, id: number, action: string, body?: object) => {
    const req = t.http.post(`${PLANS}/${id}/${action}`).set(bearer(user));
    return body === undefined ? req : req.send(body);
  };
  const patch = (user: UserRef, id: number, body: object) => t.http.patch(`${PLANS}/${id}`).set(bearer(user)).send(body);
  const create = (user: UserRef, body: object) => t.http.post(PLANS).set(bearer(user)).send(body);
  const ids = (res: Response): number[] => (res.body.items as { id: number }[]).map((p) => p.id);
  const auditOf = (entityId: number): Promise<AuditRecord[]> =>
    selectRows<AuditRecord>(
      t.db,
      `SELECT action, entity_type, entity_id, unit_path, actor, before_json, after_json FROM audit_log WHERE entity_type = 'inspection_plan' AND entity_id = ? ORDER BY id`,
      [String(entityId)],
    );
  const auditCount = async (): Promise<number> => toInt((await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM audit_log'))[0].n);
  const planCount = async (): Promise<number> => toInt((await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM inspection_plans'))[0].n);

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    health = await createUnit(t, '532503-WJJ', '蒙自市卫生健康局', tree.mengzi, { kind: 'department', level: 'county' });
    healthIssuer = await createUser(t, 'issuer', health);
    prefectureCoordinator = await createUser(t, 'coordinator', tree.honghe);
    townshipIssuer = await createUser(t, 'issuer', tree.wenlan);
    townshipCoordinator = await createUser(t, 'coordinator', tree.wenlan);
  });
  afterAll(() => t.close());

  describe('authentication and roles', () => {
    let plan: PlanRef;
    beforeAll(async () => (plan = await draftPlan(t, users.issuer, { year: 2020, items: [planItem({ plannedMonth: '2020-05' })] })));

    it('answers 401 to every route without a token, and with a bad one', async () => {
      const calls = [
        t.http.get(PLANS),
        t.http.post(PLANS).send({ year: 2026, items: [] }),
        t.http.get(`${PLANS}/${plan.id}`),
        t.http.patch(`${PLANS}/${plan.id}`).send({ title: 'x' }),
        ...['submit', 'approve', 'reject', 'rework', 'revise'].map((a) => t.http.post(`${PLANS}/${plan.id}/${a}`).send({})),
        t.http.get(PLANS).set('Authorization', 'Bearer not-a-token'),
      ];
      for (const res of await Promise.all(calls)) expectError(res, 401);
    });

    it('lets issuers, coordinators and inspectors read; reporters and admin get 403', async () => {
      for (const user of [users.issuer, users.coordinator, users.inspector]) {
        await list(user).expect(200);
        await get(user, plan.id).expect(200);
      }
      for (const user of [users.reporter, users.villageReporter, users.admin]) {
        expectError(await list(user), 403);
        expectError(await get(user, plan.id), 403);
      }
    });

    it('lets only issuers write plans, and only coordinators decide on them', async () => {
      for (const user of [users.coordinator, users.inspector, users.reporter, users.admin]) {
        expectError(await create(user, { year: 2021, items: [] }), 403);
        expectError(await patch(user, plan.id, { title: 'x' }), 403);
        for (const action of ['submit', 'rework', 'revise']) expectError(await act(user, plan.id, action), 403);
      }
      for (const user of [users.issuer, users.inspector, users.reporter, users.admin]) {
        expectError(await act(user, plan.id, 'approve'), 403);
        expectError(await act(user, plan.id, 'reject', { reason: '不合理' }), 403);
      }
      expect((await get(users.issuer, plan.id).expect(200)).body.status).toBe('draft');
    });
  });

  describe('creating a plan', () => {
    it('drafts version 1 for the caller’s unit, with generated keys and default visits', async () => {
      const before = await auditCount();
      const res = await create(users.issuer, {
        year: 2026,
        title: '蒙自市教育局2026年度督查检查考核计划',
        items: [
          planItem({ title: '校园安全专项督查', plannedMonth: '2026-03' }),
          planItem({ itemKey: 'FOOD-1', title: '食堂食品安全检查', topic: 'health', targetLevel: 'village', plannedMonth: '2026-09', onSiteDays: 2, visits: 2 }),
          planItem({ title: '控辍保学检查', targetLevel: undefined, targetUnitIds: [tree.wenlan.id, tree.village.id], onSiteDays: 0 }),
        ],
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        issuerId: tree.education.id,
        issuer: { id: tree.education.id, code: '532503-JYJ', name: '蒙自市教育局' },
        year: 2026,
        version: 1,
        status: 'draft',
        title: '蒙自市教育局2026年度督查检查考核计划',
        supersedesId: null,
        nextVersionId: null,
        effective: false,
        createdBy: users.issuer.id,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        submittedBy: null,
        submittedAt: null,
        decidedBy: null,
        decidedAt: null,
        rejectReason: null,
        itemCount: 3,
        allowedActions: ['edit', 'submit'],
        items: [
          {
            id: expect.any(Number),
            itemKey: 'P2026-001',
            title: '校园安全专项督查',
            topic: 'education',
            targetLevel: 'township',
            targetUnitIds: [],
            plannedMonth: '2026-03',
            onSiteDays: 1,
            visits: 1,
          },
          expect.objectContaining({ itemKey: 'FOOD-1', topic: 'health', targetLevel: 'village', plannedMonth: '2026-09', onSiteDays: 2, visits: 2 }),
          expect.objectContaining({ itemKey: 'P2026-002', targetLevel: null, targetUnitIds: [tree.wenlan.id, tree.village.id], onSiteDays: 0, visits: 1 }),
        ],
      });
      expect(await auditCount()).toBe(before + 1);
      const [entry] = await auditOf(res.body.id);
      expect(entry).toMatchObject({ action: 'inspection-plan.create', unit_path: tree.education.path, actor: users.issuer.username });
      expect(JSON.parse(entry.after_json!)).toMatchObject({ id: res.body.id, status: 'draft', items: [{ itemKey: 'P2026-001' }, { itemKey: 'FOOD-1' }, { itemKey: 'P2026-002' }] });
    });

    it('answers 409 to a second plan for the same year, naming the plan to change instead', async () => {
      const [existing] = (await list(users.issuer, { year: 2026 }).expect(200)).body.items as { id: number }[];
      const res = await create(users.issuer, { year: 2026, items: [] });
      expectError(res, 409, 'year');
      expect(res.body.details[0]).toMatchObject({ existingPlanId: existing.id, currentStatus: 'draft' });
    });

    it('accepts an empty plan (the issuer plans no inspection) and a township planning for its villages', async () => {
      const empty = await create(healthIssuer, { year: 2026, items: [] }).expect(201);
      expect(empty.body).toMatchObject({ issuerId: health.id, itemCount: 0, items: [] });
      const township = await create(townshipIssuer, { year: 2026, items: [planItem({ targetLevel: 'village' })] }).expect(201);
      expect(township.body).toMatchObject({ issuerId: tree.wenlan.id, items: [{ targetLevel: 'village' }] });
    });

    it.each([
      ['no year', { items: [] }, 'year'],
      ['a year out of range', { year: 1999, items: [] }, 'year'],
      ['a year as text', { year: '2030', items: [] }, 'year'],
      ['no items', { year: 2030 }, 'items'],
      ['items not a list', { year: 2030, items: 'x' }, 'items'],
      ['an unknown field', { year: 2030, items: [], owner: 1 }, 'owner'],
      ['an unknown item field', { year: 2030, items: [{ ...planItem({ plannedMonth: '2030-01' }), colour: 'red' }] }, 'items.0.colour'],
      ['an item without a title', { year: 2030, items: [{ ...planItem({ plannedMonth: '2030-01' }), title: undefined }] }, 'items.0.title'],
      ['zero visits', { year: 2030, items: [planItem({ plannedMonth: '2030-01', visits: 0 })] }, 'items.0.visits'],
      ['fractional visits', { year: 2030, items: [planItem({ plannedMonth: '2030-01', visits: 1.5 })] }, 'items.0.visits'],
      ['negative on-site days', { year: 2030, items: [planItem({ plannedMonth: '2030-01', onSiteDays: -1 })] }, 'items.0.onSiteDays'],
      ['a month that is not YYYY-MM', { year: 2030, items: [planItem({ plannedMonth: '2030-13' })] }, 'items.0.plannedMonth'],
      ['an unknown level', { year: 2030, items: [planItem({ plannedMonth: '2030-01', targetLevel: 'street' })] }, 'items.0.targetLevel'],
      ['a target id that is not an integer', { year: 2030, items: [planItem({ plannedMonth: '2030-01', targetUnitIds: ['a' as unknown as number] })] }, 'items.0.targetUnitIds'],
      ['a bad item key', { year: 2030, items: [planItem({ plannedMonth: '2030-01', itemKey: 'a b' })] }, 'items.0.itemKey'],
      ['a null title', { year: 2030, title: null, items: [] }, 'title'],
    ])('answers 400 naming the field for %s', async (_what, body, field) => {
      expectError(await create(users.issuer, body), 400, field);
    });

    it.each([
      ['an unknown topic', [planItem({ plannedMonth: '2030-01', topic: 'astrology' })], 'items.0.topic'],
      ['a month of another year', [planItem({ plannedMonth: '2031-01' })], 'items.0.plannedMonth'],
      ['a duplicate item key', [planItem({ plannedMonth: '2030-01', itemKey: 'K' }), planItem({ plannedMonth: '2030-02', itemKey: 'K' })], 'items.1.itemKey'],
      ['no target at all', [planItem({ plannedMonth: '2030-01', targetLevel: undefined })], 'items.0.targetLevel'],
      ['the issuer’s own level as target', [planItem({ plannedMonth: '2030-01', targetLevel: 'county' })], 'items.0.targetLevel'],
      ['a level above the issuer', [planItem({ plannedMonth: '2030-01', targetLevel: 'province' })], 'items.0.targetLevel'],
      ['a target unit that does not exist', [planItem({ plannedMonth: '2030-01', targetUnitIds: [999999] })], 'items.0.targetUnitIds'],
    ])('answers 422 naming the field for %s', async (_what, items, field) => {
      expectError(await create(users.issuer, { year: 2030, items }), 422, field);
    });

    it('answers 422 to the issuer’s own county, a department or a unit of another level than targetLevel as target', async () => {
      expectError(await create(users.issuer, { year: 2030, items: [planItem({ plannedMonth: '2030-01', targetLevel: undefined, targetUnitIds: [tree.mengzi.id] })] }), 422, 'items.0.targetUnitIds');
      expectError(await create(users.issuer, { year: 2030, items: [planItem({ plannedMonth: '2030-01', targetLevel: undefined, targetUnitIds: [health.id] })] }), 422, 'items.0.targetUnitIds');
      expectError(
        await create(users.issuer, { year: 2030, items: [planItem({ plannedMonth: '2030-01', targetLevel: 'village', targetUnitIds: [tree.wenlan.id] })] }),
        422,
        'items.0.targetUnitIds',
      );
    });

    it('answers 403 to a target outside the issuer’s jurisdiction', async () => {
      expectError(await create(users.issuer, { year: 2030, items: [planItem({ plannedMonth: '2030-01', targetUnitIds: [tree.gejiuTown.id] })] }), 403, 'items.0.targetUnitIds');
      // A township's jurisdiction is its own subtree: the neighbouring township is outside it.
      expectError(
        await create(townshipIssuer, { year: 2030, items: [planItem({ plannedMonth: '2030-01', targetLevel: undefined, targetUnitIds: [tree.yuguopu.id] })] }),
        403,
        'items.0.targetUnitIds',
      );
    });

    it('wrote nothing for any refused request', async () => {
      expect(toInt((await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM inspection_plans WHERE year IN (2030, 2031)'))[0].n)).toBe(0);
    });
  });

  describe('reading within reach', () => {
    let education: PlanRef;
    let healthPlan: PlanRef;
    let township: PlanRef;

    beforeAll(async () => {
      const byYear = async (user: UserRef) => ((await list(user, { year: 2026 }).expect(200)).body.items as PlanRef[])[0];
      education = await byYear(users.issuer);
      healthPlan = await byYear(healthIssuer);
      township = await byYear(townshipIssuer);
    });

    it('shows an issuer its own unit’s plans only', async () => {
      const own = await list(users.issuer, { year: 2026 }).expect(200);
      expect(ids(own)).toEqual([education.id]);
      expect(ids(await list(healthIssuer, { year: 2026 }).expect(200))).toEqual([healthPlan.id]);
    });

    it('shows coordinators and inspectors the plans of every issuer in their jurisdiction', async () => {
      for (const user of [users.coordinator, users.inspector, prefectureCoordinator]) {
        const res = await list(user, { year: 2026 }).expect(200);
        expect(ids(res).sort((a, b) => a - b)).toEqual([education.id, healthPlan.id, township.id].sort((a, b) => a - b));
        expect(res.body.total).toBe(3);
      }
      expect(ids(await list(townshipCoordinator, { year: 2026 }).expect(200))).toEqual([township.id]);
    });

    it('shows a coordinator or inspector of another county none of them, and refuses each one with 403', async () => {
      for (const user of [users.gejiuCoordinator, users.gejiuInspector]) {
        expect((await list(user).expect(200)).body).toMatchObject({ items: [], total: 0 });
        for (const plan of [education, healthPlan, township]) expectError(await get(user, plan.id), 403);
      }
    });

    it('refuses another issuer’s plan with 403, and a plan that does not exist with 404', async () => {
      expectError(await get(healthIssuer, education.id), 403);
      expectError(await get(townshipIssuer, education.id), 403);
      expectError(await get(users.issuer, 999999), 404);
      expectError(await get(users.issuer, 99999999999), 404);
      expectError(await get(users.issuer, 'abc' as unknown as number), 400);
    });

    it('gives one plan with its items', async () => {
      const res = await get(users.inspector, education.id).expect(200);
      expect(res.body).toMatchObject({ id: education.id, issuer: { code: '532503-JYJ' }, items: [{ itemKey: 'P2026-001' }, { itemKey: 'FOOD-1' }, { itemKey: 'P2026-002' }] });
    });

    it('filters by issuerId, refusing an issuer outside reach (403) or unknown (422)', async () => {
      expect(ids(await list(users.coordinator, { issuerId: health.id }).expect(200))).toEqual([healthPlan.id]);
      expect(ids(await list(users.issuer, { issuerId: tree.education.id, year: 2026 }).expect(200))).toEqual([education.id]);
      expectError(await list(users.issuer, { issuerId: health.id }), 403);
      expectError(await list(users.gejiuCoordinator, { issuerId: tree.education.id }), 403);
      expectError(await list(users.coordinator, { issuerId: 999999 }), 422, 'issuerId');
      expectError(await list(users.coordinator, { issuerId: 'x' }), 400, 'issuerId');
    });

    it('filters by year and status, alone and together', async () => {
      const years = (res: Response) => (res.body.items as { year: number }[]).map((p) => p.year);
      expect(years(await list(users.issuer).expect(200))).toEqual([2026, 2020]);
      expect(ids(await list(users.issuer, { year: 2020 }).expect(200))).toHaveLength(1);
      expect(ids(await list(users.issuer, { year: 2025 }).expect(200))).toEqual([]);
      expect(ids(await list(users.coordinator, { status: 'draft', year: 2026 }).expect(200))).toHaveLength(3);
      expect(ids(await list(users.coordinator, { status: 'approved' }).expect(200))).toEqual([]);
      expectError(await list(users.coordinator, { status: 'superseded' }), 400, 'status');
      expectError(await list(users.coordinator, { year: 1900 }), 400, 'year');
    });

    it('pages through a stable order', async () => {
      const all = ids(await list(users.coordinator).expect(200));
      const seen: number[] = [];
      for (let page = 1; page <= all.length; page++) {
        const res = await list(users.coordinator, { page, pageSize: 1 }).expect(200);
        expect(res.body).toMatchObject({ total: all.length, page, pageSize: 1 });
        seen.push(...ids(res));
      }
      expect(seen).toEqual(all);
    });
  });

  describe('submit, approve, revise: the version chain', () => {
    let v1: PlanRef;
    let v2: PlanRef;

    beforeAll(async () => {
      v1 = ((await list(users.issuer, { year: 2026 }).expect(200)).body.items as PlanRef[])[0];
    });

    it('edits a draft: title, and items matched by key (kept ids, new keys continue the sequence)', async () => {
      const before = (await get(users.issuer, v1.id).expect(200)).body as PlanRef;
      const res = await patch(users.issuer, v1.id, {
        title: '2026年度计划（修订）',
        items: [
          planItem({ itemKey: 'P2026-001', title: '校园安全专项督查（含消防）', plannedMonth: '2026-04' }),
          planItem({ itemKey: 'FOOD-1', title: '食堂食品安全检查', topic: 'health', targetLevel: 'village', plannedMonth: '2026-09', onSiteDays: 2, visits: 2 }),
          planItem({ itemKey: 'P2026-002', title: '控辍保学检查', targetLevel: undefined, targetUnitIds: [tree.wenlan.id, tree.village.id], onSiteDays: 0 }),
          planItem({ title: '课后服务检查', plannedMonth: '2026-10' }),
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ title: '2026年度计划（修订）', status: 'draft', itemCount: 4 });
      expect(res.body.items).toMatchObject([
        { id: before.items[0].id, itemKey: 'P2026-001', title: '校园安全专项督查（含消防）', plannedMonth: '2026-04' },
        { id: before.items[1].id, itemKey: 'FOOD-1' },
        { id: before.items[2].id, itemKey: 'P2026-002' },
        { itemKey: 'P2026-003', title: '课后服务检查' },
      ]);
      const entries = await auditOf(v1.id);
      expect(entries.map((e) => e.action)).toEqual(['inspection-plan.create', 'inspection-plan.update']);
      expect(JSON.parse(entries[1].before_json!).itemCount).toBe(3);
      expect(JSON.parse(entries[1].after_json!).itemCount).toBe(4);
    });

    it('validates an edit like a create, and changes nothing when refused', async () => {
      expectError(await patch(users.issuer, v1.id, { items: [planItem({ topic: 'astrology' })] }), 422, 'items.0.topic');
      expectError(await patch(users.issuer, v1.id, { status: 'approved' }), 400, 'status');
      expectError(await patch(healthIssuer, v1.id, { title: 'x' }), 403);
      expectError(await patch(users.issuer, 999999, { title: 'x' }), 404);
      expect((await get(users.issuer, v1.id).expect(200)).body.itemCount).toBe(4);
    });

    it('submits a draft (issuer), then a coordinator whose jurisdiction covers the issuer approves it', async () => {
      const submitted = await act(users.issuer, v1.id, 'submit').expect(200);
      expect(submitted.body).toMatchObject({ status: 'submitted', submittedBy: users.issuer.id, submittedAt: expect.any(String), allowedActions: ['approve', 'reject'] });
      const approved = await act(users.coordinator, v1.id, 'approve').expect(200);
      expect(approved.body).toMatchObject({ status: 'approved', decidedBy: users.coordinator.id, decidedAt: expect.any(String), effective: true, allowedActions: ['revise'] });
      expect((await auditOf(v1.id)).slice(-2)).toMatchObject([
        { action: 'inspection-plan.submit', unit_path: tree.education.path, actor: users.issuer.username },
        { action: 'inspection-plan.approve', unit_path: tree.education.path, actor: users.coordinator.username },
      ]);
      const last = (await auditOf(v1.id)).at(-1)!;
      expect(JSON.parse(last.before_json!)).toMatchObject({ status: 'submitted' });
      expect(JSON.parse(last.after_json!)).toMatchObject({ status: 'approved' });
    });

    it('freezes the approved plan: every edit or transition answers 409 with its state', async () => {
      expectWrongState(await patch(users.issuer, v1.id, { title: 'changed' }), 'approved');
      expectWrongState(await patch(users.issuer, v1.id, { items: [] }), 'approved');
      expectWrongState(await act(users.issuer, v1.id, 'submit'), 'approved');
      expectWrongState(await act(users.issuer, v1.id, 'rework'), 'approved');
      expectWrongState(await act(users.coordinator, v1.id, 'approve'), 'approved');
      expectWrongState(await act(users.coordinator, v1.id, 'reject', { reason: '太晚了' }), 'approved');
      expect((await get(users.issuer, v1.id).expect(200)).body).toMatchObject({ status: 'approved', title: '2026年度计划（修订）', itemCount: 4 });
    });

    it('revises an approved plan into version 2 in draft, items and keys copied; the approved one stays in force', async () => {
      const res = await act(users.issuer, v1.id, 'revise').expect(201);
      v2 = res.body as PlanRef;
      const original = (await get(users.issuer, v1.id).expect(200)).body as PlanRef & { nextVersionId: number; effective: boolean };
      expect(res.body).toMatchObject({ version: 2, status: 'draft', supersedesId: v1.id, nextVersionId: null, effective: false, title: '2026年度计划（修订）' });
      expect(v2.items.map((i) => i.itemKey)).toEqual(original.items.map((i) => i.itemKey));
      expect(v2.items.map((i) => i.id)).not.toEqual(original.items.map((i) => i.id));
      expect(original).toMatchObject({ status: 'approved', nextVersionId: v2.id, effective: true });
      expect(await auditOf(v2.id)).toMatchObject([{ action: 'inspection-plan.revise', unit_path: tree.education.path }]);
      expect(JSON.parse((await auditOf(v2.id))[0].after_json!)).toMatchObject({ revisedFrom: { id: v1.id, version: 1 } });
    });

    it('refuses a second revision of the same version, and a new plan for the year', async () => {
      const res = await act(users.issuer, v1.id, 'revise');
      expectError(res, 409);
      expect(res.body.details).toMatchObject({ currentStatus: 'approved', latestVersionId: v2.id, latestStatus: 'draft' });
      expectWrongState(await act(users.issuer, v2.id, 'revise'), 'draft');
      expectError(await create(users.issuer, { year: 2026, items: [] }), 409, 'year');
    });

    it('edits the new version: a dropped key is never reused for a new item', async () => {
      const res = await patch(users.issuer, v2.id, {
        items: [
          planItem({ itemKey: 'P2026-001', title: '校园安全专项督查（含消防）', plannedMonth: '2026-04', visits: 2 }),
          planItem({ itemKey: 'FOOD-1', title: '食堂食品安全检查', topic: 'health', targetLevel: 'village', plannedMonth: '2026-09', onSiteDays: 2, visits: 2 }),
          planItem({ title: '校车安全检查', plannedMonth: '2026-11' }),
        ],
      }).expect(200);
      expect(res.body.items.map((i: { itemKey: string }) => i.itemKey)).toEqual(['P2026-001', 'FOOD-1', 'P2026-004']);
      // Version 1 is untouched.
      expect((await get(users.issuer, v1.id).expect(200)).body.itemCount).toBe(4);
    });

    it('approves version 2 again; it then replaces version 1 as the plan in force', async () => {
      await approvePlan(t, v2.id, users.issuer, prefectureCoordinator);
      const [first, second] = [(await get(users.issuer, v1.id).expect(200)).body, (await get(users.issuer, v2.id).expect(200)).body];
      expect(first).toMatchObject({ status: 'approved', effective: false, nextVersionId: v2.id });
      expect(second).toMatchObject({ status: 'approved', effective: true, decidedBy: prefectureCoordinator.id });
      const listed = (await list(users.coordinator, { issuerId: tree.education.id, year: 2026 }).expect(200)).body.items as { id: number; version: number }[];
      expect(listed.map((p) => [p.id, p.version])).toEqual([
        [v2.id, 2],
        [v1.id, 1],
      ]);
      // Only the latest version can be revised.
      expectError(await act(users.issuer, v1.id, 'revise'), 409);
      const v3 = await act(users.issuer, v2.id, 'revise').expect(201);
      expect(v3.body).toMatchObject({ version: 3, supersedesId: v2.id, status: 'draft' });
    });
  });

  describe('reject and rework', () => {
    let plan: PlanRef;
    beforeAll(async () => (plan = await draftPlan(t, users.issuer, { year: 2027, items: [planItem({ plannedMonth: '2027-06' })] })));

    it('answers 409 with the state to a transition the state does not allow', async () => {
      expectWrongState(await act(users.coordinator, plan.id, 'approve'), 'draft');
      expectWrongState(await act(users.coordinator, plan.id, 'reject', { reason: '不合理' }), 'draft');
      expectWrongState(await act(users.issuer, plan.id, 'rework'), 'draft');
      expectWrongState(await act(users.issuer, plan.id, 'revise'), 'draft');
      await act(users.issuer, plan.id, 'submit').expect(200);
      expectWrongState(await act(users.issuer, plan.id, 'submit'), 'submitted');
      expectWrongState(await patch(users.issuer, plan.id, { title: 'x' }), 'submitted');
      expectWrongState(await act(users.issuer, plan.id, 'rework'), 'submitted');
      const res = await act(users.issuer, plan.id, 'revise');
      expectWrongState(res, 'submitted');
      expect(res.body.details).toMatchObject({ requiredStatus: 'approved', allowedActions: ['approve', 'reject'] });
    });

    it('needs a reason to reject', async () => {
      expectError(await act(users.coordinator, plan.id, 'reject', {}), 400, 'reason');
      expectError(await act(users.coordinator, plan.id, 'reject', { reason: '' }), 400, 'reason');
      expectError(await act(users.coordinator, plan.id, 'reject', { reason: '   ' }), 422, 'reason');
      expectError(await act(users.coordinator, plan.id, 'reject', { reason: 'x'.repeat(1001) }), 400, 'reason');
    });

    it('rejects with a reason; the issuer reworks it into a draft that still shows why', async () => {
      const rejected = await act(users.coordinator, plan.id, 'reject', { reason: '检查频次过高，请合并' }).expect(200);
      expect(rejected.body).toMatchObject({ status: 'rejected', rejectReason: '检查频次过高，请合并', decidedBy: users.coordinator.id, allowedActions: ['rework'] });
      expectWrongState(await patch(users.issuer, plan.id, { title: 'x' }), 'rejected');
      expectWrongState(await act(users.issuer, plan.id, 'submit'), 'rejected');
      expectError(await act(healthIssuer, plan.id, 'rework'), 403);
      const reworked = await act(users.issuer, plan.id, 'rework').expect(200);
      expect(reworked.body).toMatchObject({ status: 'draft', rejectReason: '检查频次过高，请合并' });
      await patch(users.issuer, plan.id, { items: [planItem({ plannedMonth: '2027-06', visits: 1 })] }).expect(200);
      const resubmitted = await act(users.issuer, plan.id, 'submit').expect(200);
      expect(resubmitted.body).toMatchObject({ status: 'submitted', rejectReason: null, decidedBy: null, decidedAt: null });
      await act(users.coordinator, plan.id, 'approve').expect(200);
      expect((await auditOf(plan.id)).map((e) => e.action)).toEqual([
        'inspection-plan.create',
        'inspection-plan.submit',
        'inspection-plan.reject',
        'inspection-plan.rework',
        'inspection-plan.update',
        'inspection-plan.submit',
        'inspection-plan.approve',
      ]);
      const reject = (await auditOf(plan.id))[2];
      expect(JSON.parse(reject.after_json!)).toMatchObject({ status: 'rejected', rejectReason: '检查频次过高，请合并' });
    });
  });

  describe('who may decide', () => {
    it('refuses a coordinator outside the issuer’s jurisdiction, and an issuer deciding its own plan', async () => {
      const plan = await draftPlan(t, users.issuer, { year: 2028, items: [planItem({ plannedMonth: '2028-01' })] });
      await act(users.issuer, plan.id, 'submit').expect(200);
      expectError(await act(users.gejiuCoordinator, plan.id, 'approve'), 403);
      expectError(await act(users.gejiuCoordinator, plan.id, 'reject', { reason: '越权' }), 403);
      expectError(await act(townshipCoordinator, plan.id, 'approve'), 403);
      // "A plan approved by its own issuer": the issuer's role never approves.
      expectError(await act(users.issuer, plan.id, 'approve'), 403);
      expectError(await act(users.coordinator, 999999, 'approve'), 404);
      expect((await get(users.issuer, plan.id).expect(200)).body.status).toBe('submitted');
    });

    it('refuses a coordinator whose own unit issued the plan; one above it decides', async () => {
      const plan = await draftPlan(t, townshipIssuer, { year: 2028, items: [planItem({ plannedMonth: '2028-01', targetLevel: 'village' })] });
      await act(townshipIssuer, plan.id, 'submit').expect(200);
      const res = await act(townshipCoordinator, plan.id, 'approve');
      expectError(res, 403);
      expect(res.body.message).toContain('own unit');
      expectError(await act(townshipCoordinator, plan.id, 'reject', { reason: '自己审自己' }), 403);
      await act(users.coordinator, plan.id, 'approve').expect(200);
    });
  });

  describe('concurrency', () => {
    it('two coordinators approving the same plan at once: exactly one wins, the other gets 409 with the state', async () => {
      for (let year = 2031; year <= 2035; year++) {
        const plan = await draftPlan(t, users.issuer, { year, items: [planItem({ plannedMonth: `${year}-01` })] });
        await act(users.issuer, plan.id, 'submit').expect(200);
        const answers = await Promise.all([act(users.coordinator, plan.id, 'approve'), act(prefectureCoordinator, plan.id, 'approve')]);
        expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
        expect(answers.find((r) => r.status === 409)!.body.details).toMatchObject({ currentStatus: 'approved' });
        expect((await auditOf(plan.id)).filter((e) => e.action === 'inspection-plan.approve')).toHaveLength(1);
      }
    });

    it('approve and reject racing: one decision stands', async () => {
      const plan = await draftPlan(t, users.issuer, { year: 2036, items: [planItem({ plannedMonth: '2036-01' })] });
      await act(users.issuer, plan.id, 'submit').expect(200);
      const [approve, reject] = await Promise.all([act(users.coordinator, plan.id, 'approve'), act(prefectureCoordinator, plan.id, 'reject', { reason: '不同意' })]);
      expect([approve.status, reject.status].sort()).toEqual([200, 409]);
      const status = (await get(users.issuer, plan.id).expect(200)).body.status as string;
      expect(status).toBe(approve.status === 200 ? 'approved' : 'rejected');
      expect((approve.status === 409 ? approve : reject).body.details).toMatchObject({ currentStatus: status });
    });

    it('two revisions of one approved version, or two first versions of one year: one of each lands', async () => {
      const plan = await approvedPlan(t, users.issuer, users.coordinator, { year: 2037, items: [planItem({ plannedMonth: '2037-01' })] });
      const revisions = await Promise.all([act(users.issuer, plan.id, 'revise'), act(users.issuer, plan.id, 'revise')]);
      expect(revisions.map((r) => r.status).sort()).toEqual([201, 409]);
      const creates = await Promise.all([0, 1, 2].map(() => create(healthIssuer, { year: 2038, items: [] })));
      expect(creates.map((r) => r.status).sort()).toEqual([201, 409, 409]);
      expect(toInt((await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM inspection_plans WHERE year IN (2037, 2038)'))[0].n)).toBe(3);
    });

    it('an edit racing a submit never changes a submitted plan', async () => {
      const plan = await draftPlan(t, users.issuer, { year: 2039, items: [planItem({ plannedMonth: '2039-01' })] });
      const [edit, submit] = await Promise.all([patch(users.issuer, plan.id, { title: '并发修改' }), act(users.issuer, plan.id, 'submit')]);
      expect(submit.status).toBe(200);
      const after = (await get(users.issuer, plan.id).expect(200)).body;
      if (edit.status === 200) {
        // The edit went first; the submit then sent the edited draft.
        expect(after.title).toBe('并发修改');
      } else {
        expectWrongState(edit, 'submitted');
        expect(after.title).toBeNull();
      }
    });
  });

  it('kept the audit chain intact through everything above', async () => {
    expect(await planCount()).toBeGreaterThan(10);
    expect(await t.app.get(AuditService).verify()).toMatchObject({ ok: true });
  });
});
