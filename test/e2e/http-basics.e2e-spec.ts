import type { Response } from 'supertest';
import { selectRows, toInt } from '@/database/dialect';
import { bearer, standardTree, standardUsers, StandardTree, StandardUsers } from '../factories';
import { TestApp } from '../utils/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Every error answers {statusCode, error, message, details?} and nothing else. */
function expectErrorShape(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  expect(res.body).toEqual(
    expect.objectContaining({ statusCode: status, error: expect.any(String), message: expect.any(String) }),
  );
  expect(Object.keys(res.body as object).every((k) => ['statusCode', 'error', 'message', 'details', 'requestId'].includes(k))).toBe(true);
  expect(res.text).not.toMatch(/\bat .+\.(ts|js):\d+/);
}

describe('HTTP basics', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
  });
  afterAll(() => t.close());

  const unitCount = async () => toInt((await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM org_units'))[0].n);
  const department = (code: string) => ({ code, name: '蒙自市卫健局', kind: 'department', level: 'county', parentId: tree.mengzi.id });

  describe('validation', () => {
    it('answers 400 naming an unknown JSON field', async () => {
      const res = await t.http
        .post('/api/v1/org-units')
        .set(bearer(users.admin))
        .send({ ...department('532503-WJJ'), secretField: 1 });
      expectErrorShape(res, 400);
      expect(res.body.message).toContain('secretField');
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'secretField' })]);
    });

    it('answers 400 naming a field of the wrong type', async () => {
      const res = await t.http
        .post('/api/v1/org-units')
        .set(bearer(users.admin))
        .send({ ...department('532503-WJJ'), parentId: String(tree.mengzi.id) });
      expectErrorShape(res, 400);
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'parentId' })]));
    });

    it('answers 400 naming a field sent as null where the contract does not allow null', async () => {
      const create = await t.http
        .post('/api/v1/org-units')
        .set(bearer(users.admin))
        .send({ ...department('532503-WJJ'), staffCount: null });
      expectErrorShape(create, 400);
      expect(create.body.details).toEqual([expect.objectContaining({ field: 'staffCount' })]);
      for (const field of ['name', 'staffCount']) {
        const res = await t.http.patch(`/api/v1/org-units/${tree.wenlan.id}`).set(bearer(users.admin)).send({ [field]: null });
        expectErrorShape(res, 400);
        expect(res.body.details).toEqual([expect.objectContaining({ field })]);
      }
      expect(await unitCount()).toBe(9);
    });

    it('answers 400, not 500, for a body that is not JSON', async () => {
      for (const text of ['{"code": "532503-WJJ",', '{code: 1}', 'null', '"a string"']) {
        const res = await t.http.post('/api/v1/org-units').set(bearer(users.admin)).set('Content-Type', 'application/json').send(text);
        expectErrorShape(res, 400);
      }
      expect(await unitCount()).toBe(9);
    });

    it('answers 400 for a JSON array where an object is expected', async () => {
      const res = await t.http.post('/api/v1/org-units').set(bearer(users.admin)).send([department('532503-WJJ')]);
      expectErrorShape(res, 400);
      expect(await unitCount()).toBe(9);
    });

    it('answers 400 for a query parameter of the wrong type or an unknown one', async () => {
      expectErrorShape(await t.http.get('/api/v1/org-units').set(bearer(users.admin)).query({ pageSize: 'many' }), 400);
      expectErrorShape(await t.http.get('/api/v1/org-units').set(bearer(users.admin)).query({ sortBy: 'name' }), 400);
    });

    it('answers 404 in the error shape for an unknown route', async () => {
      expectErrorShape(await t.http.get('/api/v1/no-such-route').set(bearer(users.admin)), 404);
    });
  });

  describe('size limits', () => {
    it('answers 413 in the error shape for a JSON body over 1 MB', async () => {
      const res = await t.http
        .post('/api/v1/org-units')
        .set(bearer(users.admin))
        .send({ ...department('532503-BIG'), name: 'x'.repeat(1024 * 1024 + 10) });
      expectErrorShape(res, 413);
      expect(res.body.error).toBe('Payload Too Large');
      expect(await unitCount()).toBe(9);
    });

    it('accepts a JSON body just under 1 MB as far as the size goes (then validation answers)', async () => {
      const res = await t.http
        .post('/api/v1/org-units')
        .set(bearer(users.admin))
        .send({ ...department('532503-BIG'), name: 'x'.repeat(1000 * 1000) });
      expectErrorShape(res, 400);
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'name' })]);
    });

    it('answers 413 in the error shape for an upload over 20 MB to the org-unit import', async () => {
      const big = Buffer.alloc(20 * 1024 * 1024 + 1024, 'a');
      const res = await t.http.post('/api/v1/org-units/import').set(bearer(users.admin)).attach('file', big, 'units.csv');
      expectErrorShape(res, 413);
      expect(await unitCount()).toBe(9);
    });
  });

  describe('headers', () => {
    it('returns a request id on answers and on errors, and keeps a well-formed one the caller sent', async () => {
      const ok = await t.http.get('/api/v1/health').expect(200);
      expect(ok.headers['x-request-id']).toMatch(UUID);
      const other = await t.http.get('/api/v1/health').expect(200);
      expect(other.headers['x-request-id']).not.toBe(ok.headers['x-request-id']);

      const given = await t.http.get('/api/v1/health').set('X-Request-Id', 'client-trace-0001').expect(200);
      expect(given.headers['x-request-id']).toBe('client-trace-0001');
      const injected = await t.http.get('/api/v1/health').set('X-Request-Id', 'bad id\twith spaces').expect(200);
      expect(injected.headers['x-request-id']).toMatch(UUID);

      expect((await t.http.get('/api/v1/users')).headers['x-request-id']).toMatch(UUID);
      expect((await t.http.get('/api/v1/no-such-route')).headers['x-request-id']).toMatch(UUID);
    });

    it('returns a request id also when the body parser refuses the request', async () => {
      const bad = await t.http.post('/api/v1/org-units').set(bearer(users.admin)).set('Content-Type', 'application/json').send('{');
      expect(bad.status).toBe(400);
      expect(bad.headers['x-request-id']).toMatch(UUID);
      const big = await t.http
        .post('/api/v1/org-units')
        .set(bearer(users.admin))
        .send({ name: 'x'.repeat(1024 * 1024 + 10) });
      expect(big.status).toBe(413);
      expect(big.headers['x-request-id']).toMatch(UUID);
    });

    it('sets the helmet headers and hides the framework', async () => {
      for (const res of [await t.http.get('/api/v1/health'), await t.http.get('/api/v1/users')]) {
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(res.headers['content-security-policy']).toContain("default-src 'self'");
        expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['x-powered-by']).toBeUndefined();
        // The intranet may serve plain HTTP: no HSTS, no forced upgrade.
        expect(res.headers['strict-transport-security']).toBeUndefined();
        expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      }
    });
  });

  describe('the error shape', () => {
    it('is the same for 400, 401, 403, 404, 409 and 422', async () => {
      expectErrorShape(await t.http.post('/api/v1/org-units').set(bearer(users.admin)).send({}), 400);
      expectErrorShape(await t.http.get('/api/v1/org-units'), 401);
      expectErrorShape(await t.http.post('/api/v1/org-units').set(bearer(users.coordinator)).send(department('532503-WJJ')), 403);
      expectErrorShape(await t.http.get('/api/v1/org-units/999999').set(bearer(users.admin)), 404);
      expectErrorShape(await t.http.post('/api/v1/org-units').set(bearer(users.admin)).send({ ...department(tree.education.code) }), 409);
      const unprocessable = await t.http.post('/api/v1/org-units').set(bearer(users.admin)).send({ ...department('532503-WJJ'), parentId: 999_999 });
      expectErrorShape(unprocessable, 422);
      expect(unprocessable.body.details).toEqual([expect.objectContaining({ field: 'parentId' })]);
    });
  });
});
