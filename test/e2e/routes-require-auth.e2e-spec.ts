import { AppRoute, appRoutes } from '../utils/routes';
import { TestApp } from '../utils/test-app';

/** The only routes anyone may call without a token (DESIGN §3): health, login, and the API docs. */
const PUBLIC_ROUTES = new Set(['GET /api/v1/health', 'POST /api/v1/auth/login']);
const PUBLIC_PREFIXES = ['/api/docs'];

/** A concrete URL for a route pattern: every parameter becomes 1, wildcards and optional parts are filled in. */
function concrete(path: string): string {
  return path
    .replace(/\{\*[A-Za-z0-9_]+\}/g, 'x')
    .replace(/\*[A-Za-z0-9_]+/g, 'x')
    .replace(/[{}]/g, '')
    .replace(/:[A-Za-z0-9_]+/g, '1');
}

const isPublic = (r: AppRoute) => PUBLIC_ROUTES.has(r.key) || PUBLIC_PREFIXES.some((p) => r.path === p || r.path.startsWith(p));

describe('every route needs a token', () => {
  let t: TestApp;
  let routes: AppRoute[];
  beforeAll(async () => {
    t = await TestApp.start();
    // Every route the router serves, the docs and routes outside the API prefix included.
    routes = appRoutes(t.app);
  });
  afterAll(() => t.close());

  it('finds the routes of the API (the walk cannot pass by finding none)', () => {
    const api = routes.filter((r) => !isPublic(r));
    expect(api.length).toBeGreaterThanOrEqual(12);
    const keys = routes.map((r) => r.key);
    for (const known of [
      'GET /api/v1/users',
      'POST /api/v1/users',
      'PATCH /api/v1/users/:id',
      'GET /api/v1/org-units',
      'POST /api/v1/org-units',
      'POST /api/v1/org-units/import',
      'GET /api/v1/org-units/:id',
      'PATCH /api/v1/org-units/:id',
      'GET /api/v1/audit',
      'GET /api/v1/audit/verify',
      'GET /api/v1/duty-items',
      'POST /api/v1/duty-items',
      'GET /api/v1/topics',
      ...PUBLIC_ROUTES,
    ]) {
      expect(keys).toContain(known);
    }
  });

  it('answers 401 in the error shape for every route but health, login and the docs, without a token or with a bad one', async () => {
    const reachable: string[] = [];
    for (const route of routes.filter((r) => !isPublic(r))) {
      const url = concrete(route.path);
      for (const auth of [undefined, 'Bearer not-a-token']) {
        const req = t.http[route.method.toLowerCase() as 'get'](url);
        if (auth) void req.set('Authorization', auth);
        const res = await req;
        if (res.status !== 401 || res.body?.statusCode !== 401 || typeof res.body?.message !== 'string') {
          reachable.push(`${route.method} ${url} (${auth ? 'bad token' : 'no token'}) -> ${res.status}`);
        }
      }
    }
    expect(reachable).toEqual([]);
  });

  it('leaves health, login and the docs open', async () => {
    await t.http.get('/api/v1/health').expect(200);
    // Validation ran, so no guard stopped the request.
    await t.http.post('/api/v1/auth/login').send({}).expect(400);
    await t.http.get('/api/docs/openapi.json').expect(200);
  });
});
