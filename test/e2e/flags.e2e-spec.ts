import { execute, selectRows } from '@/database/dialect';
import { bearer, createUnit, createUser, standardTree, StandardTree, standardUsers, StandardUsers, UserRef } from '../factories';
import { demandBody } from '../factories/demands';
import { reportBody, shadowBody } from '../factories/reports';
import { TestApp } from '../utils/test-app';

interface OnceOnly {
  unitId: number;
  fields: { fieldKey: string; providedTo: { demandId: number; registrationNo: string; issuerName: string; landsOn: string }[] }[];
}

interface FlagItem {
  id: number;
  rule: string;
  status: string;
  demandId: number | null;
  unitId: number | null;
  issuerId: number | null;
  explanation: string;
  evidence: Record<string, unknown>;
  version: number;
  overdue: boolean;
  dueOn: string | null;
}

describe('flags: rules at write time, review workflow, evaluation (e2e)', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  let otherIssuer: UserRef;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    const office = await createUnit(t, '532503-YJJ', '蒙自市应急管理局', tree.mengzi, { kind: 'department', level: 'county' });
    otherIssuer = await createUser(t, 'issuer', office);
  });
  afterAll(() => t.close());

  const createDemand = async (body: Record<string, unknown>, as: UserRef = users.issuer): Promise<{ id: number; version: number }> => {
    const res = await t.http.post('/api/v1/demands').set(bearer(as)).send(body);
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: number; version: number };
  };
  const flagsOf = async (query: string, as: UserRef = users.coordinator): Promise<FlagItem[]> => {
    const res = await t.http.get(`/api/v1/flags?pageSize=500&${query}`).set(bearer(as));
    if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body.items as FlagItem[];
  };
  const move = (id: number, body: Record<string, unknown>, as: UserRef = users.coordinator) => t.http.post(`/api/v1/flags/${id}/transitions`).set(bearer(as)).send(body);
  const evaluate = async (period: string, as: UserRef = users.coordinator) => {
    const res = await t.http.post('/api/v1/flags/evaluate').set(bearer(as)).send({ period }).expect(202);
    for (let i = 0; i < 600; i++) {
      const job = await t.http.get(`/api/v1/jobs/${res.body.jobId}`).set(bearer(as)).expect(200);
      if (job.body.status === 'succeeded') {
        await followUpEnded(res.body.jobId as number);
        return job.body.result as { counts: Record<string, number>; byRule: Record<string, Record<string, number>> };
      }
      if (job.body.status === 'failed') throw new Error(JSON.stringify(job.body.error));
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('evaluation did not end');
  };

  /** An evaluation's effect ends with the rollup rebuild it starts: wait for that job too, so later tests see a quiet ledger. */
  const followUpEnded = async (evaluationJobId: number) => {
    for (let i = 0; i < 600; i++) {
      const later = await selectRows<{ kind: string; status: string }>(t.db, 'SELECT kind, status FROM jobs WHERE id > ? ORDER BY id', [evaluationJobId]);
      const followUp = later.find((j) => j.kind === 'metrics-recompute');
      if (followUp && !later.some((j) => j.status === 'queued' || j.status === 'running')) {
        if (followUp.status !== 'succeeded') throw new Error(`the rollup rebuild after evaluation ${evaluationJobId} ended ${followUp.status}`);
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no rollup rebuild ended after evaluation ${evaluationJobId}`);
  };

  describe('rules about one demand run in the request that writes it', () => {
    let demand: { id: number; version: number };

    it('a rushed report across the National Day holiday raises SHORT_DEADLINE at once, with the working days in evidence', async () => {
      demand = await createDemand(demandBody('report', tree, { title: '国庆前紧急报送学生资助数据', issuedOn: '2026-09-30', dueOn: '2026-10-09' }));
      const [flag] = await flagsOf(`demandId=${demand.id}`);
      expect(flag).toMatchObject({ rule: 'SHORT_DEADLINE', status: 'open', demandId: demand.id, issuerId: tree.education.id, unitId: null });
      expect(flag.explanation).toMatch(/工作日/);
      expect(JSON.stringify(flag.evidence)).toContain('2');
    });

    it('exactly 3 working days (a make-up Saturday) raises nothing', async () => {
      const ok = await createDemand(demandBody('report', tree, { title: '含调休日的报表', issuedOn: '2026-09-30', dueOn: '2026-10-10' }));
      expect(await flagsOf(`demandId=${ok.id}`)).toEqual([]);
    });

    it('an edit that removes the problem withdraws the open flag, with a system transition; an edit back reopens the same flag', async () => {
      const res = await t.http.patch(`/api/v1/demands/${demand.id}`).set(bearer(users.issuer)).send({ dueOn: '2026-10-20', version: demand.version }).expect(200);
      const [flag] = await flagsOf(`demandId=${demand.id}`);
      expect(flag).toMatchObject({ rule: 'SHORT_DEADLINE', status: 'withdrawn' });
      const detail = (await t.http.get(`/api/v1/flags/${flag.id}`).set(bearer(users.coordinator)).expect(200)).body;
      expect(detail.transitions).toEqual([expect.objectContaining({ from: 'open', to: 'withdrawn', actorId: null })]);
      await t.http.patch(`/api/v1/demands/${demand.id}`).set(bearer(users.issuer)).send({ dueOn: '2026-10-09', version: res.body.version }).expect(200);
      const [again] = await flagsOf(`demandId=${demand.id}`);
      expect(again).toMatchObject({ id: flag.id, status: 'open' });
    });

    it('a meeting of exactly 240 minutes is fine; 241 is MEETING_OVERLOAD', async () => {
      const fine = await createDemand(demandBody('meeting', tree, { durationMinutes: 240 }));
      const long = await createDemand(demandBody('meeting', tree, { durationMinutes: 241 }));
      expect(await flagsOf(`demandId=${fine.id}`)).toEqual([]);
      expect((await flagsOf(`demandId=${long.id}`)).map((f) => f.rule)).toEqual(['MEETING_OVERLOAD']);
    });

    it('an app task with clock-ins, and an inspection outside any approved plan, are flagged', async () => {
      const app = await createDemand(demandBody('other', tree));
      expect((await flagsOf(`demandId=${app.id}`)).map((f) => f.rule)).toEqual(['DIGITAL_FORMALISM']);
      const inspection = await createDemand(demandBody('inspection', tree));
      expect((await flagsOf(`demandId=${inspection.id}`)).map((f) => f.rule)).toEqual(['UNPLANNED_INSPECTION']);
    });

    it('a topic on the villages’ negative list raises OUT_OF_SCOPE on each village target, not on a township', async () => {
      await t.http.post('/api/v1/duty-items').set(bearer(users.admin)).send({ level: 'village', topic: 'statistics', category: 'negative', title: '统计调查报表' }).expect(201);
      const toVillages = await createDemand(demandBody('report', tree, { topic: 'statistics', targetUnitIds: [], targetScopes: [{ underId: tree.mengzi.id, level: 'village' }] }));
      expect((await flagsOf(`demandId=${toVillages.id}`)).map((f) => [f.rule, f.unitId])).toEqual([['OUT_OF_SCOPE', tree.village.id]]);
      const toTownship = await createDemand(demandBody('report', tree, { topic: 'statistics' }));
      expect(await flagsOf(`demandId=${toTownship.id}`)).toEqual([]);
    });

    it('cancelling a demand withdraws its open findings', async () => {
      const long = await createDemand(demandBody('document', tree, { charCount: 6000 }));
      expect((await flagsOf(`demandId=${long.id}`)).map((f) => [f.rule, f.status])).toEqual([['DOCUMENT_TOO_LONG', 'open']]);
      await t.http.post(`/api/v1/demands/${long.id}/cancel`).set(bearer(users.issuer)).send({ cancelledOn: '2026-09-02', reason: '撤回重发' }).expect(200);
      expect((await flagsOf(`demandId=${long.id}`)).map((f) => f.status)).toEqual(['withdrawn']);
    });
  });

  describe('who reads flags', () => {
    let flagId: number;
    beforeAll(async () => {
      const d = await createDemand(demandBody('document', tree, { title: '长文件', charCount: 8000 }));
      flagId = (await flagsOf(`demandId=${d.id}`))[0].id;
    });

    it('coordinators and inspectors of the jurisdiction and the issuing office read it; another county does not', async () => {
      for (const who of [users.coordinator, users.inspector, users.issuer]) await t.http.get(`/api/v1/flags/${flagId}`).set(bearer(who)).expect(200);
      for (const who of [users.gejiuCoordinator, users.gejiuInspector, otherIssuer]) await t.http.get(`/api/v1/flags/${flagId}`).set(bearer(who)).expect(404);
      expect((await flagsOf('', users.gejiuCoordinator)).length).toBe(0);
      expect((await flagsOf('', otherIssuer)).length).toBe(0);
    });

    it('reporters and admin are refused; no token is 401', async () => {
      for (const who of [users.reporter, users.admin]) await t.http.get('/api/v1/flags').set(bearer(who)).expect(403);
      await t.http.get('/api/v1/flags').expect(401);
    });

    it('filters are validated: unknown rule, bad date, unknown field', async () => {
      expect((await t.http.get('/api/v1/flags?rule=NOPE').set(bearer(users.coordinator)).expect(400)).body.message).toMatch(/rule/);
      expect((await t.http.get('/api/v1/flags?from=2026-13-01').set(bearer(users.coordinator)).expect(400)).body.message).toMatch(/from/);
      await t.http.get('/api/v1/flags?colour=red').set(bearer(users.coordinator)).expect(400);
    });
  });

  describe('the review workflow', () => {
    let flag: FlagItem;
    beforeAll(async () => {
      const d = await createDemand(demandBody('report', tree, { title: '每日报送安全巡查', recurrence: 'daily', until: '2026-09-30' }));
      [flag] = await flagsOf(`demandId=${d.id}`);
      expect(flag.rule).toBe('FREQUENT_REPORT');
    });

    it('runs open → under_review → confirmed → rectifying → rectified → verified, every step audited', async () => {
      let res = await move(flag.id, { to: 'under_review', version: flag.version }).expect(200);
      res = await move(flag.id, { to: 'confirmed', comment: '经核实，属随意日报', version: res.body.version }).expect(200);
      res = await move(flag.id, { to: 'rectifying', comment: '限期整改为月报', dueOn: '2099-12-31', assigneeId: users.issuer.id, version: res.body.version }).expect(200);
      expect(res.body).toMatchObject({ status: 'rectifying', dueOn: '2099-12-31', assigneeId: users.issuer.id, overdue: false });
      // Only the issuing office reports its rectification.
      await move(flag.id, { to: 'rectified', comment: '已改', version: res.body.version }).expect(403);
      res = await move(flag.id, { to: 'rectified', comment: '已改为每月报送一次', version: res.body.version }, users.issuer).expect(200);
      // Verification fails once, then holds.
      res = await move(flag.id, { to: 'rectifying', comment: '仍在微信群催报', version: res.body.version }).expect(200);
      res = await move(flag.id, { to: 'rectified', comment: '已停止催报', version: res.body.version }, users.issuer).expect(200);
      res = await move(flag.id, { to: 'verified', version: res.body.version }).expect(200);
      expect(res.body.transitions.map((x: { to: string }) => x.to)).toEqual(['under_review', 'confirmed', 'rectifying', 'rectified', 'rectifying', 'rectified', 'verified']);
      const audit = await selectRows<{ n: number | string }>(t.db, "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'flag.transition' AND entity_id = ?", [String(flag.id)]);
      expect(Number(audit[0].n)).toBe(7);
    });

    it('a wrong transition answers 409 with the current state; a stale version 409; missing comment or due date 422', async () => {
      const d = await createDemand(demandBody('report', tree, { title: '每周报送', recurrence: 'weekly', until: '2026-10-30' }));
      const [f] = await flagsOf(`demandId=${d.id}`);
      const wrong = await move(f.id, { to: 'confirmed', comment: 'x', version: f.version }).expect(409);
      expect(wrong.body.details).toMatchObject({ currentStatus: 'open', allowed: ['under_review', 'withdrawn'] });
      const reviewed = await move(f.id, { to: 'under_review', version: f.version }).expect(200);
      const stale = await move(f.id, { to: 'confirmed', comment: '属实', version: f.version }).expect(409);
      expect(stale.body.details).toMatchObject({ version: reviewed.body.version });
      expect((await move(f.id, { to: 'confirmed', version: reviewed.body.version }).expect(422)).body.details[0].field).toBe('comment');
      const confirmed = await move(f.id, { to: 'confirmed', comment: '属实', version: reviewed.body.version }).expect(200);
      expect((await move(f.id, { to: 'rectifying', comment: '整改', version: confirmed.body.version }).expect(422)).body.details[0].field).toBe('dueOn');
      await move(f.id, { to: 'withdrawn', comment: '想撤回', version: confirmed.body.version }).expect(409);
      // Unknown fields and a bad target state are rejected before anything happens.
      await move(f.id, { to: 'rectifying', comment: '整改', dueOn: '2099-01-01', version: confirmed.body.version, status: 'verified' }).expect(400);
      await move(f.id, { to: 'done', version: confirmed.body.version }).expect(400);
    });

    it('inspectors only read; another county’s coordinator cannot move it (404)', async () => {
      const d = await createDemand(demandBody('document', tree, { title: '另一长文件', charCount: 9000 }));
      const [f] = await flagsOf(`demandId=${d.id}`);
      await move(f.id, { to: 'under_review', version: f.version }, users.inspector).expect(403);
      await move(f.id, { to: 'under_review', version: f.version }, users.gejiuCoordinator).expect(404);
      await move(f.id, { to: 'under_review', version: f.version }, users.issuer).expect(403);
    });

    it('a confirmed finding stays when the demand is edited so that it no longer holds', async () => {
      const d = await createDemand(demandBody('report', tree, { title: '周报再测', recurrence: 'weekly', until: '2026-10-30' }));
      const [f] = await flagsOf(`demandId=${d.id}`);
      const r1 = await move(f.id, { to: 'under_review', version: f.version }).expect(200);
      await move(f.id, { to: 'confirmed', comment: '属实', version: r1.body.version }).expect(200);
      await t.http.patch(`/api/v1/demands/${d.id}`).set(bearer(users.issuer)).send({ recurrence: 'monthly', until: '2026-12-31', version: d.version }).expect(200);
      expect((await flagsOf(`demandId=${d.id}`)).map((x) => x.status)).toEqual(['confirmed']);
    });

    it('overdue lists rectifications past their due date', async () => {
      const d = await createDemand(demandBody('document', tree, { title: '逾期整改文件', charCount: 7000 }));
      const [f] = await flagsOf(`demandId=${d.id}`);
      let res = await move(f.id, { to: 'under_review', version: f.version }).expect(200);
      res = await move(f.id, { to: 'confirmed', comment: '属实', version: res.body.version }).expect(200);
      await move(f.id, { to: 'rectifying', comment: '整改', dueOn: '2099-01-01', version: res.body.version }).expect(200);
      expect((await flagsOf('overdue=true')).map((x) => x.id)).not.toContain(f.id);
      await execute(t.db, 'UPDATE flags SET due_on = ? WHERE id = ?', ['2026-01-05', f.id]);
      const overdue = await flagsOf('overdue=true');
      expect(overdue.map((x) => x.id)).toContain(f.id);
      expect(overdue.every((x) => x.overdue && x.status === 'rectifying')).toBe(true);
    });
  });

  describe('concurrency (issue 10 point 4)', () => {
    let prefectureCoordinator: UserRef;
    beforeAll(async () => {
      prefectureCoordinator = await createUser(t, 'coordinator', tree.honghe);
    });

    /** Everything one transition writes: the flag's state and version, its transition rows and its audit entries. */
    const footprint = async (flagId: number) => ({
      flag: (await selectRows<{ status: string; row_version: number | string }>(t.db, 'SELECT status, row_version FROM flags WHERE id = ?', [flagId])).map((r) => ({
        status: r.status,
        version: Number(r.row_version),
      }))[0],
      transitions: (await selectRows<{ to_status: string }>(t.db, 'SELECT to_status FROM flag_transitions WHERE flag_id = ? AND actor_id IS NOT NULL ORDER BY id', [flagId])).map((r) => r.to_status),
      audit: Number((await selectRows<{ n: number | string }>(t.db, "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'flag.transition' AND entity_id = ?", [String(flagId)]))[0].n),
    });

    it('two coordinators moving the same flag at once: exactly one wins, the other gets 409, nothing is written twice', async () => {
      for (let i = 0; i < 5; i++) {
        const d = await createDemand(demandBody('report', tree, { title: `并发复核${i}`, recurrence: 'daily', until: '2026-09-30' }));
        const [f] = await flagsOf(`demandId=${d.id}`);
        const answers = await Promise.all([
          move(f.id, { to: 'under_review', version: f.version }),
          move(f.id, { to: 'under_review', version: f.version }, prefectureCoordinator),
        ]);
        expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
        const winner = answers.find((r) => r.status === 200)!;
        expect(answers.find((r) => r.status === 409)!.body.details).toMatchObject({ version: winner.body.version });
        expect(await footprint(f.id)).toEqual({ flag: { status: 'under_review', version: f.version + 1 }, transitions: ['under_review'], audit: 1 });
      }
    });

    it('confirm and dismiss racing on one flag: one decision stands, with its own transition and audit entry only', async () => {
      for (let i = 0; i < 3; i++) {
        const d = await createDemand(demandBody('report', tree, { title: `并发裁定${i}`, recurrence: 'daily', until: '2026-09-30' }));
        const [f] = await flagsOf(`demandId=${d.id}`);
        const reviewed = await move(f.id, { to: 'under_review', version: f.version }).expect(200);
        const [confirm, dismiss] = await Promise.all([
          move(f.id, { to: 'confirmed', comment: '属实', version: reviewed.body.version }),
          move(f.id, { to: 'dismissed', comment: '不属实', version: reviewed.body.version }, prefectureCoordinator),
        ]);
        expect([confirm.status, dismiss.status].sort()).toEqual([200, 409]);
        const stands = confirm.status === 200 ? 'confirmed' : 'dismissed';
        expect((confirm.status === 409 ? confirm : dismiss).body.details).toMatchObject({ currentStatus: stands, version: reviewed.body.version + 1 });
        expect(await footprint(f.id)).toEqual({ flag: { status: stands, version: reviewed.body.version + 1 }, transitions: ['under_review', stands], audit: 2 });
      }
    });
  });

  describe('objections become OBJECTION flags', () => {
    it('opens a flag on the objecting unit; the issuer reads it without learning which unit objected', async () => {
      const d = await createDemand(demandBody('report', tree, { title: '要求街道填报教师家访记录' }));
      await t.http.post(`/api/v1/demands/${d.id}/objections`).set(bearer(users.reporter)).send({ reason: '不属于街道职责' }).expect(201);
      const [flag] = await flagsOf(`demandId=${d.id}&rule=OBJECTION`);
      expect(flag).toMatchObject({ rule: 'OBJECTION', status: 'open', unitId: tree.wenlan.id, issuerId: tree.education.id });
      expect(flag.explanation).toContain('不属于街道职责');
      const [seen] = await flagsOf(`demandId=${d.id}&rule=OBJECTION`, users.issuer);
      expect(seen).toMatchObject({ id: flag.id, unitId: null });
      const detail = (await t.http.get(`/api/v1/flags/${flag.id}`).set(bearer(users.issuer)).expect(200)).body;
      expect(JSON.stringify(detail)).not.toContain('文澜街道');
    });
  });

  describe('evaluation and budgets', () => {
    // Each evaluation starts a worker thread (about a second from the TypeScript sources).
    jest.setTimeout(60_000);
    it('duplicate report fields to the same township raise DUPLICATE_DATA_REQUEST on the later demand; re-running changes nothing', async () => {
      const first = await createDemand(demandBody('report', tree, { title: '学生人数统计', issuedOn: '2026-03-02', dueOn: '2026-03-20', fields: ['在校学生数', '教师总数'] }));
      const later = await createDemand(
        demandBody('report', tree, { title: '学生情况再统计', issuedOn: '2026-04-01', dueOn: '2026-04-20', fields: ['在校学生（人）', '教师数'] }),
        otherIssuer,
      );
      const result = await evaluate('2026');
      expect(result.counts.raised).toBeGreaterThan(0);
      const [dup] = await flagsOf(`rule=DUPLICATE_DATA_REQUEST&demandId=${later.id}`);
      expect(dup).toMatchObject({ status: 'open', unitId: tree.wenlan.id });
      expect(JSON.stringify(dup.evidence)).toContain(String(first.id));
      expect(await flagsOf(`rule=DUPLICATE_DATA_REQUEST&demandId=${first.id}`)).toEqual([]);
      // The explanation is stored as the evidence alone and rendered when read, naming both demands by title.
      const [stored] = await selectRows<{ explanation: string }>(t.db, 'SELECT explanation FROM flags WHERE id = ?', [dup.id]);
      expect(stored.explanation).toBe('');
      expect(dup.explanation).toContain('「学生情况再统计」于 2026-04-20 向本单位索要的 2 个字段中，有 2 个（100%）');
      expect(dup.explanation).toContain('由「学生人数统计」索要过');
      const one = await t.http.get(`/api/v1/flags/${dup.id}`).set(bearer(users.coordinator)).expect(200);
      expect(one.body.explanation).toBe(dup.explanation);
      const csv = await t.http.get(`/api/v1/flags?rule=DUPLICATE_DATA_REQUEST&demandId=${later.id}&format=csv`).set(bearer(users.coordinator)).expect(200);
      expect(csv.text).toContain('「学生情况再统计」于 2026-04-20');
      const before = await selectRows<{ id: number; status: string; row_version: number }>(t.db, 'SELECT id, status, row_version FROM flags ORDER BY id');
      const again = await evaluate('2026');
      expect(again.counts).toMatchObject({ raised: 0, reopened: 0, withdrawn: 0, refreshed: 0 });
      expect(await selectRows(t.db, 'SELECT id, status, row_version FROM flags ORDER BY id')).toEqual(before);
      // A flag an older evaluation stored with its text keeps it, and is not rewritten for that alone.
      await execute(t.db, 'UPDATE flags SET explanation = ? WHERE id = ?', ['早先存下的说明', dup.id]);
      expect((await evaluate('2026')).counts).toMatchObject({ raised: 0, refreshed: 0 });
      expect(await selectRows(t.db, 'SELECT id, status, row_version FROM flags ORDER BY id')).toEqual(before);
      expect((await t.http.get(`/api/v1/flags/${dup.id}`).set(bearer(users.coordinator)).expect(200)).body.explanation).toBe('早先存下的说明');
    });

    it('a duplicate that no longer holds after an edit is withdrawn by the next evaluation; a confirmed one would stay', async () => {
      await createDemand(demandBody('report', tree, { title: '农田面积', issuedOn: '2026-07-01', dueOn: '2026-07-20', fields: ['耕地面积', '林地面积'] }));
      const later = await createDemand(demandBody('report', tree, { title: '农田面积再报', issuedOn: '2026-07-22', dueOn: '2026-08-10', fields: ['耕地面积', '林地面积'] }), otherIssuer);
      await evaluate('2026-07');
      await evaluate('2026-08');
      const [dup] = await flagsOf(`rule=DUPLICATE_DATA_REQUEST&demandId=${later.id}`);
      expect(dup).toMatchObject({ status: 'open', unitId: tree.wenlan.id });
      await t.http.patch(`/api/v1/demands/${later.id}`).set(bearer(otherIssuer)).send({ fields: ['水库数量', '河道长度'], version: later.version }).expect(200);
      expect((await flagsOf(`rule=DUPLICATE_DATA_REQUEST&demandId=${later.id}`))[0].status).toBe('open');
      const result = await evaluate('2026-08');
      expect(result.byRule.DUPLICATE_DATA_REQUEST).toMatchObject({ withdrawn: 1 });
      expect((await flagsOf(`rule=DUPLICATE_DATA_REQUEST&demandId=${later.id}`))[0]).toMatchObject({ id: dup.id, status: 'withdrawn' });
    });

    it('hours reported at twice the estimate raise HIDDEN_BURDEN for that unit and month', async () => {
      const d = await createDemand(demandBody('report', tree, { title: '耗时远超估算的报表', issuedOn: '2026-05-04', dueOn: '2026-05-20', estimatedHoursPerTarget: 2 }));
      await t.http.post('/api/v1/burden-reports').set(bearer(users.reporter)).send(reportBody(d.id, '2026-05', { hoursSpent: 4 })).expect(201);
      await evaluate('2026-05');
      const [flag] = await flagsOf(`rule=HIDDEN_BURDEN&demandId=${d.id}`);
      expect(flag).toMatchObject({ unitId: tree.wenlan.id, status: 'open' });
    });

    it('a shadow demand is hidden burden when evaluated; no issuer reads it; linking it withdraws the flag in the same request', async () => {
      const shadow = await t.http.post('/api/v1/burden-reports').set(bearer(users.reporter)).send(shadowBody({}, { receivedOn: '2026-09-03' })).expect(201);
      await evaluate('2026-09');
      const [flag] = await flagsOf(`rule=HIDDEN_BURDEN&unitId=${tree.wenlan.id}&from=2026-09-01&to=2026-09-30`);
      expect(flag).toMatchObject({ demandId: null, issuerId: null, unitId: tree.wenlan.id, status: 'open' });
      expect(JSON.stringify(flag)).not.toContain(users.reporter.username);
      for (const who of [users.issuer, otherIssuer]) expect((await flagsOf('rule=HIDDEN_BURDEN', who)).map((f) => f.id)).not.toContain(flag.id);
      const target = await createDemand(demandBody('report', tree, { title: '辖区企业名单', issuedOn: '2026-09-01', dueOn: '2026-09-10' }));
      await t.http.post(`/api/v1/burden-reports/${shadow.body.id}/link`).set(bearer(users.coordinator)).send({ demandId: target.id }).expect(200);
      const after = (await t.http.get(`/api/v1/flags/${flag.id}`).set(bearer(users.coordinator)).expect(200)).body;
      expect(after.status).toBe('withdrawn');
      expect(after.transitions.at(-1)).toMatchObject({ from: 'open', to: 'withdrawn', actorId: null });
      // The next evaluation does not raise it again.
      await evaluate('2026-09');
      expect((await t.http.get(`/api/v1/flags/${flag.id}`).set(bearer(users.coordinator)).expect(200)).body.status).toBe('withdrawn');
    });

    it('coordinators set a budget; an issuer over it gets ISSUER_BUDGET; none set, no flag', async () => {
      await t.http.put(`/api/v1/issuer-budgets/${tree.education.id}/2026`).set(bearer(users.issuer)).send({ hours: 1 }).expect(403);
      await t.http.put(`/api/v1/issuer-budgets/${tree.education.id}/2026`).set(bearer(users.gejiuCoordinator)).send({ hours: 1 }).expect(404);
      await t.http.put(`/api/v1/issuer-budgets/${tree.education.id}/2026`).set(bearer(users.coordinator)).send({ hours: -1 }).expect(400);
      await t.http.put(`/api/v1/issuer-budgets/${tree.education.id}/2026`).set(bearer(users.coordinator)).send({ hours: 1, extra: 1 }).expect(400);
      const set = await t.http.put(`/api/v1/issuer-budgets/${tree.education.id}/2026`).set(bearer(users.coordinator)).send({ hours: 1 }).expect(200);
      expect(set.body).toMatchObject({ issuerId: tree.education.id, year: 2026, budgetHours: 1 });
      expect(set.body.imposedHours).toBeGreaterThan(1);
      const own = await t.http.get(`/api/v1/issuer-budgets/${tree.education.id}/2026`).set(bearer(users.issuer)).expect(200);
      expect(own.body.remainingHours).toBeLessThan(0);
      await t.http.get(`/api/v1/issuer-budgets/${tree.education.id}/2026`).set(bearer(otherIssuer)).expect(404);
      await evaluate('2026');
      expect((await flagsOf('rule=ISSUER_BUDGET')).map((f) => f.issuerId)).toEqual([tree.education.id]);
    });

    it('only coordinators and admin evaluate; a bad period is 400 naming it', async () => {
      await t.http.post('/api/v1/flags/evaluate').set(bearer(users.issuer)).send({ period: '2026' }).expect(403);
      await t.http.post('/api/v1/flags/evaluate').set(bearer(users.reporter)).send({ period: '2026' }).expect(403);
      const bad = await t.http.post('/api/v1/flags/evaluate').set(bearer(users.coordinator)).send({ period: '2026-13' }).expect(400);
      expect(bad.body.message).toMatch(/period/);
    });
  });

  describe('preview before sending (POST /demands/preview)', () => {
    const preview = (body: Record<string, unknown>, as: UserRef = users.issuer) => t.http.post('/api/v1/demands/preview').set(bearer(as)).send(body);
    const counts = async () => ({
      demands: Number((await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM demands'))[0].n),
      flags: Number((await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM flags'))[0].n),
      audit: Number((await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM audit_log'))[0].n),
      counters: await selectRows(t.db, 'SELECT prefix, year, last_seq FROM registration_counters ORDER BY prefix, year'),
    });

    it('answers the flags it would raise, what the target already gave and to whom, and the budget left — writing nothing', async () => {
      const earlier = await createDemand(demandBody('report', tree, { title: '辖区学校基本情况', issuedOn: '2026-06-01', dueOn: '2026-06-19', fields: ['学校数', '在校学生数', '教师总数'] }));
      const before = await counts();
      const imposed = (await t.http.get(`/api/v1/issuer-budgets/${otherIssuer.orgUnitId}/2026`).set(bearer(otherIssuer)).expect(200)).body.imposedHours as number;
      const body = demandBody('report', tree, { title: '学校情况再报', issuedOn: '2026-06-29', dueOn: '2026-06-30', fields: ['学校数量', '在校学生（人）', '校舍面积'] });
      const res = await preview(body, otherIssuer).expect(200);
      expect(await counts()).toEqual(before);
      const rules = (res.body.flags as { rule: string; unitId: number | null }[]).map((f) => `${f.rule}:${f.unitId ?? '-'}`).sort();
      expect(rules).toEqual(['DUPLICATE_DATA_REQUEST:' + tree.wenlan.id, 'SHORT_DEADLINE:-']);
      const duplicate = (res.body.flags as { rule: string; explanation: string }[]).find((f) => f.rule === 'DUPLICATE_DATA_REQUEST');
      expect(duplicate?.explanation).toContain('「学校情况再报」于 2026-06-30');
      expect(duplicate?.explanation).toContain('「辖区学校基本情况」索要过');
      const [unit] = res.body.onceOnly as OnceOnly[];
      expect(unit).toMatchObject({ unitId: tree.wenlan.id });
      const given = unit.fields.find((f) => f.providedTo.some((p) => p.demandId === earlier.id));
      expect(given).toBeDefined();
      expect(given!.providedTo[0]).toMatchObject({ demandId: earlier.id, issuerName: '蒙自市教育局', landsOn: '2026-06-19', registrationNo: expect.stringMatching(/^532503-2026-/) });
      expect(res.body).toMatchObject({ writesNothing: true, unitsChecked: 1, estimate: { targetCount: 1, occurrences: 1, estimateSource: 'policy' } });
      // No budget set for this office: the hours it imposes, this demand included, and nothing to compare them with.
      expect(res.body.budget).toMatchObject({ budgetHours: null, remainingHours: null });
      expect(res.body.budget.imposedHours).toBeCloseTo(imposed + res.body.estimate.totalHours, 2);
    });

    it('counts the demand against the issuer’s budget, and registering it afterwards raises what the preview said', async () => {
      const body = demandBody('document', tree, { title: '超长通知', charCount: 12000 });
      const res = await preview(body).expect(200);
      expect(res.body.budget).toMatchObject({ issuerId: tree.education.id, year: 2026, budgetHours: 1 });
      const own = (await t.http.get(`/api/v1/issuer-budgets/${tree.education.id}/2026`).set(bearer(users.issuer)).expect(200)).body;
      // Each figure is rounded to two decimals on its own: they agree within a cent of an hour per rounding.
      expect(Math.abs(res.body.budget.imposedHours - (own.imposedHours + res.body.estimate.totalHours))).toBeLessThanOrEqual(0.02);
      const created = await createDemand(body);
      expect((await flagsOf(`demandId=${created.id}`)).map((f) => f.rule)).toEqual((res.body.flags as { rule: string }[]).map((f) => f.rule));
    });

    it('never shows an issuer a shadow-demand report of its targets (issue 4 point 8)', async () => {
      await t.http
        .post('/api/v1/burden-reports')
        .set(bearer(users.reporter))
        .send(shadowBody({}, { issuerName: '某局私下微信群', title: '私下索要的在校学生名单', receivedOn: '2026-06-10' }))
        .expect(201);
      const res = await preview(demandBody('report', tree, { title: '在校学生名单', issuedOn: '2026-06-20', dueOn: '2026-06-30', fields: ['在校学生数'] })).expect(200);
      const body = JSON.stringify(res.body);
      expect(body).not.toContain('某局私下微信群');
      expect(body).not.toContain('私下索要的在校学生名单');
    });

    it('is safe to retry with an Idempotency-Key, and still writes nothing', async () => {
      const body = demandBody('meeting', tree, { title: '重试预览', durationMinutes: 300 });
      const first = await t.http.post('/api/v1/demands/preview').set(bearer(users.issuer)).set('Idempotency-Key', 'preview-retry-1').send(body).expect(200);
      const demands = (await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM demands'))[0].n;
      const again = await t.http.post('/api/v1/demands/preview').set(bearer(users.issuer)).set('Idempotency-Key', 'preview-retry-1').send(body).expect(200);
      expect(again.body).toEqual(first.body);
      expect((first.body.flags as { rule: string }[]).map((f) => f.rule)).toEqual(['MEETING_OVERLOAD']);
      expect((await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM demands'))[0].n).toEqual(demands);
    });

    it('refuses what registering refuses, and every role but issuer', async () => {
      await preview(demandBody('report', tree, { targetUnitIds: [tree.gejiuTown.id] })).expect(403);
      expect((await preview(demandBody('report', tree, { fields: [] })).expect(400)).body.message).toMatch(/fields/);
      expect((await preview(demandBody('meeting', tree, { durationMinutes: undefined })).expect(422)).body.details[0].field).toBe('durationMinutes');
      await preview({ ...demandBody('report', tree), colour: 'red' }).expect(400);
      for (const who of [users.reporter, users.coordinator, users.inspector, users.admin]) await preview(demandBody('report', tree), who).expect(403);
    });
  });
});
