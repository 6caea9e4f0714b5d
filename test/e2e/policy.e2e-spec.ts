import type { Response } from 'supertest';
import { selectRows } from '@/database/dialect';
import { readPolicyFile, PolicyService } from '@/modules/policy/policy.service';
import { bearer, standardTree, standardUsers, StandardUsers, UserRef } from '../factories';
import { TestApp } from '../utils/test-app';

const API = '/api/v1';

type Json = Record<string, unknown>;

/** The shipped document, deep-copied so each test can change it. */
const shipped = (): Json => JSON.parse(JSON.stringify(readPolicyFile())) as Json;

/** The shipped document with values replaced at dotted paths (`undefined` deletes). */
function changed(changes: Record<string, unknown>, base: Json = shipped()): Json {
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.');
    const last = keys.pop()!;
    let node = base;
    for (const key of keys) node = node[key] as Json;
    if (value === undefined) delete node[last];
    else node[last] = value;
  }
  return base;
}

function expectError(res: Response, status: number, field?: string): void {
  expect({ status: res.status, statusCode: res.body.statusCode }).toEqual({ status, statusCode: status });
  expect(typeof res.body.message).toBe('string');
  if (field !== undefined) expect((res.body.details as { field: string }[]).map((d) => d.field)).toContain(field);
}

describe('policy', () => {
  let t: TestApp;
  let users: StandardUsers;

  const get = (user: UserRef, query: Record<string, string | number> = {}) => t.http.get(`${API}/policy`).query(query).set(bearer(user));
  const put = (user: UserRef, body: unknown) => t.http.put(`${API}/policy`).set(bearer(user)).send(body as object);
  const versionRows = () => selectRows<{ version: number; document: string; created_at: string }>(t.db, 'SELECT version, document, created_at FROM policy_versions ORDER BY version');

  beforeAll(async () => {
    t = await TestApp.start();
    users = await standardUsers(t, await standardTree(t));
  });
  afterAll(() => t.close());

  it('answers 401 without a token', async () => {
    expectError(await t.http.get(`${API}/policy`), 401);
    expectError(await t.http.get(`${API}/policy/versions`), 401);
    expectError(await t.http.put(`${API}/policy`).send(shipped()), 401);
  });

  it('is seeded at the first start from data/policy.json as version 1, audited', async () => {
    const rows = await versionRows();
    expect(rows.map((r) => r.version)).toEqual([1]);
    expect(JSON.parse(rows[0].document)).toEqual(readPolicyFile());
    const seeded = await selectRows<{ actor: string; entity_id: string }>(t.db, `SELECT actor, entity_id FROM audit_log WHERE action = 'policy.seed'`);
    expect(seeded).toEqual([{ actor: 'seed', entity_id: '1' }]);
  });

  it('every role reads the current version', async () => {
    for (const user of [users.admin, users.issuer, users.reporter, users.villageReporter, users.coordinator, users.inspector]) {
      const res = await get(user).expect(200);
      expect(res.body).toEqual({ version: 1, effectiveFrom: '2026-01-01', createdAt: expect.any(String), createdBy: null, document: readPolicyFile() });
    }
  });

  it('only admin may store a version (403 for every other role, nothing stored)', async () => {
    for (const user of [users.issuer, users.reporter, users.coordinator, users.inspector]) {
      expectError(await put(user, changed({ effectiveFrom: '2027-01-01' })), 403);
    }
    expect((await versionRows()).map((r) => r.version)).toEqual([1]);
  });

  it('rejects an invalid document with 422 naming each wrong path, and stores nothing', async () => {
    const cases: [Json | unknown[], string][] = [
      [changed({ 'thresholds.meetingMaxMinutes.value': 'long' }), 'thresholds.meetingMaxMinutes.value'],
      [changed({ 'thresholds.meetingMaxMinutes.value': 0 }), 'thresholds.meetingMaxMinutes.value'],
      [changed({ 'thresholds.documentMaxChars.source': '' }), 'thresholds.documentMaxChars.source'],
      [changed({ 'standardTimes.reportMinutesPerField': undefined }), 'standardTimes.reportMinutesPerField'],
      [changed({ 'thresholds.meetingMaxMinute': { value: 1, source: 'typo' } }), 'thresholds.meetingMaxMinute'],
      [changed({ 'thresholds.specialDocumentMaxChars.value': 9_000_000 }), 'thresholds.specialDocumentMaxChars.value'],
      [changed({ 'thresholds.frequentReportRecurrences.value': ['daily', 'hourly'] }), 'thresholds.frequentReportRecurrences.value[1]'],
      [changed({ effectiveFrom: '2027-02-30' }), 'effectiveFrom'],
      [changed({ version: 'two' }), 'version'],
      [changed({ extra: true }), 'extra'],
      [[1, 2], 'body'],
    ];
    for (const [body, field] of cases) expectError(await put(users.admin, body), 422, field);
    // Every problem at once, not only the first.
    const many = await put(users.admin, changed({ 'thresholds.meetingMaxMinutes.value': -1, 'standardTimes.onSiteDayHours.value': 25 }));
    expectError(many, 422, 'thresholds.meetingMaxMinutes.value');
    expectError(many, 422, 'standardTimes.onSiteDayHours.value');
    expect((await versionRows()).map((r) => r.version)).toEqual([1]);
  });

  it('stores a valid document as the next version, audited; the old version stays as it was; current() moves on', async () => {
    const policy = t.app.get(PolicyService);
    expect((await policy.current()).version).toBe(1);
    const [v1Before] = await versionRows();
    const v1View = (await get(users.reporter, { version: 1 }).expect(200)).body as Json;

    const body = changed({ effectiveFrom: '2027-01-01', note: 'Shorter meetings', 'thresholds.meetingMaxMinutes.value': 180 });
    delete body.version;
    const res = await put(users.admin, body).expect(200);
    expect(res.body).toMatchObject({ version: 2, effectiveFrom: '2027-01-01', createdBy: users.admin.id, document: { version: 2, note: 'Shorter meetings' } });
    expect(res.body.document.thresholds.meetingMaxMinutes.value).toBe(180);

    const current = await get(users.coordinator).expect(200);
    expect(current.body).toEqual(res.body);
    // Version 1, byte for byte and as served.
    const rows = await versionRows();
    expect(rows.map((r) => r.version)).toEqual([1, 2]);
    expect(rows[0]).toEqual(v1Before);
    expect((await get(users.reporter, { version: 1 }).expect(200)).body).toEqual(v1View);

    const now = await policy.current();
    expect(now.version).toBe(2);
    expect(now.document.thresholds.meetingMaxMinutes.value).toBe(180);
    expect((await policy.byVersion(1)).document.thresholds.meetingMaxMinutes.value).toBe(240);
    // Cached documents are shared: they cannot be changed by whoever reads them.
    expect(Object.isFrozen(now.document.thresholds.meetingMaxMinutes)).toBe(true);

    const audited = await selectRows<{ actor: string; before_json: string; after_json: string }>(
      t.db,
      `SELECT actor, before_json, after_json FROM audit_log WHERE action = 'policy.version.create' AND entity_id = '2'`,
    );
    expect(audited).toHaveLength(1);
    expect(audited[0].actor).toBe(users.admin.username);
    expect(JSON.parse(audited[0].before_json)).toEqual({ version: 1, effectiveFrom: '2026-01-01' });
    expect(JSON.parse(audited[0].after_json)).toMatchObject({ version: 2, effectiveFrom: '2027-01-01', document: { note: 'Shorter meetings' } });
  });

  it('accepts version when it is the next number and answers 409 when it is not (a stale copy)', async () => {
    expectError(await put(users.admin, changed({ version: 2, effectiveFrom: '2027-01-01' })), 409, 'version');
    expectError(await put(users.admin, changed({ version: 9, effectiveFrom: '2027-01-01' })), 409, 'version');
    const res = await put(users.admin, changed({ version: 3, effectiveFrom: '2027-06-01' })).expect(200);
    expect(res.body.version).toBe(3);
  });

  it('two admins storing the same next version at once: one wins, the other gets 409', async () => {
    const results = await Promise.all([put(users.admin, changed({ version: 4, effectiveFrom: '2027-07-01' })), put(users.admin, changed({ version: 4, effectiveFrom: '2027-08-01' }))]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await versionRows()).map((r) => r.version)).toEqual([1, 2, 3, 4]);
  });

  it('refuses an effective date before the previous version’s', async () => {
    const body = changed({ effectiveFrom: '2026-06-01' });
    delete body.version;
    expectError(await put(users.admin, body), 422, 'effectiveFrom');
  });

  it('reads a stored version by number; 404 for one that does not exist, 400 for a bad number', async () => {
    expect((await get(users.issuer, { version: 2 }).expect(200)).body.document.thresholds.meetingMaxMinutes.value).toBe(180);
    expectError(await get(users.issuer, { version: 99 }), 404);
    expectError(await get(users.issuer, { version: 0 }), 400, 'version');
    expectError(await get(users.issuer, { version: 'x' }), 400, 'version');
  });

  it('lists the versions newest first, paged, without their documents', async () => {
    const all = await t.http.get(`${API}/policy/versions`).set(bearer(users.inspector)).expect(200);
    expect(all.body).toMatchObject({ total: 4, page: 1, pageSize: 50 });
    expect(all.body.items.map((v: Json) => v.version)).toEqual([4, 3, 2, 1]);
    expect(all.body.items[2]).toEqual({ version: 2, effectiveFrom: '2027-01-01', createdAt: expect.any(String), createdBy: users.admin.id, note: 'Shorter meetings' });
    expect(all.body.items.every((v: Json) => !('document' in v))).toBe(true);
    const page = await t.http.get(`${API}/policy/versions`).query({ page: 2, pageSize: 1 }).set(bearer(users.reporter)).expect(200);
    expect(page.body).toMatchObject({ total: 4, page: 2, pageSize: 1, items: [{ version: 3 }] });
  });
});
