import { createHash } from 'node:crypto';
import { canonicalJson } from '@/common/canonical-json';
import { execute, selectRows, toInt } from '@/database/dialect';
import { bearer, createUser, standardTree, standardUsers, StandardTree, StandardUsers, UserRef } from '../factories';
import { IdempotencyJanitor } from '@/common/idempotency/idempotency-janitor';
import { TestApp } from '../utils/test-app';

const UNITS = '/api/v1/org-units';
const KEY = 'Idempotency-Key';
const REPLAYED = 'idempotent-replayed';

let seq = 0;
const newKey = () => `key-${++seq}-${Math.random().toString(36).slice(2, 10)}`;

/**
 * One idempotency mechanism for every POST (DESIGN §2, §3): with an Idempotency-Key a retry gets
 * the stored first answer, the same key with another request is a 409, keys are per user, and a
 * failed request leaves the key free.
 */
describe('Idempotency-Key on POST', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  let otherAdmin: UserRef;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    otherAdmin = await createUser(t, 'admin', null);
  });
  afterAll(() => t.close());

  let codeSeq = 0;
  /** A department under 蒙自市 with a fresh code. */
  const department = (name = '蒙自市应急管理局') => ({ code: `532503-D${++codeSeq}`, name, kind: 'department', level: 'county', parentId: tree.mengzi.id });
  const post = (body: unknown, key: string | undefined, as: UserRef = users.admin, path = UNITS) => {
    const req = t.http.post(path).set(bearer(as));
    if (key !== undefined) void req.set(KEY, key);
    return req.send(body as object);
  };
  const unitsWithCode = async (code: string) =>
    toInt((await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM org_units WHERE code = ?', [code]))[0].n);
  const auditCreates = async (code: string) =>
    (await selectRows<{ after_json: string }>(t.db, `SELECT after_json FROM audit_log WHERE action = 'org-unit.create'`)).filter(
      (r) => (JSON.parse(r.after_json) as { code: string }).code === code,
    ).length;

  it('replays the first answer on a retry and creates the unit once', async () => {
    const key = newKey();
    const body = department();
    const first = await post(body, key).expect(201);
    expect(first.headers[REPLAYED]).toBeUndefined();
    expect(first.body).toMatchObject({ id: expect.any(Number), code: body.code, parentId: tree.mengzi.id });

    for (let i = 0; i < 2; i += 1) {
      const retry = await post(body, key).expect(201);
      expect(retry.headers[REPLAYED]).toBe('true');
      expect(retry.body).toEqual(first.body);
    }
    expect(await unitsWithCode(body.code)).toBe(1);
    expect(await auditCreates(body.code)).toBe(1);
  });

  it('replays a retry whose JSON is the same but formatted or ordered differently', async () => {
    const key = newKey();
    const body = department();
    const first = await post(body, key).expect(201);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const retry = await t.http
      .post(UNITS)
      .set(bearer(users.admin))
      .set(KEY, key)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(reordered, null, 2));
    expect(retry.status).toBe(201);
    expect(retry.headers[REPLAYED]).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await unitsWithCode(body.code)).toBe(1);
  });

  it('without a key, every POST is a new request', async () => {
    const body = department();
    await post(body, undefined).expect(201);
    const again = await post(body, undefined).expect(409);
    expect(again.headers[REPLAYED]).toBeUndefined();
  });

  it('answers 409 for the same key with another body, and writes nothing', async () => {
    const key = newKey();
    const body = department();
    await post(body, key).expect(201);
    const other = department('蒙自市审计局');
    const res = await post(other, key).expect(409);
    expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict', message: expect.stringContaining('Idempotency-Key') });
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    expect(res.headers[REPLAYED]).toBeUndefined();
    expect(await unitsWithCode(other.code)).toBe(0);
    // Same body, another route: another request too.
    await post(body, key, users.admin, '/api/v1/duty-items').expect(409);
    // Same body, same route, another query string: another request too.
    await post(body, key, users.admin, `${UNITS}?dryRun=1`).expect(409);
  });

  it('scopes keys per user: another user with the same key is a new request', async () => {
    const key = newKey();
    const body = department();
    const mine = await post(body, key).expect(201);
    // The other admin's identical request is executed (and the code is now taken), not replayed.
    const theirsSame = await post(body, key, otherAdmin).expect(409);
    expect(theirsSame.headers[REPLAYED]).toBeUndefined();
    expect(theirsSame.body.message).not.toContain('Idempotency-Key');
    // A different body under the same key is fine for them, and their retry replays their own answer.
    const theirBody = department('蒙自市统计局');
    const theirs = await post(theirBody, key, otherAdmin).expect(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
    const theirRetry = await post(theirBody, key, otherAdmin).expect(201);
    expect(theirRetry.headers[REPLAYED]).toBe('true');
    expect(theirRetry.body).toEqual(theirs.body);
    // And mine still replays mine.
    const myRetry = await post(body, key).expect(201);
    expect(myRetry.body).toEqual(mine.body);
  });

  it('creates exactly one unit for parallel identical requests; the others get the replay or a 409', async () => {
    const key = newKey();
    const body = department();
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(body, key)));
    const created = answers.filter((r) => r.status === 201 && r.headers[REPLAYED] === undefined);
    expect(created).toHaveLength(1);
    for (const res of answers) {
      if (res === created[0]) continue;
      if (res.status === 201) {
        expect(res.headers[REPLAYED]).toBe('true');
        expect(res.body).toEqual(created[0].body);
      } else {
        expect(res.status).toBe(409);
        expect(res.body.message).toContain('Idempotency-Key');
      }
    }
    expect(await unitsWithCode(body.code)).toBe(1);
    expect(await auditCreates(body.code)).toBe(1);
    // Once settled, a retry replays.
    const later = await post(body, key).expect(201);
    expect(later.headers[REPLAYED]).toBe('true');
    expect(later.body).toEqual(created[0].body);
  });

  it('does not burn the key on a failed request (422, 400, 403)', async () => {
    const key = newKey();
    const body = department();
    const unknownParent = { ...body, parentId: 999_999 };
    const first = await post(unknownParent, key).expect(422);
    // Not stored: the same failing request is executed again, and fails the same way.
    const again = await post(unknownParent, key).expect(422);
    expect(again.headers[REPLAYED]).toBeUndefined();
    expect(again.body).toEqual(first.body);
    await post({ ...body, unknownField: true }, key).expect(400);
    await post(body, key, users.coordinator).expect(403);
    // The corrected request under the same key goes through.
    const ok = await post(body, key).expect(201);
    expect(ok.headers[REPLAYED]).toBeUndefined();
    expect(await unitsWithCode(body.code)).toBe(1);
  });

  it('answers 400 for an invalid key value and does nothing', async () => {
    for (const bad of ['', 'has spaces in it', 'x'.repeat(201), 'tab\there']) {
      const body = department();
      const res = await post(body, bad);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
      expect(await unitsWithCode(body.code)).toBe(0);
    }
    // The longest valid key works.
    await post(department(), 'k'.repeat(200)).expect(201);
  });

  it('treats an expired key as new', async () => {
    const key = newKey();
    await post(department(), key).expect(201);
    const longAgo = new Date(Date.now() - (t.config.idempotencyTtlHours + 1) * 3600_000).toISOString();
    await execute(t.db, 'UPDATE idempotency_keys SET created_at = ? WHERE idem_key = ?', [longAgo, key]);
    const other = department('蒙自市林草局');
    const res = await post(other, key).expect(201);
    expect(res.headers[REPLAYED]).toBeUndefined();
    expect(await unitsWithCode(other.code)).toBe(1);
  });

  it('treats an expired key as new where the answer is stored with the write (POST /users), replacing the old record', async () => {
    const key = newKey();
    const user = (name: string) => ({ username: `${name}-${seq}`, password: 'correct-horse-battery', role: 'reporter', orgUnitId: tree.wenlan.id });
    const first = await post(user('expiring'), key, users.admin, '/api/v1/users').expect(201);
    const longAgo = new Date(Date.now() - (t.config.idempotencyTtlHours + 1) * 3600_000).toISOString();
    await execute(t.db, 'UPDATE idempotency_keys SET created_at = ? WHERE idem_key = ?', [longAgo, key]);
    const fresh = await post(user('renewed'), key, users.admin, '/api/v1/users').expect(201);
    expect(fresh.headers[REPLAYED]).toBeUndefined();
    expect(fresh.body.id).not.toBe(first.body.id);
    const rows = await selectRows<{ state: string; response_json: string; created_at: string }>(
      t.db,
      'SELECT state, response_json, created_at FROM idempotency_keys WHERE user_id = ? AND idem_key = ?',
      [users.admin.id, key],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].state).toBe('done');
    expect(JSON.parse(rows[0].response_json)).toEqual(fresh.body);
    expect(rows[0].created_at > longAgo).toBe(true);
    const retry = await post(user('renewed'), key, users.admin, '/api/v1/users').expect(201);
    expect(retry.headers[REPLAYED]).toBe('true');
    expect(retry.body).toEqual(fresh.body);
  });

  it('purges expired keys (at start and hourly) and keeps fresh ones', async () => {
    const [oldKey, freshKey] = [newKey(), newKey()];
    await post(department('蒙自市水务局'), oldKey).expect(201);
    await post(department('蒙自市民政局'), freshKey).expect(201);
    const longAgo = new Date(Date.now() - (t.config.idempotencyTtlHours + 1) * 3600_000).toISOString();
    await execute(t.db, 'UPDATE idempotency_keys SET created_at = ? WHERE idem_key = ?', [longAgo, oldKey]);
    await t.app.get(IdempotencyJanitor).purge();
    const left = await selectRows<{ idem_key: string }>(t.db, 'SELECT idem_key FROM idempotency_keys WHERE idem_key IN (?, ?)', [oldKey, freshKey]);
    expect(left).toEqual([{ idem_key: freshKey }]);
  });

  it('stores neither a password nor a plain hash of a body that carries one', async () => {
    const key = newKey();
    const body = { username: `idem-${seq}`, password: 'correct-horse-battery', role: 'reporter', orgUnitId: tree.wenlan.id };
    const first = await post(body, key, users.admin, '/api/v1/users').expect(201);
    const retry = await post(body, key, users.admin, '/api/v1/users').expect(201);
    expect(retry.headers[REPLAYED]).toBe('true');
    expect(retry.body).toEqual(first.body);
    const [row] = await selectRows<{ request_hash: string; response_json: string }>(
      t.db,
      'SELECT request_hash, response_json FROM idempotency_keys WHERE user_id = ? AND idem_key = ?',
      [users.admin.id, key],
    );
    expect(row.response_json).not.toContain('correct-horse-battery');
    // A plain SHA-256 over the body would let a copy of the database test password guesses at hash speed.
    const plain = (v: unknown) => createHash('sha256').update(canonicalJson(v)).digest('hex');
    for (const guess of [plain(body), plain({ path: '/api/v1/users', body }), plain({ body, path: '/api/v1/users', length: String(Buffer.byteLength(JSON.stringify(body))) })]) {
      expect(row.request_hash).not.toBe(guess);
    }
  });

  it('ignores the key on routes that are not POST', async () => {
    const key = newKey();
    const a = await t.http.get(UNITS).set(bearer(users.admin)).set(KEY, key).expect(200);
    const b = await t.http.get(UNITS).set(bearer(users.admin)).set(KEY, key).expect(200);
    expect(b.headers[REPLAYED]).toBeUndefined();
    expect(b.body.total).toBe(a.body.total);
  });

  describe('uploads (multipart) use the same mechanism', () => {
    const csv = (code: string, name: string) => Buffer.from(`code,name,level,parentCode\n${code},${name},township,532503\n`, 'utf8');
    const upload = (file: Buffer, key: string, fileName = 'units.csv') =>
      t.http.post(`${UNITS}/import`).set(bearer(users.admin)).set(KEY, key).attach('file', file, fileName);

    it('replays a retried import and imports once', async () => {
      const key = newKey();
      const file = csv('532503101', '新安所街道');
      const first = await upload(file, key).expect(201);
      const retry = await upload(file, key).expect(201);
      expect(retry.headers[REPLAYED]).toBe('true');
      expect(retry.body).toEqual(first.body);
      expect(await unitsWithCode('532503101')).toBe(1);
    });

    it('replays a retried import whose file is stored on disk (POST /demands/import), and refuses the key for another file', async () => {
      const key = newKey();
      const header = 'issuerCode,kind,title,topic,issuedOn,dueOn,targetCodes,fields';
      const file = (title: string) => Buffer.from(`${header}\n${tree.education.code},report,${title},education,2026-09-01,2026-09-10,${tree.wenlan.code},在校学生数\n`, 'utf8');
      const send = (bytes: Buffer) => t.http.post('/api/v1/demands/import').set(bearer(users.issuer)).set(KEY, key).attach('file', bytes, 'demands.csv');
      const first = await send(file('重试导入报表')).expect(202);
      const retry = await send(file('重试导入报表')).expect(202);
      expect({ replayed: retry.headers[REPLAYED], body: retry.body }).toEqual({ replayed: 'true', body: first.body });
      expect(toInt((await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM demands WHERE title = ?', ['重试导入报表']))[0].n)).toBe(1);
      await send(file('另一份导入报表')).expect(409);
    });

    it('answers 409 for the same key with another file of the same size, and imports nothing', async () => {
      const key = newKey();
      await upload(csv('532503102', '草坝镇'), key).expect(201);
      const other = csv('532503103', '草坝镇');
      expect(other.length).toBe(csv('532503102', '草坝镇').length);
      const res = await upload(other, key).expect(409);
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
      expect(await unitsWithCode('532503103')).toBe(0);
      // The same bytes under another file name are another request too (the name tells CSV from XLSX).
      await upload(csv('532503102', '草坝镇'), key, 'units-copy.csv').expect(409);
    });

    it('leaves the key free after a failed import, and keeps the 20 MB limit on a retry', async () => {
      const key = newKey();
      const bad = Buffer.from('code,name,level,parentCode\n532503104,芷村镇,township,999999\n', 'utf8');
      await upload(bad, key).expect(422);
      const good = csv('532503104', '芷村镇');
      await upload(good, key).expect(201);
      expect(await unitsWithCode('532503104')).toBe(1);
      const huge = await upload(Buffer.alloc(20 * 1024 * 1024 + 1024, 'a'), key);
      expect(huge.status).toBe(413);
      expect(huge.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    });

    it('answers 400, not 500, for a malformed multipart body, first time or retry', async () => {
      const key = newKey();
      await upload(csv('532503105', '期路白乡'), key).expect(201);
      const truncated = '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="units.csv"\r\nContent-Type: text/csv\r\n\r\ncode,name';
      for (const k of [key, newKey()]) {
        const res = await t.http
          .post(`${UNITS}/import`)
          .set(bearer(users.admin))
          .set(KEY, k)
          .set('Content-Type', 'multipart/form-data; boundary=XYZ')
          .send(truncated);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
      }
    });
  });
});
