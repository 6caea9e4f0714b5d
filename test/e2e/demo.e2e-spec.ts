import { selectRows, toInt } from '@/database/dialect';
import { AuditService } from '@/modules/audit/audit.service';
import { DEMO_ACCOUNTS, DEMO_TOWNSHIP } from '@/modules/demo/demo-accounts';
import { DatabaseNotEmptyError, DemoLoader, DemoSummary } from '@/modules/demo/demo-loader.service';
import { SHOWCASE, SHOWCASE_REPORTS } from '@/modules/demo/showcase';
import { TestApp } from '../utils/test-app';

/**
 * The demo county (issue 8): loaded once into a fresh database through the real services, then
 * every planted pattern is checked against the flags it must raise. ≈ 10 s on SQLite.
 */
describe('demo county', () => {
  let t: TestApp;
  let summary: DemoSummary;
  const lines: string[] = [];
  const PASSWORD = 'demo-password-1';

  beforeAll(async () => {
    t = await TestApp.start();
    summary = await t.app.get(DemoLoader).load({ password: PASSWORD, log: (l) => lines.push(l) });
  }, 120_000);
  afterAll(() => t.close());

  const flagsOf = (demandId: number) =>
    selectRows<{ rule_code: string; status: string; unit_id: unknown }>(t.db, 'SELECT rule_code, status, unit_id FROM flags WHERE demand_id = ?', [demandId]);
  const unitId = async (code: string) => toInt((await selectRows<{ id: unknown }>(t.db, 'SELECT id FROM org_units WHERE code = ?', [code]))[0].id);

  it('logs every step and loads the county, a year of demands, reports and flags', () => {
    expect(lines[0]).toMatch(/^demo 1\/\d+ generate/);
    expect(lines.at(-1)).toMatch(/^demo loaded in [\d.]+ s$/);
    expect(summary.counts.orgUnits).toBeGreaterThanOrEqual(160);
    expect(summary.counts.importedDemands).toBe(2633);
    expect(summary.counts.burdenReports).toBeGreaterThan(1000);
    expect(summary.flags.total).toBeGreaterThan(1000);
    expect(summary.passwordGenerated).toBe(false);
  });

  it('has the real 蒙自市 tree: 13 townships, 109 villages, about 40 offices with staff', async () => {
    const rows = await selectRows<{ level: string; kind: string; n: unknown }>(
      t.db,
      "SELECT level, kind, COUNT(*) AS n FROM org_units WHERE path LIKE '/53/5325/532503/%' GROUP BY level, kind ORDER BY level, kind",
    );
    const count = (level: string, kind: string) => toInt(rows.find((r) => r.level === level && r.kind === kind)?.n ?? 0);
    expect(count('township', 'area')).toBe(13);
    expect(count('village', 'area')).toBe(109);
    expect(count('county', 'department')).toBeGreaterThanOrEqual(34);
    const [wenlan] = await selectRows<{ name: string }>(t.db, "SELECT name FROM org_units WHERE code = '532503001'");
    expect(wenlan.name).toBe('文澜街道');
  });

  it.each(SHOWCASE.filter((s) => s.rule !== null).map((s) => [s.key, s.rule!] as const))('showcase %s raises %s', async (key, rule) => {
    const flags = await flagsOf(summary.showcase[key].id);
    expect(flags.map((f) => f.rule_code)).toContain(rule);
  });

  it.each(SHOWCASE.filter((s) => s.notRule).map((s) => [s.key, s.notRule!] as const))('showcase %s (planned) does not raise %s', async (key, rule) => {
    const flags = await flagsOf(summary.showcase[key].id);
    expect(flags.map((f) => f.rule_code)).not.toContain(rule);
  });

  it.each(SHOWCASE_REPORTS.map((r) => [r.key, r.unitCode] as const))('showcase report %s raises HIDDEN_BURDEN on %s', async (key, code) => {
    const report = SHOWCASE_REPORTS.find((r) => r.key === key)!;
    const rows = await selectRows<{ demand_id: unknown; report_id: unknown; period: string }>(
      t.db,
      "SELECT demand_id, report_id, period FROM flags WHERE rule_code = 'HIDDEN_BURDEN' AND unit_id = ?",
      [await unitId(code)],
    );
    const match = report.demandKey
      ? rows.filter((r) => r.demand_id !== null && toInt(r.demand_id) === summary.showcase[report.demandKey!].id)
      : rows.filter((r) => r.report_id !== null && r.period === report.month);
    expect(match.length).toBeGreaterThan(0);
  });

  it('the generated year raises the rules its planted patterns feed', async () => {
    const rows = await selectRows<{ rule_code: string; n: unknown }>(t.db, 'SELECT rule_code, COUNT(*) AS n FROM flags GROUP BY rule_code');
    const byRule = Object.fromEntries(rows.map((r) => [r.rule_code, toInt(r.n)]));
    for (const rule of [
      'DUPLICATE_DATA_REQUEST', 'DUPLICATE_INSPECTION', 'UNPLANNED_INSPECTION', 'INSPECTION_QUOTA', 'MEETING_OVERLOAD', 'SHORT_DEADLINE', 'FREQUENT_REPORT',
      'EXCESSIVE_TRACE', 'VETO_OR_LETTER', 'DIGITAL_FORMALISM', 'DOCUMENT_TOO_LONG', 'HIDDEN_BURDEN', 'ESCALATION', 'OUT_OF_SCOPE', 'OBJECTION', 'SPLIT_INSPECTION',
    ]) {
      expect([rule, byRule[rule] ?? 0]).toEqual([rule, expect.any(Number)]);
      expect(byRule[rule]).toBeGreaterThan(0);
    }
  });

  it('carries some flags through review: verified, rectified, rectifying, confirmed, dismissed, under review', async () => {
    const status = async (key: string, rule: string) => (await flagsOf(summary.showcase[key].id)).filter((f) => f.rule_code === rule).map((f) => f.status);
    expect(await status('escalation-child', 'ESCALATION')).toContain('verified');
    expect(await status('clock-in', 'DIGITAL_FORMALISM')).toContain('rectified');
    expect(await status('forms-again', 'DUPLICATE_DATA_REQUEST')).toContain('rectifying');
    expect(await status('inspection-split-2', 'SPLIT_INSPECTION')).toContain('confirmed');
    expect(await status('long-document', 'DOCUMENT_TOO_LONG')).toContain('dismissed');
    expect(await status('inspection-stacked', 'DUPLICATE_INSPECTION')).toContain('under_review');
  });

  it('every demo user logs in with the demo password and sees the county through the API', async () => {
    const tokens: Record<string, string> = {};
    for (const account of DEMO_ACCOUNTS) {
      const res = await t.http.post('/api/v1/auth/login').send({ username: account.username, password: PASSWORD });
      expect([account.username, res.status]).toEqual([account.username, 200]);
      tokens[account.username] = res.body.accessToken;
    }
    const township = await unitId(DEMO_TOWNSHIP);
    const card = await t.http.get(`/api/v1/metrics/units/${township}?period=2026`).set('Authorization', `Bearer ${tokens['mengzi.coordinator']}`);
    expect(card.status).toBe(200);
    expect(card.body.burdenHours).toBeGreaterThan(0);
    expect(card.body.reportedHours).toBeGreaterThan(0);
    // The demo ends with its rollups rebuilt after the evaluation, not marked stale.
    expect(card.body.inputs.rollups.stale).toBe(false);
    const flags = await t.http.get('/api/v1/flags?status=confirmed').set('Authorization', `Bearer ${tokens['mengzi.inspector']}`);
    expect(flags.status).toBe(200);
    expect(flags.body.total).toBeGreaterThan(0);
    // The inspector finds the typical cases and the year's bulletin, the final case in it.
    const inspector = { Authorization: `Bearer ${tokens['mengzi.inspector']}` };
    const cases = await t.http.get('/api/v1/cases').set(inspector).expect(200);
    expect((cases.body.items as { status: string; rectification: { status: string } }[]).map((c) => c.status).sort()).toEqual(['draft', 'final']);
    const bulletin = await t.http.get('/api/v1/case-reports?from=2026-01-01&to=2026-12-31').set(inspector).expect(200);
    expect(bulletin.body).toMatchObject({ title: '关于1起整治形式主义为基层减负典型问题的通报', docNo: '蒙自减负办通〔2026〕1号' });
    expect(bulletin.body.items[0].title).toContain('草坝镇转发市级报表时层层加码');
    const anonymised = await t.http.get('/api/v1/case-reports?from=2026-01-01&to=2026-12-31&anonymise=true').set(inspector).expect(200);
    expect(JSON.stringify(anonymised.body)).not.toContain('李某明');
  });

  it('keeps the audit chain intact', async () => {
    const verification = await t.app.get(AuditService).verify();
    expect(verification.ok).toBe(true);
    expect(verification.entries).toBeGreaterThan(50);
  });

  it('loads nothing into a database that is no longer empty', async () => {
    const before = await selectRows<{ n: unknown }>(t.db, 'SELECT COUNT(*) AS n FROM demands');
    await expect(t.app.get(DemoLoader).load({ password: PASSWORD })).rejects.toBeInstanceOf(DatabaseNotEmptyError);
    expect(await t.app.get(DemoLoader).isEmpty()).toBe(false);
    expect(await selectRows<{ n: unknown }>(t.db, 'SELECT COUNT(*) AS n FROM demands')).toEqual(before);
  });
});
