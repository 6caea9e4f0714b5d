/**
 * The authorisation matrix (issue 10, point 1): what every route must answer to every role,
 * inside and outside the caller's jurisdiction. Written by hand from ../shared/DESIGN.md §1
 * (roles, jurisdiction, the "visible to" table, "a forbidden object answers 404 when its existence
 * is itself a secret, else 403") and §3 (the API contract), NOT read off the guards; routes DESIGN
 * does not name follow the README section cited on the row.
 *
 * Subjects (all but admin inside 蒙自市, test/factories standardTree):
 *   issuer      蒙自市教育局, a department: acts at county level over 蒙自市's subtree
 *   areaIssuer  文澜街道 as an issuer (a township government towards its villages, DESIGN §1)
 *   reporter    文澜街道 (a township office)
 *   coordinator 蒙自市's 减负办;  inspector 蒙自市's 纪委监委;  admin: no unit
 * Scopes:
 *   in   the object the subject has the strongest claim to: its own (an issuer's demand, plan,
 *        flag, budget, job; the reporter's unit's report) or, for the other roles, the same object
 *        of 蒙自市 (教育局's demand to 文澜街道, its flags, reports, plans; 文澜街道 as a unit).
 *        The township issuer's "in" demand/flag/plan is its own (文澜街道 → 文澜社区).
 *   out  the same kind of object in 个旧市 (another county: outside every subject's jurisdiction);
 *        for lists, a filter naming it (issuerId, unitId, underId).
 *   peer (on the rows where it tells something) the object of another party of the same county:
 *        蒙自市卫生健康局's demand to 雨过铺街道, its flag, plan, budget and job, 雨过铺街道's reports
 *        and the unit itself. Inside the department issuer's jurisdiction but not its own; outside
 *        the township issuer's and the reporter's (文澜街道's subtree). Broken object-level
 *        authorisation between offices of one county is the likeliest in practice.
 * Expected answers:
 *   a status, or 'hidden' for a list (or lookup) aimed at the outside or the peer: the caller
 *   learns nothing of it — a 2xx whose items hold none of its objects (by id and marker text), or
 *   a 403/404 (DESIGN does not say which a filter naming a forbidden object gets).
 *   [in, out] on a row with a scope; one value on a row without one (topics, policy, uploads).
 * Secrets (404) and not (403): the org tree is the public administrative division list, so a
 * unit outside (and its burden card) is 403; so is an inspection plan, an office's declared
 * programme filed with the coordinating mechanism for approval (§2), not a record about anyone.
 * Every other record of the ledger — demand, burden report, flag, objection, budget, case, job —
 * is a secret outside the caller's reach: 404 for an id in the path, the "does not exist" answer
 * of a nonexistent id when named inside a body.
 * A role the route is not for at all is 403 (function level; it learns nothing of any object).
 * Every protected route answers 401 to no token, an expired token, a forged signature, and a
 * revoked token (user disabled; password reset), whatever the role (CREDENTIALS in fixture.ts).
 */

export const SUBJECTS = ['issuer', 'areaIssuer', 'reporter', 'coordinator', 'inspector', 'admin'] as const;
export type Subject = (typeof SUBJECTS)[number];
export type Scope = 'in' | 'out' | 'peer';
export type Expected = number | 'hidden';
export type Cell = Expected | readonly [Expected, Expected];

export interface MatrixRow {
  /** METHOD and the Express path under /api/v1, as the router registers it. */
  route: string;
  /** A second row for the same route (a different object kind behind the same path). */
  variant?: string;
  /** The DESIGN (or README) line the row follows. */
  design: string;
  /**
   * Public routes take no token: the credential cells must answer as the route's cell with a bad
   * token as without one (the 'none' cell is the anonymous caller). Their role cells run too: with
   * the subject's own token, which the route ignores, or, on login (`logsIn`), with none.
   */
  anonymous?: boolean;
  /**
   * POST /auth/login: a role cell is the subject logging in with its own username and password and
   * no token, and a 2xx must carry a working token of that very user and role; `wrongPassword` is
   * what the subject's username with a wrong password gets. Login allows 10 attempts a minute per
   * client address, so each subject's cells come from an address of its own.
   */
  logsIn?: { wrongPassword: Record<Subject, Cell> };
  /** Whether the route has an object/filter inside or outside the caller's jurisdiction. */
  scoped: boolean;
  expect: Record<Subject, Cell>;
  /** The peer-scope cells of the subjects listed (the others have none on this row). */
  peer?: Partial<Record<Subject, Expected>>;
  /**
   * Write routes: extra privileged fields, each sent alone on the allowed request; the
   * ValidationPipe (whitelist + forbidNonWhitelisted) must answer 400 and change nothing (OWASP API6).
   * '$foreignOffice', '$foreignUnit', '$foreignDemand' stand for ids of 个旧市 (the fixture fills them in).
   */
  massAssignment?: Record<string, unknown>[];
  /** The status a privileged extra field gets when the route validates its body as a whole document instead of through a DTO (default 400). */
  massAssignmentStatus?: number;
  /**
   * Cells (`subject/scope`, `subject` on a row without scope, or a credential name) where the
   * product is known to differ, with why: reported, not failed; a mark whose cell passes fails the
   * test, so it is removed with the fix.
   */
  knownBug?: Partial<Record<string, string>>;
}

const all = (cell: Cell): Record<Subject, Cell> => ({ issuer: cell, areaIssuer: cell, reporter: cell, coordinator: cell, inspector: cell, admin: cell });
/** Only the listed subjects get their cell; every other role is refused outright (403). */
const only = (cells: Partial<Record<Subject, Cell>>, denied: Cell = 403): Record<Subject, Cell> => ({ ...all(denied), ...cells });

export const ROW_KEY = (r: Pick<MatrixRow, 'route' | 'variant'>) => (r.variant ? `${r.route} [${r.variant}]` : r.route);

export const MATRIX: MatrixRow[] = [
  // ---- public ----
  // §3 "Every route but health, login and the dashboard's static files needs Authorization"; POST /auth/login "anyone",
  // {username, password} → {accessToken, user}: every role gets its own token; a wrong password is the caller's
  // mistake (§3 "a 4xx for anything the caller did wrong"): 401, as for a missing or bad token, for every role.
  { route: 'POST /auth/login', design: '§3 POST /auth/login: anyone (a token for valid credentials, 401 for a wrong password)', anonymous: true, scoped: false, expect: all(200), logsIn: { wrongPassword: all(401) }, massAssignment: [{ role: 'admin' }] },
  // §3 GET /health: anyone, with a token of any role or none.
  { route: 'GET /health', design: '§3 GET /health: anyone', anonymous: true, scoped: false, expect: all(200) },

  // ---- org units: §1 "org unit | anyone whose jurisdiction contains it"; §3 "admin writes, all read (jurisdiction)" ----
  { route: 'GET /org-units', design: '§3 GET /org-units: all read (jurisdiction); §1 org unit visible within jurisdiction; admin: the organisation tree', scoped: true, expect: { ...all([200, 'hidden']), admin: [200, 200] } },
  { route: 'POST /org-units', design: '§3 POST /org-units: admin writes; §1 admin: organisation tree', scoped: true, expect: only({ admin: [201, 201] }, [403, 403]), massAssignment: [{ path: '/53/' }, { depth: 0 }] },
  { route: 'POST /org-units/import', design: '§3 POST /org-units/import: admin writes', scoped: false, expect: only({ admin: 201 }), massAssignment: [{ createdBy: 1 }, { parentId: '$foreignUnit' }] },
  { route: 'GET /org-units/:id', design: '§1 org unit: anyone whose jurisdiction contains it (public division list: 403 outside)', scoped: true, peer: { issuer: 200, areaIssuer: 403, reporter: 403 }, expect: { ...all([200, 403]), admin: [200, 200] } },
  { route: 'PATCH /org-units/:id', design: '§3 PATCH /org-units/:id: admin writes', scoped: true, expect: only({ admin: [200, 200] }, [403, 403]), massAssignment: [{ path: '/53/' }, { code: '999999' }] },

  // ---- reference data: §3 "GET /topics, GET/POST /duty-items | all read, admin writes" ----
  { route: 'GET /topics', design: '§3 GET /topics: all read', scoped: false, expect: all(200) },
  { route: 'GET /duty-items', design: '§3 GET /duty-items: all read', scoped: false, expect: all(200) },
  { route: 'POST /duty-items', design: '§3 POST /duty-items: admin writes', scoped: false, expect: only({ admin: 201 }), massAssignment: [{ createdBy: 1 }, { id: 1 }] },

  // ---- users: §3 "GET/POST /users, PATCH /users/:id | admin"; §1 admin: users ----
  { route: 'GET /users', design: '§3 GET /users: admin', scoped: false, expect: only({ admin: 200 }) },
  { route: 'POST /users', design: '§3 POST /users: admin (any unit: admin has no jurisdiction limit on users)', scoped: true, expect: only({ admin: [201, 201] }, [403, 403]), massAssignment: [{ tokenVersion: 5 }, { disabled: true, passwordHash: 'x' }] },
  { route: 'PATCH /users/:id', design: '§3 PATCH /users/:id: admin', scoped: true, expect: only({ admin: [200, 200] }, [403, 403]), massAssignment: [{ role: 'admin' }, { tokenVersion: 0 }, { username: 'root' }] },

  // ---- inspection plans: §3 "issuer writes own; coordinator approves"; §1 inspector reads everything in its jurisdiction; reporters and admin have no part in plans ----
  { route: 'GET /inspection-plans', design: '§3 plans: issuer (own), coordinator (approves), §1 inspector reads its jurisdiction', scoped: true, peer: { issuer: 'hidden', areaIssuer: 'hidden' }, expect: only({ issuer: [200, 'hidden'], areaIssuer: [200, 'hidden'], coordinator: [200, 'hidden'], inspector: [200, 'hidden'] }, [403, 403]) },
  { route: 'POST /inspection-plans', design: '§3 POST /inspection-plans: issuer writes own', scoped: false, expect: only({ issuer: 201, areaIssuer: 201 }), massAssignment: [{ issuerId: '$foreignOffice' }, { status: 'approved' }, { version: 9 }] },
  { route: 'GET /inspection-plans/:id', design: '§3 plans: issuer own, coordinator, inspector; a plan is no secret: 403 outside', scoped: true, peer: { issuer: 403, areaIssuer: 403 }, expect: only({ issuer: [200, 403], areaIssuer: [200, 403], coordinator: [200, 403], inspector: [200, 403] }, [403, 403]) },
  { route: 'PATCH /inspection-plans/:id', design: '§3 plans: issuer writes own (a draft)', scoped: true, peer: { issuer: 403, areaIssuer: 403 }, expect: only({ issuer: [200, 403], areaIssuer: [200, 403] }, [403, 403]), massAssignment: [{ status: 'approved' }, { issuerId: '$foreignOffice' }, { year: 2099 }] },
  { route: 'POST /inspection-plans/:id/submit', design: '§3 plans: issuer writes own', scoped: true, peer: { issuer: 403, areaIssuer: 403 }, expect: only({ issuer: [200, 403], areaIssuer: [200, 403] }, [403, 403]) },
  { route: 'POST /inspection-plans/:id/approve', design: '§3 plans: coordinator approves (jurisdiction over the issuer)', scoped: true, expect: only({ coordinator: [200, 403] }, [403, 403]) },
  { route: 'POST /inspection-plans/:id/reject', design: '§3 plans: coordinator approves or rejects', scoped: true, expect: only({ coordinator: [200, 403] }, [403, 403]), massAssignment: [{ status: 'approved' }] },
  { route: 'POST /inspection-plans/:id/rework', design: '§2 rejected → draft, by the issuer (§3 issuer writes own)', scoped: true, expect: only({ issuer: [200, 403], areaIssuer: [200, 403] }, [403, 403]) },
  { route: 'POST /inspection-plans/:id/revise', design: '§2 a change of an approved plan is a new version (§3 issuer writes own)', scoped: true, expect: only({ issuer: [201, 403], areaIssuer: [201, 403] }, [403, 403]) },

  // ---- demands: §1 "demand | its issuer's users; users of any unit it targets; coordinators and inspectors whose jurisdiction contains the issuer or a target" (admin not listed) ----
  { route: 'GET /demands', design: '§1 demand visible to issuer, targets, coordinators/inspectors; admin not listed', scoped: true, peer: { issuer: 'hidden', areaIssuer: 'hidden', reporter: 'hidden' }, expect: only({ issuer: [200, 'hidden'], areaIssuer: [200, 'hidden'], reporter: [200, 'hidden'], coordinator: [200, 'hidden'], inspector: [200, 'hidden'] }, [403, 403]) },
  { route: 'POST /demands', design: '§3 POST /demands: issuer writes own; §2 targets strictly below, inside its jurisdiction (a unit: 403 outside)', scoped: true, peer: { issuer: 201, areaIssuer: 403 }, expect: only({ issuer: [201, 403], areaIssuer: [201, 403] }, [403, 403]), massAssignment: [{ issuerId: '$foreignOffice' }, { registrationNo: '532501-2026-000001' }, { status: 'cancelled' }, { version: 7 }] },
  { route: 'POST /demands/import', design: '§3 POST /demands/import: issuer own; coordinator for issuers in its jurisdiction (rows naming others: demands-import spec)', scoped: false, expect: only({ issuer: 202, areaIssuer: 202, coordinator: 202 }), massAssignment: [{ issuerId: '$foreignOffice' }, { createdBy: 1 }] },
  { route: 'GET /demands/lookup', design: '§3 lookup: targets, issuer, coordinator; §1 inspector reads its jurisdiction; admin not listed; outside: as if unregistered', scoped: true, peer: { issuer: 'hidden', areaIssuer: 'hidden', reporter: 'hidden' }, expect: only({ issuer: [200, 'hidden'], areaIssuer: [200, 'hidden'], reporter: [200, 'hidden'], coordinator: [200, 'hidden'], inspector: [200, 'hidden'] }, [403, 403]) },
  { route: 'POST /demands/preview', design: '§3 POST /demands/preview: issuer; same body (and target rules) as create', scoped: true, peer: { issuer: 200, areaIssuer: 403 }, expect: only({ issuer: [200, 403], areaIssuer: [200, 403] }, [403, 403]), massAssignment: [{ issuerId: '$foreignOffice' }] },
  { route: 'GET /demands/:id', design: '§1 demand visible to issuer, targets, coordinators/inspectors; admin not listed; secret outside: 404', scoped: true, peer: { issuer: 404, areaIssuer: 404, reporter: 404 }, expect: only({ issuer: [200, 404], areaIssuer: [200, 404], reporter: [200, 404], coordinator: [200, 404], inspector: [200, 404] }, [403, 403]) },
  { route: 'PATCH /demands/:id', design: '§3 PATCH /demands/:id: issuer writes own', scoped: true, peer: { issuer: 404, areaIssuer: 404 }, expect: only({ issuer: [200, 404], areaIssuer: [200, 404] }, [403, 403]), massAssignment: [{ issuerId: '$foreignOffice' }, { registrationNo: '532501-2026-000001' }, { status: 'cancelled' }, { kind: 'meeting' }] },
  { route: 'POST /demands/:id/cancel', design: '§3 POST /demands/:id/cancel: issuer writes own', scoped: true, peer: { issuer: 404, areaIssuer: 404 }, expect: only({ issuer: [200, 404], areaIssuer: [200, 404] }, [403, 403]), massAssignment: [{ status: 'active' }, { issuerId: '$foreignOffice' }] },
  { route: 'POST /demands/:id/objections', design: '§3 objections: reporter of a target unit', scoped: true, peer: { reporter: 404 }, expect: only({ reporter: [201, 404] }, [403, 403]), massAssignment: [{ status: 'confirmed' }, { rule: 'DUPLICATE_DATA_REQUEST' }] },

  // ---- burden reports: §1 "its unit and the units above it (reporters of an upper township, coordinators, inspectors); never issuers when it is a shadow-demand report" (admin not listed) ----
  { route: 'GET /burden-reports', design: '§1 burden report: its unit and above, coordinators, inspectors; issuers only on their demands (never shadow); admin not listed', scoped: true, peer: { issuer: 'hidden', areaIssuer: 'hidden', reporter: 'hidden' }, expect: only({ issuer: [200, 'hidden'], areaIssuer: [200, 'hidden'], reporter: [200, 'hidden'], coordinator: [200, 'hidden'], inspector: [200, 'hidden'] }, [403, 403]) },
  {
    route: 'GET /burden-reports',
    variant: 'shadow',
    design: '§1 burden report: "never issuers when it is a shadow-demand report" — the list of shadow reports shows an issuer none (文澜街道\'s own issuer neither)',
    scoped: false,
    expect: only({ issuer: 'hidden', areaIssuer: 'hidden', reporter: 200, coordinator: 200, inspector: 200 }),
  },
  { route: 'POST /burden-reports', design: '§3 POST /burden-reports: reporter writes own unit and its subtree (a unit outside: 403)', scoped: true, peer: { reporter: 403 }, expect: only({ reporter: [201, 403] }, [403, 403]), massAssignment: [{ version: 3 }, { reportedBy: 1 }, { current: false }] },
  { route: 'POST /burden-reports/confirm', design: '§3 confirm: reporter writes own unit and its subtree', scoped: true, peer: { reporter: 403 }, expect: only({ reporter: [201, 403] }, [403, 403]), massAssignment: [{ hoursSpent: 0 }, { status: 'confirmed' }] },
  { route: 'POST /burden-reports/import', design: '§3 burden reports: reporter writes (README: import; rows of other units: burden-reports-import spec)', scoped: false, expect: only({ reporter: 201 }), massAssignment: [{ unitId: '$foreignUnit' }, { reportedBy: 1 }] },
  { route: 'GET /burden-reports/template.xlsx', design: 'README Burden reports: the import template, for reporters who import and coordinators who hand it out (not in DESIGN)', scoped: false, expect: only({ reporter: 200, coordinator: 200 }) },
  {
    route: 'GET /burden-reports/:id',
    variant: 'registered',
    design: '§1 burden report: "its unit and the units above it (reporters of an upper township, coordinators, inspectors)"; the issuer of the demand (implied by "never issuers when shadow"), not another issuer, even of the same unit; admin not listed; secret outside: 404',
    scoped: true, peer: { issuer: 404, areaIssuer: 404, reporter: 404 },
    expect: only({ issuer: [200, 404], areaIssuer: [404, 404], reporter: [200, 404], coordinator: [200, 404], inspector: [200, 404] }, [403, 403]),
  },
  {
    route: 'GET /burden-reports/:id',
    variant: 'shadow',
    design: '§1 burden report: "never issuers when it is a shadow-demand report" (even of their own unit): 404',
    scoped: true, peer: { reporter: 404 },
    expect: only({ issuer: [404, 404], areaIssuer: [404, 404], reporter: [200, 404], coordinator: [200, 404], inspector: [200, 404] }, [403, 403]),
  },
  { route: 'POST /burden-reports/:id/amend', design: '§3 amend: reporter writes own unit and its subtree', scoped: true, peer: { reporter: 404 }, expect: only({ reporter: [200, 404] }, [403, 403]), massAssignment: [{ unitId: '$foreignUnit' }, { demandId: '$foreignDemand' }, { month: '2026-01' }] },
  { route: 'POST /burden-reports/:id/link', design: '§3 link: coordinator (a shadow report in its jurisdiction)', scoped: true, expect: only({ coordinator: [200, 404] }, [403, 403]), massAssignment: [{ unitId: '$foreignUnit' }, { hoursSpent: 0 }] },

  // ---- monitoring points: §3 "GET/PUT /monitoring-points | coordinator"; §1 inspector reads everything in its jurisdiction ----
  { route: 'GET /monitoring-points', design: '§3 monitoring points: coordinator; §1 inspector reads its jurisdiction', scoped: true, expect: only({ coordinator: [200, 'hidden'], inspector: [200, 'hidden'] }, [403, 403]) },
  { route: 'PUT /monitoring-points', design: '§3 PUT /monitoring-points: coordinator (units of its jurisdiction; a unit outside: 403)', scoped: true, expect: only({ coordinator: [200, 403] }, [403, 403]), massAssignment: [{ designatedBy: 1 }] },

  // ---- objections: §3 POST /demands/:id/objections; README "and GET /objections"; §1 flags: never the identity of who reported ----
  { route: 'GET /objections', design: 'README Burden reports: GET /objections; §1: coordinators and inspectors (the OBJECTION flag), the objecting reporter; never the issuer (who objected is hidden)', scoped: true, peer: { reporter: 'hidden' }, expect: only({ reporter: [200, 'hidden'], coordinator: [200, 'hidden'], inspector: [200, 'hidden'] }, [403, 403]) },

  // ---- metrics: §3 "jurisdiction" (a unit: public, 403 outside); admin's jurisdiction is the whole tree ----
  { route: 'GET /metrics/units', design: '§3 GET /metrics/units: jurisdiction', scoped: true, expect: { ...all([200, 'hidden']), admin: [200, 200] } },
  { route: 'GET /metrics/units/:id', design: '§3 GET /metrics/units/:id: jurisdiction (unit outside: 403)', scoped: true, peer: { issuer: 200, areaIssuer: 403, reporter: 403 }, expect: { ...all([200, 403]), admin: [200, 200] } },
  { route: 'GET /metrics/units/:id/series', design: '§3 series: jurisdiction', scoped: true, expect: { ...all([200, 403]), admin: [200, 200] } },
  { route: 'GET /metrics/units/:id/forecast', design: '§3 forecast: jurisdiction', scoped: true, expect: { ...all([200, 403]), admin: [200, 200] } },
  { route: 'GET /metrics/issuers', design: '§3 GET /metrics/issuers: coordinator, inspector', scoped: true, expect: only({ coordinator: [200, 'hidden'], inspector: [200, 'hidden'] }, [403, 403]) },

  // ---- budgets: §3 "PUT /issuer-budgets/:issuerId/:year | coordinator"; README Rules: GET for coordinator, inspector and the office itself ----
  { route: 'PUT /issuer-budgets/:issuerId/:year', design: '§3 PUT budgets: coordinator (issuers in its jurisdiction; a budget record outside: 404)', scoped: true, expect: only({ coordinator: [200, 404] }, [403, 403]), massAssignment: [{ usedHours: 0 }, { issuerId: '$foreignOffice' }] },
  { route: 'GET /issuer-budgets/:issuerId/:year', design: 'README Budgets: GET for the coordinator, inspector and the office itself', scoped: true, peer: { issuer: 404, areaIssuer: 404 }, expect: only({ issuer: [200, 404], areaIssuer: [200, 404], coordinator: [200, 404], inspector: [200, 404] }, [403, 403]) },

  // ---- flags: §1 "coordinators and inspectors whose jurisdiction contains the flagged unit or the issuer; the issuer of the flagged demand"; §3 "coordinators review; issuers read and rectify their own; inspectors read" ----
  { route: 'GET /flags', design: '§1 flag: coordinators, inspectors, issuer of the demand; reporters and admin not listed', scoped: true, peer: { issuer: 'hidden', areaIssuer: 'hidden' }, expect: only({ issuer: [200, 'hidden'], areaIssuer: [200, 'hidden'], coordinator: [200, 'hidden'], inspector: [200, 'hidden'] }, [403, 403]) },
  { route: 'GET /flags/:id', design: '§1 flag visible to coordinators, inspectors, the issuer of the flagged demand; secret outside: 404', scoped: true, peer: { issuer: 404, areaIssuer: 404 }, expect: only({ issuer: [200, 404], areaIssuer: [200, 404], coordinator: [200, 404], inspector: [200, 404] }, [403, 403]) },
  {
    route: 'POST /flags/:id/transitions',
    design: '§3 coordinators review; issuers rectify their own (§2 rectifying → rectified); inspectors only read',
    scoped: true, peer: { issuer: 404, areaIssuer: 404 },
    expect: only({ issuer: [200, 404], areaIssuer: [200, 404], coordinator: [200, 404] }, [403, 403]),
    massAssignment: [{ status: 'verified' }, { actorId: 1 }, { rule: 'OBJECTION' }],
  },
  { route: 'POST /flags/evaluate', design: '§3 POST /flags/evaluate: coordinator, admin', scoped: false, expect: only({ coordinator: 202, admin: 202 }), massAssignment: [{ createdBy: 1 }] },

  // ---- jobs: §3 "GET /jobs/:id | who started it"; jobs README: GET /jobs own, POST /jobs roles of the kind ----
  {
    route: 'GET /jobs',
    design: '§3 jobs: who started it (the list: one\'s own jobs)',
    scoped: true,
    expect: all([200, 'hidden']),
  },
  {
    route: 'GET /jobs/:id',
    design: '§3 GET /jobs/:id: who started it (another\'s job: a secret, 404)',
    scoped: true, peer: { issuer: 404, areaIssuer: 404, reporter: 404, coordinator: 404, inspector: 404, admin: 404 },
    expect: all([200, 404]),
  },
  { route: 'POST /jobs', design: 'jobs README: POST /jobs by the roles a kind lists (org-units-checksum: every role)', scoped: false, expect: all(202), massAssignment: [{ createdBy: 1 }, { status: 'succeeded' }] },

  // ---- joint inspections: §3 "issuer, coordinator" ----
  { route: 'GET /joint-inspections/suggestions', design: '§3 joint-inspection suggestions: issuer, coordinator', scoped: false, expect: only({ issuer: 200, areaIssuer: 200, coordinator: 200 }) },

  // ---- cases and bulletins: §1 "case, bulletin | inspectors whose jurisdiction contains the case's issuer or unit"; admin: no access to cases ----
  { route: 'GET /cases', design: '§1 case: inspectors of its jurisdiction; admin no access', scoped: true, expect: only({ inspector: [200, 'hidden'] }, [403, 403]) },
  {
    route: 'POST /cases',
    design: '§3 POST /cases: inspector, from confirmed flags of its jurisdiction (a flag outside: "does not exist", 422 like a nonexistent id)',
    scoped: true,
    expect: only({ inspector: [201, 422] }, [403, 403]),
    massAssignment: [{ status: 'final' }, { evidenceHash: '0'.repeat(64) }, { createdBy: 1 }],
  },
  { route: 'GET /cases/:id', design: '§1 case: inspectors of its jurisdiction; secret outside: 404', scoped: true, expect: only({ inspector: [200, 404] }, [403, 403]) },
  { route: 'PATCH /cases/:id', design: '§3 PATCH /cases/:id: inspector (its jurisdiction; secret outside: 404)', scoped: true, expect: only({ inspector: [200, 404] }, [403, 403]), massAssignment: [{ evidenceHash: '0'.repeat(64) }, { issuerId: '$foreignOffice' }, { flagIds: [1] }] },
  { route: 'GET /case-reports', design: '§3 GET /case-reports: inspector (the bulletin of its jurisdiction)', scoped: false, expect: only({ inspector: 200 }) },
  { route: 'GET /case-reports/outputs/:jobId', design: '§1 bulletin: inspectors; README: the rendered file for its starter only (another\'s job: 404)', scoped: true, expect: only({ inspector: [200, 404] }, [403, 403]) },

  // ---- audit: §1 "audit entry | inspectors and admin, scoped by the entry's stored unit path" ----
  { route: 'GET /audit', design: '§1 audit entry: inspectors (by unit path) and admin', scoped: true, expect: only({ inspector: [200, 'hidden'], admin: [200, 200] }, [403, 403]) },
  { route: 'GET /audit/verify', design: '§3 GET /audit/verify: inspector, admin', scoped: false, expect: only({ inspector: 200, admin: 200 }) },

  // ---- policy: §3 "GET /policy, PUT /policy | all read, admin writes (new version)" ----
  { route: 'GET /policy', design: '§3 GET /policy: all read', scoped: false, expect: all(200) },
  { route: 'GET /policy/versions', design: '§3 policy: all read (its versions too)', scoped: false, expect: all(200) },
  // The policy is a versioned document checked as a whole (policy-document.ts): every problem, an unknown field too, is a 422 naming its path.
  { route: 'PUT /policy', design: '§3 PUT /policy: admin writes (new version)', scoped: false, expect: only({ admin: 200 }), massAssignment: [{ createdBy: 1 }, { approvedBy: 1 }], massAssignmentStatus: 422 },
];
