import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bearer, createUnit, createUser, standardTree, StandardTree, standardUsers, StandardUsers, UserRef } from '../factories';
import { demandBody } from '../factories/demands';
import { reportBody, shadowBody } from '../factories/reports';
import type { TestApp } from '../utils/test-app';

export const API = '/api/v1';

/** A valid request of one route, by a caller the route allows, so that a malformed variant of it reaches validation. */
export interface ValidRequest {
  as: UserRef;
  /** Path under /api/v1, without the query. */
  path: string;
  body?: Record<string, unknown>;
  query?: Record<string, string>;
}

interface Ref {
  id: number;
  version: number;
}

let seq = 0;
const next = () => ++seq;

/**
 * The objects the valid requests point at: the standard tree and users (test/factories) and one
 * object of each kind, made through the API as a user would make them.
 */
export class FuzzFixture {
  readonly objects = {} as {
    demand: Ref & { registrationNo: string };
    cancellable: Ref;
    confirmable: Ref;
    linkable: Ref;
    reviewFlag: Ref;
    report: Ref;
    shadow: Ref;
    draftPlan: Ref;
    submittedPlan: Ref;
    flag: Ref;
    confirmedFlag: Ref;
    case: Ref;
    village: { id: number };
  };

  private constructor(
    readonly t: TestApp,
    readonly tree: StandardTree,
    readonly users: StandardUsers,
  ) {}

  static async build(t: TestApp): Promise<FuzzFixture> {
    const tree = await standardTree(t);
    const users = await standardUsers(t, tree);
    const fx = new FuzzFixture(t, tree, users);
    const o = fx.objects;
    const { issuer, reporter, coordinator, inspector } = users;
    // A daily report raises a FREQUENT_REPORT flag at once.
    o.demand = await fx.ok(t.http.post(`${API}/demands`).set(bearer(issuer)).send(demandBody('report', tree, { title: '每日报送-基准', recurrence: 'daily', until: '2026-09-30' })));
    o.cancellable = await fx.ok(t.http.post(`${API}/demands`).set(bearer(issuer)).send(demandBody('meeting', tree, { title: '待取消会议' })));
    o.confirmable = await fx.ok(t.http.post(`${API}/demands`).set(bearer(issuer)).send(demandBody('document', tree, { title: '待确认文件' })));
    o.linkable = await fx.ok(t.http.post(`${API}/demands`).set(bearer(issuer)).send(demandBody('inspection', tree, { title: '待关联检查' })));
    o.report = await fx.ok(t.http.post(`${API}/burden-reports`).set(bearer(reporter)).send(reportBody(o.demand.id, '2026-09')));
    o.shadow = await fx.ok(t.http.post(`${API}/burden-reports`).set(bearer(reporter)).send(shadowBody()));
    const planBody = (year: number) => ({ year, items: [{ title: '专项督查', topic: 'education', targetLevel: 'township', plannedMonth: `${year}-05`, onSiteDays: 1 }] });
    o.draftPlan = await fx.ok(t.http.post(`${API}/inspection-plans`).set(bearer(issuer)).send(planBody(2027)));
    o.submittedPlan = await fx.ok(t.http.post(`${API}/inspection-plans`).set(bearer(issuer)).send(planBody(2028)));
    await fx.ok(t.http.post(`${API}/inspection-plans/${o.submittedPlan.id}/submit`).set(bearer(issuer)));
    o.flag = await fx.flagOf(o.demand.id);
    const other = await fx.ok<Ref>(t.http.post(`${API}/demands`).set(bearer(issuer)).send(demandBody('report', tree, { title: '每日报送-确认', recurrence: 'daily', until: '2026-09-30' })));
    let confirmed = await fx.flagOf(other.id);
    for (const to of ['under_review', 'confirmed']) {
      confirmed = await fx.ok<Ref>(t.http.post(`${API}/flags/${confirmed.id}/transitions`).set(bearer(coordinator)).send({ to, version: confirmed.version, comment: '核查' }));
    }
    o.confirmedFlag = confirmed;
    // A flag of its own for POST /flags/:id/transitions: editing o.demand re-runs its rules and moves its flag's version.
    const reviewed = await fx.ok<Ref>(t.http.post(`${API}/demands`).set(bearer(issuer)).send(demandBody('report', tree, { title: '每日报送-审核', recurrence: 'daily', until: '2026-09-30' })));
    o.reviewFlag = await fx.flagOf(reviewed.id);
    o.case = await fx.ok(t.http.post(`${API}/cases`).set(bearer(inspector)).send({ flagIds: [confirmed.id], title: '某局随意要求每日报送' }));
    o.village = await createUnit(t, '532503002001', '待改名村', tree.yuguopu);
    return fx;
  }

  async ok<T = Ref & { registrationNo: string }>(req: PromiseLike<{ status: number; body: unknown }>): Promise<T> {
    const res = await req;
    if (res.status < 200 || res.status > 299) throw new Error(`fuzz fixture: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as T;
  }

  private async flagOf(demandId: number): Promise<Ref> {
    const body = await this.ok<{ items: Ref[] }>(this.t.http.get(`${API}/flags?demandId=${demandId}`).set(bearer(this.users.coordinator)));
    if (body.items.length === 0) throw new Error(`fuzz fixture: no flag on demand ${demandId}`);
    return { id: body.items[0].id, version: body.items[0].version };
  }

  /** A user made for PATCH /users/:id, so a malformed patch that happens to be valid disables nobody the fixture needs. */
  async spareUser(): Promise<UserRef> {
    return createUser(this.t, 'reporter', this.tree.village);
  }
}

const POLICY = (): Record<string, unknown> => {
  const document = JSON.parse(readFileSync(join(__dirname, '..', '..', 'data', 'policy.json'), 'utf8')) as Record<string, unknown>;
  delete document.version;
  return { ...document, effectiveFrom: '2030-01-01', note: '模糊测试' };
};

/**
 * One valid request per route that takes a body or a query, keyed `METHOD /path` as the Express
 * router registers it under /api/v1. The test fails when the router has a route with a body or a
 * query (per openapi.json) that is missing here.
 */
export function validRequests(fx: FuzzFixture, spare: UserRef): Record<string, ValidRequest> {
  const { tree, users, objects: o } = fx;
  const { admin, issuer, reporter, coordinator, inspector } = users;
  const page = { page: '1', pageSize: '20' };
  return {
    'POST /auth/login': { as: reporter, path: '/auth/login', body: { username: reporter.username, password: 'password-123' } },
    'GET /audit': { as: inspector, path: '/audit', query: { ...page, entityType: 'demand', entityId: String(o.demand.id), action: 'demand.create', actorId: String(issuer.id), from: '2026-01-01', to: '2030-12-31' } },
    'GET /users': { as: admin, path: '/users', query: { ...page, role: 'reporter', orgUnitId: String(tree.wenlan.id), q: 'reporter' } },
    'POST /users': { as: admin, path: '/users', body: { username: `fuzz-user-${next()}`, password: 'password-123456', role: 'reporter', orgUnitId: tree.wenlan.id, displayName: '张三' } },
    'PATCH /users/:id': { as: admin, path: `/users/${spare.id}`, body: { displayName: '李四' } },
    'GET /org-units': { as: coordinator, path: '/org-units', query: { ...page, parentId: String(tree.mengzi.id), underId: String(tree.mengzi.id), level: 'township', kind: 'area', q: '文澜' } },
    'POST /org-units': { as: admin, path: '/org-units', body: { code: '532503002002', name: '新村', kind: 'area', level: 'village', parentId: tree.yuguopu.id, staffCount: 5 } },
    'PATCH /org-units/:id': { as: admin, path: `/org-units/${o.village.id}`, body: { name: '改名村' } },
    'GET /topics': { as: reporter, path: '/topics', query: page },
    'GET /duty-items': { as: reporter, path: '/duty-items', query: { ...page, level: 'village', topic: 'education', category: 'core' } },
    'POST /duty-items': { as: admin, path: '/duty-items', body: { level: 'village', topic: 'education', category: 'core', title: '职责事项' } },
    'GET /policy': { as: reporter, path: '/policy', query: { version: '1' } },
    'PUT /policy': { as: admin, path: '/policy', body: POLICY() },
    'GET /policy/versions': { as: reporter, path: '/policy/versions', query: page },
    'GET /jobs': { as: coordinator, path: '/jobs', query: { ...page, kind: 'flags-evaluate', status: 'succeeded' } },
    'POST /jobs': { as: coordinator, path: '/jobs', body: { kind: 'org-units-checksum' } },
    'GET /inspection-plans': { as: issuer, path: '/inspection-plans', query: { ...page, issuerId: String(tree.education.id), year: '2027', status: 'draft' } },
    'POST /inspection-plans': { as: issuer, path: '/inspection-plans', body: { year: 2029, items: [{ title: '专项督查', topic: 'education', targetLevel: 'township', plannedMonth: '2029-05', onSiteDays: 1 }] } },
    'PATCH /inspection-plans/:id': { as: issuer, path: `/inspection-plans/${o.draftPlan.id}`, body: { title: '修订计划' } },
    'POST /inspection-plans/:id/reject': { as: coordinator, path: `/inspection-plans/${o.submittedPlan.id}/reject`, body: { reason: '计划过多' } },
    'GET /demands': { as: issuer, path: '/demands', query: { ...page, targetUnitId: String(tree.wenlan.id), issuerId: String(tree.education.id), kind: 'report', topic: 'education', from: '2026-01-01', to: '2026-12-31', status: 'active' } },
    'POST /demands': { as: issuer, path: '/demands', body: demandBody('report', tree, { title: '报送' }) },
    'POST /demands/preview': { as: issuer, path: '/demands/preview', body: demandBody('meeting', tree, { title: '会议' }) },
    'GET /demands/lookup': { as: reporter, path: '/demands/lookup', query: { registrationNo: o.demand.registrationNo } },
    'PATCH /demands/:id': { as: issuer, path: `/demands/${o.demand.id}`, body: { title: '修订', version: o.demand.version } },
    'POST /demands/:id/cancel': { as: issuer, path: `/demands/${o.cancellable.id}/cancel`, body: { reason: '任务取消' } },
    'POST /demands/:id/objections': { as: reporter, path: `/demands/${o.demand.id}/objections`, body: { reason: '该事项不属于街道职责' } },
    'GET /burden-reports': { as: reporter, path: '/burden-reports', query: { ...page, unitId: String(tree.wenlan.id), demandId: String(o.demand.id), month: '2026-09', from: '2026-01', to: '2026-12', shadow: 'false' } },
    'POST /burden-reports': { as: reporter, path: '/burden-reports', body: shadowBody({ unitId: tree.wenlan.id }, { title: '临时报送' }) },
    'POST /burden-reports/confirm': { as: reporter, path: '/burden-reports/confirm', body: { unitId: tree.wenlan.id, month: '2026-09', demandIds: [o.confirmable.id] } },
    'POST /burden-reports/:id/amend': { as: reporter, path: `/burden-reports/${o.shadow.id}/amend`, body: { version: o.shadow.version, hoursSpent: 4 } },
    'POST /burden-reports/:id/link': { as: coordinator, path: `/burden-reports/${o.shadow.id}/link`, body: { demandId: o.linkable.id, month: '2026-09' } },
    'GET /objections': { as: coordinator, path: '/objections', query: { ...page, demandId: String(o.demand.id), unitId: String(tree.wenlan.id) } },
    'GET /monitoring-points': { as: coordinator, path: '/monitoring-points', query: { ...page, period: '2026-09', unitId: String(tree.wenlan.id) } },
    'PUT /monitoring-points': { as: coordinator, path: '/monitoring-points', body: { unitIds: [tree.wenlan.id], from: '2026-01', to: '2026-12' } },
    'GET /joint-inspections/suggestions': { as: coordinator, path: '/joint-inspections/suggestions', query: { ...page, from: '2026-01-01', to: '2026-12-31' } },
    'GET /flags': { as: coordinator, path: '/flags', query: { ...page, status: 'open', rule: 'FREQUENT_REPORT', unitId: String(tree.wenlan.id), issuerId: String(tree.education.id), demandId: String(o.demand.id), from: '2026-01-01', to: '2026-12-31', overdue: 'false' } },
    'POST /flags/evaluate': { as: coordinator, path: '/flags/evaluate', body: { period: '2026-09' } },
    'POST /flags/:id/transitions': { as: coordinator, path: `/flags/${o.reviewFlag.id}/transitions`, body: { to: 'under_review', version: o.reviewFlag.version, comment: '核查' } },
    'PUT /issuer-budgets/:issuerId/:year': { as: coordinator, path: `/issuer-budgets/${tree.education.id}/2026`, body: { hours: 1000 } },
    'GET /metrics/units': { as: coordinator, path: '/metrics/units', query: { ...page, level: 'township', underId: String(tree.mengzi.id), period: '2026', sort: 'burdenShare', order: 'desc' } },
    'GET /metrics/units/:id': { as: coordinator, path: `/metrics/units/${tree.wenlan.id}`, query: { period: '2026-09' } },
    'GET /metrics/units/:id/series': { as: coordinator, path: `/metrics/units/${tree.wenlan.id}/series`, query: { from: '2026-01', to: '2026-12', granularity: 'month' } },
    'GET /metrics/units/:id/forecast': { as: coordinator, path: `/metrics/units/${tree.wenlan.id}/forecast`, query: { period: '2026' } },
    'GET /metrics/issuers': { as: coordinator, path: '/metrics/issuers', query: { ...page, period: '2026', underId: String(tree.mengzi.id), sort: 'hoursImposed', order: 'desc' } },
    'GET /cases': { as: inspector, path: '/cases', query: { ...page, status: 'draft', category: '弄虚作假', issuerId: String(tree.education.id), unitId: String(tree.wenlan.id), from: '2026-01-01', to: '2026-12-31' } },
    'POST /cases': { as: inspector, path: '/cases', body: { flagIds: [o.confirmedFlag.id], title: '某局随意要求每日报送' } },
    'PATCH /cases/:id': { as: inspector, path: `/cases/${o.case.id}`, body: { title: '修订案例', version: o.case.version } },
    'GET /case-reports': { as: inspector, path: '/case-reports', query: { from: '2026-01-01', to: '2026-12-31', format: 'json', anonymise: 'true' } },
  };
}

/** Routes with an id in the path that take neither body nor query: their path parameter is fuzzed instead, by a caller the route allows. */
export function idRoutes(fx: FuzzFixture): Record<string, ValidRequest> {
  const { users, objects: o, tree } = fx;
  return {
    'GET /org-units/:id': { as: users.coordinator, path: `/org-units/${tree.wenlan.id}` },
    'GET /jobs/:id': { as: users.coordinator, path: '/jobs/1' },
    'GET /inspection-plans/:id': { as: users.issuer, path: `/inspection-plans/${o.draftPlan.id}` },
    'GET /demands/:id': { as: users.issuer, path: `/demands/${o.demand.id}` },
    'GET /burden-reports/:id': { as: users.reporter, path: `/burden-reports/${o.report.id}` },
    'GET /flags/:id': { as: users.coordinator, path: `/flags/${o.flag.id}` },
    'GET /cases/:id': { as: users.inspector, path: `/cases/${o.case.id}` },
    'GET /case-reports/outputs/:jobId': { as: users.inspector, path: '/case-reports/outputs/1' },
    'GET /issuer-budgets/:issuerId/:year': { as: users.coordinator, path: `/issuer-budgets/${tree.education.id}/2026` },
  };
}

export { bearer };
