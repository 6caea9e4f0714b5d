import { DataSource } from 'typeorm';
import { selectRows, toInt } from '@/database/dialect';
import { MIGRATIONS } from '@/database/migrations';
import { fieldKeyIds } from '@/modules/demands/demand.repository';
import { bearer, standardTree, StandardTree, standardUsers, StandardUsers } from '../factories';
import { demandBody } from '../factories/demands';
import { TestApp } from '../utils/test-app';

/**
 * Migration FieldKeys1765250000000 moves report field keys from text in every `demand_fields` row
 * into the `field_keys` dictionary. On a ledger that already holds report demands, undoing it gives
 * back the text keys, and running it again gives every field the same key, read through the API
 * and by the write-time rules (a duplicate report found across the round trip).
 */
describe('field keys dictionary migration (e2e)', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
  });
  afterAll(() => t.close());

  const fieldsOf = (sql: string) => selectRows<{ demand_id: number | string; position: number | string; name: string; field_key: string }>(t.db, sql);

  it('undo gives back the text keys; redo gives every field the same key and the rules still see them', async () => {
    // FieldKeys and every migration after it are undone, then run again.
    const undo = MIGRATIONS.length - MIGRATIONS.findIndex((m) => m.name === 'FieldKeys1765250000000');
    expect(undo).toBeLessThanOrEqual(MIGRATIONS.length);
    const post = (body: Record<string, unknown>) => t.http.post('/api/v1/demands').set(bearer(users.issuer)).send(body).expect(201);
    const a = await post(demandBody('report', tree, { title: '迁移前的报表甲', fields: ['户籍人口（人）', '在校学生数', '教师总数'] }));
    const b = await post(demandBody('report', tree, { title: '迁移前的报表乙', fields: ['在校生数量', '学校（个）'] }));
    const joined = `SELECT f.demand_id, f.position, f.name, k.field_key FROM demand_fields f JOIN field_keys k ON k.id = f.key_id ORDER BY f.demand_id, f.position`;
    const before = (await fieldsOf(joined)).map((r) => [toInt(r.demand_id), toInt(r.position), r.name, r.field_key]);
    expect(before.filter((r) => r[0] === a.body.id).map((r) => r[3])).toEqual(a.body.fieldKeys);
    // 在校生数量 and 在校学生数 share a key: the dictionary holds it once.
    const [keys] = await selectRows<{ n: number | string }>(t.db, 'SELECT COUNT(*) AS n FROM field_keys');
    expect(toInt(keys.n)).toBe(new Set(before.map((r) => r[3])).size);
    expect(toInt(keys.n)).toBeLessThan(before.length);

    const ds = t.app.get(DataSource);
    for (let i = 0; i < undo; i++) await ds.undoLastMigration();
    const undone = await fieldsOf('SELECT demand_id, position, name, field_key FROM demand_fields ORDER BY demand_id, position');
    expect(undone.map((r) => [toInt(r.demand_id), toInt(r.position), r.name, r.field_key])).toEqual(before);

    await ds.runMigrations();
    const redone = await fieldsOf(joined);
    expect(redone.map((r) => [toInt(r.demand_id), toInt(r.position), r.name, r.field_key])).toEqual(before);
    const detail = await t.http.get(`/api/v1/demands/${b.body.id}`).set(bearer(users.issuer)).expect(200);
    expect(detail.body.fieldKeys).toEqual(b.body.fieldKeys);

    // A later report asking the migrated demands' data again is judged against their keys: the
    // preview's rules (rule facts) and its once-only answer (the dictionary joined by key text).
    const again = demandBody('report', tree, { title: '迁移后的报表', issuedOn: '2026-09-20', dueOn: '2026-10-09', fields: ['户籍人口', '在校学生', '教师人数'] });
    const preview = await t.http.post('/api/v1/demands/preview').set(bearer(users.issuer)).send(again).expect(200);
    const rules = (preview.body.flags as { rule: string }[]).map((f) => f.rule);
    expect(rules).toContain('DUPLICATE_DATA_REQUEST');
    const [unit] = preview.body.onceOnly as { unitId: number; fields: { fieldKey: string; providedTo: { demandId: number }[] }[] }[];
    expect(unit.unitId).toBe(tree.wenlan.id);
    const givenTo = (key: string) => unit.fields.find((f) => f.fieldKey === key)?.providedTo.map((p) => p.demandId).sort();
    expect(givenTo('户籍人口')).toEqual([a.body.id]);
    expect(givenTo('在校生')).toEqual([a.body.id, b.body.id].sort());
    // Registered, the evaluation job (its scan reads the keys of every demand in the period) finds it too.
    const created = await post(again);
    const job = await t.http.post('/api/v1/flags/evaluate').set(bearer(users.coordinator)).send({ period: '2026' }).expect(202);
    let status = '';
    for (let i = 0; i < 600 && !['succeeded', 'failed'].includes(status); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      status = (await t.http.get(`/api/v1/jobs/${job.body.jobId}`).set(bearer(users.coordinator)).expect(200)).body.status as string;
    }
    expect(status).toBe('succeeded');
    const flags = await t.http.get(`/api/v1/flags?demandId=${created.body.id}&rule=DUPLICATE_DATA_REQUEST`).set(bearer(users.coordinator)).expect(200);
    expect(flags.body.items).toEqual([expect.objectContaining({ demandId: created.body.id })]);
  }, 90_000);

  it('a report keeps its field names once (demand_fields) and answers them in order everywhere it is read', async () => {
    const names = ['户籍人口（人）', '在校学生数', '教师总数'];
    const created = await t.http.post('/api/v1/demands').set(bearer(users.issuer)).send(demandBody('report', tree, { title: '字段名只存一次', fields: names })).expect(201);
    const id = created.body.id as number;
    expect(created.body.fields).toEqual(names);
    const [stored] = await selectRows<{ details: string }>(t.db, 'SELECT details FROM demands WHERE id = ?', [id]);
    expect(JSON.parse(stored.details)).not.toHaveProperty('fields');
    expect((await t.http.get(`/api/v1/demands/${id}`).set(bearer(users.issuer)).expect(200)).body.fields).toEqual(names);
    const list = await t.http.get('/api/v1/demands?kind=report&pageSize=100').set(bearer(users.issuer)).expect(200);
    expect((list.body.items as { id: number; fields: string[] }[]).find((d) => d.id === id)?.fields).toEqual(names);
    // An edit of something else keeps them (the edit starts from the stored demand).
    const patched = await t.http.patch(`/api/v1/demands/${id}`).set(bearer(users.issuer)).send({ version: created.body.version, title: '字段名只存一次（改）' }).expect(200);
    expect({ fields: patched.body.fields, fieldKeys: patched.body.fieldKeys }).toEqual({ fields: names, fieldKeys: created.body.fieldKeys });
    const renamed = await t.http.patch(`/api/v1/demands/${id}`).set(bearer(users.issuer)).send({ version: patched.body.version, fields: ['学校数', '户籍人口'] }).expect(200);
    expect(renamed.body.fields).toEqual(['学校数', '户籍人口']);
    // A meeting has no field names.
    const meeting = await t.http.post('/api/v1/demands').set(bearer(users.issuer)).send(demandBody('meeting', tree)).expect(201);
    expect(meeting.body).not.toHaveProperty('fields');
  });

  it('two writers adding the same new keys in opposite order both succeed with one id per key (no deadlock on PostgreSQL)', async () => {
    const keys = [`并发键甲-${Date.now()}`, `并发键乙-${Date.now()}`];
    let arrived = 0;
    // Each writer waits (at most half a second) for the other to have added its first key.
    const meet = async () => {
      arrived++;
      for (let i = 0; i < 50 && arrived < 2; i++) await new Promise((r) => setTimeout(r, 10));
    };
    const writer = (first: string, second: string) =>
      t.tx.run(async (tx) => {
        const a = await fieldKeyIds(tx, [first]);
        await meet();
        const b = await fieldKeyIds(tx, [second]);
        return { [first]: a.get(first), [second]: b.get(second) };
      });
    const [one, two] = await Promise.all([writer(keys[0], keys[1]), writer(keys[1], keys[0])]);
    expect(one).toEqual(two);
    const rows = await selectRows<{ id: number | string; field_key: string }>(t.db, `SELECT id, field_key FROM field_keys WHERE field_key IN (?, ?)`, keys);
    expect(Object.fromEntries(rows.map((r) => [r.field_key, toInt(r.id)]))).toEqual(one);
  });
});
