import { workingDaysInMonth, workingDaysInRange } from '@/modules/demands/calendar/working-days';
import { bearer, createUnit, createUser, standardTree, StandardTree, standardUsers, StandardUsers, UnitRef, UserRef } from '../factories';
import { demandBody } from '../factories/demands';
import { reportBody, shadowBody } from '../factories/reports';
import { TestApp } from '../utils/test-app';

/**
 * Issue 6 point 3: the burden endpoints through HTTP (card, ranking, series), with every figure
 * worked out by hand from demands, reports and staff histories written through the API, the
 * jurisdiction of each endpoint, and an issuer that never learns of shadow demands through them.
 *
 * Units of account: the rollups hold whole minutes; the API shows hours with two decimals. Every
 * figure below is a multiple of 15 minutes, so minutes ÷ 60 is the exact two-decimal hour figure.
 * Capacity = staff in force × working days × 8 h, with the working days from the official calendar
 * (src/modules/demands/calendar/working-days.ts), never typed in by hand.
 */

const API = '/api/v1/metrics';

interface UnitView {
  id: number;
  code: string;
  name: string;
  kind: string;
  level: string;
}

/** The sums of a period in minutes, as worked out by hand. */
interface Minutes {
  est: number;
  rep: number;
  burden: number;
  hidden: number;
  occ: number;
}

const NONE: Minutes = { est: 0, rep: 0, burden: 0, hidden: 0, occ: 0 };

/**
 * The figures the API must show for these minutes and this capacity (hours), no flag-driven
 * duplicate or excess hours: shares are exact quotients of the integer minutes, null on a zero
 * denominator (DESIGN §5).
 */
function figures(m: Minutes, capacityHours: number) {
  const capacityMinutes = capacityHours * 60;
  return {
    estimatedHours: m.est / 60,
    reportedHours: m.rep / 60,
    burdenHours: m.burden / 60,
    hiddenHours: m.hidden / 60,
    duplicateHours: 0,
    excessHours: 0,
    capacityHours,
    burdenShare: capacityMinutes === 0 ? null : m.burden / capacityMinutes,
    duplicateShare: m.burden === 0 ? null : 0,
    excessShare: m.burden === 0 ? null : 0,
    occurrences: m.occ,
  };
}

const NO_FLAGS = { open: 0, underReview: 0, confirmed: 0, rectifying: 0, rectified: 0, verified: 0 };
const NO_KINDS = { inspection: 0, report: 0, meeting: 0, document: 0, other: 0 };

describe('metrics: burden card, ranking and series with their jurisdiction (e2e)', () => {
  jest.setTimeout(120_000);
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  /** A second issuing office of 蒙自市, so the card counts two distinct issuers. */
  let emergencyIssuer: UserRef;
  let emergency: UnitRef;
  /** Two more townships of 蒙自市: 草坝镇 (ties with 雨过铺) and 新安所镇 (no staff recorded: no capacity). */
  let caoba: UnitRef;
  let xinansuo: UnitRef;
  const ids: Record<string, number> = {};

  // 2026-Q3 from the official calendar. By hand: July 23 weekdays; August 21; September 22
  // weekdays − 中秋 (Fri 09-25) + the make-up Sunday 09-20 = 22; in all 66.
  const wdQ3 = workingDaysInRange('2026-07-01', '2026-09-30');
  // 文澜街道 has 10 staff until 08-16 and 12 from Monday 08-17: 07-01..08-16 = 23 + 10 = 33 days, 08-17..09-30 = 11 + 22 = 33.
  const wdBeforeChange = workingDaysInRange('2026-07-01', '2026-08-16');
  const wdAfterChange = workingDaysInRange('2026-08-17', '2026-09-30');
  const wenlanQ3Capacity = (10 * wdBeforeChange + 12 * wdAfterChange) * 8; // 10·33·8 + 12·33·8 = 2640 + 3168 = 5808 h
  const fiveStaffQ3Capacity = 5 * wdQ3 * 8; // 5·66·8 = 2640 h

  /*
   * The ledger of 2026-Q3 (and 2025-Q3 for the year before), all estimates set explicitly:
   *   D0 2025-08-05 report (教育局) → 文澜, once, 26 h                               = 1560 min in 2025-Q3
   *   D1 report (教育局) → 文澜, monthly from 07-10 until 09-30, 2 h per occurrence  = 3 × 120 min
   *   D2 meeting (应急管理局) → 文澜, 雨过铺, 草坝 on 08-20, 4 h per target           = 240 min each
   *   D3 document (教育局) → 文澜, due 09-15, 1.5 h                                   = 90 min
   * Reports of 文澜街道: D1 July 3 h (180), D1 August 1 h (60), D2 August 5.5 h (330); D1 September
   * and D3 are not reported, so their estimates count.
   * 文澜 2026-Q3:
   *   estimated = 360 + 240 + 90 = 690 min = 11.5 h
   *   reported  = 180 + 60 + 330 = 570 min = 9.5 h
   *   burden    = 180 + 60 + 120 (D1 Sep, estimated) + 330 + 90 (D3, estimated) = 780 min = 13 h
   *   hidden    = (180 − 120) + max(0, 60 − 120) + (330 − 240) = 60 + 0 + 90 = 150 min = 2.5 h
   *   occurrences = 3 + 1 + 1 = 5
   *   burdenShare = 780 / (5808 · 60)
   *   year before (2025-Q3): burden 1560 min = 26 h; change (压减比例) = (1560 − 780) / 1560 = 0.5
   * 雨过铺, 草坝 2026-Q3: 240 min (4 h) on 5 staff each → equal shares 240 / (2640 · 60): a tie.
   * 新安所: nothing, and no staff recorded → capacity 0, burdenShare null.
   */
  const wenlanQ3: Minutes = { est: 690, rep: 570, burden: 780, hidden: 150, occ: 5 };
  const meetingOnly: Minutes = { est: 240, rep: 0, burden: 240, hidden: 0, occ: 1 };

  const unitView = (u: UnitRef, name: string, level: string, kind = 'area'): UnitView => ({ id: u.id, code: u.code, name, kind, level });
  const views = () => ({
    wenlan: unitView(tree.wenlan, '文澜街道', 'township'),
    yuguopu: unitView(tree.yuguopu, '雨过铺街道', 'township'),
    caoba: unitView(caoba, '草坝镇', 'township'),
    xinansuo: unitView(xinansuo, '新安所镇', 'township'),
    mengzi: unitView(tree.mengzi, '蒙自市', 'county'),
  });

  const get = (path: string, as: UserRef) => t.http.get(`${API}${path}`).set(bearer(as));
  const setStaff = async (unit: UnitRef, staffCount: number, staffEffectiveFrom: string) => {
    await t.http.patch(`/api/v1/org-units/${unit.id}`).set(bearer(users.admin)).send({ staffCount, staffEffectiveFrom }).expect(200);
  };
  const createDemand = async (as: UserRef, body: Record<string, unknown>): Promise<number> => {
    const res = await t.http.post('/api/v1/demands').set(bearer(as)).send(body);
    if (res.status !== 201) throw new Error(`demand: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as number;
  };
  const report = async (demandId: number, month: string, hoursSpent: number) => {
    const res = await t.http.post('/api/v1/burden-reports').set(bearer(users.reporter)).send(reportBody(demandId, month, { hoursSpent, overtimeHours: 0 }));
    if (res.status !== 201) throw new Error(`report: ${res.status} ${JSON.stringify(res.body)}`);
  };

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    emergency = await createUnit(t, '532503-YJJ', '蒙自市应急管理局', tree.mengzi, { kind: 'department', level: 'county' });
    emergencyIssuer = await createUser(t, 'issuer', emergency);
    caoba = await createUnit(t, '532503003', '草坝镇', tree.mengzi);
    xinansuo = await createUnit(t, '532503004', '新安所镇', tree.mengzi);

    // Staff histories through the API (createUnit records none). 雨过铺's first record is inside
    // the quarter: it stands for the time before it too, so its quarter is 5 staff throughout.
    await setStaff(tree.wenlan, 10, '2026-01-01');
    await setStaff(tree.wenlan, 12, '2026-08-17');
    await setStaff(tree.yuguopu, 5, '2026-07-15');
    await setStaff(caoba, 5, '2026-01-01');

    const education = { fields: ['学生资助人数', '资助金额（万元）'] };
    ids.d0 = await createDemand(users.issuer, demandBody('report', tree, { ...education, title: '2025年学生资助数据', issuedOn: '2025-08-05', dueOn: undefined, estimatedHoursPerTarget: 26 }));
    ids.d1 = await createDemand(
      users.issuer,
      demandBody('report', tree, { title: '月度控辍保学台账', fields: ['辍学学生数', '劝返人数'], issuedOn: '2026-07-01', startsOn: '2026-07-10', dueOn: undefined, recurrence: 'monthly', until: '2026-09-30', estimatedHoursPerTarget: 2 }),
    );
    ids.d2 = await createDemand(
      emergencyIssuer,
      demandBody('meeting', tree, { title: '汛期安全生产调度会', topic: 'work_safety', issuedOn: '2026-08-03', startsOn: '2026-08-20', dueOn: undefined, targetUnitIds: [tree.wenlan.id, tree.yuguopu.id, caoba.id], estimatedHoursPerTarget: 4 }),
    );
    ids.d3 = await createDemand(users.issuer, demandBody('document', tree, { title: '秋季学期开学工作通知', issuedOn: '2026-09-01', dueOn: '2026-09-15', estimatedHoursPerTarget: 1.5 }));

    await report(ids.d1, '2026-07', 3);
    await report(ids.d1, '2026-08', 1);
    await report(ids.d2, '2026-08', 5.5);
  });
  afterAll(() => t.close());

  describe('GET /metrics/units/:id (the burden card)', () => {
    it('shows every figure of 文澜街道 in 2026-Q3 as worked out by hand, with the staff change mid-quarter in its inputs', async () => {
      // The card must not depend on flags none of these demands raised: check that premise first.
      const flags = await t.http.get(`/api/v1/flags?unitId=${tree.wenlan.id}&pageSize=500`).set(bearer(users.coordinator)).expect(200);
      expect(flags.body.total).toBe(0);

      const res = await get(`/units/${tree.wenlan.id}?period=2026-Q3`, users.coordinator).expect(200);
      const v = views();
      expect(wdQ3).toBe(wdBeforeChange + wdAfterChange);
      expect(res.body).toEqual({
        unit: v.wenlan,
        inputs: {
          period: '2026-Q3',
          from: '2026-07-01',
          to: '2026-09-30',
          workingDays: wdQ3,
          staff: [
            { from: '2026-07-01', to: '2026-08-16', staffCount: 10, workingDays: wdBeforeChange },
            { from: '2026-08-17', to: '2026-09-30', staffCount: 12, workingDays: wdAfterChange },
          ],
          policyVersion: 1,
          shadowIncluded: true,
          rollups: { stale: false, dirtyFromMonth: null, dirtySince: null },
        },
        ...figures(wenlanQ3, wenlanQ3Capacity),
        // Three demands (the monthly report counted once), two offices.
        demands: { demands: 3, byKind: { ...NO_KINDS, report: 1, meeting: 1, document: 1 }, byTopic: { education: 2, work_safety: 1 }, distinctIssuers: 2 },
        flags: NO_FLAGS,
        // Among the 4 townships of 蒙自市, 3 with a capacity: 文澜 has the highest share → 100.
        percentile: { value: 100, among: 4, scope: v.mengzi },
        yearBefore: { period: '2025-Q3', burdenHours: 26, change: 0.5 },
      });
      // The hand figures written out, so a slip in the helper cannot hide a wrong answer.
      expect(res.body).toMatchObject({ estimatedHours: 11.5, reportedHours: 9.5, burdenHours: 13, hiddenHours: 2.5, capacityHours: 5808, occurrences: 5 });
      expect(res.body.burdenShare).toBe(780 / (5808 * 60));
    });

    it('the first recorded staff count stands for the time before it: 2025-Q3 has 10 staff throughout', async () => {
      const wd2025Q3 = workingDaysInRange('2025-07-01', '2025-09-30');
      const res = await get(`/units/${tree.wenlan.id}?period=2025-Q3`, users.coordinator).expect(200);
      expect(res.body.inputs.staff).toEqual([{ from: '2025-07-01', to: '2025-09-30', staffCount: 10, workingDays: wd2025Q3 }]);
      // D0 alone: 26 h estimated, not reported.
      expect(res.body).toMatchObject(figures({ est: 1560, rep: 0, burden: 1560, hidden: 0, occ: 1 }, 10 * wd2025Q3 * 8));
      expect(res.body.demands).toEqual({ demands: 1, byKind: { ...NO_KINDS, report: 1 }, byTopic: { education: 1 }, distinctIssuers: 1 });
      // Nothing in 2024-Q3 to reduce from: the change is null, not 0 or Infinity.
      expect(res.body.yearBefore).toEqual({ period: '2024-Q3', burdenHours: 0, change: null });
    });

    it('雨过铺: a first record dated inside the quarter still gives 5 staff × 66 days; a month card sums only its month', async () => {
      const q3 = await get(`/units/${tree.yuguopu.id}?period=2026-Q3`, users.coordinator).expect(200);
      expect(q3.body).toMatchObject(figures(meetingOnly, fiveStaffQ3Capacity));
      expect(q3.body.inputs.staff[0]).toMatchObject({ from: '2026-07-01', staffCount: 5 });
      expect(q3.body.inputs.staff.every((s: { staffCount: number }) => s.staffCount === 5)).toBe(true);
      // Ties with 草坝 at the bottom of the three townships with a capacity.
      expect(q3.body.percentile).toEqual({ value: 0, among: 4, scope: views().mengzi });

      const july = await get(`/units/${tree.wenlan.id}?period=2026-07`, users.coordinator).expect(200);
      // July: D1 only, reported 3 h against 2 h estimated.
      expect(july.body).toMatchObject(figures({ est: 120, rep: 180, burden: 180, hidden: 60, occ: 1 }, 10 * workingDaysInMonth('2026-07') * 8));
      expect(july.body.demands).toEqual({ demands: 1, byKind: { ...NO_KINDS, report: 1 }, byTopic: { education: 1 }, distinctIssuers: 1 });
    });

    it('a township without a recorded staff count has capacity 0 and null shares (never 0 or Infinity)', async () => {
      const res = await get(`/units/${xinansuo.id}?period=2026-Q3`, users.coordinator).expect(200);
      expect(res.body).toMatchObject({ ...figures(NONE, 0), burdenShare: null, duplicateShare: null, excessShare: null });
      expect(res.body.percentile).toEqual({ value: null, among: 4, scope: views().mengzi });
    });
  });

  describe('jurisdiction and input checks of the card', () => {
    it('the township’s reporter reads its own card, not its neighbour’s', async () => {
      const own = await get(`/units/${tree.wenlan.id}?period=2026-Q3`, users.reporter).expect(200);
      expect(own.body).toMatchObject({ unit: { id: tree.wenlan.id }, burdenHours: 13, hiddenHours: 2.5, inputs: { shadowIncluded: true } });
      const neighbour = await get(`/units/${tree.yuguopu.id}?period=2026-Q3`, users.reporter).expect(403);
      expect(neighbour.body).toMatchObject({ statusCode: 403 });
      expect(JSON.stringify(neighbour.body)).not.toContain('burdenHours');
      // Nor the series of the neighbour.
      await get(`/units/${tree.yuguopu.id}/series?from=2026-07&to=2026-09`, users.reporter).expect(403);
    });

    it('the 个旧 coordinator reads its own township but gets 403 on a 蒙自 unit', async () => {
      const own = await get(`/units/${tree.gejiuTown.id}?period=2026-Q3`, users.gejiuCoordinator).expect(200);
      expect(own.body).toMatchObject({ unit: { id: tree.gejiuTown.id }, burdenHours: 0, occurrences: 0 });
      for (const unit of [tree.wenlan, tree.mengzi]) {
        const res = await get(`/units/${unit.id}?period=2026-Q3`, users.gejiuCoordinator).expect(403);
        expect(res.body.statusCode).toBe(403);
      }
      await get(`/units/${tree.wenlan.id}/series?from=2026-07&to=2026-09`, users.gejiuCoordinator).expect(403);
    });

    it('an unknown unit is 404, no token is 401', async () => {
      const missing = await get('/units/999999?period=2026-Q3', users.coordinator).expect(404);
      expect(missing.body).toMatchObject({ statusCode: 404 });
      await t.http.get(`${API}/units/${tree.wenlan.id}?period=2026-Q3`).expect(401);
      await t.http.get(`${API}/units?period=2026-Q3`).expect(401);
      await t.http.get(`${API}/units/${tree.wenlan.id}/series`).expect(401);
    });

    // `2026-13` passes the DTO's pattern; the service refuses it, with 400 like the rest of the API
    // answers a malformed period or month in a query (GET /burden-reports?month=2026-13, …).
    it('a malformed period is a 400 naming `period` (2026-13, 2026-00, 2026-Q5, 26-07)', async () => {
      const statuses: Record<string, number> = {};
      for (const bad of ['2026-13', '2026-00', '2026-Q5', '26-07']) {
        const res = await get(`/units/${tree.wenlan.id}?period=${bad}`, users.coordinator);
        expect({ bad, details: res.body.details }).toEqual({ bad, details: [expect.objectContaining({ field: 'period' })] });
        statuses[bad] = res.status;
      }
      const ranking = await get(`/units?period=2026-13`, users.coordinator);
      expect(ranking.body.details).toEqual([expect.objectContaining({ field: 'period' })]);
      statuses['ranking 2026-13'] = ranking.status;
      expect(statuses).toEqual({ '2026-13': 400, '2026-00': 400, '2026-Q5': 400, '26-07': 400, 'ranking 2026-13': 400 });
    });

    it('an unknown query field is a 400 naming it', async () => {
      const res = await get(`/units/${tree.wenlan.id}?period=2026-Q3&unitId=${tree.wenlan.id}`, users.coordinator).expect(400);
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'unitId' })]);
      const ranking = await get(`/units?period=2026-Q3&county=${tree.mengzi.id}`, users.coordinator).expect(400);
      expect(ranking.body.details).toEqual([expect.objectContaining({ field: 'county' })]);
    });
  });

  describe('GET /metrics/units (the ranking)', () => {
    const rankingOf = (query: string, as: UserRef = users.coordinator) => get(`/units?${query}`, as);
    const idsOf = (body: { items: { unit: UnitView }[] }) => body.items.map((i) => i.unit.id);

    it('the 蒙自 coordinator ranks its four townships by burden share with percent ranks; ties share a rank', async () => {
      const res = await rankingOf(`level=township&underId=${tree.mengzi.id}&period=2026-Q3`).expect(200);
      const v = views();
      expect(res.body).toMatchObject({
        total: 4,
        page: 1,
        pageSize: 50,
        level: 'township',
        under: v.mengzi,
        inputs: { period: '2026-Q3', from: '2026-07-01', to: '2026-09-30', workingDays: wdQ3, policyVersion: 1, shadowIncluded: true },
      });
      // Desc by share: 文澜 (780/348480) above the tie 雨过铺 = 草坝 (240/158400, by code), 新安所 (null) last.
      expect(res.body.items).toEqual([
        { unit: v.wenlan, ...figures(wenlanQ3, wenlanQ3Capacity), percentile: 100 },
        { unit: v.yuguopu, ...figures(meetingOnly, fiveStaffQ3Capacity), percentile: 0 },
        { unit: v.caoba, ...figures(meetingOnly, fiveStaffQ3Capacity), percentile: 0 },
        { unit: v.xinansuo, ...figures(NONE, 0), percentile: null },
      ]);
      // The higher share has the higher percentile; the tie has equal shares and equal ranks.
      const [w, y, c] = res.body.items;
      expect(w.burdenShare).toBeGreaterThan(y.burdenShare);
      expect(w.percentile).toBeGreaterThan(y.percentile);
      expect(y.burdenShare).toBe(c.burdenShare);
      // The card's percentile agrees with the ranking's.
      expect((await get(`/units/${tree.wenlan.id}?period=2026-Q3`, users.coordinator).expect(200)).body.percentile.value).toBe(100);
    });

    it('without level and underId it ranks the level below the top of the caller’s jurisdiction', async () => {
      const res = await rankingOf('period=2026-Q3').expect(200);
      expect(res.body).toMatchObject({ level: 'township', under: views().mengzi, total: 4 });
      expect(idsOf(res.body)).toEqual([tree.wenlan.id, tree.yuguopu.id, caoba.id, xinansuo.id]);
    });

    it('sorts by share ascending (null still last), by code either way, and by burden hours', async () => {
      const base = `level=township&underId=${tree.mengzi.id}&period=2026-Q3`;
      expect(idsOf((await rankingOf(`${base}&order=asc`).expect(200)).body)).toEqual([tree.yuguopu.id, caoba.id, tree.wenlan.id, xinansuo.id]);
      expect(idsOf((await rankingOf(`${base}&sort=code`).expect(200)).body)).toEqual([tree.wenlan.id, tree.yuguopu.id, caoba.id, xinansuo.id]);
      expect(idsOf((await rankingOf(`${base}&sort=code&order=desc`).expect(200)).body)).toEqual([xinansuo.id, caoba.id, tree.yuguopu.id, tree.wenlan.id]);
      const byHours = (await rankingOf(`${base}&sort=burdenHours`).expect(200)).body;
      expect(byHours.items.map((i: { unit: UnitView; burdenHours: number }) => [i.unit.id, i.burdenHours])).toEqual([
        [tree.wenlan.id, 13],
        [tree.yuguopu.id, 4],
        [caoba.id, 4],
        [xinansuo.id, 0],
      ]);
      const bad = await rankingOf(`${base}&sort=name`).expect(400);
      expect(bad.body.details).toEqual([expect.objectContaining({ field: 'sort' })]);
    });

    it('pages with total, page and pageSize', async () => {
      const res = await rankingOf(`level=township&underId=${tree.mengzi.id}&period=2026-Q3&pageSize=2&page=2`).expect(200);
      expect(res.body).toMatchObject({ total: 4, page: 2, pageSize: 2 });
      expect(idsOf(res.body)).toEqual([caoba.id, xinansuo.id]);
      // Percentiles are ranks among all four, not among the page.
      expect(res.body.items.map((i: { percentile: number | null }) => i.percentile)).toEqual([0, null]);
      const beyond = await rankingOf(`level=township&underId=${tree.mengzi.id}&period=2026-Q3&pageSize=2&page=3`).expect(200);
      expect(beyond.body).toMatchObject({ total: 4, page: 3, pageSize: 2, items: [] });
    });

    it('the 个旧 coordinator asking for the townships under 蒙自 gets 403; its own county ranks its own township', async () => {
      const res = await rankingOf(`level=township&underId=${tree.mengzi.id}&period=2026-Q3`, users.gejiuCoordinator).expect(403);
      expect(res.body.statusCode).toBe(403);
      expect(JSON.stringify(res.body)).not.toContain('文澜');
      const own = await rankingOf('period=2026-Q3', users.gejiuCoordinator).expect(200);
      expect(idsOf(own.body)).toEqual([tree.gejiuTown.id]);
      // The reporter of 文澜 cannot rank its county either.
      await rankingOf(`level=township&underId=${tree.mengzi.id}&period=2026-Q3`, users.reporter).expect(403);
    });
  });

  describe('GET /metrics/units/:id/series', () => {
    // Month by month for 文澜 (staff 10, then 12 from 08-17):
    //   06: nothing                                   10 staff
    //   07: D1 est 120, rep 180                       10 staff
    //   08: D1 est 120 rep 60; D2 est 240 rep 330     10 staff to 08-16, 12 from 08-17
    //       → est 360, rep 390, burden 390, hidden 0 + 90 = 90
    //   09: D1 est 120; D3 est 90 (not reported)      12 staff
    //   10: nothing                                   12 staff
    const june = () => ({ period: '2026-06', workingDays: workingDaysInMonth('2026-06'), ...figures(NONE, 10 * workingDaysInMonth('2026-06') * 8) });
    const october = () => ({ period: '2026-10', workingDays: workingDaysInMonth('2026-10'), ...figures(NONE, 12 * workingDaysInMonth('2026-10') * 8) });
    const augustCapacity = () => (10 * workingDaysInRange('2026-08-01', '2026-08-16') + 12 * workingDaysInRange('2026-08-17', '2026-08-31')) * 8;

    it('gives every month, with zeros where nothing lands', async () => {
      const res = await get(`/units/${tree.wenlan.id}/series?from=2026-06&to=2026-10`, users.coordinator).expect(200);
      expect(res.body).toEqual({
        unit: views().wenlan,
        granularity: 'month',
        shadowIncluded: true,
        policyVersion: 1,
        rollups: { stale: false, dirtyFromMonth: null, dirtySince: null },
        items: [
          june(),
          { period: '2026-07', workingDays: workingDaysInMonth('2026-07'), ...figures({ est: 120, rep: 180, burden: 180, hidden: 60, occ: 1 }, 10 * workingDaysInMonth('2026-07') * 8) },
          { period: '2026-08', workingDays: workingDaysInMonth('2026-08'), ...figures({ est: 360, rep: 390, burden: 390, hidden: 90, occ: 2 }, augustCapacity()) },
          { period: '2026-09', workingDays: workingDaysInMonth('2026-09'), ...figures({ est: 210, rep: 0, burden: 210, hidden: 0, occ: 2 }, 12 * workingDaysInMonth('2026-09') * 8) },
          october(),
        ],
      });
    });

    it('by quarter sums the months (only those inside from..to), equal to the quarter card', async () => {
      const res = await get(`/units/${tree.wenlan.id}/series?from=2026-06&to=2026-10&granularity=quarter`, users.coordinator).expect(200);
      expect(res.body.granularity).toBe('quarter');
      expect(res.body.items).toEqual([
        { ...june(), period: '2026-Q2' },
        { period: '2026-Q3', workingDays: wdQ3, ...figures(wenlanQ3, wenlanQ3Capacity) },
        { ...october(), period: '2026-Q4' },
      ]);
      const card = await get(`/units/${tree.wenlan.id}?period=2026-Q3`, users.coordinator).expect(200);
      const q3 = res.body.items[1];
      for (const key of ['estimatedHours', 'reportedHours', 'burdenHours', 'hiddenHours', 'capacityHours', 'burdenShare', 'occurrences']) expect({ key, value: q3[key] }).toEqual({ key, value: card.body[key] });
    });

    // Range errors of a query are 400 like every other bad query of the API, naming the field.
    it('`to` before `from` is a 400 naming `to`; more than 60 months is a 400; exactly 60 is fine', async () => {
      const backwards = await get(`/units/${tree.wenlan.id}/series?from=2026-10&to=2026-06`, users.coordinator);
      expect(backwards.body.details).toEqual([expect.objectContaining({ field: 'to' })]);
      const tooLong = await get(`/units/${tree.wenlan.id}/series?from=2021-01&to=2026-01`, users.coordinator); // 61 months
      expect(tooLong.body.details).toEqual([expect.objectContaining({ field: 'to' })]);
      expect(tooLong.body.message).toMatch(/60/);
      const sixty = await get(`/units/${tree.wenlan.id}/series?from=2021-02&to=2026-01`, users.coordinator).expect(200);
      expect(sixty.body.items).toHaveLength(60);
      expect(sixty.body.items[0].period).toBe('2021-02');
      // 2025-08 is the month of D0: 26 h.
      expect(sixty.body.items.find((i: { period: string }) => i.period === '2025-08').burdenHours).toBe(26);
      const malformed = await get(`/units/${tree.wenlan.id}/series?from=2026-6&to=2026-10`, users.coordinator).expect(400);
      expect(malformed.body.details).toEqual([expect.objectContaining({ field: 'from' })]);
      const granularity = await get(`/units/${tree.wenlan.id}/series?from=2026-06&to=2026-10&granularity=week`, users.coordinator).expect(400);
      expect(granularity.body.details).toEqual([expect.objectContaining({ field: 'granularity' })]);
      expect({ backwards: backwards.status, tooLong: tooLong.status }).toEqual({ backwards: 400, tooLong: 400 });
    });
  });

  // Last in this app: it stores policy version 2, which every later answer would carry.
  describe('inputs.policyVersion', () => {
    it('is the policy in force: a new version shows at once, the figures stay', async () => {
      const current = await t.http.get('/api/v1/policy').set(bearer(users.admin)).expect(200);
      expect(current.body.version).toBe(1);
      expect((await get(`/units/${tree.wenlan.id}?period=2026-Q3`, users.coordinator).expect(200)).body.inputs.policyVersion).toBe(1);
      const document = { ...current.body.document, note: 'metrics e2e: a second version' };
      delete document.version;
      const stored = await t.http.put('/api/v1/policy').set(bearer(users.admin)).send(document).expect(200);
      expect(stored.body.version).toBe(2);
      const after = await get(`/units/${tree.wenlan.id}?period=2026-Q3`, users.coordinator).expect(200);
      expect(after.body.inputs.policyVersion).toBe(2);
      // The figures rest on the estimates recorded at registration: unchanged.
      expect(after.body.burdenHours).toBe(13);
      const ranking = await get(`/units?level=township&underId=${tree.mengzi.id}&period=2026-Q3`, users.coordinator).expect(200);
      expect(ranking.body.inputs.policyVersion).toBe(2);
      const series = await get(`/units/${tree.wenlan.id}/series?from=2026-07&to=2026-07`, users.coordinator).expect(200);
      expect(series.body.policyVersion).toBe(2);
    });
  });
});

describe('metrics: an issuer never learns of shadow demands; rollups follow every write (e2e)', () => {
  jest.setTimeout(180_000);
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  let e1: { id: number; version: number };
  let registered: { id: number; version: number };
  let shadow: { id: number; version: number };

  const get = (path: string, as: UserRef) => t.http.get(`${API}${path}`).set(bearer(as));
  const card = async (unit: UnitRef, period: string, as: UserRef): Promise<Record<string, unknown>> => (await get(`/units/${unit.id}?period=${period}`, as).expect(200)).body as Record<string, unknown>;

  // August 2026, both townships with 10 staff from 2026-01-01: capacity 10 × 21 × 8 = 1680 h.
  const augustCapacity = () => 10 * workingDaysInMonth('2026-08') * 8;

  /*
   * The ledger of August 2026:
   *   E1 report (教育局) → 文澜 on 08-10, 2 h estimated; 文澜 reports 3 h (180 min, 60 hidden).
   *   E2 meeting (教育局) → 雨过铺 on 08-12, 5 h estimated, not reported (300 min).
   *   A shadow demand of 文澜 received 08-20 by WeChat, 6 h (360 min).
   *   A shadow demand of 文澜 received 2025-08-05, 2 h (120 min) — the year before.
   * 文澜 2026-08, with the shadow demand (coordinator):  est 120, rep 180 + 360 = 540, burden 540, hidden 60 + 360 = 420
   * 文澜 2026-08, the issuer's view (no shadow):        est 120, rep 180,             burden 180, hidden 60
   * 雨过铺 2026-08 for both: est 300, burden 300.
   * Percent rank among the two townships: with the shadow 文澜 (540) > 雨过铺 (300) → 100 / 0;
   * without it 文澜 (180) < 雨过铺 (300) → 0 / 100.
   * Year before (2025-08): coordinator 120 min = 2 h, change (120 − 540) / 120 = −3.5 (the load grew);
   * the issuer 0 h and change null.
   */
  const withShadow: Minutes = { est: 120, rep: 540, burden: 540, hidden: 420, occ: 1 };
  const issuerView: Minutes = { est: 120, rep: 180, burden: 180, hidden: 60, occ: 1 };
  const yuguopuAugust: Minutes = { est: 300, rep: 0, burden: 300, hidden: 0, occ: 1 };

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    for (const unit of [tree.wenlan, tree.yuguopu]) {
      await t.http.patch(`/api/v1/org-units/${unit.id}`).set(bearer(users.admin)).send({ staffCount: 10, staffEffectiveFrom: '2026-01-01' }).expect(200);
    }
    const created = await t.http
      .post('/api/v1/demands')
      .set(bearer(users.issuer))
      .send(demandBody('report', tree, { title: '学生营养餐数据', issuedOn: '2026-08-03', startsOn: '2026-08-10', dueOn: undefined, estimatedHoursPerTarget: 2 }))
      .expect(201);
    e1 = { id: created.body.id, version: created.body.version };
    await t.http
      .post('/api/v1/demands')
      .set(bearer(users.issuer))
      .send(demandBody('meeting', tree, { title: '教育系统安全工作会', issuedOn: '2026-08-03', startsOn: '2026-08-12', dueOn: undefined, targetUnitIds: [tree.yuguopu.id], estimatedHoursPerTarget: 5 }))
      .expect(201);
    const rep = await t.http.post('/api/v1/burden-reports').set(bearer(users.reporter)).send(reportBody(e1.id, '2026-08', { hoursSpent: 3, overtimeHours: 0 })).expect(201);
    registered = { id: rep.body.id, version: rep.body.version };
    const sh = await t.http.post('/api/v1/burden-reports').set(bearer(users.reporter)).send(shadowBody({ hoursSpent: 6, overtimeHours: 0 }, { receivedOn: '2026-08-20' })).expect(201);
    shadow = { id: sh.body.id, version: sh.body.version };
    expect(sh.body.month).toBe('2026-08');
    await t.http.post('/api/v1/burden-reports').set(bearer(users.reporter)).send(shadowBody({ hoursSpent: 2, overtimeHours: 0 }, { receivedOn: '2025-08-05', title: '去年的临时报表' })).expect(201);
  });
  afterAll(() => t.close());

  it('the card: the coordinator’s includes the shadow hours, the county issuer’s leaves them out (shadowIncluded false)', async () => {
    const coordinator = await card(tree.wenlan, '2026-08', users.coordinator);
    expect(coordinator).toMatchObject({ ...figures(withShadow, augustCapacity()), inputs: { shadowIncluded: true } });
    expect(coordinator).toMatchObject({ reportedHours: 9, burdenHours: 9, hiddenHours: 7 });
    expect(coordinator.percentile).toMatchObject({ value: 100, among: 2 });
    expect(coordinator.yearBefore).toEqual({ period: '2025-08', burdenHours: 2, change: -3.5 });

    const issuer = await card(tree.wenlan, '2026-08', users.issuer);
    expect(issuer).toMatchObject({ ...figures(issuerView, augustCapacity()), inputs: { shadowIncluded: false } });
    expect(issuer).toMatchObject({ reportedHours: 3, burdenHours: 3, hiddenHours: 1 });
    expect(issuer.percentile).toMatchObject({ value: 0, among: 2 });
    expect(issuer.yearBefore).toEqual({ period: '2025-08', burdenHours: 0, change: null });
    // Only registered demands are counted, for both.
    expect(issuer.demands).toEqual(coordinator.demands);
    expect(issuer.demands).toEqual({ demands: 1, byKind: { ...NO_KINDS, report: 1 }, byTopic: { education: 1 }, distinctIssuers: 1 });
    // Nothing of the shadow demand appears anywhere in the issuer's answer.
    expect(JSON.stringify(issuer)).not.toMatch(/县某局|紧急报送|shadowMinutes|wechat/);

    // The township itself and an inspector see the shadow hours too.
    expect(await card(tree.wenlan, '2026-08', users.reporter)).toMatchObject({ burdenHours: 9, inputs: { shadowIncluded: true } });
    expect(await card(tree.wenlan, '2026-08', users.inspector)).toMatchObject({ burdenHours: 9, inputs: { shadowIncluded: true } });
  });

  it('the ranking: the issuer’s leaves the shadow hours out of figures, order and percentiles', async () => {
    const query = `/units?level=township&underId=${tree.mengzi.id}&period=2026-08`;
    const coordinator = (await get(query, users.coordinator).expect(200)).body;
    expect(coordinator.inputs.shadowIncluded).toBe(true);
    expect(coordinator.items.map((i: { unit: UnitView; burdenHours: number; hiddenHours: number; reportedHours: number; percentile: number }) => [i.unit.id, i.burdenHours, i.reportedHours, i.hiddenHours, i.percentile])).toEqual([
      [tree.wenlan.id, 9, 9, 7, 100],
      [tree.yuguopu.id, 5, 0, 0, 0],
    ]);
    const issuer = (await get(query, users.issuer).expect(200)).body;
    expect(issuer.inputs.shadowIncluded).toBe(false);
    expect(issuer.items).toEqual([
      expect.objectContaining({ unit: expect.objectContaining({ id: tree.yuguopu.id }), ...figures(yuguopuAugust, augustCapacity()), percentile: 100 }),
      expect.objectContaining({ unit: expect.objectContaining({ id: tree.wenlan.id }), ...figures(issuerView, augustCapacity()), percentile: 0 }),
    ]);
  });

  it('the series: the issuer’s months and quarters leave the shadow hours out, the year before included', async () => {
    const query = (granularity: string) => `/units/${tree.wenlan.id}/series?from=2025-08&to=2026-08&granularity=${granularity}`;
    const burdenByPeriod = (body: { items: { period: string; burdenHours: number }[] }) => Object.fromEntries(body.items.map((i) => [i.period, i.burdenHours]));
    const zeros = (periods: string[]) => Object.fromEntries(periods.map((p) => [p, 0]));
    const months = ['2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08'];

    const coordinator = (await get(query('month'), users.coordinator).expect(200)).body;
    expect(coordinator.shadowIncluded).toBe(true);
    expect(burdenByPeriod(coordinator)).toEqual({ ...zeros(months), '2025-08': 2, '2026-08': 9 });
    const issuer = (await get(query('month'), users.issuer).expect(200)).body;
    expect(issuer.shadowIncluded).toBe(false);
    expect(burdenByPeriod(issuer)).toEqual({ ...zeros(months), '2026-08': 3 });
    expect(issuer.items[issuer.items.length - 1]).toEqual({ period: '2026-08', workingDays: workingDaysInMonth('2026-08'), ...figures(issuerView, augustCapacity()) });

    const quarters = ['2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2', '2026-Q3'];
    expect(burdenByPeriod((await get(query('quarter'), users.coordinator).expect(200)).body)).toEqual({ ...zeros(quarters), '2025-Q3': 2, '2026-Q3': 9 });
    expect(burdenByPeriod((await get(query('quarter'), users.issuer).expect(200)).body)).toEqual({ ...zeros(quarters), '2026-Q3': 3 });
  });

  it('after an evaluation the shadow report’s HIDDEN_BURDEN counts in the coordinator’s flags, never in the issuer’s', async () => {
    const started = await t.http.post('/api/v1/flags/evaluate').set(bearer(users.coordinator)).send({ period: '2026-08' }).expect(202);
    const waitForJob = async (jobId: number) => {
      for (let i = 0; i < 600; i++) {
        const job = await t.http.get(`/api/v1/jobs/${jobId}`).set(bearer(users.coordinator)).expect(200);
        if (job.body.status === 'succeeded') return job.body as { status: string };
        if (job.body.status === 'failed') throw new Error(JSON.stringify(job.body.error));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`job ${jobId} did not end`);
    };
    await waitForJob(started.body.jobId);
    // The evaluation is followed by a rollup rebuild job; let it finish so the later writes do not race it.
    let followUp: { id: number } | undefined;
    for (let i = 0; i < 100 && !followUp; i++) {
      const jobs = await t.http.get('/api/v1/jobs?kind=metrics-recompute').set(bearer(users.coordinator)).expect(200);
      followUp = (jobs.body.items as { id: number }[]).find((j) => j.id > started.body.jobId);
      if (!followUp) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (followUp) await waitForJob(followUp.id);

    const flags = await t.http.get(`/api/v1/flags?unitId=${tree.wenlan.id}&pageSize=500`).set(bearer(users.coordinator)).expect(200);
    // Exactly one finding on 文澜: the shadow demand's (no registered demand). E1 at 1.5 × its estimate is below 2 ×.
    expect(flags.body.items.map((f: { rule: string; demandId: number | null; status: string }) => [f.rule, f.demandId, f.status])).toEqual([['HIDDEN_BURDEN', null, 'open']]);

    const coordinator = await card(tree.wenlan, '2026-08', users.coordinator);
    expect(coordinator.flags).toEqual({ ...NO_FLAGS, open: 1 });
    const issuer = await card(tree.wenlan, '2026-08', users.issuer);
    expect(issuer.flags).toEqual(NO_FLAGS);
    // HIDDEN_BURDEN is in no share, and the rebuilt rollups give the same figures as before.
    expect(coordinator).toMatchObject(figures(withShadow, augustCapacity()));
    expect(issuer).toMatchObject(figures(issuerView, augustCapacity()));
  });

  it('an amended report, an amended shadow report and an edited estimate show on the very next read', async () => {
    // 3 h → 4.25 h (255 min): hidden on E1 = 255 − 120 = 135.
    const amended = await t.http.post(`/api/v1/burden-reports/${registered.id}/amend`).set(bearer(users.reporter)).send({ hoursSpent: 4.25, version: registered.version }).expect(200);
    registered = { id: amended.body.id, version: amended.body.version };
    // coordinator: rep 255 + 360 = 615 (10.25 h), hidden 135 + 360 = 495 (8.25 h); issuer: 255 (4.25 h), hidden 135 (2.25 h).
    expect(await card(tree.wenlan, '2026-08', users.coordinator)).toMatchObject(figures({ est: 120, rep: 615, burden: 615, hidden: 495, occ: 1 }, augustCapacity()));
    expect(await card(tree.wenlan, '2026-08', users.issuer)).toMatchObject(figures({ est: 120, rep: 255, burden: 255, hidden: 135, occ: 1 }, augustCapacity()));

    // The shadow report 6 h → 7.5 h (450 min): the coordinator's figures move, the issuer's do not.
    const shadowAmended = await t.http.post(`/api/v1/burden-reports/${shadow.id}/amend`).set(bearer(users.reporter)).send({ hoursSpent: 7.5, version: shadow.version }).expect(200);
    shadow = { id: shadowAmended.body.id, version: shadowAmended.body.version };
    expect(await card(tree.wenlan, '2026-08', users.coordinator)).toMatchObject(figures({ est: 120, rep: 705, burden: 705, hidden: 585, occ: 1 }, augustCapacity()));
    expect(await card(tree.wenlan, '2026-08', users.issuer)).toMatchObject(figures({ est: 120, rep: 255, burden: 255, hidden: 135, occ: 1 }, augustCapacity()));

    // The issuer raises E1's estimate to 3 h (180 min): estimated moves, burden stays the report, hidden = 255 − 180 = 75.
    const edited = await t.http.patch(`/api/v1/demands/${e1.id}`).set(bearer(users.issuer)).send({ estimatedHoursPerTarget: 3, version: e1.version }).expect(200);
    e1 = { id: edited.body.id, version: edited.body.version };
    expect(await card(tree.wenlan, '2026-08', users.coordinator)).toMatchObject(figures({ est: 180, rep: 705, burden: 705, hidden: 525, occ: 1 }, augustCapacity()));
    expect(await card(tree.wenlan, '2026-08', users.issuer)).toMatchObject(figures({ est: 180, rep: 255, burden: 255, hidden: 75, occ: 1 }, augustCapacity()));
    // The ranking and the series read the same rollups.
    const ranking = (await get(`/units?level=township&underId=${tree.mengzi.id}&period=2026-08`, users.coordinator).expect(200)).body;
    expect(ranking.items.find((i: { unit: UnitView }) => i.unit.id === tree.wenlan.id).burdenHours).toBe(11.75);
    const series = (await get(`/units/${tree.wenlan.id}/series?from=2026-08&to=2026-08`, users.issuer).expect(200)).body;
    expect(series.items[0].burdenHours).toBe(4.25);
  });
});
