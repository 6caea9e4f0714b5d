import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '@/app.factory';
import { DomainEvents } from '@/common/events/domain-events';
import { execute, selectRows, toInt, Tx } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { EvaluateCommand } from '@/modules/flags/evaluate.command';
import { ROLLUP_REBUILD, RollupRebuild } from '@/modules/flags/rollup-rebuild';
import { recomputeRollups, RecomputeResult } from '@/modules/metrics/metrics-recompute.job';
import { RecomputeCommand } from '@/modules/metrics/recompute.command';
import { RollupState, RollupStateRepository } from '@/modules/metrics/rollup-state.repository';
import { RollupRepository, UnitMonthBurden } from '@/modules/metrics/rollup.repository';
import { bearer, standardTree, StandardTree, standardUsers, StandardUsers } from '../factories';
import { demandBody } from '../factories/demands';
import { TestApp } from '../utils/test-app';

interface JobRow {
  id: number;
  kind: string;
  status: string;
  created_by: number;
}

/**
 * Issue 6, the durability of the rollup rebuild after an evaluation: the evaluation marks the
 * rollups stale in the transactions that write its findings; the rebuild that follows clears the
 * mark only when it covered it and nothing marked them again since it began; a failed rebuild
 * leaves the mark (and the card says so) until a server start resumes it.
 */
describe('metrics: the stale mark of the rollups after an evaluation (e2e)', () => {
  jest.setTimeout(180_000);
  let t: TestApp;
  /** The server after a restart on the same database (null until then). */
  let restarted: NestExpressApplication | null = null;
  let tree: StandardTree;
  let users: StandardUsers;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
  });
  afterAll(async () => {
    await restarted?.close();
    await t.close();
  });

  const app = (): NestExpressApplication => restarted ?? t.app;
  const http = () => request(app().getHttpServer());
  const db = (): Tx => app().get(DataSource).manager;
  const state = (): Promise<RollupState> => app().get(RollupStateRepository).read(db());
  const rollups = (): Promise<UnitMonthBurden[]> => app().get(RollupRepository).allRows(db());
  const jobsAfter = async (id: number): Promise<JobRow[]> =>
    (await selectRows<JobRow>(db(), 'SELECT id, kind, status, created_by FROM jobs WHERE id > ? ORDER BY id', [id])).map((j) => ({ ...j, id: toInt(j.id), created_by: toInt(j.created_by) }));

  const jobEnded = async (id: number): Promise<JobRow> => {
    for (let i = 0; i < 600; i++) {
      const [job] = await selectRows<JobRow>(db(), 'SELECT id, kind, status, created_by FROM jobs WHERE id = ?', [id]);
      if (job && (job.status === 'succeeded' || job.status === 'failed')) return { ...job, id: toInt(job.id), created_by: toInt(job.created_by) };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`job ${id} did not end`);
  };
  const recomputeJobAfter = async (id: number): Promise<JobRow> => {
    for (let i = 0; i < 200; i++) {
      const job = (await jobsAfter(id)).find((j) => j.kind === 'metrics-recompute');
      if (job) return jobEnded(job.id);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no rebuild job after job ${id}`);
  };

  /** Every insert into the unit rollups fails: the rebuild of a month with rows then fails (the evaluation writes none). */
  const breakRebuilds = async () => {
    if (t.kind === 'sqlite') await execute(db(), `CREATE TRIGGER test_broken_rebuild BEFORE INSERT ON unit_month_burden BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    else {
      await execute(db(), `CREATE FUNCTION test_broken_rebuild() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql`);
      await execute(db(), 'CREATE TRIGGER test_broken_rebuild BEFORE INSERT ON unit_month_burden FOR EACH ROW EXECUTE FUNCTION test_broken_rebuild()');
    }
  };
  const repairRebuilds = async () => {
    if (t.kind === 'sqlite') await execute(db(), 'DROP TRIGGER test_broken_rebuild');
    else {
      await execute(db(), 'DROP TRIGGER test_broken_rebuild ON unit_month_burden');
      await execute(db(), 'DROP FUNCTION test_broken_rebuild()');
    }
  };

  /** A full rebuild's figures, run on the side and compared: what the rollups must equal once current. */
  const fullRebuild = (): Promise<RecomputeResult> =>
    recomputeRollups({ period: null }, { tx: app().get(TransactionRunner), audit: app().get(AuditService), actor: null, progress: () => undefined });

  const cardOf = async (unitId: number, period: string) => (await http().get(`/api/v1/metrics/units/${unitId}?period=${period}`).set(bearer(users.coordinator)).expect(200)).body as { duplicateHours: number; inputs: { rollups: unknown } };

  it('a clean database answers with current rollups', async () => {
    expect(await state()).toEqual({ generation: 0, dirtyFromMonth: null, dirtySince: null });
    expect((await cardOf(tree.wenlan.id, '2026')).inputs.rollups).toEqual({ stale: false, dirtyFromMonth: null, dirtySince: null });
  });

  it('an evaluation whose rebuild fails leaves the mark and the card and ranking say stale; a restart resumes the rebuild and clears it', async () => {
    // Two forms asking 文澜街道 for the same data in May: only the evaluation finds the duplicate,
    // so its hours reach the rollups only through the rebuild after it.
    const fields = ['辖区企业数（家）', '从业人员数', '安全检查次数'];
    for (const issuedOn of ['2026-05-04', '2026-05-11']) {
      await http().post('/api/v1/demands').set(bearer(users.issuer)).send(demandBody('report', tree, { title: `企业统计${issuedOn}`, issuedOn, dueOn: undefined, targetUnitIds: [tree.wenlan.id], fields })).expect(201);
    }
    await breakRebuilds();
    const evaluation = await http().post('/api/v1/flags/evaluate').set(bearer(users.coordinator)).send({ period: '2026-Q2' }).expect(202);
    expect((await jobEnded(evaluation.body.jobId as number)).status).toBe('succeeded');
    const failed = await recomputeJobAfter(evaluation.body.jobId as number);
    expect(failed.status).toBe('failed');

    // The mark the evaluation left stays: from the first month its findings touch.
    const left = await state();
    expect(left).toEqual({ generation: expect.any(Number), dirtyFromMonth: '2026-05', dirtySince: expect.any(String) });
    expect(left.generation).toBeGreaterThan(0);
    const stale = { stale: true, dirtyFromMonth: '2026-05', dirtySince: left.dirtySince };
    const card = await cardOf(tree.wenlan.id, '2026-Q2');
    expect(card.inputs.rollups).toEqual(stale);
    // And it is true: the duplicate hours the findings call for are not in the rollups yet.
    expect(card.duplicateHours).toBe(0);
    const ranking = await http().get(`/api/v1/metrics/units?level=township&underId=${tree.mengzi.id}&period=2026-Q2`).set(bearer(users.coordinator)).expect(200);
    expect(ranking.body.inputs.rollups).toEqual(stale);
    const series = await http().get(`/api/v1/metrics/units/${tree.wenlan.id}/series?from=2026-01&to=2026-06`).set(bearer(users.coordinator)).expect(200);
    expect(series.body.rollups).toEqual(stale);
    // A period wholly before the marked months is current; the mark is still shown.
    expect((await cardOf(tree.wenlan.id, '2026-Q1')).inputs.rollups).toEqual({ ...stale, stale: false });

    // A restart on the same database, the rebuild repaired: the server starts the rebuild itself,
    // on behalf of whoever started the evaluation, and it clears the mark.
    await repairRebuilds();
    await t.app.close();
    restarted = await createApp(t.config);
    await restarted.init();
    const resumed = await recomputeJobAfter(failed.id);
    expect(resumed).toMatchObject({ status: 'succeeded', created_by: users.coordinator.id });
    expect(await state()).toEqual({ generation: left.generation, dirtyFromMonth: null, dirtySince: null });
    const after = await cardOf(tree.wenlan.id, '2026-Q2');
    expect(after.inputs.rollups).toEqual({ stale: false, dirtyFromMonth: null, dirtySince: null });
    expect(after.duplicateHours).toBeGreaterThan(0);
    const resumedRows = await rollups();
    await fullRebuild();
    expect(await rollups()).toEqual(resumedRows);

    // A second start with nothing stale starts nothing.
    const last = (await jobsAfter(0)).pop()!.id;
    await restarted.close();
    restarted = await createApp(t.config);
    await restarted.init();
    expect(await jobsAfter(last)).toEqual([]);
  });

  it('an evaluation that fails starts the rebuild of what is marked at once, not at the next start', async () => {
    const fields = ['耕地面积（亩）', '粮食产量（吨）', '农机数量'];
    const ids: number[] = [];
    for (const issuedOn of ['2026-08-03', '2026-08-10']) {
      const res = await http().post('/api/v1/demands').set(bearer(users.issuer)).send(demandBody('report', tree, { title: `农业统计${issuedOn}`, issuedOn, dueOn: undefined, targetUnitIds: [tree.wenlan.id], fields })).expect(201);
      ids.push(res.body.id as number);
    }
    // What an earlier batch of the evaluation would have marked before a later one failed.
    await app().get(TransactionRunner).run((tx) => app().get(RollupStateRepository).markDemands(tx, ids, []));
    expect((await state()).dirtyFromMonth).toBe('2026-08');
    // Every flag insert fails: the evaluation fails at its first finding.
    if (t.kind === 'sqlite') await execute(db(), `CREATE TRIGGER test_broken_flags BEFORE INSERT ON flags BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    else {
      await execute(db(), `CREATE FUNCTION test_broken_flags() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql`);
      await execute(db(), 'CREATE TRIGGER test_broken_flags BEFORE INSERT ON flags FOR EACH ROW EXECUTE FUNCTION test_broken_flags()');
    }
    try {
      const evaluation = await http().post('/api/v1/flags/evaluate').set(bearer(users.coordinator)).send({ period: '2026-Q3' }).expect(202);
      expect((await jobEnded(evaluation.body.jobId as number)).status).toBe('failed');
      const rebuild = await recomputeJobAfter(evaluation.body.jobId as number);
      expect(rebuild).toMatchObject({ status: 'succeeded', created_by: users.coordinator.id });
      expect((await state()).dirtyFromMonth).toBeNull();
    } finally {
      if (t.kind === 'sqlite') await execute(db(), 'DROP TRIGGER test_broken_flags');
      else {
        await execute(db(), 'DROP TRIGGER test_broken_flags ON flags');
        await execute(db(), 'DROP FUNCTION test_broken_flags()');
      }
    }
  });

  it('a rebuild that began before a newer mark leaves that mark; the next rebuild clears it', async () => {
    const demand = await http().post('/api/v1/demands').set(bearer(users.issuer)).send(demandBody('document', tree, { title: '三月文件', issuedOn: '2026-03-02', dueOn: undefined })).expect(201);
    const runner = app().get(TransactionRunner);
    const marks = app().get(RollupStateRepository);
    await runner.run((tx) => marks.markDemands(tx, [], []));
    expect((await state()).dirtyFromMonth).toBeNull(); // nothing to mark without a demand
    await runner.run((tx) => marks.markDemands(tx, [demand.body.id as number], []));
    const before = await state();
    expect(before.dirtyFromMonth).toBe('2026-03');

    // An evaluation's batch marks the demand again between the rebuild's first and second month.
    let runs = 0;
    const interleaved = {
      reader: runner.reader,
      snapshot: runner.snapshot.bind(runner),
      run: async <T>(work: (tx: Tx) => Promise<T>): Promise<T> => {
        if (++runs === 2) await runner.run((tx) => marks.markDemands(tx, [demand.body.id as number], []));
        return runner.run(work);
      },
    } as unknown as TransactionRunner;
    const older = await recomputeRollups({ period: null, fromMonth: '2026-03' }, { tx: interleaved, audit: app().get(AuditService), actor: null, progress: () => undefined });
    expect(older.months.length).toBeGreaterThan(1);
    expect(older.rollups).toEqual({ stale: true, dirtyFromMonth: '2026-03', dirtySince: before.dirtySince });
    expect(await state()).toEqual({ ...before, generation: before.generation + 1 });

    // A rebuild of one period, or one starting after the marked month, cannot clear it either…
    const quarter = await recomputeRollups({ period: '2026-Q1' }, { tx: runner, audit: app().get(AuditService), actor: null, progress: () => undefined });
    expect(quarter.rollups.stale).toBe(true);
    // …but a rebuild asked from a later month reaches back to the mark, and clears it.
    const newer = await recomputeRollups({ period: null, fromMonth: '2026-09' }, { tx: runner, audit: app().get(AuditService), actor: null, progress: () => undefined });
    expect(newer).toMatchObject({ fromMonth: '2026-03', rollups: { stale: false, dirtyFromMonth: null, dirtySince: null } });
    expect(newer.months[0]).toBe('2026-03');
    expect(await state()).toEqual({ generation: before.generation + 1, dirtyFromMonth: null, dirtySince: null });
    const audit = await selectRows<{ after_json: string }>(db(), "SELECT after_json FROM audit_log WHERE action = 'metrics.recompute' ORDER BY id DESC LIMIT 1");
    expect(JSON.parse(audit[0].after_json)).toMatchObject({ fromMonth: '2026-03', rollups: { stale: false } });
  });

  it('the command line: evaluate marks and rebuilds inline, leaving the rollups current; recompute clears a mark left behind', async () => {
    const silenced = async (work: () => Promise<void>) => {
      const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        await work();
        expect(process.exitCode).toBeUndefined();
      } finally {
        process.exitCode = undefined;
        out.mockRestore();
        err.mockRestore();
      }
    };
    const before = await state();
    const evaluate = new EvaluateCommand(app().get(TransactionRunner), app().get(AuditService), app().get(DomainEvents), app().get<RollupRebuild>(ROLLUP_REBUILD));
    await silenced(() => evaluate.run([], { period: '2026' }));
    const after = await state();
    expect(after.generation).toBeGreaterThan(before.generation); // its batches marked the rollups…
    expect(after.dirtyFromMonth).toBeNull(); // …and its rebuild cleared the mark
    const current = await rollups();
    await fullRebuild();
    expect(await rollups()).toEqual(current);

    const demand = await selectRows<{ id: number }>(db(), 'SELECT id FROM demands ORDER BY id LIMIT 1');
    await app().get(TransactionRunner).run((tx) => app().get(RollupStateRepository).markDemands(tx, [toInt(demand[0].id)], []));
    expect((await state()).dirtyFromMonth).not.toBeNull();
    const recompute = new RecomputeCommand(app().get(TransactionRunner), app().get(AuditService));
    await silenced(() => recompute.run([], { period: '2026-05' }));
    expect((await state()).dirtyFromMonth).not.toBeNull(); // one month is not the whole mark
    await silenced(() => recompute.run([], {}));
    expect((await state()).dirtyFromMonth).toBeNull();
  });
});
