import { bearer, createUnit, createUser, standardTree, StandardTree, standardUsers, StandardUsers, UnitRef, UserRef } from '../factories';
import { demandBody } from '../factories/demands';
import { approvePlan, approvedPlan, planItem } from '../factories/plans';
import { shadowBody } from '../factories/reports';
import { TestApp } from '../utils/test-app';

const API = '/api/v1';

interface IssuerItem {
  issuer: {
    id: number;
    code: string;
    name: string;
    kind: string;
    level: string;
  };
  demandsIssued: number;
  demandsCancelled: number;
  targetsReached: number;
  hoursImposed: number;
  flaggedDemands: number;
  flaggedShare: number | null;
  plan: {
    year: number;
    version: number | null;
    plannedItems: number;
    carriedOut: number;
  };
  planExecutionRate: number | null;
  inspections: number;
  jointInspections: number;
  jointInspectionShare: number | null;
  budget: {
    year: number;
    budgetHours: number;
    usedHours: number;
    usedShare: number | null;
  } | null;
}

/**
 * GET /metrics/issuers (DESIGN §3, §5 "Issuer metrics"; issue 6 point 3): the burden each issuing
 * office of a jurisdiction imposes in a period, with exact figures worked out by hand below.
 *
 * 蒙自市教育局 (EDU) in 2026-Q3 (07-01..09-30) — its demands and what each adds:
 *   d1 report, 3 fields: 3 × 5 + 30 = 45 min a target, lands 07-20 on 文澜 and 雨过铺 → 2 × 45 = 90 min;
 *      文澜's reporter objects to it (OBJECTION: not counted as flagged)
 *   d2 report, 2 h a target, monthly from 08-10 to 12-31 on 文澜 → Q3 holds 08-10 and 09-10: 2 × 120 = 240 min
 *   d3 inspection, 1 on-site day: 1 × 8 × 60 × 2 + 240 = 1 200 min, lands 08-20 on 文澜, carries out
 *      plan item P1 (linked to version 1's row), joint with 应急管理局
 *   d4 inspection on work safety, 0 on-site days: 240 min, lands 09-15 on 雨过铺; no plan item on work safety
 *      → UNPLANNED_INSPECTION (standing)
 *   d5 document of 6 000 characters: ⌈6 000 / 300⌉ + 30 = 50 min, lands 09-20 on 文澜 → DOCUMENT_TOO_LONG (open)
 *   d6 document of 5 500 characters: ⌈5 500 / 300⌉ + 30 = 19 + 30 = 49 min, lands 09-20 on 雨过铺
 *      → DOCUMENT_TOO_LONG, dismissed by the coordinator (not counted)
 *   d7 report due 09-25 to 文澜社区, cancelled on 09-05 before it landed: 0 occurrences, 0 min
 *   d8 report, 1 h, monthly from 06-10: lands before Q3, so it is none of Q3's demands
 *   → demandsIssued 7 (d1–d7), cancelled 1 (d7), targets 文澜, 雨过铺, 文澜社区 = 3,
 *     hours 90 + 240 + 1 200 + 240 + 50 + 49 + 0 = 1 869 min = 31.15 h,
 *     flagged d4, d5 = 2 / 7, inspections d3, d4 of which d3 joint = 1 / 2.
 *   Plan 2026 (version 2 in force, keys kept from version 1): P1 2026-08 (carried out by d3),
 *   P2 2026-09 (not carried out), P3 2026-11 (outside Q3) → Q3: 1 of 2 = 0.5; the year: 1 of 3.
 *   Budget 2026: 40 h. Used, as ISSUER_BUDGET counts it (every occurrence in 2026):
 *   d1 90 + d2 5 × 120 = 600 + d3 1 200 + d4 240 + d5 50 + d6 49 + d7 0 + d8 7 × 60 = 420
 *   = 2 649 min = 44.15 h → 2 649 / 2 400 = 1.10375.
 * 蒙自市应急管理局 (YJJ): one meeting of 120 min, 2 attendees, on 文澜 and 雨过铺, starting 07-15:
 *   (120 + 60) × 2 = 360 min a target × 2 = 720 min = 12 h; nothing flagged, no inspection, no plan.
 * 文澜街道 (a township issuing to its village): one report of 1 h landing 07-24 → 1 h.
 * 个旧市教育局 (another county): one report of 1 h → only 个旧市's coordinator sees it.
 * A shadow report of 文澜街道 names "县教育局" as its issuer: it must leave every figure untouched.
 */
describe('metrics: GET /metrics/issuers (e2e)', () => {
  jest.setTimeout(120_000);
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  let yjj: UnitRef;
  let gejiuEdu: UnitRef;
  let yjjIssuer: UserRef;
  let townIssuer: UserRef;
  let gejiuIssuer: UserRef;

  const createDemand = async (as: UserRef, body: Record<string, unknown>): Promise<{ id: number; version: number }> => {
    const res = await t.http.post(`${API}/demands`).set(bearer(as)).send(body);
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: number; version: number };
  };
  const standingRules = async (demandId: number): Promise<string[]> => {
    const res = await t.http.get(`${API}/flags?pageSize=500&demandId=${demandId}`).set(bearer(users.coordinator)).expect(200);
    return (res.body.items as { rule: string; status: string }[]).filter((f) => !['dismissed', 'withdrawn'].includes(f.status)).map((f) => f.rule);
  };
  const list = (query: string, as: UserRef = users.coordinator) => t.http.get(`${API}/metrics/issuers?${query}`).set(bearer(as));
  const byCode = (items: IssuerItem[], code: string): IssuerItem => {
    const item = items.find((i) => i.issuer.code === code);
    if (!item) throw new Error(`no issuer ${code} in ${items.map((i) => i.issuer.code).join(', ')}`);
    return item;
  };

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    yjj = await createUnit(t, '532503-YJJ', '蒙自市应急管理局', tree.mengzi, {
      kind: 'department',
      level: 'county',
    });
    gejiuEdu = await createUnit(t, '532501-JYJ', '个旧市教育局', tree.gejiu, {
      kind: 'department',
      level: 'county',
    });
    yjjIssuer = await createUser(t, 'issuer', yjj);
    townIssuer = await createUser(t, 'issuer', tree.wenlan);
    gejiuIssuer = await createUser(t, 'issuer', gejiuEdu);

    // EDU's plan for 2026, approved, then revised into version 2 (item keys kept) and approved again.
    const v1 = await approvedPlan(t, users.issuer, users.coordinator, {
      items: [
        planItem({
          itemKey: 'P1',
          plannedMonth: '2026-08',
          targetLevel: 'township',
        }),
        planItem({
          itemKey: 'P2',
          plannedMonth: '2026-09',
          targetLevel: undefined,
          targetUnitIds: [tree.yuguopu.id],
        }),
        planItem({
          itemKey: 'P3',
          plannedMonth: '2026-11',
          targetLevel: 'township',
        }),
      ],
    });
    const p1v1 = v1.items.find((i) => i.itemKey === 'P1')!.id;

    const d1 = await createDemand(
      users.issuer,
      demandBody('report', tree, {
        title: 'd1',
        issuedOn: '2026-07-01',
        dueOn: '2026-07-20',
        targetUnitIds: [tree.wenlan.id, tree.yuguopu.id],
      }),
    );
    await createDemand(
      users.issuer,
      demandBody('report', tree, {
        title: 'd2',
        issuedOn: '2026-08-01',
        dueOn: '2026-08-10',
        recurrence: 'monthly',
        until: '2026-12-31',
        estimatedHoursPerTarget: 2,
        fields: ['企业名称', '从业人员数'],
      }),
    );
    await createDemand(
      users.issuer,
      demandBody('inspection', tree, {
        title: 'd3',
        issuedOn: '2026-08-03',
        dueOn: '2026-08-20',
        planItemId: p1v1,
        jointWith: [yjj.id],
      }),
    );
    const d4 = await createDemand(
      users.issuer,
      demandBody('inspection', tree, {
        title: 'd4',
        topic: 'work_safety',
        onSiteDays: 0,
        issuedOn: '2026-09-01',
        dueOn: '2026-09-15',
        targetUnitIds: [tree.yuguopu.id],
      }),
    );
    const d5 = await createDemand(
      users.issuer,
      demandBody('document', tree, {
        title: 'd5',
        charCount: 6000,
        issuedOn: '2026-09-01',
        dueOn: '2026-09-20',
      }),
    );
    const d6 = await createDemand(
      users.issuer,
      demandBody('document', tree, {
        title: 'd6',
        charCount: 5500,
        issuedOn: '2026-09-01',
        dueOn: '2026-09-20',
        targetUnitIds: [tree.yuguopu.id],
      }),
    );
    const d7 = await createDemand(
      users.issuer,
      demandBody('report', tree, {
        title: 'd7',
        fields: ['存栏数'],
        issuedOn: '2026-09-01',
        dueOn: '2026-09-25',
        targetUnitIds: [tree.village.id],
      }),
    );
    await t.http.post(`${API}/demands/${d7.id}/cancel`).set(bearer(users.issuer)).send({ reason: '通知有误', cancelledOn: '2026-09-05' }).expect(200);
    await createDemand(
      users.issuer,
      demandBody('report', tree, {
        title: 'd8',
        issuedOn: '2026-06-01',
        dueOn: '2026-06-10',
        recurrence: 'monthly',
        until: '2026-12-31',
        estimatedHoursPerTarget: 1,
        fields: ['耕地面积'],
        targetUnitIds: [tree.yuguopu.id],
      }),
    );

    // Version 2 of the plan: d3 stays linked to version 1's row of P1, which version 2 carries by key.
    const revised = await t.http.post(`${API}/inspection-plans/${v1.id}/revise`).set(bearer(users.issuer)).expect(201);
    const v2 = await approvePlan(t, revised.body.id, users.issuer, users.coordinator);
    expect(v2).toMatchObject({ version: 2, status: 'approved' });

    // The objection to d1 opens an OBJECTION flag; d6's flag is dismissed on review.
    await t.http.post(`${API}/demands/${d1.id}/objections`).set(bearer(users.reporter)).send({ reason: '该数据已于上月报送' }).expect(201);
    const flags = await t.http.get(`${API}/flags?pageSize=500&demandId=${d6.id}`).set(bearer(users.coordinator)).expect(200);
    let flag = flags.body.items[0] as { id: number; version: number };
    flag = (
      await t.http
        .post(`${API}/flags/${flag.id}/transitions`)
        .set(bearer(users.coordinator))
        .send({ to: 'under_review', comment: '复核', version: flag.version })
        .expect(200)
    ).body;
    await t.http
      .post(`${API}/flags/${flag.id}/transitions`)
      .set(bearer(users.coordinator))
      .send({
        to: 'dismissed',
        comment: '专项工作方案，篇幅合理',
        version: flag.version,
      })
      .expect(200);

    // The premises of the flagged share, as the flags API shows them.
    expect(await standingRules(d1.id)).toEqual(['OBJECTION']);
    expect(await standingRules(d4.id)).toContain('UNPLANNED_INSPECTION');
    expect(await standingRules(d5.id)).toEqual(['DOCUMENT_TOO_LONG']);
    expect(await standingRules(d6.id)).toEqual([]);

    await t.http.put(`${API}/issuer-budgets/${tree.education.id}/2026`).set(bearer(users.coordinator)).send({ hours: 40 }).expect(200);

    await createDemand(
      yjjIssuer,
      demandBody('meeting', tree, {
        title: 'e1',
        topic: 'work_safety',
        issuedOn: '2026-07-06',
        startsOn: '2026-07-15',
        dueOn: undefined,
        targetUnitIds: [tree.wenlan.id, tree.yuguopu.id],
      }),
    );
    await createDemand(
      townIssuer,
      demandBody('report', tree, {
        title: 't1',
        issuedOn: '2026-07-10',
        dueOn: '2026-07-24',
        estimatedHoursPerTarget: 1,
        targetUnitIds: [tree.village.id],
      }),
    );
    await createDemand(
      gejiuIssuer,
      demandBody('report', tree, {
        title: 'g1',
        issuedOn: '2026-07-10',
        dueOn: '2026-07-24',
        estimatedHoursPerTarget: 1,
        targetUnitIds: [tree.gejiuTown.id],
      }),
    );

    await t.http
      .post(`${API}/burden-reports`)
      .set(bearer(users.reporter))
      .send({
        ...shadowBody({ hoursSpent: 30 }, { issuerName: '县教育局', receivedOn: '2026-08-12' }),
        unitId: tree.wenlan.id,
      })
      .expect(201);
  });
  afterAll(() => t.close());

  it('lists every issuing office of the jurisdiction with the figures worked out above, the heaviest first', async () => {
    const res = await list('period=2026-Q3').expect(200);
    expect(res.body).toMatchObject({
      total: 3,
      page: 1,
      pageSize: 50,
      inputs: {
        period: '2026-Q3',
        from: '2026-07-01',
        to: '2026-09-30',
        policyVersion: 1,
      },
    });
    expect(res.body.under).toMatchObject({
      id: tree.mengzi.id,
      code: '532503',
      kind: 'area',
      level: 'county',
    });
    const items = res.body.items as IssuerItem[];
    expect(items.map((i) => i.issuer.code)).toEqual(['532503-JYJ', '532503-YJJ', '532503001']);
    expect(items[0]).toEqual({
      issuer: {
        id: tree.education.id,
        code: '532503-JYJ',
        name: '蒙自市教育局',
        kind: 'department',
        level: 'county',
      },
      demandsIssued: 7,
      demandsCancelled: 1,
      targetsReached: 3,
      hoursImposed: 31.15,
      flaggedDemands: 2,
      flaggedShare: 2 / 7,
      plan: { year: 2026, version: 2, plannedItems: 2, carriedOut: 1 },
      planExecutionRate: 0.5,
      inspections: 2,
      jointInspections: 1,
      jointInspectionShare: 0.5,
      budget: {
        year: 2026,
        budgetHours: 40,
        usedHours: 44.15,
        usedShare: 2649 / 2400,
      },
    });
    expect(items[1]).toEqual({
      issuer: {
        id: yjj.id,
        code: '532503-YJJ',
        name: '蒙自市应急管理局',
        kind: 'department',
        level: 'county',
      },
      demandsIssued: 1,
      demandsCancelled: 0,
      targetsReached: 2,
      hoursImposed: 12,
      flaggedDemands: 0,
      flaggedShare: 0,
      plan: { year: 2026, version: null, plannedItems: 0, carriedOut: 0 },
      planExecutionRate: null,
      inspections: 0,
      jointInspections: 0,
      jointInspectionShare: null,
      budget: null,
    });
    expect(items[2]).toMatchObject({
      issuer: { id: tree.wenlan.id, kind: 'area', level: 'township' },
      demandsIssued: 1,
      targetsReached: 1,
      hoursImposed: 1,
    });
  });

  it('over the year: d8 lands in 2026 too, and all three plan items are due (1 of 3 carried out)', async () => {
    const items = (await list('period=2026').expect(200)).body.items as IssuerItem[];
    // 2026: d1–d8; hours = the budget's "used" (every occurrence of 2026) = 2 649 min = 44.15 h.
    expect(byCode(items, '532503-JYJ')).toMatchObject({
      demandsIssued: 8,
      demandsCancelled: 1,
      hoursImposed: 44.15,
      flaggedShare: 2 / 8,
      plan: { year: 2026, version: 2, plannedItems: 3, carriedOut: 1 },
      planExecutionRate: 1 / 3,
    });
  });

  it('a month with no demand of an office leaves it out; the plan counts only items planned in that month', async () => {
    // 2026-08: EDU's d2 (08-10) and d3 (08-20): 120 + 1 200 = 1 320 min = 22 h; P1 planned and carried out.
    const items = (await list('period=2026-08').expect(200)).body.items as IssuerItem[];
    expect(items.map((i) => i.issuer.code)).toEqual(['532503-JYJ']);
    expect(items[0]).toMatchObject({
      demandsIssued: 2,
      hoursImposed: 22,
      plan: { plannedItems: 1, carriedOut: 1 },
      planExecutionRate: 1,
      jointInspectionShare: 1,
    });
  });

  it('a shadow report never shows: no office named by it, no hour of it in any figure', async () => {
    const res = await list('period=2026-Q3').expect(200);
    expect(JSON.stringify(res.body)).not.toContain('县教育局');
    // 文澜街道 filed 30 h of shadow burden in August; the offices' hours above are their registered demands' only.
    expect((res.body.items as IssuerItem[]).reduce((n, i) => n + i.hoursImposed, 0)).toBeCloseTo(31.15 + 12 + 1, 6);
  });

  it('sorts by demandsIssued, flaggedShare or code; ties fall back to the code', async () => {
    const codes = async (query: string) => ((await list(`period=2026-Q3&${query}`).expect(200)).body.items as IssuerItem[]).map((i) => i.issuer.code);
    expect(await codes('sort=demandsIssued')).toEqual(['532503-JYJ', '532503-YJJ', '532503001']);
    expect(await codes('sort=demandsIssued&order=asc')).toEqual(['532503-YJJ', '532503001', '532503-JYJ']);
    expect(await codes('sort=flaggedShare')).toEqual(['532503-JYJ', '532503-YJJ', '532503001']);
    expect(await codes('sort=code')).toEqual(['532503-JYJ', '532503-YJJ', '532503001']);
    expect(await codes('sort=code&order=desc')).toEqual(['532503001', '532503-YJJ', '532503-JYJ']);
    expect(await codes('sort=hoursImposed&order=asc')).toEqual(['532503001', '532503-YJJ', '532503-JYJ']);
  });

  it('pages: page 2 of size 1 is the second heaviest, with the total of all', async () => {
    const res = await list('period=2026-Q3&page=2&pageSize=1').expect(200);
    expect(res.body).toMatchObject({ total: 3, page: 2, pageSize: 1 });
    expect((res.body.items as IssuerItem[]).map((i) => i.issuer.code)).toEqual(['532503-YJJ']);
  });

  it('underId narrows to the offices under a unit of the jurisdiction', async () => {
    const res = await list(`period=2026-Q3&underId=${tree.wenlan.id}`).expect(200);
    expect(res.body.total).toBe(1);
    expect(res.body.under).toMatchObject({ id: tree.wenlan.id });
    expect((res.body.items as IssuerItem[])[0].issuer.id).toBe(tree.wenlan.id);
  });

  it('an inspector of the county reads the same; 个旧市 sees only its own offices', async () => {
    const inspector = await list('period=2026-Q3', users.inspector).expect(200);
    expect((inspector.body.items as IssuerItem[]).map((i) => i.issuer.code)).toEqual(['532503-JYJ', '532503-YJJ', '532503001']);
    const gejiu = await list('period=2026-Q3', users.gejiuCoordinator).expect(200);
    expect(gejiu.body.total).toBe(1);
    expect(gejiu.body.items[0]).toMatchObject({
      issuer: { id: gejiuEdu.id },
      demandsIssued: 1,
      targetsReached: 1,
      hoursImposed: 1,
    });
  });

  it('a coordinator of another county gets 403 for a unit of this one, and 蒙自市 for 个旧市', async () => {
    const res = await list(`period=2026-Q3&underId=${tree.mengzi.id}`, users.gejiuCoordinator).expect(403);
    expect(res.body).toMatchObject({ statusCode: 403 });
    await list(`period=2026-Q3&underId=${tree.gejiu.id}`).expect(403);
    await list(`period=2026-Q3&underId=${tree.yunnan.id}`, users.inspector).expect(403);
  });

  it('reporters, issuers and admin get 403; no token 401', async () => {
    await list('period=2026-Q3', users.reporter).expect(403);
    await list('period=2026-Q3', users.issuer).expect(403);
    await list('period=2026-Q3', users.admin).expect(403);
    await t.http.get(`${API}/metrics/issuers?period=2026-Q3`).expect(401);
  });

  it('a bad period, underId or sort is a 400 naming the field; an unknown query field too', async () => {
    const period = await list('period=2026-13').expect(400);
    expect(JSON.stringify(period.body)).toContain('period');
    for (const bad of ['2026-Q5', '26', '0000', '2026-7']) await list(`period=${bad}`).expect(400);
    const under = await list('period=2026-Q3&underId=99999999').expect(400);
    expect(under.body.details).toEqual([expect.objectContaining({ field: 'underId' })]);
    expect(JSON.stringify((await list('sort=burdenShare').expect(400)).body)).toContain('sort');
    expect(JSON.stringify((await list('period=2026&foo=1').expect(400)).body)).toContain('foo');
  });

  it('without a period, this year (China)', async () => {
    const res = await list('').expect(200);
    expect(res.body.inputs.period).toBe(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4));
  });
});
