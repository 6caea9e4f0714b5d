import { execute } from '@/database/dialect';
import { bearer, createUnit, createUser, standardTree, StandardTree, standardUsers, StandardUsers, UserRef } from '../factories';
import { demandBody } from '../factories/demands';
import { approvedPlan, draftPlan, planItem } from '../factories/plans';
import { TestApp } from '../utils/test-app';

const API = '/api/v1';

/**
 * GET /metrics/units/:id/forecast (issue 6 point 5): the burden a unit will carry, from what is
 * registered (recurrences included) and the approved plan items not yet carried out, against
 * capacity and the inspection quota. Every figure below is worked out by hand.
 *
 * 文澜街道 (township, quota 6 inspections a quarter), 10 staff, 12 from 2026-12-01. Working days
 * (official calendar): October 2026 18 (国庆), November 21, December 23 → capacity
 * 10 × 18 × 8 = 1 440 h, 10 × 21 × 8 = 1 680 h, 12 × 23 × 8 = 2 208 h; the quarter 5 328 h.
 * Registered by 蒙自市教育局 (EDU):
 *   r1 report, 2 h a target, monthly from 09-10 to 12-31 → 120 min in each of October–December;
 *   i1 inspection, 1 on-site day (1 × 8 × 60 × 2 + 240 = 1 200 min), lands 10-20, carries out
 *      one of plan item K2's 2 visits;
 *   i2 inspection landing 09-15 (before the period) carries out K5;
 *   iv3 inspection, 1 day, lands 12-03 on 文澜街道 and 文澜社区.
 * EDU's approved plan for 2026:
 *   K1 townships, 2026-11, 2 on-site days, 1 visit → 2 × 8 × 60 × 2 + 240 = 2 160 min in November;
 *   K2 文澜街道 by id, 2026-12, 1 day, 2 visits, 1 registered (i1) → 1 left: 1 200 min in December;
 *   K3 雨过铺街道 by id, 2026-12 → not 文澜's;
 *   K4 villages, 2026-10 → not a township's;
 *   K5 townships, 2026-11, carried out by i2 on 文澜 → nothing left.
 * Not counted either: 应急管理局's plan (submitted, never approved) with a township item in
 * 2026-11, and 个旧市教育局's approved township item of 2026-11 (文澜 is outside 个旧市).
 * Months:
 *   October  registered 120 + 1 200 = 1 320 min = 22 h, planned 0,        forecast 22 h, share 1 320 / 86 400
 *   November registered 120 min = 2 h,             planned 2 160 = 36 h, forecast 38 h, share 2 280 / 100 800
 *   December registered 120 + 1 200 = 22 h,        planned 1 200 = 20 h, forecast 42 h, share 2 520 / 132 480
 *   Quarter  registered 2 760 min = 46 h, planned 3 360 = 56 h, forecast 6 120 min = 102 h, share 6 120 / 319 680
 *   Quota 2026-Q4: registered i1, iv3 = 2, planned K1 + K2's visit left = 2 → 4 of 6.
 * 文澜社区 (village, quota 3, no staff recorded): EDU's inspections iv1 (10-12), iv2 (11-12),
 * iv3 (12-03), and 文澜街道 passing iv3 on to it (12-10: the same visit handed down, not counted
 * for the quota); K4 planned in October. For 2026-12: registered iv3 + the passed-on one =
 * 1 200 + 1 200 min = 40 h, 1 inspection counted; the whole quarter: 3 registered + 1 planned = 4
 * of 3 → 1 over.
 */
describe('metrics: GET /metrics/units/:id/forecast (e2e)', () => {
  jest.setTimeout(120_000);
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  let yjjIssuer: UserRef;
  let townIssuer: UserRef;

  const createDemand = async (as: UserRef, body: Record<string, unknown>): Promise<number> => {
    const res = await t.http.post(`${API}/demands`).set(bearer(as)).send(body);
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { id: number }).id;
  };
  const forecast = (unitId: number, query: string, as: UserRef = users.coordinator) =>
    t.http.get(`${API}/metrics/units/${unitId}/forecast?${query}`).set(bearer(as));

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    const yjj = await createUnit(t, '532503-YJJ', '蒙自市应急管理局', tree.mengzi, { kind: 'department', level: 'county' });
    const gejiuEdu = await createUnit(t, '532501-JYJ', '个旧市教育局', tree.gejiu, { kind: 'department', level: 'county' });
    yjjIssuer = await createUser(t, 'issuer', yjj);
    townIssuer = await createUser(t, 'issuer', tree.wenlan);
    const gejiuIssuer = await createUser(t, 'issuer', gejiuEdu);

    const at = new Date().toISOString();
    await execute(t.db, 'INSERT INTO org_unit_staff (org_unit_id, staff_count, effective_from, created_at) VALUES (?, ?, ?, ?), (?, ?, ?, ?)', [
      tree.wenlan.id,
      10,
      '2026-01-01',
      at,
      tree.wenlan.id,
      12,
      '2026-12-01',
      at,
    ]);

    const plan = await approvedPlan(t, users.issuer, users.coordinator, {
      items: [
        planItem({
          itemKey: 'K1',
          title: '控辍保学专项督查',
          plannedMonth: '2026-11',
          targetLevel: 'township',
          onSiteDays: 2,
        }),
        planItem({
          itemKey: 'K2',
          title: '校舍安全检查',
          plannedMonth: '2026-12',
          targetLevel: undefined,
          targetUnitIds: [tree.wenlan.id],
          onSiteDays: 1,
          visits: 2,
        }),
        planItem({
          itemKey: 'K3',
          plannedMonth: '2026-12',
          targetLevel: undefined,
          targetUnitIds: [tree.yuguopu.id],
        }),
        planItem({
          itemKey: 'K4',
          plannedMonth: '2026-10',
          targetLevel: 'village',
        }),
        planItem({
          itemKey: 'K5',
          plannedMonth: '2026-11',
          targetLevel: 'township',
        }),
      ],
    });
    const item = (key: string) => plan.items.find((i) => i.itemKey === key)!.id;
    await draftPlan(t, yjjIssuer, {
      items: [
        planItem({
          itemKey: 'Y1',
          topic: 'work_safety',
          plannedMonth: '2026-11',
          targetLevel: 'township',
        }),
      ],
    }).then((draft) => t.http.post(`${API}/inspection-plans/${draft.id}/submit`).set(bearer(yjjIssuer)).expect(200));
    await approvedPlan(t, gejiuIssuer, users.gejiuCoordinator, {
      items: [
        planItem({
          itemKey: 'G1',
          plannedMonth: '2026-11',
          targetLevel: 'township',
        }),
      ],
    });

    await createDemand(
      users.issuer,
      demandBody('report', tree, {
        title: 'r1',
        issuedOn: '2026-09-01',
        dueOn: '2026-09-10',
        recurrence: 'monthly',
        until: '2026-12-31',
        estimatedHoursPerTarget: 2,
      }),
    );
    await createDemand(
      users.issuer,
      demandBody('inspection', tree, {
        title: 'i1',
        issuedOn: '2026-10-08',
        dueOn: '2026-10-20',
        planItemId: item('K2'),
      }),
    );
    await createDemand(
      users.issuer,
      demandBody('inspection', tree, {
        title: 'i2',
        issuedOn: '2026-09-01',
        dueOn: '2026-09-15',
        planItemId: item('K5'),
      }),
    );
    await createDemand(
      users.issuer,
      demandBody('inspection', tree, {
        title: 'iv1',
        issuedOn: '2026-10-08',
        dueOn: '2026-10-12',
        targetUnitIds: [tree.village.id],
      }),
    );
    await createDemand(
      users.issuer,
      demandBody('inspection', tree, {
        title: 'iv2',
        issuedOn: '2026-11-02',
        dueOn: '2026-11-12',
        targetUnitIds: [tree.village.id],
      }),
    );
    const iv3 = await createDemand(
      users.issuer,
      demandBody('inspection', tree, {
        title: 'iv3',
        issuedOn: '2026-11-20',
        dueOn: '2026-12-03',
        targetUnitIds: [tree.wenlan.id, tree.village.id],
      }),
    );
    await createDemand(
      townIssuer,
      demandBody('inspection', tree, {
        title: 'iv3 passed on',
        issuedOn: '2026-12-01',
        dueOn: '2026-12-10',
        parentDemandId: iv3,
        targetUnitIds: [tree.village.id],
      }),
    );
  });
  afterAll(() => t.close());

  it('a quarter month by month: the recurring report in each month, the planned inspections, capacity and the quota line', async () => {
    const res = await forecast(tree.wenlan.id, 'period=2026-Q4').expect(200);
    expect(res.body.unit).toMatchObject({
      id: tree.wenlan.id,
      code: '532503001',
      level: 'township',
    });
    expect(res.body.inputs).toMatchObject({
      period: '2026-Q4',
      from: '2026-10-01',
      to: '2026-12-31',
      workingDays: 62,
      policyVersion: 1,
      standardTimes: {
        onSiteDayHours: 8,
        inspectionEscorts: 2,
        inspectionPreparationMinutes: 240,
      },
    });
    expect(res.body.months).toEqual([
      {
        month: '2026-10',
        quarter: '2026-Q4',
        workingDays: 18,
        registeredHours: 22,
        plannedHours: 0,
        forecastHours: 22,
        capacityHours: 1440,
        burdenShare: 1320 / 86400,
        registeredInspections: 1,
        plannedInspections: 0,
      },
      {
        month: '2026-11',
        quarter: '2026-Q4',
        workingDays: 21,
        registeredHours: 2,
        plannedHours: 36,
        forecastHours: 38,
        capacityHours: 1680,
        burdenShare: 2280 / 100800,
        registeredInspections: 0,
        plannedInspections: 1,
      },
      {
        month: '2026-12',
        quarter: '2026-Q4',
        workingDays: 23,
        registeredHours: 22,
        plannedHours: 20,
        forecastHours: 42,
        capacityHours: 2208,
        burdenShare: 2520 / 132480,
        registeredInspections: 1,
        plannedInspections: 1,
      },
    ]);
    expect(res.body.totals).toEqual({
      workingDays: 62,
      registeredHours: 46,
      plannedHours: 56,
      forecastHours: 102,
      capacityHours: 5328,
      burdenShare: 6120 / 319680,
      registeredInspections: 2,
      plannedInspections: 2,
    });
    expect(res.body.quota).toEqual({
      rule: 'INSPECTION_QUOTA',
      level: 'township',
      perQuarter: 6,
      quarters: [
        {
          quarter: '2026-Q4',
          limit: 6,
          registered: 2,
          planned: 2,
          total: 4,
          excess: 0,
          exceeds: false,
        },
      ],
    });
  });

  it('shows a coordinator the plan items behind the planned hours, with the visits already carried out', async () => {
    const res = await forecast(tree.wenlan.id, 'period=2026-Q4').expect(200);
    expect(res.body.plannedItems).toEqual([
      {
        issuer: {
          id: tree.education.id,
          code: '532503-JYJ',
          name: '蒙自市教育局',
        },
        planVersion: 1,
        itemKey: 'K1',
        title: '控辍保学专项督查',
        topic: 'education',
        plannedMonth: '2026-11',
        onSiteDays: 2,
        visits: 1,
        registeredVisits: 0,
        visitsLeft: 1,
        plannedHours: 36,
      },
      {
        issuer: {
          id: tree.education.id,
          code: '532503-JYJ',
          name: '蒙自市教育局',
        },
        planVersion: 1,
        itemKey: 'K2',
        title: '校舍安全检查',
        topic: 'education',
        plannedMonth: '2026-12',
        onSiteDays: 1,
        visits: 2,
        registeredVisits: 1,
        visitsLeft: 1,
        plannedHours: 20,
      },
    ]);
  });

  it('one month: the recurring report’s future occurrence and the whole quarter on the quota line', async () => {
    const res = await forecast(tree.wenlan.id, 'period=2026-11').expect(200);
    expect(res.body.months).toEqual([
      expect.objectContaining({
        month: '2026-11',
        registeredHours: 2,
        plannedHours: 36,
        forecastHours: 38,
        capacityHours: 1680,
      }),
    ]);
    expect(res.body.totals).toMatchObject({
      registeredHours: 2,
      plannedHours: 36,
      forecastHours: 38,
      capacityHours: 1680,
      workingDays: 21,
    });
    // The quota is per calendar quarter: October's i1 and December's iv3 and K2 count on November's line too.
    expect(res.body.quota.quarters).toEqual([
      {
        quarter: '2026-Q4',
        limit: 6,
        registered: 2,
        planned: 2,
        total: 4,
        excess: 0,
        exceeds: false,
      },
    ]);
    expect((res.body.plannedItems as { itemKey: string }[]).map((i) => i.itemKey)).toEqual(['K1']);
  });

  it('a village over its quota: three inspections registered and one planned against 3, the passed-on one not counted; no staff, no share', async () => {
    const res = await forecast(tree.village.id, 'period=2026-12').expect(200);
    expect(res.body.months).toEqual([
      {
        month: '2026-12',
        quarter: '2026-Q4',
        workingDays: 23,
        registeredHours: 40,
        plannedHours: 0,
        forecastHours: 40,
        capacityHours: 0,
        burdenShare: null,
        registeredInspections: 1,
        plannedInspections: 0,
      },
    ]);
    expect(res.body.quota).toEqual({
      rule: 'INSPECTION_QUOTA',
      level: 'village',
      perQuarter: 3,
      quarters: [
        {
          quarter: '2026-Q4',
          limit: 3,
          registered: 3,
          planned: 1,
          total: 4,
          excess: 1,
          exceeds: true,
        },
      ],
    });
  });

  it('a year has four quarter lines; a county has no quota', async () => {
    const res = await forecast(tree.mengzi.id, 'period=2027').expect(200);
    expect(res.body.months).toHaveLength(12);
    expect(res.body.quota).toMatchObject({ level: 'county', perQuarter: null });
    expect(
      (
        res.body.quota.quarters as {
          quarter: string;
          limit: null;
          exceeds: boolean;
        }[]
      ).map((q) => [q.quarter, q.limit, q.exceeds]),
    ).toEqual([
      ['2027-Q1', null, false],
      ['2027-Q2', null, false],
      ['2027-Q3', null, false],
      ['2027-Q4', null, false],
    ]);
  });

  it('the unit’s own reporter sees the figures but not other offices’ plan items; the issuer sees its own items only', async () => {
    const reporter = await forecast(tree.wenlan.id, 'period=2026-Q4', users.reporter).expect(200);
    expect(reporter.body.totals).toMatchObject({
      plannedHours: 56,
      forecastHours: 102,
    });
    expect(reporter.body.plannedItems).toEqual([]);
    const own = await forecast(tree.wenlan.id, 'period=2026-Q4', users.issuer).expect(200);
    expect((own.body.plannedItems as { itemKey: string }[]).map((i) => i.itemKey)).toEqual(['K1', 'K2']);
    const other = await forecast(tree.wenlan.id, 'period=2026-Q4', yjjIssuer).expect(200);
    expect(other.body.totals).toMatchObject({ plannedHours: 56 });
    expect(other.body.plannedItems).toEqual([]);
    expect((await forecast(tree.wenlan.id, 'period=2026-Q4', users.inspector).expect(200)).body.plannedItems).toHaveLength(2);
  });

  it('jurisdiction as for the card: a neighbour township 403, another county 403, an unknown unit 404, no token 401', async () => {
    await forecast(tree.yuguopu.id, 'period=2026-Q4', users.reporter).expect(403);
    await forecast(tree.wenlan.id, 'period=2026-Q4', users.gejiuCoordinator).expect(403);
    await forecast(tree.wenlan.id, 'period=2026-Q4', users.gejiuInspector).expect(403);
    await forecast(tree.gejiuTown.id, 'period=2026-Q4', townIssuer).expect(403);
    await forecast(99_999_999, 'period=2026-Q4').expect(404);
    await t.http.get(`${API}/metrics/units/${tree.wenlan.id}/forecast?period=2026-Q4`).expect(401);
  });

  it('a bad period is a 400 naming the field; an unknown query field too', async () => {
    for (const bad of ['2026-13', '2026-Q0', '2026-1', 'next']) {
      const res = await forecast(tree.wenlan.id, `period=${bad}`).expect(400);
      expect(JSON.stringify(res.body)).toContain('period');
    }
    expect(JSON.stringify((await forecast(tree.wenlan.id, 'period=2026-Q4&granularity=month').expect(400)).body)).toContain('granularity');
  });

  it('without a period, next month (China)', async () => {
    const [year, month] = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7).split('-').map(Number);
    const next = month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
    const res = await forecast(tree.wenlan.id, '').expect(200);
    expect(res.body.inputs.period).toBe(next);
    expect(res.body.months.map((m: { month: string }) => m.month)).toEqual([next]);
  });
});
