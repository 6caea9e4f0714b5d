/**
 * Two request-thread paths of metrics at province scale, timed in-process on a copy of a ledger
 * that holds flags (the `server.sqlite` that `npm run bench:evaluate -- --scale province --keep`
 * leaves in bench/results/tmp/):
 *
 * 1. `GET /metrics/issuers` over every office of 云南省 for a year (the service call behind it,
 *    as the province's coordinator): each sort key and order, the first page and the last one.
 * 2. Edits of one demand reaching every village of a prefecture or the province (PATCH, cancel,
 *    a flag review): the whole service call, and the rollup adjustment inside it alone (its old
 *    contribution out and the new one in). Each edit runs in a transaction that is rolled back,
 *    so every one starts from the same ledger (a rebuild job such an edit asks for finds nothing
 *    stale once it has been rolled back).
 *
 *   npm run bench:build && node dist/bench/bench/metrics-requests/run.js --db <ledger.sqlite> [--period 2026] [--runs 5] [--out file.json]
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Actor } from '@/common/auth/actor';
import { pageRequest } from '@/common/paging/page';
import { selectRows, toInt, Tx } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { DemandsService } from '@/modules/demands/demands.service';
import { FlagsService } from '@/modules/flags/flags.service';
import { IdentityService } from '@/modules/identity/identity.service';
import { ISSUER_SORTS, IssuerMetricsService } from '@/modules/metrics/issuer-metrics.service';
import { RollupRepository } from '@/modules/metrics/rollup.repository';
import { projectRoot } from '@/modules/demo/generator/paths';
import { bootApp, linkProductData, writer } from '../import/app-setup';
import { Check, machine, table } from '../common/report';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const round = (x: number) => Math.round(x * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const at = performance.now();
  const value = await work();
  return { ms: performance.now() - at, value };
}

class Rollback extends Error {}

/** Waits until no rollup rebuild job is queued or running (one may start a moment after a write). */
async function rebuildsEnded(db: Tx): Promise<void> {
  let quiet = 0;
  while (quiet < 5) {
    const [row] = await selectRows<{ n: number | string }>(db, "SELECT COUNT(*) AS n FROM jobs WHERE kind = 'metrics-recompute' AND status IN ('queued', 'running')");
    quiet = toInt(row?.n) === 0 ? quiet + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Runs `work` inside one transaction and rolls it back: the ledger is the same afterwards. */
async function rolledBack(runner: TransactionRunner, work: (tx: Tx) => Promise<void>): Promise<void> {
  try {
    await runner.run(async (tx) => {
      await work(tx);
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
}

async function main(): Promise<void> {
  const source = arg('db');
  if (!source || !existsSync(source)) throw new Error('--db <ledger.sqlite with flags> is required');
  const period = arg('period') ?? '2026';
  const runs = Number(arg('runs') ?? '5');
  linkProductData(projectRoot(), resolve(__dirname, '..', '..'));
  const dir = mkdtempSync(join(tmpdir(), 'bench-metrics-requests-'));
  const path = join(dir, 'ledger.sqlite');
  copyFileSync(source, path);
  const app = await bootApp({ type: 'sqlite', path }, dir);
  try {
    const db = writer(app);
    const runner = app.get(TransactionRunner);
    const identity = app.get(IdentityService);
    const actor = async (id: number): Promise<Actor> => {
      const a = await identity.resolve(id, 0);
      if (!a) throw new Error(`user ${id} does not resolve`);
      return a;
    };
    const [coordinatorRow] = await selectRows<{ id: number | string }>(db, "SELECT id FROM users WHERE username = 'bench-coordinator'");
    if (!coordinatorRow) throw new Error('the ledger has no bench-coordinator (not a bench:evaluate ledger?)');
    const coordinator = await actor(toInt(coordinatorRow.id));

    // 1. The issuer list, province-wide, every sort and order; first and last page.
    const issuers = app.get(IssuerMetricsService);
    const list: { sort: string; order: string; page: number; total: number; medianMs: number; runsMs: number[] }[] = [];
    for (const sort of ISSUER_SORTS) {
      for (const order of ['desc', 'asc'] as const) {
        const first = await issuers.list(coordinator, { period, sort, order }, pageRequest({ page: 1, pageSize: 50 }));
        const lastPage = Math.max(1, Math.ceil(first.total / 50));
        for (const page of [1, lastPage]) {
          const times: number[] = [];
          for (let i = 0; i < runs; i++) times.push((await timed(() => issuers.list(coordinator, { period, sort, order }, pageRequest({ page, pageSize: 50 })))).ms);
          list.push({ sort, order, page, total: first.total, medianMs: round(median(times)), runsMs: times.map(round) });
        }
      }
    }

    // 2. A demand reaching many villages: registered once (kept), then edited in rolled-back transactions.
    const [province] = await selectRows<{ id: number | string; path: string }>(db, "SELECT id, path FROM org_units WHERE code = '53'");
    const [department] = await selectRows<{ id: number | string }>(db, "SELECT id FROM org_units WHERE kind = 'department' AND parent_id = ? ORDER BY code LIMIT 1", [province.id]);
    if (!department) throw new Error('no department of 云南省 to issue from');
    const issuerUser = await identity.createUser(null, { username: `bench-province-issuer-${process.pid}`, password: 'bench-password-123', role: 'issuer', orgUnitId: toInt(department.id) }, 'bench');
    const issuer = await actor(issuerUser.id);
    const demands = app.get(DemandsService);
    const flags = app.get(FlagsService);
    const rollups = app.get(RollupRepository);
    const scopes: { name: string; underId: number }[] = [{ name: '云南省', underId: toInt(province.id) }];
    const big: Record<string, unknown>[] = [];
    for (const scope of scopes) {
      for (const recurrence of ['once', 'monthly'] as const) {
        const registered = await timed(() =>
          demands.create(issuer, {
            kind: 'report',
            title: `全省村级统计（${recurrence}）`,
            topic: 'education',
            issuedOn: `${period.slice(0, 4)}-03-02`,
            dueOn: `${period.slice(0, 4)}-03-04`,
            ...(recurrence === 'once' ? {} : { recurrence, until: `${period.slice(0, 4)}-12-31` }),
            targetScopes: [{ underId: scope.underId, level: 'village' }],
            fields: ['户籍人口（人）', '在校学生数', '教师总数'],
          } as never),
        );
        const demand = registered.value;
        // A registration the server leaves to a rebuild job (a big demand) is timed with the rest: let
        // that job finish before timing the edits, so they do not share the machine with it.
        await rebuildsEnded(db);
        const [cells] = await selectRows<{ n: number | string }>(db, 'SELECT COUNT(*) AS n FROM demand_targets t JOIN demand_occurrences o ON o.demand_id = t.demand_id WHERE t.demand_id = ?', [demand.id]);
        const patch: number[] = [];
        const cancel: number[] = [];
        const review: number[] = [];
        const out: number[] = [];
        const flagged: number[] = [];
        const into: number[] = [];
        for (let i = 0; i < runs; i++) {
          await rolledBack(runner, async () => {
            patch.push((await timed(() => demands.update(issuer, demand.id, { version: demand.version, dueOn: `${period.slice(0, 4)}-03-20` }))).ms);
          });
          await rolledBack(runner, async () => {
            cancel.push((await timed(() => demands.cancel(issuer, demand.id, { reason: '合并到其他报表', cancelledOn: `${period.slice(0, 4)}-03-03` }))).ms);
          });
          await rolledBack(runner, async (tx) => {
            out.push((await timed(() => rollups.apply(tx, [{ demandIds: [demand.id] }], -1))).ms);
            into.push((await timed(() => rollups.apply(tx, [{ demandIds: [demand.id] }], 1))).ms);
            // What every write touching the demand's flags adds after them: its issuer's flagged count reconciled (nothing to move here).
            flagged.push((await timed(() => rollups.refreshFlagged(tx, [demand.id]))).ms);
          });
          // A flag on the demand as a whole (SHORT_DEADLINE: two working days), taken under review once
          // (kept) and then dismissed by the coordinator: the demand's hours leave the excess share.
          let [flag] = await selectRows<{ id: number | string; row_version: number | string; status: string }>(db, "SELECT id, row_version, status FROM flags WHERE demand_id = ? AND unit_id IS NULL AND status IN ('open', 'under_review') ORDER BY id LIMIT 1", [demand.id]);
          if (flag?.status === 'open') {
            await flags.transition(coordinator, toInt(flag.id), { to: 'under_review', version: toInt(flag.row_version) });
            [flag] = await selectRows(db, 'SELECT id, row_version, status FROM flags WHERE id = ?', [flag.id]);
          }
          if (flag) {
            await rolledBack(runner, async () => {
              review.push((await timed(() => flags.transition(coordinator, toInt(flag.id), { to: 'dismissed', version: toInt(flag.row_version), comment: '已核实' }))).ms);
            });
          }
        }
        big.push({
          scope: scope.name,
          recurrence,
          targets: demand.targetCount,
          cells: toInt(cells.n),
          registerMs: round(registered.ms),
          patchMedianMs: round(median(patch)),
          cancelMedianMs: round(median(cancel)),
          reviewMedianMs: review.length ? round(median(review)) : null,
          rollupsOutMedianMs: round(median(out)),
          rollupsInMedianMs: round(median(into)),
          flaggedRefreshMedianMs: round(median(flagged)),
        });
      }
    }

    const checks: Check[] = [
      ...list.map((l) => ({ figure: `issuers ${period} sort=${l.sort}&order=${l.order} page ${l.page} (${l.total} offices)`, value: `${l.medianMs} ms`, target: '≤ 100 ms', holds: l.medianMs <= 100 })),
      ...big.flatMap((b) => [
        { figure: `PATCH ${String(b.recurrence)} demand, ${String(b.targets)} targets, ${String(b.cells)} cells`, value: `${String(b.patchMedianMs)} ms (rollups −${String(b.rollupsOutMedianMs)} / +${String(b.rollupsInMedianMs)} ms, flagged ${String(b.flaggedRefreshMedianMs)} ms)`, target: '≤ 100 ms', holds: (b.patchMedianMs as number) <= 100 },
        { figure: `cancel ${String(b.recurrence)} demand`, value: `${String(b.cancelMedianMs)} ms`, target: '≤ 100 ms', holds: (b.cancelMedianMs as number) <= 100 },
        { figure: `review of a flag on it`, value: `${String(b.reviewMedianMs)} ms`, target: '≤ 100 ms', holds: b.reviewMedianMs === null ? null : (b.reviewMedianMs as number) <= 100 },
      ]),
    ];
    process.stdout.write(`${table(checks)}\n`);
    const outFile = arg('out');
    if (outFile) writeFileSync(outFile, `${JSON.stringify({ benchmark: 'metrics-requests', ...machine(), period, runs, issuerList: list, bigDemand: big, checks }, null, 2)}\n`);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
