import { DomainEvents } from '@/common/events/domain-events';
import { selectRows } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { EvaluateCommand } from '@/modules/flags/evaluate.command';
import { ROLLUP_REBUILD, RollupRebuild } from '@/modules/flags/rollup-rebuild';
import { DEMAND_RULES } from '@/modules/flags/rules';
import { bearer, createUnit, createUser, standardTree, StandardTree, standardUsers, StandardUsers, UserRef } from '../factories';
import { demandBody } from '../factories/demands';
import { reportBody } from '../factories/reports';
import { TestApp } from '../utils/test-app';
import { prng } from '../utils/prng';


const DEMAND_RULE_CODES = [...new Set(DEMAND_RULES.map((r) => r.code))];

interface FlagState {
  fingerprint: string;
  status: string;
  explanation: string;
  evidence: string;
}

/**
 * Issue 5: the findings raised at write time equal those of a full evaluation afterwards (same
 * fingerprints, same judgement). A seeded random sequence of creates, edits, cancels and reports
 * runs through the API; then the evaluation must find nothing to raise, reopen, refresh or
 * withdraw among the rules about one demand.
 */
describe('flags: write-time findings equal a full evaluation (e2e)', () => {
  // 80 writes through HTTP and an evaluation in a worker thread: seconds, more on a loaded machine.
  jest.setTimeout(120_000);
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  let issuers: UserRef[];

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    const safety = await createUnit(t, '532503-YJJ', '蒙自市应急管理局', tree.mengzi, { kind: 'department', level: 'county' });
    const wenlanOffice = await createUnit(t, '532503001-DZB', '文澜街道党政办', tree.wenlan, { kind: 'department', level: 'township' });
    issuers = [users.issuer, await createUser(t, 'issuer', safety), await createUser(t, 'issuer', wenlanOffice)];
    // A negative-list entry so that OUT_OF_SCOPE can fire on villages.
    await t.http.post('/api/v1/duty-items').set(bearer(users.admin)).send({ level: 'village', topic: 'statistics', category: 'negative', title: '统计报表' }).expect(201);
  });
  afterAll(() => t.close());

  const flagStates = async (): Promise<FlagState[]> =>
    selectRows<FlagState>(
      t.db,
      `SELECT fingerprint, status, explanation, evidence FROM flags WHERE rule_code IN (${DEMAND_RULE_CODES.map(() => '?').join(', ')}) ORDER BY fingerprint`,
      DEMAND_RULE_CODES,
    );

  it('after 80 random writes, evaluating the year changes nothing the writes already judged', async () => {
    const r = prng(20261127);
    const live: { id: number; version: number; issuer: UserRef; kind: string }[] = [];
    const kinds = ['report', 'meeting', 'document', 'inspection', 'other'] as const;
    const day = () => `2026-${String(r.int(1, 11)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`;
    let writes = 0;
    for (let step = 0; step < 80; step++) {
      const op = live.length < 5 ? 'create' : r.pick(['create', 'create', 'edit', 'edit', 'cancel', 'report', 'passOn'] as const);
      if (op === 'create') {
        const issuer = r.pick(issuers);
        const kind = r.pick(kinds);
        const issuedOn = day();
        const due = new Date(`${issuedOn}T00:00:00Z`);
        due.setUTCDate(due.getUTCDate() + r.int(0, 12));
        const targets = issuer === issuers[2] ? { targetUnitIds: [tree.village.id] } : r.next() < 0.5 ? { targetUnitIds: [tree.wenlan.id] } : { targetScopes: [{ underId: tree.mengzi.id, level: 'village' }] };
        const overrides: Record<string, unknown> = {
          title: `随机事项${step}`,
          topic: r.pick(['education', 'statistics', 'safety']),
          issuedOn,
          dueOn: due.toISOString().slice(0, 10),
          ...targets,
          requiresTrace: r.next() < 0.2 ? ['photos'] : [],
        };
        if (kind === 'report' && r.next() < 0.3) Object.assign(overrides, { recurrence: r.pick(['daily', 'weekly', 'monthly']), until: '2026-12-31' });
        if (kind === 'meeting') Object.assign(overrides, { durationMinutes: r.pick([120, 240, 241, 300]), attendeesPerTarget: r.int(1, 40) });
        if (kind === 'document') Object.assign(overrides, { charCount: r.pick([3000, 4000, 4001, 5000, 5001, 9000]), special: r.next() < 0.5 });
        if (kind === 'other') Object.assign(overrides, r.next() < 0.5 ? { subtype: 'veto_item', appRequirements: undefined } : { appRequirements: r.next() < 0.5 ? ['clock_in'] : [] });
        const res = await t.http.post('/api/v1/demands').set(bearer(issuer)).send(demandBody(kind, tree, overrides));
        if (res.status === 201) {
          live.push({ id: res.body.id, version: res.body.version, issuer, kind });
          writes++;
        }
      } else if (op === 'edit') {
        const d = r.pick(live);
        const change = r.pick([{ dueOn: day() }, { title: `改后事项${step}` }, { estimatedHoursPerTarget: r.int(1, 9) }, d.kind === 'meeting' ? { durationMinutes: r.pick([200, 260]) } : { dueOn: '2026-12-30' }]);
        const res = await t.http.patch(`/api/v1/demands/${d.id}`).set(bearer(d.issuer)).send({ ...change, version: d.version });
        if (res.status === 200) {
          d.version = res.body.version;
          writes++;
        }
      } else if (op === 'cancel') {
        const d = r.pick(live);
        const res = await t.http.post(`/api/v1/demands/${d.id}/cancel`).set(bearer(d.issuer)).send({ reason: '随机撤销' });
        if (res.status === 200) writes++;
      } else if (op === 'report') {
        const d = r.pick(live);
        const res = await t.http.post('/api/v1/burden-reports').set(bearer(users.reporter)).send(reportBody(d.id, '2026-06', { hoursSpent: r.int(1, 20) }));
        if (res.status === 201) writes++;
      } else {
        // The township passes a county demand reaching it further down, with more fields or a tighter deadline.
        const parent = live.find((d) => d.issuer !== issuers[2] && d.kind === 'report');
        if (!parent) continue;
        const res = await t.http
          .post('/api/v1/demands')
          .set(bearer(issuers[2]))
          .send(demandBody('report', tree, { title: `转发${step}`, parentDemandId: parent.id, targetUnitIds: [tree.village.id], fields: ['户籍人口（人）', '在校学生数', '留守儿童数'], issuedOn: '2026-09-02', dueOn: '2026-09-03' }));
        if (res.status === 201) {
          live.push({ id: res.body.id, version: res.body.version, issuer: issuers[2], kind: 'report' });
          writes++;
        }
      }
    }
    expect(writes).toBeGreaterThan(50);
    const atWriteTime = await flagStates();
    // Several rules must have fired for the comparison to mean anything.
    expect(new Set(atWriteTime.map((f) => f.fingerprint.split('|')[0])).size).toBeGreaterThanOrEqual(5);
    expect(atWriteTime.some((f) => f.status === 'withdrawn')).toBe(true);

    const job = await t.http.post('/api/v1/flags/evaluate').set(bearer(users.coordinator)).send({ period: '2026' }).expect(202);
    let result: { byRule: Record<string, { raised: number; reopened: number; refreshed: number; withdrawn: number }> } | undefined;
    for (let i = 0; i < 600 && !result; i++) {
      const res = await t.http.get(`/api/v1/jobs/${job.body.jobId}`).set(bearer(users.coordinator)).expect(200);
      if (res.body.status === 'failed') throw new Error(JSON.stringify(res.body.error));
      if (res.body.status === 'succeeded') result = res.body.result;
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(result).toBeDefined();
    const quiet = { raised: 0, reopened: 0, refreshed: 0, withdrawn: 0 };
    for (const code of DEMAND_RULE_CODES) expect({ code, ...quiet, ...(result!.byRule[code] ?? {}) }).toMatchObject({ code, ...quiet });
    expect(await flagStates()).toEqual(atWriteTime);
  });

  it('the CLI evaluate is the same evaluation: idempotent, audited, JSON on stdout; a bad period exits 2', async () => {
    const command = new EvaluateCommand(t.app.get(TransactionRunner), t.app.get(AuditService), t.app.get(DomainEvents), t.app.get<RollupRebuild>(ROLLUP_REBUILD));
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const before = await selectRows(t.db, 'SELECT id, status, row_version FROM flags ORDER BY id');
      await command.run([], { period: '2026' });
      expect(process.exitCode).toBeUndefined();
      const printed = JSON.parse(out.mock.calls.map((c) => String(c[0])).join('')) as { period: string; counts: Record<string, number> };
      expect(printed).toMatchObject({ period: '2026', counts: { raised: 0, reopened: 0, refreshed: 0, withdrawn: 0 } });
      expect(await selectRows(t.db, 'SELECT id, status, row_version FROM flags ORDER BY id')).toEqual(before);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toContain('evaluate 2026: 100/100');
      const audit = await selectRows<{ actor: string }>(t.db, "SELECT actor FROM audit_log WHERE action = 'flags.evaluate' ORDER BY id DESC LIMIT 1");
      expect(audit).toEqual([{ actor: 'evaluation' }]);
      await command.run([], { period: '2026-13' });
      expect(process.exitCode).toBe(2);
    } finally {
      process.exitCode = undefined;
      out.mockRestore();
      err.mockRestore();
    }
  });
});
