import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createUnit, createUser, TEST_PASSWORD, UnitRef } from '../factories';
import { demandBody } from '../factories/demands';
import { csvBytes } from '../factories/files';
import { importRow, REPORT_IMPORT_HEADER, shadowBody } from '../factories/reports';
import { parseCsv } from '@/common/files/tabular';
import { AuthzFixture, DemandRef, FlagRef, MARK, next, nextPlanYear, Owner, ReportSide } from './fixture';
import type { Scope, Subject } from './matrix';

/** One request of a cell: the URL under /api/v1, a JSON body or an uploaded file. */
export interface CellRequest {
  url: string;
  body?: Record<string, unknown>;
  file?: { bytes: Buffer; name: string };
  /** For a list filtered to the outside: what in the answer would reveal 个旧市. */
  reveals?: { ids?: number[]; text?: string[] };
}

/**
 * Builds the request of a cell. `fresh` is true where the subject's role may use the route (its
 * cell inside the jurisdiction is not a 403): the object is then made for this cell alone and in
 * the state the route needs, so an allowed write never spends a shared object and a refusal
 * outside the jurisdiction is not a refusal for a wrong state.
 */
export type Builder = (fx: AuthzFixture, who: Subject, scope: Scope, fresh: boolean) => Promise<CellRequest> | CellRequest;

const DEMANDS_TEMPLATE = parseCsv(readFileSync(join(__dirname, '..', '..', 'data', 'templates', 'demands-import.csv'))).columns;
const demandImportRow = (cells: Record<string, string>) => DEMANDS_TEMPLATE.map((c) => cells[c] ?? '');

/** The issuing side a subject meets: the township issuer has its own demands, plans and flags; everyone else meets 教育局's; then the peer office's and 个旧市's. */
const side = (who: Subject, scope: Scope): Owner => (scope === 'out' ? 'foreign' : scope === 'peer' ? 'peer' : who === 'areaIssuer' ? 'areaIssuer' : 'issuer');
const sideOf = (scope: Scope): ReportSide => (scope === 'out' ? 'foreign' : scope);
/** Cases have no peer scope: the inspector's jurisdiction is the whole county. */
const caseSide = (scope: Scope): 'in' | 'foreign' => (scope === 'out' ? 'foreign' : 'in');
const unitIn = (fx: AuthzFixture, scope: Scope): UnitRef => ({ in: fx.tree.wenlan, peer: fx.tree.yuguopu, out: fx.tree.gejiuTown })[scope];
/** The unit an issuer subject sends to (strictly below it); others use 文澜街道. */
const targetOf = (fx: AuthzFixture, who: Subject, scope: Scope): UnitRef => (scope === 'in' && who === 'areaIssuer' ? fx.tree.village : unitIn(fx, scope));
const issuerUnit = (fx: AuthzFixture, who: Subject, scope: Scope): UnitRef =>
  scope === 'out' ? fx.foreign.office : scope === 'peer' ? fx.peer.office : who === 'areaIssuer' ? fx.tree.wenlan : fx.tree.education;
/** The list request of a scope: unfiltered inside; filtered to the peer's or 个旧市's object, with what would reveal it. */
const listed = (scope: Scope, url: string, filters: Partial<Record<'out' | 'peer', [string, NonNullable<CellRequest['reveals']>]>>): CellRequest => {
  const filter = scope === 'in' ? undefined : filters[scope];
  if (!filter) return { url };
  return { url: `${url}${url.includes('?') ? '&' : '?'}${filter[0]}`, reveals: filter[1] };
};

const demand = async (fx: AuthzFixture, who: Subject, scope: Scope, fresh: boolean): Promise<DemandRef> =>
  fresh ? fx.newDemand(side(who, scope)) : fx.standing.demand[side(who, scope)];
const plan = async (fx: AuthzFixture, who: Subject, scope: Scope, fresh: boolean, state: 'draft' | 'submitted' | 'rejected' | 'approved'): Promise<number> =>
  fresh ? fx.newPlan(side(who, scope), state) : fx.standing.plan[side(who, scope)];
const newDemandBody = (fx: AuthzFixture, who: Subject, scope: Scope) => demandBody('report', fx.tree, { title: `报送-${next()}`, targetUnitIds: [targetOf(fx, who, scope).id] });

/** POST /auth/login with the subject's username and a wrong password (MatrixRow.logsIn). */
export const LOGIN_WITH_WRONG_PASSWORD = (fx: AuthzFixture, who: Subject): CellRequest => ({ url: '/auth/login', body: { username: fx.subjects[who].username, password: `not-${TEST_PASSWORD}` } });

export const REQUESTS: Record<string, Builder> = {
  // The subject's own credentials (the token cells borrow the first subject the row allows).
  'POST /auth/login': (fx, who) => ({ url: '/auth/login', body: { username: fx.subjects[who].username, password: TEST_PASSWORD } }),
  'GET /health': () => ({ url: '/health' }),

  'GET /org-units': (fx, _w, scope) =>
    scope === 'out' ? { url: `/org-units?underId=${fx.tree.gejiu.id}`, reveals: { ids: [fx.tree.gejiuTown.id], text: ['532501'] } } : { url: `/org-units?underId=${fx.tree.wenlan.id}` },
  'POST /org-units': (fx, _w, scope) => {
    const parent = unitIn(fx, scope);
    return { url: '/org-units', body: { code: `${parent.code}${String(next()).padStart(3, '0')}`, name: `新村-${next()}`, kind: 'area', level: 'village', parentId: parent.id } };
  },
  'POST /org-units/import': (fx) => ({
    url: '/org-units/import',
    file: { name: 'units.csv', bytes: csvBytes([['code', 'name', 'level', 'parentCode', 'kind', 'staffCount'], [`532503002${String(next()).padStart(3, '0')}`, `导入村-${next()}`, 'village', fx.tree.yuguopu.code, 'area', '5']]) },
  }),
  'GET /org-units/:id': (fx, _w, scope) => ({ url: `/org-units/${unitIn(fx, scope).id}` }),
  'PATCH /org-units/:id': async (fx, _w, scope, fresh) => {
    const parent = unitIn(fx, scope);
    const unit = fresh ? await createUnit(fx.t, `${parent.code}${String(next()).padStart(3, '0')}`, `待改名村-${next()}`, parent) : parent;
    return { url: `/org-units/${unit.id}`, body: { name: `改名-${next()}` } };
  },

  'GET /topics': () => ({ url: '/topics' }),
  'GET /duty-items': () => ({ url: '/duty-items' }),
  'POST /duty-items': () => ({ url: '/duty-items', body: { level: 'village', topic: 'education', category: 'core', title: `职责事项-${next()}` } }),

  'GET /users': () => ({ url: '/users' }),
  'POST /users': (fx, _w, scope) => ({ url: '/users', body: { username: `new-user-${next()}`, password: 'password-123456', role: 'reporter', orgUnitId: unitIn(fx, scope).id } }),
  'PATCH /users/:id': async (fx, _w, scope, fresh) => {
    const user = fresh ? await createUser(fx.t, 'reporter', unitIn(fx, scope)) : scope === 'out' ? fx.foreign.reporter : fx.users.villageReporter;
    return { url: `/users/${user.id}`, body: { displayName: '张三' } };
  },

  'GET /inspection-plans': (fx, _w, scope) =>
    listed(scope, '/inspection-plans', { out: [`issuerId=${fx.foreign.office.id}`, { ids: [fx.standing.plan.foreign] }], peer: [`issuerId=${fx.peer.office.id}`, { ids: [fx.standing.plan.peer] }] }),
  'POST /inspection-plans': (_fx, who) => {
    const year = nextPlanYear();
    return { url: '/inspection-plans', body: { year, items: [{ title: '专项督查', topic: 'education', targetLevel: who === 'areaIssuer' ? 'village' : 'township', plannedMonth: `${year}-05`, onSiteDays: 1 }] } };
  },
  'GET /inspection-plans/:id': async (fx, who, scope) => ({ url: `/inspection-plans/${await plan(fx, who, scope, false, 'draft')}` }),
  'PATCH /inspection-plans/:id': async (fx, who, scope, fresh) => ({ url: `/inspection-plans/${await plan(fx, who, scope, fresh, 'draft')}`, body: { title: `修订计划-${next()}` } }),
  'POST /inspection-plans/:id/submit': async (fx, who, scope, fresh) => ({ url: `/inspection-plans/${await plan(fx, who, scope, fresh, 'draft')}/submit` }),
  'POST /inspection-plans/:id/approve': async (fx, who, scope, fresh) => ({ url: `/inspection-plans/${await plan(fx, who, scope, fresh, 'submitted')}/approve` }),
  'POST /inspection-plans/:id/reject': async (fx, who, scope, fresh) => ({ url: `/inspection-plans/${await plan(fx, who, scope, fresh, 'submitted')}/reject`, body: { reason: '计划过多' } }),
  'POST /inspection-plans/:id/rework': async (fx, who, scope, fresh) => ({ url: `/inspection-plans/${await plan(fx, who, scope, fresh, 'rejected')}/rework` }),
  'POST /inspection-plans/:id/revise': async (fx, who, scope, fresh) => ({ url: `/inspection-plans/${await plan(fx, who, scope, fresh, 'approved')}/revise` }),

  'GET /demands': (fx, _w, scope) =>
    listed(scope, '/demands', {
      out: [`issuerId=${fx.foreign.office.id}`, { ids: [fx.standing.demand.foreign.id], text: [MARK.foreign] }],
      peer: [`issuerId=${fx.peer.office.id}`, { ids: [fx.standing.demand.peer.id], text: [MARK.peer] }],
    }),
  'POST /demands': (fx, who, scope) => ({ url: '/demands', body: newDemandBody(fx, who, scope) }),
  'POST /demands/import': (fx, who) => ({
    url: '/demands/import',
    file: {
      name: 'demands.csv',
      bytes: csvBytes([
        DEMANDS_TEMPLATE,
        demandImportRow({
          issuerCode: who === 'areaIssuer' ? fx.tree.wenlan.code : fx.tree.education.code,
          kind: 'report',
          title: `导入报表-${next()}`,
          topic: 'education',
          issuedOn: '2026-09-01',
          dueOn: '2026-09-10',
          targetCodes: who === 'areaIssuer' ? fx.tree.village.code : fx.tree.wenlan.code,
          fields: '在校学生数;教师总数',
        }),
      ]),
    },
  }),
  'GET /demands/lookup': (fx, who, scope) => ({
    url: `/demands/lookup?registrationNo=${encodeURIComponent(fx.standing.demand[side(who, scope)].registrationNo)}`,
    reveals: scope === 'in' ? undefined : { text: [scope === 'out' ? MARK.foreign : MARK.peer, '"registered":true'] },
  }),
  'POST /demands/preview': (fx, who, scope) => ({ url: '/demands/preview', body: newDemandBody(fx, who, scope) }),
  'GET /demands/:id': async (fx, who, scope) => ({ url: `/demands/${(await demand(fx, who, scope, false)).id}` }),
  'PATCH /demands/:id': async (fx, who, scope, fresh) => {
    const d = await demand(fx, who, scope, fresh);
    return { url: `/demands/${d.id}`, body: { title: `修订-${next()}`, version: d.version } };
  },
  'POST /demands/:id/cancel': async (fx, who, scope, fresh) => ({ url: `/demands/${(await demand(fx, who, scope, fresh)).id}/cancel`, body: { reason: '任务取消' } }),
  'POST /demands/:id/objections': async (fx, who, scope, fresh) => ({ url: `/demands/${(await demand(fx, who, scope, fresh)).id}/objections`, body: { reason: '该事项不属于街道职责' } }),

  'GET /burden-reports': (fx, _w, scope) =>
    listed(scope, '/burden-reports', {
      out: [`unitId=${fx.tree.gejiuTown.id}`, { ids: [fx.standing.report.foreign.id, fx.standing.shadow.foreign.id], text: [MARK.foreign] }],
      peer: [`unitId=${fx.tree.yuguopu.id}`, { ids: [fx.standing.report.peer.id, fx.standing.shadow.peer.id], text: [MARK.peer] }],
    }),
  'GET /burden-reports [shadow]': (fx) => ({ url: '/burden-reports?shadow=true&pageSize=500', reveals: { ids: [fx.standing.shadow.in.id, fx.standing.shadow.peer.id, fx.standing.shadow.foreign.id] } }),
  'POST /burden-reports': (fx, _w, scope) => ({ url: '/burden-reports', body: shadowBody({ unitId: unitIn(fx, scope).id }, { title: `临时报送-${next()}` }) }),
  'POST /burden-reports/confirm': async (fx, _w, scope, fresh) => {
    const owner: Owner = scope === 'out' ? 'foreign' : scope === 'peer' ? 'peer' : 'issuer';
    const d = fresh ? await fx.newDemand(owner) : fx.standing.demand[owner];
    return { url: '/burden-reports/confirm', body: { unitId: unitIn(fx, scope).id, month: '2026-09', demandIds: [d.id] } };
  },
  'POST /burden-reports/import': (fx) => ({
    url: '/burden-reports/import',
    file: {
      name: 'reports.csv',
      bytes: csvBytes([
        REPORT_IMPORT_HEADER,
        importRow({ unitCode: fx.tree.wenlan.code, shadowIssuerName: '县某局', shadowKind: 'report', shadowTitle: `导入临时报送-${next()}`, shadowReceivedOn: '2026-09-03', shadowChannel: 'wechat_group', hoursSpent: 2 }),
      ]),
    },
  }),
  'GET /burden-reports/template.xlsx': () => ({ url: '/burden-reports/template.xlsx' }),
  'GET /burden-reports/:id [registered]': (fx, _w, scope) => ({ url: `/burden-reports/${fx.standing.report[sideOf(scope)].id}` }),
  'GET /burden-reports/:id [shadow]': (fx, _w, scope) => ({ url: `/burden-reports/${fx.standing.shadow[sideOf(scope)].id}` }),
  'POST /burden-reports/:id/amend': async (fx, _w, scope, fresh) => {
    const r = fresh ? await fx.newReport(sideOf(scope)) : fx.standing.shadow[sideOf(scope)];
    return { url: `/burden-reports/${r.id}/amend`, body: { version: r.version, hoursSpent: 4 } };
  },
  'POST /burden-reports/:id/link': async (fx, _w, scope, fresh) => {
    const r = fresh ? await fx.newReport(sideOf(scope)) : fx.standing.shadow[sideOf(scope)];
    const d = fresh ? await fx.newDemand(scope === 'out' ? 'foreign' : 'issuer') : fx.standing.demand[scope === 'out' ? 'foreign' : 'issuer'];
    return { url: `/burden-reports/${r.id}/link`, body: { demandId: d.id, month: '2026-09' } };
  },

  'GET /monitoring-points': (fx, _w, scope) => listed(scope, '/monitoring-points?period=2026-09', { out: [`unitId=${fx.tree.gejiuTown.id}`, { text: ['532501'] }] }),
  'PUT /monitoring-points': (fx, _w, scope) => ({ url: '/monitoring-points', body: { unitIds: [unitIn(fx, scope).id], from: '2026-01' } }),
  'GET /objections': (fx, _w, scope) =>
    listed(scope, '/objections', { out: [`unitId=${fx.tree.gejiuTown.id}`, { ids: [fx.standing.objection], text: [MARK.foreign] }], peer: [`unitId=${fx.tree.yuguopu.id}`, { text: [MARK.peer] }] }),

  'GET /metrics/units': (fx, _w, scope) =>
    scope === 'out'
      ? { url: `/metrics/units?level=township&underId=${fx.tree.gejiu.id}&period=2026`, reveals: { ids: [fx.tree.gejiuTown.id], text: ['532501'] } }
      : { url: `/metrics/units?level=village&underId=${fx.tree.wenlan.id}&period=2026` },
  'GET /metrics/units/:id': (fx, _w, scope) => ({ url: `/metrics/units/${unitIn(fx, scope).id}?period=2026` }),
  'GET /metrics/units/:id/series': (fx, _w, scope) => ({ url: `/metrics/units/${unitIn(fx, scope).id}/series?from=2026-01&to=2026-12` }),
  'GET /metrics/units/:id/forecast': (fx, _w, scope) => ({ url: `/metrics/units/${unitIn(fx, scope).id}/forecast?period=2026` }),
  'GET /metrics/issuers': (fx, _w, scope) => listed(scope, '/metrics/issuers?period=2026', { out: [`underId=${fx.tree.gejiu.id}`, { ids: [fx.foreign.office.id], text: ['532501'] }] }),

  'PUT /issuer-budgets/:issuerId/:year': (fx, who, scope) => ({ url: `/issuer-budgets/${issuerUnit(fx, who, scope).id}/2026`, body: { hours: 100 + next() } }),
  'GET /issuer-budgets/:issuerId/:year': (fx, who, scope) => ({ url: `/issuer-budgets/${issuerUnit(fx, who, scope).id}/2026` }),

  'GET /flags': (fx, _w, scope) =>
    listed(scope, '/flags', {
      out: [`issuerId=${fx.foreign.office.id}`, { ids: [fx.standing.flag.foreign.id, fx.standing.confirmedFlag.foreign.id], text: [MARK.foreign] }],
      peer: [`issuerId=${fx.peer.office.id}`, { ids: [fx.standing.flag.peer.id], text: [MARK.peer] }],
    }),
  'GET /flags/:id': (fx, who, scope) => ({ url: `/flags/${fx.standing.flag[side(who, scope)].id}` }),
  'POST /flags/:id/transitions': async (fx, who, scope, fresh) => {
    // The issuing office reports the rectification of its own flag (rectifying → rectified); a coordinator reviews an open one.
    const rectifier = who === 'issuer' || who === 'areaIssuer';
    let flag: FlagRef = fx.standing.flag[side(who, scope)];
    if (fresh) flag = await fx.newFlag(side(who, scope), rectifier ? 'rectifying' : 'open');
    return { url: `/flags/${flag.id}/transitions`, body: rectifier ? { to: 'rectified', version: flag.version, comment: '已整改为月报' } : { to: 'under_review', version: flag.version, comment: '核查' } };
  },
  'POST /flags/evaluate': () => ({ url: '/flags/evaluate', body: { period: '2026-09' } }),

  'GET /jobs': (fx, _w, scope) => listed(scope, '/jobs?pageSize=500', { out: ['kind=org-units-checksum', { ids: [fx.standing.job.foreign] }] }),
  'GET /jobs/:id': (fx, who, scope) => ({ url: `/jobs/${scope === 'in' ? fx.standing.job[who] : fx.standing.job[scope === 'out' ? 'foreign' : 'peer']}` }),
  'POST /jobs': () => ({ url: '/jobs', body: { kind: 'org-units-checksum' } }),

  'GET /joint-inspections/suggestions': () => ({ url: '/joint-inspections/suggestions?from=2026-01-01&to=2026-12-31' }),

  'GET /cases': (fx, _w, scope) => listed(scope, '/cases', { out: [`issuerId=${fx.foreign.office.id}`, { ids: [fx.standing.case.foreign.id], text: [MARK.foreign] }] }),
  'POST /cases': (fx, _w, scope) => ({ url: '/cases', body: { flagIds: [fx.standing.confirmedFlag[caseSide(scope)].id], title: `某局随意要求每日报送-${next()}` } }),
  'GET /cases/:id': (fx, _w, scope) => ({ url: `/cases/${fx.standing.case[caseSide(scope)].id}` }),
  'PATCH /cases/:id': async (fx, _w, scope, fresh) => {
    const c = fresh ? await fx.newCase(caseSide(scope)) : fx.standing.case[caseSide(scope)];
    return { url: `/cases/${c.id}`, body: { title: `修订案例-${next()}`, version: c.version } };
  },
  // A period without final cases: rendered inline (200); the job of a larger bulletin is the next row's.
  'GET /case-reports': () => ({ url: '/case-reports?from=2026-01-01&to=2026-03-31&format=json' }),
  'GET /case-reports/outputs/:jobId': async (fx, _w, scope) => {
    await fx.waitForJob(fx.standing.bulletinJob);
    return { url: `/case-reports/outputs/${scope === 'out' ? fx.standing.job.foreign : fx.standing.bulletinJob}` };
  },

  'GET /audit': (fx, _w, scope) =>
    scope === 'out'
      ? { url: `/audit?entityType=demand&entityId=${fx.standing.demand.foreign.id}`, reveals: { text: [MARK.foreign] } }
      : { url: `/audit?entityType=demand&entityId=${fx.standing.demand.issuer.id}` },
  'GET /audit/verify': () => ({ url: '/audit/verify' }),

  'GET /policy': () => ({ url: '/policy' }),
  'GET /policy/versions': () => ({ url: '/policy/versions' }),
  'PUT /policy': () => {
    const document = JSON.parse(readFileSync(join(__dirname, '..', '..', 'data', 'policy.json'), 'utf8')) as Record<string, unknown>;
    delete document.version;
    return { url: '/policy', body: { ...document, effectiveFrom: '2027-01-01', note: `矩阵测试-${next()}` } };
  },
};
