import fc from 'fast-check';
import type { Response } from 'supertest';
import { API, FuzzFixture, idRoutes, validRequests, ValidRequest } from '../fuzz/api-requests';
import { changedTables, databaseFingerprint, newestWrites, tableNames, waitForJobs } from '../fuzz/db-fingerprint';
import { describeValue, judgeAnswer, short } from '../fuzz/judge';
import { badQueryValue, NASTY_STRINGS, rawBodies } from '../fuzz/malformed';
import { applyMutation, bodyMutation, encodeComponent, queryMutation, queryString } from '../fuzz/mutations';
import { bearer } from '../factories';
import { appRoutes } from '../utils/routes';
import { TestApp } from '../utils/test-app';
import openapi from '../../openapi.json';

/**
 * Issue 10, point 2: bad input, property-based. For every route of the API that takes a body or
 * a query (the router's routes, described by openapi.json), a caller the route allows sends the
 * valid request with one field or parameter set to a malformed value (fast-check, fixed seed),
 * plus a fixed set of whole-body malformations (wrong content type and encoding, truncated JSON,
 * BOM, 1,000 levels of nesting, 1 MB strings). Properties: never a 5xx; every 4xx is the error
 * shape with a message, and a 400/422 about one field names it; a rejected write leaves every
 * row of every table as it was. Routes with an id in the path get malformed ids.
 */

const SEED = 20261127;
/** Runs per route: enough to visit every declared field several times, small enough for < 3 min on a loaded 2-core machine. */
const BODY_RUNS = 25;
const QUERY_RUNS = 25;
const ID_RUNS = 12;
/** POST /auth/login is rate-limited (10 a minute per address): beyond that every answer is 429 and nothing reaches validation. */
const LOGIN_RUNS = 8;

/**
 * Cases where the product is known to be wrong in code other agents own now (issue 10 brief):
 * kept, skipped, printed. Key: `METHOD /path`; value: predicate on the mutated field or parameter, and why.
 */
const KNOWN_BUGS: { route: string; field: string; why: string }[] = [];
const knownBug = (route: string, field: string) => KNOWN_BUGS.find((k) => k.route === route && (k.field === '*' || k.field === field));

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface OpenApiOperation {
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, { schema: { $ref?: string; properties?: Record<string, unknown> } }> };
}
const doc = openapi as unknown as { paths: Record<string, Record<string, OpenApiOperation>>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };

/** `GET /demands/:id` → the openapi operation of `/api/v1/demands/{id}`. */
function operationOf(key: string): OpenApiOperation | undefined {
  const [method, path] = key.split(' ');
  return doc.paths[`${API}${path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`]?.[method.toLowerCase()];
}
const queryParams = (op: OpenApiOperation | undefined) => (op?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
function bodyFields(op: OpenApiOperation | undefined): string[] {
  const content = op?.requestBody?.content['application/json'];
  if (!content) return [];
  const schema = content.schema.$ref ? doc.components.schemas[content.schema.$ref.split('/').pop()!] : content.schema;
  return Object.keys(schema?.properties ?? {});
}
const takesJson = (op: OpenApiOperation | undefined) => op?.requestBody?.content['application/json'] !== undefined;
const takesFile = (op: OpenApiOperation | undefined) => op?.requestBody?.content['multipart/form-data'] !== undefined;

/** Every route of the running app under /api/v1 as `METHOD /path` (the docs and anything outside the API are not fuzzed). */
const registeredRoutes = (t: TestApp): string[] => appRoutes(t.app, { only: API, relativeTo: API }).map((r) => r.key);

interface Violation {
  route: string;
  input: string;
  problem: string;
}

describe('bad input (issue 10.2; property-based, fixed seed)', () => {
  let t: TestApp;
  let fx: FuzzFixture;
  let requests: Record<string, ValidRequest>;
  let tables: string[];
  const violations: Violation[] = [];
  const skipped: string[] = [];
  const tried = { routes: new Set<string>(), inputs: 0 };
  /** Where the time goes (ms per kind of input), printed with the figures: the suite must stay well under 3 minutes. */
  const spent = new Map<string, number>();
  const spend = (what: string, ms: number) => spent.set(what, (spent.get(what) ?? 0) + ms);
  /** The database as the last rejected or settled request left it; recomputed only after an accepted write. */
  let fingerprint: Record<string, string> | null = null;

  beforeAll(async () => {
    t = await TestApp.start();
    fx = await FuzzFixture.build(t);
    requests = validRequests(fx, await fx.spareUser());
    tables = await tableNames(t);
    await waitForJobs(t);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  /** Sends one request and checks the three properties; records, rather than throws, so every route is tried and every problem listed. */
  async function probe(key: string, send: () => PromiseLike<Response>, input: string, mutatedField: string | null): Promise<void> {
    const write = !key.startsWith('GET ');
    tried.routes.add(key);
    tried.inputs += 1;
    const known = mutatedField !== null ? knownBug(key, mutatedField) : knownBug(key, '*');
    if (known) {
      skipped.push(`knownBug ${key} ${input}: ${known.why}`);
      return;
    }
    if (write && fingerprint === null) {
      await waitForJobs(t);
      fingerprint = await databaseFingerprint(t, tables);
    }
    let res: Response;
    const started = Date.now();
    try {
      res = await send();
      spend(mutatedField === null ? input.slice(0, 40) : key, Date.now() - started);
    } catch (error) {
      violations.push({ route: key, input, problem: `no answer: ${(error as Error).message}` });
      fingerprint = null;
      return;
    }
    const problem = judgeAnswer(res, mutatedField);
    if (problem) violations.push({ route: key, input, problem });
    if (!write) {
      // Reads may write too (reading cases is audited): the next write measures afresh.
      fingerprint = null;
      return;
    }
    if (res.status >= 400) {
      const fpStarted = Date.now();
      const after = await databaseFingerprint(t, tables);
      spend('(fingerprint)', Date.now() - fpStarted);
      const changed = changedTables(fingerprint!, after);
      if (changed.length) violations.push({ route: key, input, problem: `${res.status} but the database changed: ${changed.join(', ')} (${await newestWrites(t)})` });
      fingerprint = after;
    } else {
      // An accepted write changes the database (and may start a job): measure afresh before the next one.
      fingerprint = null;
    }
  }

  const call = (key: string, req: ValidRequest, pathAndQuery: string) => {
    const method = key.split(' ')[0].toLowerCase() as Method;
    return t.http[method](`${API}${pathAndQuery}`).set(bearer(req.as));
  };

  it('has a valid request for every route with a body or a query, and each is accepted as it stands', async () => {
    const routes = registeredRoutes(t);
    expect(routes.length).toBeGreaterThanOrEqual(50);
    const needed = routes.filter((r) => {
      const op = operationOf(r);
      return (takesJson(op) || queryParams(op).length > 0) && r !== 'GET /health';
    });
    expect(needed.filter((r) => !requests[r])).toEqual([]);
    const refused: string[] = [];
    for (const key of Object.keys(requests)) {
      const req = requests[key];
      const res = await call(key, req, `${req.path}${queryString(req.query ?? {})}`).send(req.body);
      if (res.status >= 300) refused.push(`${key} -> ${res.status} ${short(res.text)}`);
    }
    expect(refused).toEqual([]);
    await waitForJobs(t);
  }, 120_000);

  it('JSON bodies: one malformed field at a time: no 5xx, a named 4xx, nothing written on a rejection', async () => {
    for (const key of Object.keys(requests)) {
      const req = requests[key];
      if (!req.body) continue;
      const declared = bodyFields(operationOf(key));
      const runs = key === 'POST /auth/login' ? LOGIN_RUNS : BODY_RUNS;
      await fc.assert(
        fc.asyncProperty(bodyMutation(req.body, declared), async (m) => {
          const body = applyMutation(req.body!, m);
          await probe(key, () => call(key, req, req.path).send(body), `${m.field} = ${describeValue(m.value)}`, m.field);
        }),
        { seed: SEED, numRuns: runs, endOnFailure: true },
      );
    }
  }, 600_000);

  it('whole bodies: wrong content type and encoding, broken JSON, wrong shape, deep nesting, too large', async () => {
    const bodyRoutes = Object.keys(requests).filter((k) => requests[k].body && k !== 'POST /auth/login');
    const fileRoutes = registeredRoutes(t).filter((k) => takesFile(operationOf(k)));
    expect(fileRoutes.length).toBeGreaterThanOrEqual(3);
    for (const key of [...bodyRoutes, ...fileRoutes]) {
      const req = requests[key] ?? { as: fx.users.admin, path: key.split(' ')[1] };
      // An import's caller: the admin for org units, the issuer for demands, the reporter for burden reports.
      if (!requests[key]) req.as = key.includes('demands') ? fx.users.issuer : key.includes('burden-reports') ? fx.users.reporter : fx.users.admin;
      for (const raw of rawBodies(req.body ?? {})) {
        await probe(key, () => call(key, req, req.path).set('Content-Type', raw.contentType).send(raw.bytes), raw.name, null);
      }
    }
  }, 600_000);

  it('queries: one malformed parameter at a time: no 5xx, a named 4xx', async () => {
    for (const key of Object.keys(requests)) {
      const req = requests[key];
      const declared = queryParams(operationOf(key));
      if (!req.query || declared.length === 0) continue;
      await fc.assert(
        fc.asyncProperty(queryMutation(declared), async (m) => {
          const query = { ...req.query, [m.param]: m.value };
          await probe(key, () => call(key, req, `${req.path}${queryString(query)}`), `?${m.param}=${describeValue(m.value)}`, m.param);
        }),
        { seed: SEED, numRuns: QUERY_RUNS, endOnFailure: true },
      );
    }
  }, 600_000);

  it('path ids: malformed ids on every route with an id: no 5xx, a named 4xx', async () => {
    const ids = idRoutes(fx);
    const withIds = Object.entries({ ...requests, ...ids }).filter(([k]) => k.includes('/:'));
    expect(withIds.length).toBeGreaterThanOrEqual(15);
    for (const [key, req] of withIds) {
      const segments = req.path.split('/');
      // The last number in the path is the id the route looks up (for budgets, the year; the issuer id is the one before).
      const at = segments.map((s, i) => (/^\d+$/.test(s) ? i : -1)).filter((i) => i >= 0);
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...at), fc.oneof(fc.constantFrom(...NASTY_STRINGS.filter((s) => s !== '')), badQueryValue.map(String)), async (index, bad) => {
          const path = segments.map((s, i) => (i === index ? encodeComponent(bad) : s)).join('/');
          await probe(key, () => call(key, req, `${path}${queryString(req.query ?? {})}`).send(req.body), `${path}`, null);
        }),
        { seed: SEED, numRuns: ID_RUNS, endOnFailure: true },
      );
    }
  }, 600_000);

  it('regressions: product bugs the properties found stay fixed', async () => {
    const { users, objects } = fx;
    // A page number like 1e40 passed @IsInt and reached SQL as OFFSET 5e+41 (500).
    for (const path of ['/topics', '/cases', '/burden-reports', '/audit']) {
      const res = await t.http.get(`${API}${path}?page=${'9'.repeat(40)}`).set(bearer(path === '/audit' || path === '/cases' ? users.inspector : users.reporter));
      expect([res.status, res.text]).toEqual([400, expect.stringContaining('page')]);
    }
    // An array where a plan item object belongs passed @ValidateNested and crashed the service (500).
    for (const items of [[[]], [null], ['专项督查'], [[{ title: 'x' }]]]) {
      const res = await t.http.patch(`${API}/inspection-plans/${objects.draftPlan.id}`).set(bearer(users.issuer)).send({ items });
      expect([res.status, res.text]).toEqual([400, expect.stringContaining('items')]);
      const created = await t.http.post(`${API}/inspection-plans`).set(bearer(users.issuer)).send({ year: 2031, items });
      expect([created.status, created.text]).toEqual([400, expect.stringContaining('items')]);
    }
    const scopes = await t.http.post(`${API}/demands/preview`).set(bearer(users.issuer)).send({ ...requests['POST /demands/preview'].body, targetScopes: [[]] });
    expect([scopes.status, scopes.text]).toEqual([400, expect.stringContaining('targetScopes')]);
    const persons = await t.http.patch(`${API}/cases/${objects.case.id}`).set(bearer(users.inspector)).send({ persons: [[]], version: objects.case.version });
    expect([persons.status, persons.text]).toEqual([400, expect.stringContaining('persons')]);
    const shadow = await t.http.post(`${API}/burden-reports`).set(bearer(users.reporter)).send({ ...requests['POST /burden-reports'].body, shadow: [] });
    expect([shadow.status, shadow.text]).toEqual([400, expect.stringContaining('shadow')]);
    // A NUL character in text: SQLite stored it, PostgreSQL refused it (500); now a 400 naming the field on both.
    const nulBody = await t.http.post(`${API}/demands/preview`).set(bearer(users.issuer)).send({ ...requests['POST /demands/preview'].body, title: 'a\u0000b' });
    expect([nulBody.status, nulBody.body.details]).toEqual([400, [{ field: 'title', message: expect.stringContaining('NUL') }]]);
    const nulShadow = await t.http.post(`${API}/burden-reports`).set(bearer(users.reporter)).send({ ...requests['POST /burden-reports'].body, shadow: { ...(requests['POST /burden-reports'].body!.shadow as object), title: '\u0000' } });
    expect([nulShadow.status, nulShadow.body.details]).toEqual([400, [{ field: 'shadow.title', message: expect.stringContaining('NUL') }]]);
    const nulQuery = await t.http.get(`${API}/org-units?q=%00`).set(bearer(users.coordinator));
    expect([nulQuery.status, nulQuery.body.details]).toEqual([400, [{ field: 'q', message: expect.stringContaining('NUL') }]]);
    // An id beyond 32 bits passed @IsInt and PostgreSQL refused the literal (500 there; SQLite only missed the row).
    const bigUnit = await t.http.post(`${API}/users`).set(bearer(users.admin)).send({ ...requests['POST /users'].body, username: 'big-unit-id', orgUnitId: 3.083127051589326e225 });
    expect([bigUnit.status, bigUnit.text]).toEqual([400, expect.stringContaining('orgUnitId')]);
    const moved = await t.http.patch(`${API}/users/${users.villageReporter.id}`).set(bearer(users.admin)).send({ orgUnitId: 2_147_483_648 });
    expect([moved.status, moved.text]).toEqual([400, expect.stringContaining('orgUnitId')]);
    for (const [path, param] of [['/users', 'orgUnitId'], ['/audit', 'actorId']]) {
      const res = await t.http.get(`${API}${path}?${param}=2147483648`).set(bearer(users.admin));
      expect([res.status, res.text]).toEqual([400, expect.stringContaining(param)]);
    }
    // A query beyond Node's 16 KB header limit got a bare 431 without a body.
    const long = await t.http.get(`${API}/demands/lookup?registrationNo=${encodeURIComponent('文'.repeat(5_000))}`).set(bearer(users.reporter));
    expect(long.status).toBe(431);
    expect(long.body).toEqual({ statusCode: 431, error: 'Request Header Fields Too Large', message: expect.stringContaining('16 KB') });
  });

  it('the server is still healthy, and no property was broken', async () => {
    await t.http.get(`${API}/health`).expect(200);
    const slowest = [...spent.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, ms]) => `${k}: ${ms} ms`);
    console.log(`bad input: slowest inputs: ${slowest.join('; ')}`);
    // The figures for docs/RELIABILITY.md.
    console.log(
      `bad input: ${tried.routes.size} routes, ${tried.inputs} inputs (seed ${SEED}; ${BODY_RUNS} body, ${QUERY_RUNS} query, ${ID_RUNS} id runs per route), ${violations.length} violations` +
        (skipped.length ? `\n${skipped.length} known-bug cases skipped:\n${[...new Set(skipped)].join('\n')}` : ''),
    );
    expect(violations.map((v) => `${v.route} | ${v.input} | ${v.problem}`)).toEqual([]);
  });
});
