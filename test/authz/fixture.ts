import { JwtService } from '@nestjs/jwt';
import type { Response } from 'supertest';
import { selectRows, toInt } from '@/database/dialect';
import { bearer, createUnit, createUser, standardTree, StandardTree, standardUsers, StandardUsers, UnitRef, UserRef } from '../factories';
import { demandBody } from '../factories/demands';
import { reportBody, shadowBody } from '../factories/reports';
import type { TestApp } from '../utils/test-app';
import type { Subject } from './matrix';

export const API = '/api/v1';

/** The ways a request can arrive without a valid credential (each must be 401 on every protected route). */
export const CREDENTIALS = ['none', 'expired', 'forged', 'disabled', 'superseded'] as const;
export type Credential = (typeof CREDENTIALS)[number];

export interface DemandRef {
  id: number;
  version: number;
  registrationNo: string;
}
export interface FlagRef {
  id: number;
  version: number;
  status: string;
}
export interface ReportRef {
  id: number;
  version: number;
}
export interface CaseRef {
  id: number;
  version: number;
}

/**
 * Who owns an object: the department issuer's side, the township issuer's side, another office
 * of the same county (蒙自市卫生健康局 → 雨过铺街道: the "peer" scope), or the other county.
 */
export type Owner = 'issuer' | 'areaIssuer' | 'peer' | 'foreign';
/** The reporting side of a burden report: 文澜街道, 雨过铺街道 (peer) or 城区街道 (foreign). */
export type ReportSide = 'in' | 'peer' | 'foreign';
/** Text that marks objects of the peer office and of the other county in an answer. */
export const MARK = { peer: 'WJJ-PEER', foreign: 'GJ-SECRET' } as const;
const markOf = (owner: Owner | ReportSide) => (owner === 'foreign' ? MARK.foreign : owner === 'peer' ? MARK.peer : '蒙自');

let seq = 0;
let planYear = 2026;
/** A number unique within the run, for codes, titles and plan years. */
export const next = () => ++seq;
/** A plan year no plan of the run used yet (one plan per issuer and year). */
export const nextPlanYear = () => ++planYear;

/**
 * The fixtures of the matrix: the standard tree (蒙自市 inside, 个旧市 outside), one user per
 * subject, their counterparts in 个旧市, and standing objects on both sides. Fresh objects for
 * cells that are expected to change state are made through the same helpers.
 */
export class AuthzFixture {
  readonly subjects: Record<Subject, UserRef>;
  /** Users of 个旧市: the owners of every object outside the subjects' jurisdiction. */
  readonly foreign: { issuer: UserRef; reporter: UserRef; coordinator: UserRef; inspector: UserRef; office: UnitRef };
  /** Another office of 蒙自市 (卫生健康局) and 雨过铺街道's reporter: inside the county, not the subjects' own. */
  readonly peer: { issuer: UserRef; reporter: UserRef; office: UnitRef };
  /** Twins of each subject whose tokens are revoked: by disabling the user, or by a new password. */
  readonly revoked: Record<'disabled' | 'superseded', Record<Subject, UserRef>>;
  readonly standing = {} as {
    demand: Record<Owner, DemandRef>;
    flag: Record<Owner, FlagRef>;
    confirmedFlag: Record<'in' | 'foreign', FlagRef>;
    report: Record<ReportSide, ReportRef>;
    shadow: Record<ReportSide, ReportRef>;
    objection: number;
    plan: Record<Owner, number>;
    case: Record<'in' | 'foreign', CaseRef>;
    job: Record<Subject | 'peer' | 'foreign', number>;
    bulletinJob: number;
  };

  private constructor(
    readonly t: TestApp,
    readonly tree: StandardTree,
    readonly users: StandardUsers,
    subjects: Record<Subject, UserRef>,
    foreign: AuthzFixture['foreign'],
    peer: AuthzFixture['peer'],
    revoked: AuthzFixture['revoked'],
  ) {
    this.subjects = subjects;
    this.foreign = foreign;
    this.peer = peer;
    this.revoked = revoked;
  }

  static async build(t: TestApp): Promise<AuthzFixture> {
    const tree = await standardTree(t);
    const users = await standardUsers(t, tree);
    const office = await createUnit(t, '532501-JYJ', '个旧市教育局', tree.gejiu, { kind: 'department', level: 'county' });
    const subjects: Record<Subject, UserRef> = {
      issuer: users.issuer,
      areaIssuer: await createUser(t, 'issuer', tree.wenlan),
      reporter: users.reporter,
      coordinator: users.coordinator,
      inspector: users.inspector,
      admin: users.admin,
    };
    const foreign = {
      issuer: await createUser(t, 'issuer', office),
      reporter: await createUser(t, 'reporter', tree.gejiuTown),
      coordinator: users.gejiuCoordinator,
      inspector: users.gejiuInspector,
      office,
    };
    const peerOffice = await createUnit(t, '532503-WJJ', '蒙自市卫生健康局', tree.mengzi, { kind: 'department', level: 'county' });
    const peer = { issuer: await createUser(t, 'issuer', peerOffice), reporter: await createUser(t, 'reporter', tree.yuguopu), office: peerOffice };
    const twin = async (s: Subject) => createUser(t, subjects[s].role, subjects[s].orgUnitId === null ? null : unitById(tree, subjects[s].orgUnitId));
    const revoked = { disabled: {} as Record<Subject, UserRef>, superseded: {} as Record<Subject, UserRef> };
    for (const s of Object.keys(subjects) as Subject[]) {
      revoked.disabled[s] = await twin(s);
      revoked.superseded[s] = await twin(s);
    }
    const fx = new AuthzFixture(t, tree, users, subjects, foreign, peer, revoked);
    // Revocation as the product offers it (DESIGN §3 PATCH /users/:id: disable, reset password).
    for (const s of Object.keys(subjects) as Subject[]) {
      await fx.ok(fx.t.http.patch(`${API}/users/${revoked.disabled[s].id}`).set(bearer(users.admin)).send({ disabled: true }));
      await fx.ok(fx.t.http.patch(`${API}/users/${revoked.superseded[s].id}`).set(bearer(users.admin)).send({ password: `new-password-${next()}` }));
    }
    await fx.buildStanding();
    return fx;
  }

  /** How long each part of the set-up took (ms), printed with the matrix figures. */
  readonly timings: Record<string, number> = {};
  private lap = Date.now();
  private mark(phase: string): void {
    const now = Date.now();
    this.timings[phase] = now - this.lap;
    this.lap = now;
  }

  private async buildStanding(): Promise<void> {
    this.mark('users');
    const s = this.standing;
    s.demand = { issuer: await this.newDemand('issuer'), areaIssuer: await this.newDemand('areaIssuer'), peer: await this.newDemand('peer'), foreign: await this.newDemand('foreign') };
    s.flag = {
      issuer: await this.flagOf(s.demand.issuer, 'issuer'),
      areaIssuer: await this.flagOf(s.demand.areaIssuer, 'areaIssuer'),
      peer: await this.flagOf(s.demand.peer, 'peer'),
      foreign: await this.flagOf(s.demand.foreign, 'foreign'),
    };
    s.confirmedFlag = { in: await this.newFlag('issuer', 'confirmed'), foreign: await this.newFlag('foreign', 'confirmed') };
    s.report = { in: await this.newReport('in', s.demand.issuer.id), peer: await this.newReport('peer', s.demand.peer.id), foreign: await this.newReport('foreign', s.demand.foreign.id) };
    s.shadow = { in: await this.newReport('in'), peer: await this.newReport('peer'), foreign: await this.newReport('foreign') };
    s.plan = { issuer: await this.newPlan('issuer', 'draft'), areaIssuer: await this.newPlan('areaIssuer', 'draft'), peer: await this.newPlan('peer', 'draft'), foreign: await this.newPlan('foreign', 'draft') };
    this.mark('demands, flags, reports, plans');
    s.case = { in: await this.newCase('in'), foreign: await this.newCase('foreign') };
    s.objection = (await this.ok<{ id: number }>(this.t.http.post(`${API}/demands/${s.demand.foreign.id}/objections`).set(bearer(this.foreign.reporter)).send({ reason: `${MARK.foreign} 不属于街道职责` }))).id;
    this.mark('cases');
    s.bulletinJob = await this.newBulletinJob();
    this.mark('bulletin cases');
    s.job = {} as Record<Subject | 'peer' | 'foreign', number>;
    for (const who of Object.keys(this.subjects) as Subject[]) s.job[who] = await this.finishedJob(this.subjects[who]);
    s.job.peer = await this.finishedJob(this.peer.issuer);
    s.job.foreign = await this.finishedJob(this.foreign.coordinator);
    this.mark('jobs');
  }

  // ---- requests ----

  /** Awaits a request and returns its body, failing the set-up on anything but 2xx. */
  async ok<T = Record<string, unknown>>(req: PromiseLike<Response>): Promise<T> {
    const res = await req;
    if (res.status < 200 || res.status > 299) throw new Error(`fixture: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as T;
  }

  ownerUser(owner: Owner): UserRef {
    return owner === 'foreign' ? this.foreign.issuer : owner === 'peer' ? this.peer.issuer : this.subjects[owner];
  }

  /** A token of the subject's role that the guard must refuse. */
  badToken(credential: Exclude<Credential, 'none'>, subject: Subject): string {
    const user = this.subjects[subject];
    const now = Math.floor(Date.now() / 1000);
    const jwt = new JwtService();
    switch (credential) {
      case 'expired':
        return jwt.sign({ sub: user.id, tv: 0, role: user.role, iat: now - 120, exp: now - 60 }, { secret: this.t.config.jwtSecret, algorithm: 'HS256' });
      case 'forged':
        return jwt.sign({ sub: user.id, tv: 0, role: user.role, iat: now, exp: now + 600 }, { secret: 'not-the-server-secret-not-the-server-secret', algorithm: 'HS256' });
      case 'disabled':
      case 'superseded':
        return this.revoked[credential][subject].token;
    }
  }

  // ---- objects ----

  /** A daily report demand (so it raises a FREQUENT_REPORT flag at once): 教育局 → 文澜街道, 文澜街道 → 文澜社区, 卫健局 → 雨过铺街道, or 个旧市教育局 → 城区街道. */
  async newDemand(owner: Owner, overrides: Record<string, unknown> = {}): Promise<DemandRef> {
    const target = { issuer: this.tree.wenlan, areaIssuer: this.tree.village, peer: this.tree.yuguopu, foreign: this.tree.gejiuTown }[owner];
    const body = demandBody('report', this.tree, { title: `${markOf(owner)}-每日报送-${next()}`, recurrence: 'daily', until: '2026-09-30', targetUnitIds: [target.id], ...overrides });
    const created = await this.ok<{ id: number; version: number; registrationNo: string }>(this.t.http.post(`${API}/demands`).set(bearer(this.ownerUser(owner))).send(body));
    return { id: created.id, version: created.version, registrationNo: created.registrationNo };
  }

  coordinatorOf(owner: Owner): UserRef {
    return owner === 'foreign' ? this.foreign.coordinator : this.subjects.coordinator;
  }

  async flagOf(demand: DemandRef, owner: Owner): Promise<FlagRef> {
    const body = await this.ok<{ items: FlagRef[] }>(this.t.http.get(`${API}/flags?demandId=${demand.id}`).set(bearer(this.coordinatorOf(owner))));
    if (body.items.length === 0) throw new Error(`fixture: no flag on demand ${demand.id}`);
    const { id, version, status } = body.items[0];
    return { id, version, status };
  }

  async moveFlag(flag: FlagRef, to: string, as: UserRef, extra: Record<string, unknown> = {}): Promise<FlagRef> {
    const body = await this.ok<FlagRef>(this.t.http.post(`${API}/flags/${flag.id}/transitions`).set(bearer(as)).send({ to, version: flag.version, comment: '核查', ...extra }));
    return { id: body.id, version: body.version, status: body.status };
  }

  /** A fresh flag on a fresh demand of the owner, moved by the coordinator up to `state`. */
  async newFlag(owner: Owner, state: 'open' | 'confirmed' | 'rectifying'): Promise<FlagRef> {
    let flag = await this.flagOf(await this.newDemand(owner), owner);
    const coordinator = this.coordinatorOf(owner);
    if (state === 'open') return flag;
    flag = await this.moveFlag(flag, 'under_review', coordinator);
    flag = await this.moveFlag(flag, 'confirmed', coordinator);
    if (state === 'confirmed') return flag;
    return this.moveFlag(flag, 'rectifying', coordinator, { dueOn: '2099-12-31' });
  }

  /** A burden report of 文澜街道 (in), 雨过铺街道 (peer) or 城区街道 (foreign): on a demand, or a shadow demand without one. */
  async newReport(side: ReportSide, demandId?: number): Promise<ReportRef> {
    const as = { in: this.subjects.reporter, peer: this.peer.reporter, foreign: this.foreign.reporter }[side];
    const note = markOf(side);
    const body = demandId === undefined ? shadowBody({ note }, { title: `${note}-紧急报送-${next()}` }) : reportBody(demandId, '2026-09', { note });
    const created = await this.ok<ReportRef>(this.t.http.post(`${API}/burden-reports`).set(bearer(as)).send(body));
    return { id: created.id, version: created.version };
  }

  /** An inspection plan of the owner in a year of its own (one plan per issuer and year), moved up to `state`. */
  async newPlan(owner: Owner, state: 'draft' | 'submitted' | 'rejected' | 'approved'): Promise<number> {
    const issuer = this.ownerUser(owner);
    // Years up to 2100 are accepted: one a plan is plenty for the matrix.
    const year = nextPlanYear();
    const item = { title: '专项督查', topic: 'education', targetLevel: owner === 'areaIssuer' ? 'village' : 'township', plannedMonth: `${year}-05`, onSiteDays: 1 };
    const plan = await this.ok<{ id: number }>(this.t.http.post(`${API}/inspection-plans`).set(bearer(issuer)).send({ year, items: [item] }));
    if (state === 'draft') return plan.id;
    await this.ok(this.t.http.post(`${API}/inspection-plans/${plan.id}/submit`).set(bearer(issuer)));
    if (state === 'submitted') return plan.id;
    const coordinator = this.coordinatorOf(owner);
    if (state === 'rejected') await this.ok(this.t.http.post(`${API}/inspection-plans/${plan.id}/reject`).set(bearer(coordinator)).send({ reason: '计划过多' }));
    else await this.ok(this.t.http.post(`${API}/inspection-plans/${plan.id}/approve`).set(bearer(coordinator)));
    return plan.id;
  }

  /** A draft case built from the standing confirmed flag of its side. */
  async newCase(side: 'in' | 'foreign'): Promise<CaseRef> {
    const as = side === 'in' ? this.subjects.inspector : this.foreign.inspector;
    const flag = side === 'in' ? this.standing.confirmedFlag.in : this.standing.confirmedFlag.foreign;
    const created = await this.ok<CaseRef>(this.t.http.post(`${API}/cases`).set(bearer(as)).send({ flagIds: [flag.id], title: `${markOf(side)}某局随意要求每日报送-${next()}` }));
    return { id: created.id, version: created.version };
  }

  /**
   * A rendered bulletin of the inspector: more than 50 final cases (handled in October 2026) make
   * GET /case-reports a job (README: over 50 cases the bulletin renders in a worker).
   */
  async newBulletinJob(): Promise<number> {
    const as = this.subjects.inspector;
    for (let i = 0; i < 51; i += 1) {
      const c = await this.newCase('in');
      await this.ok(
        this.t.http
          .patch(`${API}/cases/${c.id}`)
          .set(bearer(as))
          .send({ facts: '该局要求各街道每日报送', provision: '《整治形式主义为基层减负若干规定》第十条', handlingType: '通报批评', handlingOn: '2026-10-15', status: 'final', version: c.version }),
      );
    }
    const started = await this.ok<{ jobId: number }>(this.t.http.get(`${API}/case-reports?from=2026-10-01&to=2026-10-31&format=md`).set(bearer(as)));
    if (typeof started.jobId !== 'number') throw new Error(`fixture: the bulletin did not start a job: ${JSON.stringify(started)}`);
    return started.jobId;
  }

  /**
   * A finished general-purpose job of the user, written behind the API as the factories write
   * users and units: a worker thread takes seconds to start from the TypeScript sources, and the
   * POST /jobs row starts real ones.
   */
  async finishedJob(as: UserRef): Promise<number> {
    const at = new Date().toISOString();
    const rows = await selectRows<{ id: number | string }>(
      this.t.db,
      `INSERT INTO jobs (kind, status, progress_done, progress_total, input, result, created_by, created_at, started_at, finished_at)
       VALUES ('org-units-checksum', 'succeeded', 1, 1, '{}', ?, ?, ?, ?, ?) RETURNING id`,
      [JSON.stringify({ units: 1, sha256: '0'.repeat(64) }), as.id, at, at, at],
    );
    return toInt(rows[0].id);
  }

  /** Waits until one job has finished (the bulletin renders in a worker while the first rows are asked). */
  async waitForJob(id: number, timeoutMs = 240_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [row] = await selectRows<{ status: string }>(this.t.db, 'SELECT status FROM jobs WHERE id = ?', [id]);
      if (row.status === 'succeeded') return;
      if (row.status === 'failed' || Date.now() > deadline) throw new Error(`fixture: job ${id} is ${row.status}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Waits until no job is queued or running, so workers never write under the cells (SQLite has one write lock). */
  async waitForJobs(timeoutMs = 240_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [row] = await selectRows<{ n: number | string }>(this.t.db, `SELECT COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'running')`);
      if (toInt(row.n) === 0) return;
      if (Date.now() > deadline) throw new Error('fixture: jobs still running');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** What a rejected write must leave as it was: the audit chain (every write appends to it in its transaction) and the main tables. */
  async snapshot(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const table of ['audit_log', 'demands', 'burden_reports', 'burden_report_versions', 'flags', 'inspection_plans', 'cases', 'users', 'org_units', 'jobs', 'duty_items']) {
      const [row] = await selectRows<{ n: number | string }>(this.t.db, `SELECT COUNT(*) AS n FROM ${table}`);
      out[table] = toInt(row.n);
    }
    const [head] = await selectRows<{ id: number | string | null }>(this.t.db, 'SELECT MAX(id) AS id FROM audit_log');
    out.auditHead = head.id === null ? 0 : toInt(head.id);
    return out;
  }
}

function unitById(tree: StandardTree, id: number): UnitRef {
  const unit = Object.values(tree).find((u) => u.id === id);
  if (!unit) throw new Error(`fixture: unit ${id} is not in the standard tree`);
  return unit;
}
