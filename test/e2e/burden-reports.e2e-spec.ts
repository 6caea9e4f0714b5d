import { DataSource } from 'typeorm';
import { IdempotencyRepository } from '@/common/idempotency/idempotency.repository';
import { todayInChina } from '@/common/time';
import { selectRows, toInt } from '@/database/dialect';
import { AuditService } from '@/modules/audit/audit.service';
import { workingDaysInMonth } from '@/modules/demands/calendar/working-days';
import { bearer, createUnit, createUser, standardTree, StandardTree, standardUsers, StandardUsers, UserRef } from '../factories';
import { registerDemand, reportBody, shadowBody } from '../factories/reports';
import { TestApp } from '../utils/test-app';

const BASE = '/api/v1/burden-reports';

/** The month after the current China month: always in the future. */
function nextMonth(): string {
  const [y, m] = todayInChina().split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

describe('burden reports (e2e)', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  let gejiuReporter: UserRef;
  let otherIssuer: UserRef;
  /** Lands on 文澜街道 on 2026-09-15. */
  let septemberDemand: number;
  /** Lands on 文澜社区 (the village) on 2026-09-15. */
  let villageDemand: number;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    gejiuReporter = await createUser(t, 'reporter', tree.gejiuTown);
    const emergency = await createUnit(t, '532503-YJJ', '蒙自市应急管理局', tree.mengzi, { kind: 'department', level: 'county' });
    otherIssuer = await createUser(t, 'issuer', emergency);
    septemberDemand = await registerDemand(t, users.issuer, tree);
    villageDemand = await registerDemand(t, users.issuer, tree, { targetUnitIds: [tree.village.id] });
  });
  afterAll(() => t.close());

  const post = (body: object, as: UserRef = users.reporter, path = BASE) => t.http.post(path).set(bearer(as)).send(body);
  const get = (path: string, as: UserRef) => t.http.get(path).set(bearer(as));
  const storedReports = async (where = '1 = 1', params: unknown[] = []) =>
    toInt((await selectRows<{ n: number | string }>(t.db, `SELECT COUNT(*) AS n FROM burden_reports WHERE ${where}`, params))[0].n);

  describe('filing a report on a registered demand', () => {
    let reportId: number;

    it('stores hours as whole minutes, answers hours with two decimals, and audits under the unit path', async () => {
      const res = await post(reportBody(septemberDemand, '2026-09', { hoursSpent: 3.25 })).expect(201);
      reportId = res.body.id;
      expect(res.body).toMatchObject({
        unitId: tree.wenlan.id,
        demandId: septemberDemand,
        month: '2026-09',
        shadow: null,
        hoursSpent: 3.25,
        overtimeHours: 0.5,
        staffInvolved: 2,
        pages: 4,
        photos: 2,
        source: 'report',
        version: 1,
      });
      const [row] = await selectRows<{ minutes_spent: number | string; overtime_minutes: number | string }>(t.db, 'SELECT minutes_spent, overtime_minutes FROM burden_reports WHERE id = ?', [reportId]);
      expect([toInt(row.minutes_spent), toInt(row.overtime_minutes)]).toEqual([195, 30]);
      const audit = await selectRows<{ action: string; unit_path: string }>(t.db, "SELECT action, unit_path FROM audit_log WHERE entity_type = 'burden_report' AND entity_id = ?", [String(reportId)]);
      expect(audit).toEqual([{ action: 'burden-report.create', unit_path: tree.wenlan.path }]);
    });

    it('answers a second report for the same unit, demand and month with 409 pointing to the report to amend', async () => {
      const res = await post(reportBody(septemberDemand, '2026-09', { hoursSpent: 1 })).expect(409);
      expect(res.body.message).toContain('amend it instead');
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'demandId', existingReportId: reportId, amend: `/api/v1/burden-reports/${reportId}/amend` })]);
      expect(await storedReports('unit_id = ? AND demand_id = ?', [tree.wenlan.id, septemberDemand])).toBe(1);
    });

    it('lets a township report for a village below it, but never a unit outside its subtree', async () => {
      const res = await post(reportBody(villageDemand, '2026-09', { unitId: tree.village.id })).expect(201);
      expect(res.body.unitId).toBe(tree.village.id);
      const upward = await post(reportBody(septemberDemand, '2026-09', { unitId: tree.wenlan.id }), users.villageReporter).expect(403);
      expect(upward.body.details).toEqual([expect.objectContaining({ field: 'unitId' })]);
      await post(reportBody(septemberDemand, '2026-09', { unitId: tree.wenlan.id }), gejiuReporter).expect(403);
      // A unit that does not exist answers exactly like one outside the subtree.
      const ghost = await post(reportBody(septemberDemand, '2026-09', { unitId: 999_999 })).expect(403);
      expect(ghost.body.message).toBe(upward.body.message.replace(String(tree.wenlan.id), '999999'));
    });

    it('is for reporters only', async () => {
      for (const who of [users.issuer, users.coordinator, users.inspector, users.admin]) await post(reportBody(septemberDemand, '2026-09'), who).expect(403);
    });
  });

  describe('plausibility: 422 naming the field', () => {
    const expect422 = async (body: object, field: string, as: UserRef = users.reporter) => {
      const res = await post(body, as).expect(422);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      return res;
    };

    it('a demand that does not target the unit, and an unknown demand, alike', async () => {
      const a = await expect422(reportBody(villageDemand, '2026-09'), 'demandId');
      const b = await expect422(reportBody(999_999, '2026-09'), 'demandId');
      expect(a.body.details[0].message).toMatch(/does not target/);
      expect(b.body.details[0].message).toMatch(/does not target/);
    });

    it('a month the demand does not land in, listing the months it does', async () => {
      const res = await expect422(reportBody(septemberDemand, '2026-08'), 'month');
      expect(res.body.details[0].months).toEqual(['2026-09']);
    });

    it('a month or a received-on day in the future (China calendar)', async () => {
      await expect422(reportBody(septemberDemand, nextMonth()), 'month');
      await expect422(shadowBody({}, { receivedOn: `${nextMonth()}-01` }), 'shadow.receivedOn');
    });

    it('negative figures, staff beyond the unit, hours beyond what the staff could work', async () => {
      // An occurrence not yet reported: for a reported one the 409 "amend it instead" comes first.
      const fresh = await registerDemand(t, users.issuer, tree, { title: '合理性' });
      await expect422(reportBody(fresh, '2026-09', { hoursSpent: -1 }), 'hoursSpent');
      await expect422(reportBody(fresh, '2026-09', { pages: -1 }), 'pages');
      await expect422(reportBody(fresh, '2026-09', { staffInvolved: 0 }), 'staffInvolved');
      // standardTree gives every unit 10 staff.
      await expect422(reportBody(fresh, '2026-09', { staffInvolved: 11 }), 'staffInvolved');
      const limit = 2 * workingDaysInMonth('2026-09') * 8 + 0.5;
      await expect422(reportBody(fresh, '2026-09', { hoursSpent: limit + 0.01 }), 'hoursSpent');
      await expect422(reportBody(fresh, '2026-09', { hoursSpent: 1, overtimeHours: 2 }), 'overtimeHours');
    });

    it('a registered and a shadow demand at once, or neither, or no month', async () => {
      await expect422({ ...reportBody(septemberDemand, '2026-09'), shadow: shadowBody().shadow }, 'shadow');
      await expect422({ hoursSpent: 1 }, 'demandId');
      await expect422({ demandId: septemberDemand, hoursSpent: 1 }, 'month');
    });

    it('what is not a number at all is a 400 from validation', async () => {
      const res = await post(reportBody(septemberDemand, '2026-09', { hoursSpent: 'many' })).expect(400);
      expect(res.body.details[0].field).toBe('hoursSpent');
      await post(reportBody(septemberDemand, '2026-09', { hoursSpent: 1.234 })).expect(400);
      await post(shadowBody({}, { channel: 'fax' })).expect(400);
    });

    it('stored nothing for any of them', async () => {
      expect(await storedReports('unit_id = ? AND demand_id = ?', [tree.wenlan.id, septemberDemand])).toBe(1);
      expect(await storedReports("note = '按通知要求整理材料' AND demand_id NOT IN (?, ?)", [septemberDemand, villageDemand])).toBe(0);
    });
  });

  describe('amendments keep the history', () => {
    let id: number;
    beforeAll(async () => {
      const demand = await registerDemand(t, users.issuer, tree, { title: '需修改的报表' });
      id = (await post(reportBody(demand, '2026-09', { hoursSpent: 2 })).expect(201)).body.id;
    });

    it('creates a new version; the old one stays in the history and the report shows the current', async () => {
      const res = await post({ version: 1, hoursSpent: 4.5, note: '补充了两张表' }, users.reporter, `${BASE}/${id}/amend`).expect(200);
      expect(res.body).toMatchObject({ id, version: 2, hoursSpent: 4.5, staffInvolved: 2, note: '补充了两张表' });
      expect(res.body.history.map((v: { version: number; change: string; hoursSpent: number }) => [v.version, v.change, v.hoursSpent])).toEqual([
        [1, 'create', 2],
        [2, 'amend', 4.5],
      ]);
      const got = await get(`${BASE}/${id}`, users.reporter).expect(200);
      expect(got.body).toMatchObject({ version: 2, hoursSpent: 4.5 });
      expect(got.body.history).toHaveLength(2);
      const audit = await selectRows<{ action: string }>(t.db, "SELECT action FROM audit_log WHERE entity_type = 'burden_report' AND entity_id = ? ORDER BY id", [String(id)]);
      expect(audit.map((a) => a.action)).toEqual(['burden-report.create', 'burden-report.amend']);
    });

    it('amending a version that is no longer current answers 409 naming version', async () => {
      const res = await post({ version: 1, hoursSpent: 5 }, users.reporter, `${BASE}/${id}/amend`).expect(409);
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'version', currentVersion: 2 })]);
    });

    it('applies the plausibility checks to the amended figures', async () => {
      await post({ version: 2, hoursSpent: -2 }, users.reporter, `${BASE}/${id}/amend`).expect(422);
    });

    it('only reporters of the unit or above amend; others cannot even find the report', async () => {
      await post({ version: 2, hoursSpent: 1 }, users.villageReporter, `${BASE}/${id}/amend`).expect(404);
      await post({ version: 2, hoursSpent: 1 }, gejiuReporter, `${BASE}/${id}/amend`).expect(404);
      await post({ version: 2, hoursSpent: 1 }, users.coordinator, `${BASE}/${id}/amend`).expect(403);
      await post({ version: 2, hoursSpent: 1 }, users.reporter, `${BASE}/999999/amend`).expect(404);
    });
  });

  describe('who sees a report', () => {
    let id: number;
    beforeAll(async () => {
      const demand = await registerDemand(t, users.issuer, tree, { title: '可见性' });
      id = (await post(reportBody(demand, '2026-09')).expect(201)).body.id;
    });

    it('its unit, the units above, and coordinators and inspectors of the jurisdiction', async () => {
      for (const who of [users.reporter, users.coordinator, users.inspector]) {
        const res = await get(`${BASE}/${id}`, who).expect(200);
        expect(res.body).toMatchObject({ id, note: '按通知要求整理材料', history: [expect.objectContaining({ version: 1 })] });
      }
    });

    it('404 for a guessed id outside: a lower unit, another county, an issuer that did not send the demand', async () => {
      for (const who of [users.villageReporter, gejiuReporter, users.gejiuCoordinator, users.gejiuInspector, otherIssuer]) await get(`${BASE}/${id}`, who).expect(404);
      await get(`${BASE}/${id}`, users.admin).expect(403);
    });

    it('the issuer of the demand sees the figures, without note or history', async () => {
      const res = await get(`${BASE}/${id}`, users.issuer).expect(200);
      expect(res.body).toMatchObject({ id, unitId: tree.wenlan.id, hoursSpent: 3.5 });
      for (const hidden of ['note', 'history', 'shadow', 'linkedAt', 'createdAt', 'version']) expect(res.body).not.toHaveProperty(hidden);
    });

    it('lists are scoped the same way, filter and page', async () => {
      const mine = await get(`${BASE}?pageSize=500`, users.reporter).expect(200);
      expect(mine.body.items.every((r: { unitId: number }) => [tree.wenlan.id, tree.village.id].includes(r.unitId))).toBe(true);
      expect(mine.body.total).toBe(mine.body.items.length);
      const village = await get(`${BASE}?pageSize=500`, users.villageReporter).expect(200);
      expect(village.body.items.map((r: { unitId: number }) => r.unitId)).toEqual([tree.village.id]);
      expect((await get(BASE, gejiuReporter).expect(200)).body.total).toBe(0);
      expect((await get(BASE, users.gejiuCoordinator).expect(200)).body.total).toBe(0);
      expect((await get(BASE, otherIssuer).expect(200)).body.total).toBe(0);
      const filtered = await get(`${BASE}?unitId=${tree.village.id}&month=2026-09`, users.coordinator).expect(200);
      expect(filtered.body).toMatchObject({ total: 1, items: [expect.objectContaining({ unitId: tree.village.id })] });
      const paged = await get(`${BASE}?page=2&pageSize=1`, users.coordinator).expect(200);
      expect(paged.body).toMatchObject({ page: 2, pageSize: 1, total: mine.body.total });
      expect((await get(`${BASE}?from=2026-10&to=2026-12`, users.coordinator).expect(200)).body.total).toBe(0);
      await get(`${BASE}?month=2026-13`, users.coordinator).expect(400);
      await get(BASE, users.admin).expect(403);
    });
  });

  describe('confirming many demands at their estimate', () => {
    let weekly: number;
    let monthly: number;
    beforeAll(async () => {
      // Weekly from 2026-10-05: 4 landings in October; estimate 0.5 h each.
      weekly = await registerDemand(t, users.issuer, tree, { issuedOn: '2026-10-01', dueOn: undefined, startsOn: '2026-10-05', recurrence: 'weekly', until: '2026-10-31', estimatedHoursPerTarget: 0.5 });
      monthly = await registerDemand(t, users.issuer, tree, { issuedOn: '2026-10-01', dueOn: '2026-10-20', estimatedHoursPerTarget: 1.25 });
    });

    it('rejects the whole request, naming each demand that does not reach the unit that month', async () => {
      const res = await post({ month: '2026-10', demandIds: [weekly, septemberDemand, villageDemand] }, users.reporter, `${BASE}/confirm`).expect(422);
      expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['demandIds[1]', 'demandIds[2]']);
      expect(await storedReports('demand_id = ?', [weekly])).toBe(0);
    });

    it('files one report per demand at estimate × occurrences', async () => {
      const res = await post({ unitId: tree.wenlan.id, month: '2026-10', demandIds: [weekly, monthly] }, users.reporter, `${BASE}/confirm`).expect(201);
      expect(res.body).toMatchObject({ unitId: tree.wenlan.id, month: '2026-10' });
      expect(res.body.items.map((r: { demandId: number; hoursSpent: number; source: string }) => [r.demandId, r.hoursSpent, r.source])).toEqual([
        [weekly, 2, 'confirm'],
        [monthly, 1.25, 'confirm'],
      ]);
      const audit = await selectRows(t.db, "SELECT id FROM audit_log WHERE action = 'burden-report.confirm'");
      expect(audit).toHaveLength(2);
    });

    it('answers 409 naming the demands already reported, storing nothing', async () => {
      const other = await registerDemand(t, users.issuer, tree, { issuedOn: '2026-10-01', dueOn: '2026-10-21' });
      const res = await post({ month: '2026-10', demandIds: [other, monthly] }, users.reporter, `${BASE}/confirm`).expect(409);
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'demandIds[1]', existingReportId: expect.any(Number) })]);
      expect(await storedReports('demand_id = ?', [other])).toBe(0);
    });

    it('validates the body and the month', async () => {
      await post({ month: '2026-10', demandIds: [weekly, weekly] }, users.reporter, `${BASE}/confirm`).expect(400);
      await post({ month: '2026-10', demandIds: [] }, users.reporter, `${BASE}/confirm`).expect(400);
      await post({ month: nextMonth(), demandIds: [weekly] }, users.reporter, `${BASE}/confirm`).expect(422);
      await post({ month: '2026-10', demandIds: [weekly], unitId: tree.gejiuTown.id }, users.reporter, `${BASE}/confirm`).expect(403);
    });
  });

  describe('shadow demands and the protection of those who report them (point 8)', () => {
    let shadowId: number;
    let linkTarget: number;

    beforeAll(async () => {
      linkTarget = await registerDemand(t, users.issuer, tree, { title: '后来补登记的事项', issuedOn: '2026-09-01', dueOn: '2026-09-05' });
      const res = await post(shadowBody()).expect(201);
      shadowId = res.body.id;
    });

    it('files a shadow report in the month it arrived, with the channel label', async () => {
      const res = await get(`${BASE}/${shadowId}`, users.coordinator).expect(200);
      expect(res.body).toMatchObject({
        demandId: null,
        month: '2026-09',
        hoursSpent: 6,
        shadow: { issuerName: '县某局', kind: 'report', channel: 'wechat_group', channelLabel: '微信群', receivedOn: '2026-09-03' },
      });
    });

    it('allows several shadow reports for the same unit and month', async () => {
      await post(shadowBody({ hoursSpent: 1 }, { title: '另一个电话通知', channel: 'phone' })).expect(201);
    });

    it('no issuer sees a shadow report, by id or in any list or filter', async () => {
      for (const issuer of [users.issuer, otherIssuer]) {
        await get(`${BASE}/${shadowId}`, issuer).expect(404);
        for (const query of ['', '?shadow=true', `?unitId=${tree.wenlan.id}`, '?month=2026-09', '?pageSize=500']) {
          const res = await get(`${BASE}${query}`, issuer).expect(200);
          expect(res.body.items.every((r: { demandId: number | null }) => r.demandId !== null)).toBe(true);
          expect(JSON.stringify(res.body)).not.toContain('县某局');
        }
      }
      expect((await get(`${BASE}?shadow=true`, users.issuer).expect(200)).body.total).toBe(0);
      expect((await get(`${BASE}?shadow=true`, users.coordinator).expect(200)).body.total).toBe(2);
    });

    it('only a coordinator of the jurisdiction links it; others get 403 or 404', async () => {
      await post({ demandId: linkTarget }, users.reporter, `${BASE}/${shadowId}/link`).expect(403);
      await post({ demandId: linkTarget }, users.issuer, `${BASE}/${shadowId}/link`).expect(403);
      await post({ demandId: linkTarget }, users.gejiuCoordinator, `${BASE}/${shadowId}/link`).expect(404);
      await post({ demandId: villageDemand }, users.coordinator, `${BASE}/${shadowId}/link`).expect(422);
      await post({ demandId: linkTarget, month: '2026-10' }, users.coordinator, `${BASE}/${shadowId}/link`).expect(422);
    });

    it('linking moves the report and its hours onto the registered demand, keeping the history', async () => {
      const res = await post({ demandId: linkTarget }, users.coordinator, `${BASE}/${shadowId}/link`).expect(200);
      expect(res.body).toMatchObject({ id: shadowId, demandId: linkTarget, month: '2026-09', hoursSpent: 6, version: 2, linkedAt: expect.any(String), shadow: expect.objectContaining({ channel: 'wechat_group' }) });
      expect(res.body.history.map((v: { change: string; demandId: number | null }) => [v.change, v.demandId])).toEqual([
        ['create', null],
        ['link', linkTarget],
      ]);
      const [row] = await selectRows<{ demand_id: number | string }>(t.db, 'SELECT demand_id FROM burden_reports WHERE id = ?', [shadowId]);
      expect(toInt(row.demand_id)).toBe(linkTarget);
      // A second POST for that demand and month is now a 409, like any reported occurrence.
      await post(reportBody(linkTarget, '2026-09')).expect(409);
    });

    it('the issuer then sees an ordinary report: no trace that it began as a shadow demand', async () => {
      const res = await get(`${BASE}/${shadowId}`, users.issuer).expect(200);
      expect(res.body).toMatchObject({ id: shadowId, demandId: linkTarget, hoursSpent: 6 });
      const text = JSON.stringify(res.body);
      for (const secret of ['县某局', 'wechat_group', '微信群', 'linkedAt', 'history', 'shadow']) expect(text).not.toContain(secret);
      const list = await get(`${BASE}?demandId=${linkTarget}`, users.issuer).expect(200);
      expect(list.body.total).toBe(1);
      expect(JSON.stringify(list.body)).not.toContain('县某局');
    });

    it('a report that is not a shadow one cannot be linked, nor linked twice', async () => {
      await post({ demandId: linkTarget }, users.coordinator, `${BASE}/${shadowId}/link`).expect(409);
    });

    it('linking onto an occurrence the unit already reported answers 409 pointing to that report', async () => {
      const other = (await post(shadowBody({ hoursSpent: 2 }, { title: '又一个' })).expect(201)).body.id;
      const res = await post({ demandId: linkTarget }, users.coordinator, `${BASE}/${other}/link`).expect(409);
      expect(res.body.details[0]).toMatchObject({ field: 'demandId', existingReportId: shadowId });
    });
  });

  describe('retries with an Idempotency-Key', () => {
    it('store one report and replay the same answer', async () => {
      const demand = await registerDemand(t, users.issuer, tree, { title: '重试' });
      const key = `report-retry-${Date.now()}`;
      const body = reportBody(demand, '2026-09');
      const first = await post(body, users.reporter).set('Idempotency-Key', key).expect(201);
      const again = await t.http.post(BASE).set(bearer(users.reporter)).set('Idempotency-Key', key).send(body).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(await storedReports('demand_id = ?', [demand])).toBe(1);
      // The same key with another body is refused rather than silently replayed.
      await t.http.post(BASE).set(bearer(users.reporter)).set('Idempotency-Key', key).send({ ...body, hoursSpent: 9 }).expect(409);
    });

    const keyed = (body: object, key: string, as: UserRef = users.reporter) => t.http.post(BASE).set(bearer(as)).set('Idempotency-Key', key).send(body);
    const keyRecord = async (key: string, as: UserRef = users.reporter) =>
      (await selectRows<{ state: string; status_code: number | string | null; response_json: string | null }>(
        t.db,
        'SELECT state, status_code, response_json FROM idempotency_keys WHERE user_id = ? AND idem_key = ?',
        [as.id, key],
      ))[0];

    it('store the answer in the one transaction that stores the report', async () => {
      const dataSource = t.app.get(DataSource);
      const transactions = jest.spyOn(dataSource, 'transaction');
      try {
        const key = `report-one-tx-${Date.now()}`;
        const res = await keyed(shadowBody({ note: 'one transaction' }), key).expect(201);
        expect(transactions).toHaveBeenCalledTimes(1);
        const record = await keyRecord(key);
        expect(record).toMatchObject({ state: 'done' });
        expect(toInt(record.status_code)).toBe(201);
        expect(JSON.parse(record.response_json!)).toEqual(res.body);
      } finally {
        transactions.mockRestore();
      }
    });

    it('replay the answer even when nothing could be written after the report committed (a crash right after COMMIT)', async () => {
      // Every idempotency write outside the report's own transaction fails, as if the process had
      // died the moment the report committed.
      const repo = IdempotencyRepository.prototype;
      const later = [jest.spyOn(repo, 'complete'), jest.spyOn(repo, 'remove')].map((spy) => spy.mockRejectedValue(new Error('the process is gone')));
      const key = `report-crash-${Date.now()}`;
      const body = reportBody(await registerDemand(t, users.issuer, tree, { title: '提交后崩溃' }), '2026-09');
      let first!: { body: unknown };
      try {
        first = await keyed(body, key).expect(201);
      } finally {
        later.forEach((spy) => spy.mockRestore());
      }
      const retry = await keyed(body, key).expect(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual(first.body);
      expect(await storedReports('demand_id = ?', [body.demandId])).toBe(1);
    });

    it('leave no trace of the key when the write fails, even if nothing could clean up after it', async () => {
      const key = `report-fails-${Date.now()}`;
      const note = `fails once ${key}`;
      const body = shadowBody({ note });
      const append = jest.spyOn(AuditService.prototype, 'append').mockRejectedValueOnce(new Error('the audit write failed'));
      const remove = jest.spyOn(IdempotencyRepository.prototype, 'remove').mockRejectedValue(new Error('the process is gone'));
      try {
        await keyed(body, key).expect(500);
      } finally {
        append.mockRestore();
        remove.mockRestore();
      }
      expect(await keyRecord(key)).toBeUndefined();
      expect(await storedReports('note = ?', [note])).toBe(0);
      // The key is free: the retry is executed (not a 409 "still being processed") and stores once.
      const retry = await keyed(body, key).expect(201);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
      expect(await storedReports('note = ?', [note])).toBe(1);
    });

    it('store one report for the same key sent many times at once; every copy gets its answer', async () => {
      const note = `at once ${Date.now()}`;
      for (const body of [shadowBody({ note }), reportBody(await registerDemand(t, users.issuer, tree, { title: '同时重发' }), '2026-09')]) {
        const key = `report-at-once-${Date.now()}-${'demandId' in body ? 'registered' : 'shadow'}`;
        const answers = await Promise.all(Array.from({ length: 6 }, () => keyed(body, key)));
        expect(answers.map((r) => r.status)).toEqual(Array(6).fill(201));
        const executed = answers.filter((r) => r.headers['idempotent-replayed'] === undefined);
        expect(executed).toHaveLength(1);
        for (const res of answers) expect(res.body).toEqual(executed[0].body);
        expect(await storedReports('id = ?', [executed[0].body.id])).toBe(1);
        if ('demandId' in body) expect(await storedReports('demand_id = ?', [body.demandId])).toBe(1);
        else expect(await storedReports('note = ?', [note])).toBe(1);
      }
    });
  });

  describe('the answer to a new report', () => {
    const withoutHistory = (body: Record<string, unknown>) => {
      const { history, ...rest } = body;
      expect(history).toHaveLength(1);
      return rest;
    };

    it('is the report exactly as GET shows it, registered or shadow, with or without the optional figures', async () => {
      const registered = reportBody(await registerDemand(t, users.issuer, tree, { title: '回读' }), '2026-09', { note: '备注（全角）', staffInvolved: 1 });
      const bare = { demandId: (await registerDemand(t, users.issuer, tree, { title: '回读二' })), month: '2026-09', hoursSpent: 0.1 };
      for (const body of [registered, bare, shadowBody(), shadowBody({ overtimeHours: 1.5, pages: 9, photos: 0 }, { channel: 'paper_notice' })]) {
        const created = await post(body).expect(201);
        const shown = await get(`${BASE}/${created.body.id}`, users.reporter).expect(200);
        expect(created.body).toEqual(withoutHistory(shown.body));
      }
    });

    it('of a confirm lists each report as GET shows it', async () => {
      const demand = await registerDemand(t, users.issuer, tree, { title: '确认回读' });
      const res = await post({ unitId: tree.wenlan.id, month: '2026-09', demandIds: [demand] }, users.reporter, `${BASE}/confirm`).expect(201);
      const shown = await get(`${BASE}/${res.body.items[0].id}`, users.reporter).expect(200);
      expect(res.body.items[0]).toEqual(withoutHistory(shown.body));
    });
  });
});
