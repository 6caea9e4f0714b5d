import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Check, machine, table } from '../common/report';
import { projectRoot } from '../generator/paths';
import { log } from '../import/stats';

const USAGE = `Usage: npm run bench -- [--quick] [--only api,reports,import,evaluate,recompute] [--postgres] [--out <file>]

Every benchmark of DESIGN §6, one after another on this machine, each in its own process:
  api        the unit card at 500 req/s and registering a demand with 20 targets (county)
  reports    POST /burden-reports at fixed offered rates (county)
  import     the bulk demand import against raw inserts, GET /health during it, server RSS (province)
  evaluate   the full rule evaluation at half, province and double scale: 60 s, doublings, RSS, health
  recompute  the province-year rollup rebuild against a hand-written GROUP BY (on the ledger
             the evaluation leaves)
--quick: county scale everywhere and shorter loads (≈ 5 min): a smoke run, not the figures of record.
--postgres: the import also on PostgreSQL (adds ≈ 15 min at province scale).
Writes bench/results/<date>.json (every bench's raw figures and baselines, and the checks) and
prints one table with each target and whether it holds. Without --quick it takes ≈ 30 min.`;

const BENCHES = ['api', 'reports', 'import', 'evaluate', 'recompute'] as const;
type Bench = (typeof BENCHES)[number];

interface Options {
  quick: boolean;
  only: Bench[];
  postgres: boolean;
  out?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, only: [...BENCHES], postgres: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
      case '--quick':
        o.quick = true;
        break;
      case '--postgres':
        o.postgres = true;
        break;
      case '--only': {
        const list = (argv[++i] ?? '').split(',').map((s) => s.trim());
        const unknown = list.filter((b) => !(BENCHES as readonly string[]).includes(b));
        if (!list.length || unknown.length) throw new Error(`--only: ${unknown.join(', ') || '(empty)'} is not one of ${BENCHES.join(', ')}`);
        o.only = BENCHES.filter((b) => list.includes(b));
        break;
      }
      case '--out':
        o.out = argv[++i];
        if (!o.out) throw new Error('--out needs a file');
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`Unknown argument ${arg}`);
    }
  }
  if (o.only.includes('recompute') && !o.only.includes('evaluate')) throw new Error('recompute runs on the ledger the evaluation leaves: --only must include evaluate');
  return o;
}

interface BenchRun {
  args: string[];
  seconds: number;
  exitCode: number | null;
  /** The bench's own JSON output. */
  raw: unknown;
  checks: Check[];
}

/** Runs one bench script (compiled by bench:build) with its progress on our stderr and its table dropped (the suite prints its own). */
function runBench(distBench: string, name: string, args: string[]): Promise<{ code: number | null; pid: number }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [join(distBench, 'bench', name, 'run.js'), ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    const pid = child.pid ?? -1;
    child.once('error', reject);
    child.once('exit', (code) => resolveRun({ code, pid }));
  });
}

/** The checks a bench's JSON holds (the import keeps its per scale). */
function checksOf(name: Bench, raw: unknown, scale: string): Check[] {
  const r = raw as { checks?: Check[]; runs?: Record<string, { checks?: Check[] }> } | null;
  if (!r) return [];
  if (name === 'import') return r.runs?.[scale]?.checks ?? [];
  return r.checks ?? [];
}

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  const root = projectRoot();
  const distBench = resolve(__dirname, '..', '..');
  const startedAt = new Date();
  const date = startedAt.toISOString().slice(0, 10);
  const parts = join(root, 'bench', 'results', 'tmp', `suite-${process.pid}`);
  rmSync(parts, { recursive: true, force: true });
  mkdirSync(parts, { recursive: true });
  const scale = opts.quick ? 'county' : 'province';
  const runs: Partial<Record<Bench, BenchRun>> = {};
  let evaluatedLedger: string | null = null;
  let evaluatePid: number | null = null;

  for (const name of opts.only) {
    const out = join(parts, `${name}.json`);
    let args: string[];
    switch (name) {
      case 'api':
        args = opts.quick ? ['--duration', '5', '--registrations', '100'] : [];
        break;
      case 'reports':
        args = opts.quick ? ['--rates', '500', '--duration', '5', '--refine', '0'] : [];
        break;
      case 'import':
        args = ['--scale', scale, '--postgres', opts.postgres ? 'on' : 'off'];
        break;
      case 'evaluate':
        args = ['--scale', opts.quick ? 'county' : 'all', '--keep'];
        break;
      case 'recompute':
        if (evaluatedLedger === null || !existsSync(evaluatedLedger)) {
          runs.recompute = { args: [], seconds: 0, exitCode: null, raw: null, checks: [{ figure: 'recompute', value: 'not run: the evaluation left no ledger', target: 'runs', holds: false }] };
          continue;
        }
        args = ['--db', evaluatedLedger, '--period', '2026'];
        break;
    }
    args.push('--out', out);
    log(`[suite] ${name}: node dist/bench/bench/${name === 'reports' ? 'reports-load' : name}/run.js ${args.join(' ')}`);
    const t0 = performance.now();
    const { code, pid } = await runBench(distBench, name === 'reports' ? 'reports-load' : name, args);
    const seconds = Math.round((performance.now() - t0) / 100) / 10;
    const raw: unknown = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : null;
    const checks = checksOf(name, raw, scale);
    if (code !== 0) checks.push({ figure: `${name} ran to the end`, value: `exit code ${code}`, target: 'exit code 0', holds: false });
    runs[name] = { args, seconds, exitCode: code, raw, checks };
    log(`[suite] ${name}: exit ${code} after ${seconds} s`);
    if (name === 'evaluate') {
      // --keep leaves each scale's ledger in bench/results/tmp/evaluate-<scale>-<pid>/: the recompute reads the largest judged one.
      evaluatedLedger = join(root, 'bench', 'results', 'tmp', `evaluate-${scale}-${pid}`, 'server.sqlite');
      evaluatePid = pid;
    }
  }
  if (evaluatePid !== null) {
    for (const s of ['county', 'half', 'province', 'double']) rmSync(join(root, 'bench', 'results', 'tmp', `evaluate-${s}-${evaluatePid}`), { recursive: true, force: true });
  }

  const checks = opts.only.flatMap((name) => (runs[name]?.checks ?? []).map((c) => ({ bench: name, ...c })));
  const result = {
    benchmark: 'suite',
    mode: opts.quick ? 'quick (county scale, short loads: a smoke run, not the figures of record)' : 'full',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    ...machine(),
    benches: runs,
    checks,
    holds: checks.filter((c) => c.holds !== null).every((c) => c.holds === true),
  };
  const file = opts.out ? resolve(opts.out) : join(root, 'bench', 'results', `${date}${opts.quick ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  rmSync(parts, { recursive: true, force: true });
  const judged = checks.filter((c) => c.target !== '');
  process.stdout.write(
    `\nBenchmarks of DESIGN §6 (${date}, ${result.machine.cpus} × ${result.machine.cpuModel}, ${result.mode})\n\n` +
      `${table(judged.map((c) => ({ ...c, figure: `${c.bench}: ${c.figure}` })))}\n\n` +
      `${judged.filter((c) => c.holds === true).length} of ${judged.filter((c) => c.holds !== null).length} judged figures hold. Raw figures: ${relative(root, file)}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
