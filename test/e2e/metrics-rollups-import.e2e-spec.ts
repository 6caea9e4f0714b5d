import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '@/common/files/tabular';
import { RollupRebuildService } from '@/modules/metrics/rollup-rebuild.service';
import { RollupStateRepository } from '@/modules/metrics/rollup-state.repository';
import { RollupRepository } from '@/modules/metrics/rollup.repository';
import { bearer, createUnit, standardTree, StandardTree, standardUsers, StandardUsers } from '../factories';
import { demandBody } from '../factories/demands';
import { reportBody } from '../factories/reports';
import { csvBytes } from '../factories/files';
import { TestApp } from '../utils/test-app';

const HEADER = parseCsv(readFileSync(join(__dirname, '..', '..', 'data', 'templates', 'demands-import.csv'))).columns;
const row = (cells: Record<string, string | number>) => HEADER.map((c) => (cells[c] === undefined ? '' : String(cells[c])));

/**
 * Issue 3: the bulk import adds its demands to the burden rollups from the contribution it summed
 * while writing them (FreshBurdenTally), not by reading millions of cells back. Whatever a file
 * holds (recurrences across months, quarters and a year end, scopes, inspections, several issuers,
 * cells other demands already fill), the unit, issuer-month and issuer year/quarter rows after the
 * import equal a full recompute of the ledger.
 */
describe('metrics: the rollups of a bulk import equal a full recompute (e2e)', () => {
  jest.setTimeout(120_000);
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    await createUnit(t, '532503-YJJ', '蒙自市应急管理局', tree.mengzi, { kind: 'department', level: 'county' });
  });
  afterAll(() => t.close());

  const rollups = async () => {
    const repo = t.app.get(RollupRepository);
    return { units: await repo.allRows(t.db), issuers: await repo.allIssuerRows(t.db), periods: await repo.allIssuerPeriodRows(t.db) };
  };
  /**
   * Every rollup table rebuilt from scratch in one statement each (not month by month, as the
   * recompute job does: that adjusts the year and quarter rows by the difference of the month rows
   * and would carry a wrong period row over).
   */
  const recompute = () => t.tx.run((tx) => t.app.get(RollupRepository).recompute(tx));

  it('unit, issuer month and issuer year/quarter rows after imports equal a recompute', async () => {
    // Cells other demands already fill (the import's upserts add to them), one of them with a report.
    const registered = await t.http
      .post('/api/v1/demands')
      .set(bearer(users.issuer))
      .send(demandBody('report', tree, { title: '已登记的月报', issuedOn: '2026-03-02', dueOn: '2026-03-10', recurrence: 'monthly', until: '2026-12-31', targetUnitIds: [tree.wenlan.id, tree.village.id] }))
      .expect(201);
    await t.http
      .post('/api/v1/burden-reports')
      .set(bearer(users.reporter))
      .send({ ...reportBody(registered.body.id as number, '2026-04', { hoursSpent: 4 }), unitId: tree.wenlan.id })
      .expect(201);

    const lines = [
      HEADER,
      row({ issuerCode: '532503-JYJ', kind: 'report', title: '周报跨季度', topic: 'education', issuedOn: '2026-03-02', dueOn: '2026-03-06', recurrence: 'weekly', until: '2026-07-31', targetCodes: '532503001;532503002', fields: '在校学生数;教师总数' }),
      row({ issuerCode: '532503-JYJ', kind: 'report', title: '月报跨年', topic: 'education', issuedOn: '2026-11-02', dueOn: '2026-11-10', recurrence: 'monthly', until: '2027-02-28', targetScopes: '532503:township', fields: '户籍人口（人）' }),
      row({ issuerCode: '532503-JYJ', kind: 'meeting', title: '季末会议', topic: 'education', issuedOn: '2026-06-20', startsOn: '2026-07-01', dueOn: '2026-07-01', targetCodes: '532503001001', durationMinutes: 120, attendeesPerTarget: 2 }),
      row({ issuerCode: '532503-JYJ', kind: 'inspection', title: '校园安全检查', topic: 'work_safety', issuedOn: '2026-09-25', startsOn: '2026-10-12', dueOn: '2026-10-16', targetScopes: '532503:township', onSiteDays: 1.5, jointWithCodes: '532503-YJJ' }),
      row({ issuerCode: '532503-YJJ', kind: 'inspection', title: '应急检查', topic: 'work_safety', issuedOn: '2026-03-30', startsOn: '2026-04-02', dueOn: '2026-04-03', targetCodes: '532503001;532503001001', onSiteDays: 1, estimatedHours: 3 }),
      row({ issuerCode: '532503-YJJ', kind: 'document', title: '通知', topic: 'work_safety', issuedOn: '2026-12-30', dueOn: '2027-01-05', targetCodes: '532503002', charCount: 4000 }),
    ];
    // However big a fresh demand is, the import adds it in its transaction: the server's big-demand
    // path (a stale mark and a rebuild job, for edits of demands with more cells than this) is not taken.
    t.app.get(RollupRebuildService).maxCells = 4;
    const res = await t.http.post('/api/v1/demands/import').set(bearer(users.coordinator)).attach('file', csvBytes(lines), 'demands.csv').expect(202);
    let job: { status: string; error?: unknown } = { status: '' };
    for (let i = 0; i < 600 && !['succeeded', 'failed'].includes(job.status); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      job = (await t.http.get(`/api/v1/jobs/${res.body.jobId}`).set(bearer(users.coordinator)).expect(200)).body as typeof job;
    }
    expect(job).toMatchObject({ status: 'succeeded' });

    expect(await t.app.get(RollupStateRepository).read(t.db)).toMatchObject({ dirtyFromMonth: null });
    const incremental = await rollups();
    // The file reached every kind of row: several months and both years, both issuers, periods of both kinds.
    expect(new Set(incremental.units.map((r) => r.month.slice(0, 4)))).toEqual(new Set(['2026', '2027']));
    expect(new Set(incremental.issuers.map((r) => r.issuerId)).size).toBe(2);
    expect(incremental.periods.some((r) => r.period.includes('-Q'))).toBe(true);
    expect(incremental.issuers.some((r) => r.inspections > 0)).toBe(true);
    await recompute();
    expect(await rollups()).toEqual(incremental);
  });
});
