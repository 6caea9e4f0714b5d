/**
 * Recompute of the burden rollups against a hand-written GROUP BY over the same rows (DESIGN §6:
 * province-year metrics recomputed in ≤ 2 × that). Runs in-process on a copy of a ledger that
 * already holds flags, e.g. the `server.sqlite` that `npm run bench:evaluate -- --scale province
 * --keep` leaves in bench/results/tmp/. Both sides run in this one process, one after the other.
 *
 * A ledger an evaluation left with stale rollups makes the server start their rebuild at boot, in a
 * worker (as after every evaluation). The bench waits for that rebuild first, times it (the
 * rebuild after an evaluation, from its job row) and only then measures: measuring beside it would
 * time both against each other, and the two writers wait on one another's month transactions.
 *
 *   npm run bench:recompute -- --db bench/results/tmp/evaluate-province-<pid>/server.sqlite [--period 2026]
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectRows, toInt } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { DUPLICATE_SHARE_RULES, EXCESS_SHARE_RULES, parsePeriod } from '@/modules/metrics/calculators';
import { IssuerMetricsRepository } from '@/modules/metrics/issuer-metrics.repository';
import { JobsService } from '@/modules/jobs/jobs.service';
import { metricsRecomputeJob, recomputeRollups } from '@/modules/metrics/metrics-recompute.job';
import { bootApp, writer } from '../import/app-setup';
import { Check, machine, table } from '../common/report';
import { grouped } from '../import/stats';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const source = arg('db');
  if (!source) throw new Error('--db <ledger.sqlite with flags> is required');
  const period = parsePeriod(arg('period') ?? '2026');
  if (!period) throw new Error('--period must be 2026, 2026-Q3 or 2026-07');
  const dir = mkdtempSync(join(tmpdir(), 'bench-recompute-'));
  const path = join(dir, 'ledger.sqlite');
  copyFileSync(source, path);
  const app = await bootApp({ type: 'sqlite', path }, dir);
  try {
    const tx = writer(app);
    const afterEvaluation = await awaitBootRebuild(app);
    const marks = period.months.map(() => '?').join(', ');
    // The baseline: the same rows (targets × occurrences, with the current report) summed by unit and month in one statement.
    let started = performance.now();
    const [baseline] = await selectRows<{ cells: number | string; minutes: number | string }>(
      tx,
      `SELECT COUNT(*) AS cells, SUM(burden) AS minutes FROM (
         SELECT t.unit_id, o.month, SUM(COALESCE(r.minutes_spent, o.occurrences * t.estimated_minutes)) AS burden
         FROM demand_targets t JOIN demand_occurrences o ON o.demand_id = t.demand_id
         LEFT JOIN burden_reports r ON r.unit_id = t.unit_id AND r.demand_id = t.demand_id AND r.month = o.month
         WHERE o.month IN (${marks}) GROUP BY t.unit_id, o.month) g`,
      period.months,
    );
    const baselineSeconds = (performance.now() - started) / 1000;
    // The same figures the rollups hold (occurrences, estimated, reported, burden, hidden, duplicate,
    // excess), hand-written as one SELECT … GROUP BY over the same rows: targets × occurrences, the
    // current report, the standing flags of each cell's demand (for the unit or the whole demand).
    const q = (codes: readonly string[]) => codes.map((c) => `'${c}'`).join(', ');
    started = performance.now();
    const [full] = await selectRows<{ cells: number | string; minutes: number | string; duplicate: number | string }>(
      tx,
      `WITH standing AS MATERIALIZED (
         SELECT demand_id, COALESCE(unit_id, 0) AS unit_id,
           MAX(CASE WHEN rule_code IN (${q(DUPLICATE_SHARE_RULES)}) THEN 1 ELSE 0 END) AS dup,
           MAX(CASE WHEN rule_code IN (${q(EXCESS_SHARE_RULES)}) THEN 1 ELSE 0 END) AS exc
         FROM flags WHERE demand_id IS NOT NULL AND status NOT IN ('dismissed', 'withdrawn') GROUP BY demand_id, COALESCE(unit_id, 0))
       SELECT COUNT(*) AS cells, SUM(burden) AS minutes, SUM(duplicate) AS duplicate FROM (
         SELECT t.unit_id, o.month, SUM(o.occurrences) AS occ, SUM(o.occurrences * t.estimated_minutes) AS est, SUM(COALESCE(r.minutes_spent, 0)) AS rep,
           SUM(COALESCE(r.minutes_spent, o.occurrences * t.estimated_minutes)) AS burden,
           SUM(CASE WHEN r.minutes_spent > o.occurrences * t.estimated_minutes THEN r.minutes_spent - o.occurrences * t.estimated_minutes ELSE 0 END) AS hidden,
           SUM(CASE WHEN COALESCE(su.dup, 0) = 1 OR COALESCE(sd.dup, 0) = 1 THEN COALESCE(r.minutes_spent, o.occurrences * t.estimated_minutes) ELSE 0 END) AS duplicate,
           SUM(CASE WHEN COALESCE(su.exc, 0) = 1 OR COALESCE(sd.exc, 0) = 1 THEN COALESCE(r.minutes_spent, o.occurrences * t.estimated_minutes) ELSE 0 END) AS excess
         FROM demand_targets t JOIN demand_occurrences o ON o.demand_id = t.demand_id
         LEFT JOIN burden_reports r ON r.unit_id = t.unit_id AND r.demand_id = t.demand_id AND r.month = o.month
         LEFT JOIN standing su ON su.demand_id = t.demand_id AND su.unit_id = t.unit_id
         LEFT JOIN standing sd ON sd.demand_id = t.demand_id AND sd.unit_id = 0
         WHERE o.month IN (${marks}) GROUP BY t.unit_id, o.month) g`,
      period.months,
    );
    const sameFiguresSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const result = await recomputeRollups({ period: period.period }, { tx: app.get(TransactionRunner), audit: app.get(AuditService), actor: null, progress: () => undefined });
    const productSeconds = (performance.now() - started) / 1000;
    const [stored] = await selectRows<{ minutes: number | string; duplicate: number | string }>(
      tx,
      `SELECT SUM(burden_minutes) AS minutes, SUM(duplicate_minutes) AS duplicate FROM unit_month_burden WHERE month IN (${marks})`,
      period.months,
    );
    const round = (x: number) => Math.round(x * 100) / 100;
    // What GET /metrics/issuers reads on the request thread to sort a whole province's offices for
    // the period and cut the first page of 50 (the rest of an answer is read for that page only),
    // sorted and paged in SQL over the issuer rollups.
    const [root] = await selectRows<{ path: string }>(tx, "SELECT path FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1");
    const issuerRepo = app.get(IssuerMetricsRepository);
    const sortPass: { offices: number; ms: number }[] = [];
    for (let i = 0; i < 5; i++) {
      const at = performance.now();
      const { total } = await issuerRepo.tallyPage(tx, root.path, period, 'hoursImposed', 'desc', 0, 50);
      sortPass.push({ offices: total, ms: performance.now() - at });
    }
    // The same figures read from the demands themselves, as the list did before the issuer rollups.
    const live: number[] = [];
    for (let i = 0; i < 3; i++) {
      const at = performance.now();
      await selectRows(
        tx,
        `SELECT d.issuer_id, COUNT(*) AS demands, SUM(CASE WHEN d.status = 'cancelled' THEN 1 ELSE 0 END) AS cancelled,
                SUM(CASE WHEN d.kind = 'inspection' THEN 1 ELSE 0 END) AS inspections,
                SUM(d.estimate_minutes * d.target_count * (SELECT COALESCE(SUM(o.occurrences), 0) FROM demand_occurrences o WHERE o.demand_id = d.id AND o.month >= ? AND o.month <= ?)) AS minutes
           FROM org_units u CROSS JOIN demands d
          WHERE d.issuer_id = u.id AND d.lands_on >= ? AND d.lands_on <= ? AND u.path >= ? AND u.path < ?
          GROUP BY d.issuer_id`,
        [period.months[0], period.months[period.months.length - 1], period.from, period.to, root.path, `${root.path.slice(0, -1)}0`],
      );
      live.push(performance.now() - at);
    }
    const figures = {
      period: period.period,
      cells: toInt(baseline.cells),
      rows: result.rows,
      agree: {
        burdenMinutes: toInt(stored.minutes) === toInt(baseline.minutes) && toInt(full.minutes) === toInt(baseline.minutes),
        duplicateMinutes: toInt(stored.duplicate) === toInt(full.duplicate),
      },
      productSeconds: round(productSeconds),
      baselines: {
        sameFigures: { what: 'every figure the rollups hold, one SELECT … GROUP BY over targets × occurrences, reports and standing flags', seconds: round(sameFiguresSeconds), ratio: round(productSeconds / sameFiguresSeconds) },
        burdenOnly: { what: 'burden minutes only, one SELECT … GROUP BY over targets × occurrences and reports (no flags)', seconds: round(baselineSeconds), ratio: round(productSeconds / baselineSeconds) },
      },
      issuerSortPass: {
        scope: root.path,
        offices: sortPass[0].offices,
        fromRollupsMedianMs: round([...sortPass].sort((a, b) => a.ms - b.ms)[2].ms),
        fromDemandsMedianMs: round([...live].sort((a, b) => a - b)[1]),
      },
      rebuildAfterEvaluation: afterEvaluation && { ...afterEvaluation, ratio: round(afterEvaluation.seconds / sameFiguresSeconds) },
      judged: 'sameFigures.ratio ≤ 2 (DESIGN §6: the metrics recomputed vs a hand-written GROUP BY over the same rows)',
      holds: productSeconds / sameFiguresSeconds <= 2,
    };
    const checks: Check[] = [
      {
        figure: `recompute of ${period.period} vs one hand-written GROUP BY of the same figures`,
        value: `${round(productSeconds)} s vs ${round(sameFiguresSeconds)} s = ${round(productSeconds / sameFiguresSeconds)} × (${grouped(result.rows)} unit × month rows)`,
        target: '≤ 2 ×',
        holds: figures.holds,
      },
      ...(afterEvaluation
        ? [
            {
              figure: `rebuild after the evaluation (the job the server starts on stale rollups), ${afterEvaluation.months} months`,
              value: `${afterEvaluation.seconds} s vs ${round(sameFiguresSeconds)} s = ${round(afterEvaluation.seconds / sameFiguresSeconds)} × (${afterEvaluation.status})`,
              target: '≤ 2 ×',
              holds: afterEvaluation.status === 'succeeded' && afterEvaluation.seconds / sameFiguresSeconds <= 2,
            },
          ]
        : []),
      { figure: 'recompute and GROUP BY agree (burden, duplicate minutes)', value: `${figures.agree.burdenMinutes} / ${figures.agree.duplicateMinutes}`, target: 'both true', holds: figures.agree.burdenMinutes && figures.agree.duplicateMinutes },
      {
        figure: 'issuer list sort pass, province-wide year (median)',
        value: `${figures.issuerSortPass.fromRollupsMedianMs} ms from the rollups (${figures.issuerSortPass.fromDemandsMedianMs} ms from the demands), ${grouped(figures.issuerSortPass.offices)} offices`,
        target: '',
        holds: null,
      },
    ];
    process.stdout.write(`${table(checks)}\n`);
    const out = arg('out');
    if (out) writeFileSync(out, `${JSON.stringify({ benchmark: 'recompute', ...machine(), ...figures, checks }, null, 2)}\n`);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits for the rollup rebuild the server started at boot, if any; its status, months and seconds from its job row. */
async function awaitBootRebuild(app: Awaited<ReturnType<typeof bootApp>>): Promise<{ status: string; months: number; seconds: number } | null> {
  const jobs = app.get(JobsService);
  if (!(await jobs.hasUnfinished(metricsRecomputeJob.kind))) return null;
  process.stdout.write('waiting for the rebuild the server started on the stale rollups');
  while (await jobs.hasUnfinished(metricsRecomputeJob.kind)) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    process.stdout.write('.');
  }
  const [job] = await selectRows<{ status: string; result: string | null; started_at: string; finished_at: string }>(
    writer(app),
    'SELECT status, result, started_at, finished_at FROM jobs WHERE kind = ? ORDER BY id DESC LIMIT 1',
    [metricsRecomputeJob.kind],
  );
  const months = job.result ? (JSON.parse(job.result) as { months: string[] }).months.length : 0;
  const seconds = Math.round((Date.parse(job.finished_at) - Date.parse(job.started_at)) / 10) / 100;
  process.stdout.write(` ${job.status} in ${seconds} s\n`);
  return { status: job.status, months, seconds };
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
