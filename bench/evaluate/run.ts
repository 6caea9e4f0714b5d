import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Manifest } from '../generator/generate';
import { projectRoot } from '../generator/paths';
import { linkProductData } from '../import/app-setup';
import { grouped, log, mib, round } from '../import/stats';
import { Check, machine, table } from '../common/report';
import { ProfileSummary, summariseProfile } from '../reports-load/profile';
import { Api, startServer } from '../reports-load/server';
import { evaluateInProcess, InProcessFigures } from './in-process';
import { EvaluationRun, evaluateOnce, LatencySummary, storedFlags, workerProfiles } from './measure';
import { Prepared, prepareInChild } from './prepare';
import { DOUBLINGS, EVAL_SCALES, EvalScale, ensureData } from './scales';

const USAGE = `Usage: npm run bench:evaluate -- [--scale county|half|province|double|all|<list>] [--year 2026] [--seed 1]
                                  [--period 2026] [--repeat 1] [--runs 1] [--poll-ms 50] [--timeout 1800] [--cpu-prof | --in-process] [--keep] [--out <file>]

The full rule evaluation (POST /flags/evaluate, a job in a worker thread) on a ledger imported
with the product's importers, while GET /health is polled and the server's RSS sampled.
--scale all = half,province,double in one invocation (the doublings of DESIGN §6).
--repeat N: N sittings per scale, each a server on a fresh copy of the imported ledger, taken
round by round across the scales; the median is judged. --runs N: N evaluations per sitting
(the 2nd… re-evaluate unchanged data).
--cpu-prof: the server runs with node --cpu-prof; the job worker's profile is summarised.
--in-process: no server; FlagEvaluation.run in this process with every SQL statement timed (diagnosis).
Progress on stderr, the table on stdout, the raw figures in bench/results/<date>-evaluate.json.`;

/** DESIGN §6: full rule evaluation of the province-year ≤ 60 s; ≤ 2.3 × per doubling. */
const PROVINCE_LIMIT_SECONDS = 60;
const DOUBLING_LIMIT = 2.3;
/** Issue 5: while it runs, GET /health answers within 100 ms. */
const HEALTH_LIMIT_MS = 100;
/** DESIGN §6: the server stays under 400 MB resident at province scale (taken as MiB). */
const SERVER_RSS_LIMIT_MIB = 400;

interface Options {
  scales: EvalScale[];
  year: number;
  seed: number;
  period: string | null;
  repeat: number;
  runs: number;
  pollMs: number;
  timeoutSeconds: number;
  cpuProf: boolean;
  inProcess: boolean;
  keep: boolean;
  out?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { scales: ['county'], year: 2026, seed: 1, period: null, repeat: 1, runs: 1, pollMs: 50, timeoutSeconds: 1800, cpuProf: false, inProcess: false, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`);
      return v;
    };
    const integer = (min: number, max: number): number => {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new Error(`${flag} must be a whole number from ${min} to ${max}`);
      return Number(v);
    };
    switch (flag) {
      case '--scale': {
        const v = value();
        const list = v === 'all' ? ['half', 'province', 'double'] : v.split(',').map((s) => s.trim());
        for (const s of list) if (!(EVAL_SCALES as readonly string[]).includes(s)) throw new Error(`--scale: ${s} is not one of ${EVAL_SCALES.join(', ')}, all`);
        o.scales = [...new Set(list as EvalScale[])];
        break;
      }
      case '--year':
        o.year = integer(2000, 2100);
        break;
      case '--seed':
        o.seed = integer(0, 4_294_967_295);
        break;
      case '--period': {
        const v = value();
        if (!/^\d{4}(-Q[1-4]|-\d{2})?$/.test(v)) throw new Error('--period must be 2026, 2026-Q3 or 2026-07');
        o.period = v;
        break;
      }
      case '--repeat':
        o.repeat = integer(1, 20);
        break;
      case '--runs':
        o.runs = integer(1, 10);
        break;
      case '--poll-ms':
        o.pollMs = integer(1, 1000);
        break;
      case '--timeout':
        o.timeoutSeconds = integer(10, 86_400);
        break;
      case '--cpu-prof':
        o.cpuProf = true;
        break;
      case '--in-process':
        o.inProcess = true;
        break;
      case '--keep':
        o.keep = true;
        break;
      case '--out':
        o.out = value();
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
  if ((o.cpuProf || o.inProcess) && o.repeat > 1) throw new Error('--repeat is for the measurement of record, not with --cpu-prof or --in-process');
  if (o.cpuProf && o.inProcess) throw new Error('--cpu-prof and --in-process do not go together (run node --cpu-prof dist/bench/bench/evaluate/run.js --in-process instead)');
  return o;
}

function environment() {
  const { machine: m, git } = machine();
  return { machine: { cpuModel: m.cpuModel, cpus: m.cpus, totalMemoryGiB: m.totalMemoryGiB, os: m.os, node: m.node, sqlite: sqliteVersion() }, git };
}

function sqliteVersion(): string | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Database = require('better-sqlite3') as typeof import('better-sqlite3');
    const db = new Database(':memory:');
    const v = db.prepare<[], { v: string }>('SELECT sqlite_version() AS v').get()?.v ?? null;
    db.close();
    return v;
  } catch {
    return null;
  }
}

/** A generated data set imported once; every sitting evaluates a fresh copy of it. */
interface Ledger {
  scale: EvalScale;
  dataDir: string;
  manifest: Manifest;
  workDir: string;
  prepared: Prepared;
  /** The imported file as it was before any evaluation (copied to server.sqlite for each sitting). */
  pristine: string;
}

async function prepareLedger(scale: EvalScale, opts: Options, root: string): Promise<Ledger> {
  const { dataDir, manifest } = ensureData(root, scale, opts.year, opts.seed);
  const workDir = join(root, 'bench', 'results', 'tmp', `evaluate-${scale}-${process.pid}`);
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  log(`[${scale}] ${grouped(manifest.orgUnits.total)} org units, ${grouped(manifest.demands.total)} demands, ${grouped(manifest.expected.targets)} targets (${relative(root, dataDir)}): importing into ${relative(root, workDir)}`);
  const prepared = await prepareInChild({ scale, workDir, dataDir });
  rmSync(join(workDir, 'pieces'), { recursive: true, force: true });
  prepared.dbBytes = statSync(prepared.dbPath).size;
  const pristine = join(workDir, 'ledger.sqlite');
  renameSync(prepared.dbPath, pristine);
  return { scale, dataDir, manifest, workDir, prepared, pristine };
}

/** server.sqlite = a copy of the ledger without flags. */
function restoreLedger(ledger: Ledger): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(ledger.prepared.dbPath + suffix, { force: true });
  copyFileSync(ledger.pristine, ledger.prepared.dbPath);
}

/** One server on a fresh copy of the ledger: the first evaluation is the full one of record, later ones (--runs) re-evaluate unchanged data. */
interface Sitting {
  repeat: number;
  evaluations: EvaluationRun[];
  idleHealth: LatencySummary | null;
  vmHwmMiB: number | null;
  storedFlags: { total: number; byRule: Record<string, Record<string, number>> } | null;
  profile: (ProfileSummary & { files: string[] }) | null;
  /** The sitting broke off (the server died, a timeout): what was measured until then is kept. */
  error?: string;
}

async function sit(ledger: Ledger, repeat: number, opts: Options, root: string, distBench: string): Promise<Sitting> {
  const { scale, prepared } = ledger;
  restoreLedger(ledger);
  const cpuProfDir = opts.cpuProf ? join(ledger.workDir, `cpu-prof-${repeat}`) : undefined;
  const sitting: Sitting = { repeat, evaluations: [], idleHealth: null, vmHwmMiB: null, storedFlags: null, profile: null };
  const tag = `${scale}${opts.repeat > 1 ? ` #${repeat}` : ''}`;
  try {
    const server = await startServer({ root, distBench, workDir: ledger.workDir, adminPassword: randomBytes(12).toString('base64url'), cpuProfDir });
    try {
      log(`[${tag}] server up on port ${server.port} (pid ${server.pid}${cpuProfDir ? ', --cpu-prof' : ''}); logging in as ${prepared.username}`);
      const api = new Api(`${server.base}/api/v1`);
      api.token = await api.login(prepared.username, prepared.password, (s) => log(`[${tag}] login limit: waiting ${s} s`));
      for (let i = 0; i < opts.runs; i++) {
        const label = `${tag}${opts.runs > 1 ? ` run ${i + 1}` : ''}`;
        const { run, idle } = await evaluateOnce({ label, server, api, period: periodOf(opts), pollMs: opts.pollMs, limitMs: HEALTH_LIMIT_MS, timeoutSeconds: opts.timeoutSeconds });
        sitting.evaluations.push(run);
        sitting.idleHealth ??= idle;
        if (run.status !== 'succeeded') break;
      }
      const hwm = server.vmHwmBytes();
      sitting.vmHwmMiB = hwm === null ? null : mib(hwm);
    } finally {
      await server.stop();
    }
    sitting.storedFlags = storedFlags(prepared.dbPath);
  } catch (error) {
    sitting.error = error instanceof Error ? error.message : String(error);
    log(`[${tag}] sitting broke off: ${sitting.error}`);
  }
  if (cpuProfDir) {
    const files = workerProfiles(cpuProfDir);
    if (files.length) {
      // The largest worker profile is the evaluation's (other workers would be other jobs; none run here).
      const file = files.reduce((a, b) => (statSync(b).size > statSync(a).size ? b : a));
      sitting.profile = { ...summariseProfile(file, root), files: files.map((f) => relative(root, f)) };
      log(`[${tag}] worker CPU profile ${relative(root, file)}: ${(sitting.profile.busyMs / 1000).toFixed(1)} s busy of ${(sitting.profile.totalMs / 1000).toFixed(1)} s`);
    } else log(`[${tag}] no worker CPU profile in ${relative(root, cpuProfDir)}`);
  }
  return sitting;
}

const periodOf = (opts: Options) => opts.period ?? String(opts.year);

function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The figures judged for a scale, over its sittings' first (full) evaluations. */
interface Judged {
  sittings: number;
  allSucceeded: boolean;
  jobSeconds: number[];
  medianJobSeconds: number | null;
  wallSeconds: number[];
  medianWallSeconds: number | null;
  /** Health over every evaluation of every sitting (full and re-runs). */
  health: { samples: number; errors: number; overLimit: number; maxP99Ms: number | null; maxMs: number | null };
  /** Server VmRSS peak while a full evaluation ran, and the VmHWM of the whole sitting (re-runs included). */
  serverRssPeakMiB: number | null;
  vmHwmMiB: number | null;
  raisedByRule: Record<string, number>;
  raised: number | null;
  /** Every sitting raised the same counts by rule. */
  consistent: boolean;
}

function judge(sittings: Sitting[]): Judged {
  const firsts = sittings.map((s) => s.evaluations[0]).filter((e): e is EvaluationRun => e !== undefined);
  const ok = firsts.filter((e) => e.status === 'succeeded' && e.jobSeconds !== null);
  const all = sittings.flatMap((s) => s.evaluations);
  const maxOf = (values: (number | null)[]) => {
    const v = values.filter((x): x is number => x !== null);
    return v.length ? Math.max(...v) : null;
  };
  const byRule = (e: EvaluationRun) => Object.fromEntries(Object.entries(e.result?.byRule ?? {}).map(([rule, c]) => [rule, c?.raised ?? 0]));
  const raisedByRule = ok[0] ? byRule(ok[0]) : {};
  const jobSeconds = ok.map((e) => e.jobSeconds ?? 0);
  const wallSeconds = ok.map((e) => e.wallSeconds);
  const rss = maxOf(firsts.map((e) => e.serverRss.peakBytes));
  return {
    sittings: sittings.length,
    allSucceeded: sittings.length > 0 && firsts.length === sittings.length && ok.length === firsts.length && sittings.every((s) => !s.error),
    jobSeconds,
    medianJobSeconds: median(jobSeconds),
    wallSeconds,
    medianWallSeconds: median(wallSeconds),
    health: {
      samples: all.reduce((n, e) => n + e.health.samples, 0),
      errors: all.reduce((n, e) => n + e.health.errors, 0),
      overLimit: all.reduce((n, e) => n + e.health.overLimit, 0),
      maxP99Ms: maxOf(all.map((e) => e.health.p99Ms)),
      maxMs: maxOf(all.map((e) => e.health.maxMs)),
    },
    serverRssPeakMiB: rss === null ? null : mib(rss),
    vmHwmMiB: maxOf(sittings.map((s) => s.vmHwmMiB)),
    raisedByRule,
    raised: ok[0]?.result?.counts.raised ?? null,
    consistent: ok.every((e) => JSON.stringify(byRule(e)) === JSON.stringify(raisedByRule)),
  };
}

/** One scale: the ledger, its sittings, what is judged. */
interface ScaleRun {
  scale: EvalScale;
  invocation: string;
  git: { commit: string; srcChanged: boolean } | null;
  data: { dir: string; demandsCsv: unknown; orgUnitsCsv: unknown; shape: unknown };
  sizes: {
    orgUnits: number;
    areaUnits: number;
    demands: number;
    targets: number;
    occurrences: number;
    fields: number;
    burdenReports: number;
    demandsPerAreaUnit: number;
    targetsPerAreaUnit: number;
  };
  prepare: Omit<Prepared, 'password' | 'dbPath' | 'stored'>;
  period: string;
  judged: Judged;
  sittings: Sitting[];
  /** --in-process: the evaluation run in the bench process with its SQL timed (no server, no health). */
  inProcess: InProcessFigures[] | null;
}

function scaleRun(ledger: Ledger, sittings: Sitting[], inProcess: InProcessFigures[] | null, opts: Options, root: string, invocation: string, git: ScaleRun['git']): ScaleRun {
  const { prepared, manifest } = ledger;
  const s = prepared.stored;
  const judged = judge(sittings);
  if (inProcess?.[0]) for (const [rule, c] of Object.entries(inProcess[0].result.byRule)) judged.raisedByRule[rule] = c?.raised ?? 0;
  return {
    scale: ledger.scale,
    invocation,
    git,
    data: { dir: relative(root, ledger.dataDir), demandsCsv: manifest.files['demands.csv'], orgUnitsCsv: manifest.files['org-units.csv'], shape: manifest.shape ?? null },
    sizes: {
      orgUnits: s.orgUnits,
      areaUnits: s.areaUnits,
      demands: s.demands,
      targets: s.targets,
      occurrences: s.occurrences,
      fields: s.fields,
      burdenReports: s.burdenReports,
      demandsPerAreaUnit: round(s.demands / s.areaUnits, 2),
      targetsPerAreaUnit: round(s.targets / s.areaUnits, 2),
    },
    prepare: {
      username: prepared.username,
      matchesManifest: prepared.matchesManifest,
      seconds: prepared.seconds,
      pieces: prepared.pieces,
      importRssPeakBytes: prepared.importRssPeakBytes,
      dbBytes: prepared.dbBytes,
    },
    period: periodOf(opts),
    judged,
    sittings,
    inProcess,
  };
}

interface Doubling {
  from: EvalScale;
  to: EvalScale;
  sameInvocation: boolean;
  /** Size ratios (to ÷ from): area units, demands, targets. */
  sizeRatios: { areaUnits: number; demands: number; targets: number };
  /** Ratio of the median job seconds of the full evaluations (null when either scale has none that succeeded). */
  jobSecondsRatio: number | null;
  /** Lowest and highest ratio any pair of sittings gives (noise on a shared machine). */
  jobSecondsRatioRange: [number, number] | null;
  wallSecondsRatio: number | null;
  limit: number;
  holds: boolean;
}

function doublings(runs: Partial<Record<EvalScale, ScaleRun>>): Doubling[] {
  const out: Doubling[] = [];
  for (const [from, to] of DOUBLINGS) {
    const a = runs[from];
    const b = runs[to];
    if (!a?.judged || !b?.judged) continue;
    const ja = a.judged;
    const jb = b.judged;
    const ratio = (x: number | null, y: number | null) => (x && y ? round(y / x, 3) : null);
    const jobRatio = ja.allSucceeded && jb.allSucceeded ? ratio(ja.medianJobSeconds, jb.medianJobSeconds) : null;
    const range: [number, number] | null =
      jobRatio === null ? null : [round(Math.min(...jb.jobSeconds) / Math.max(...ja.jobSeconds), 3), round(Math.max(...jb.jobSeconds) / Math.min(...ja.jobSeconds), 3)];
    out.push({
      from,
      to,
      sameInvocation: a.invocation === b.invocation,
      sizeRatios: { areaUnits: round(b.sizes.areaUnits / a.sizes.areaUnits, 3), demands: round(b.sizes.demands / a.sizes.demands, 3), targets: round(b.sizes.targets / a.sizes.targets, 3) },
      jobSecondsRatio: jobRatio,
      jobSecondsRatioRange: range,
      wallSecondsRatio: jobRatio === null ? null : ratio(ja.medianWallSeconds, jb.medianWallSeconds),
      limit: DOUBLING_LIMIT,
      holds: jobRatio !== null && jobRatio <= DOUBLING_LIMIT,
    });
  }
  return out;
}

function checks(runs: Partial<Record<EvalScale, ScaleRun>>, scaling: Doubling[]): Check[] {
  const out: Check[] = [];
  for (const scale of EVAL_SCALES) {
    const r = runs[scale];
    if (!r?.judged) continue;
    for (const [i, p] of (r.inProcess ?? []).entries()) {
      out.push({
        figure: `${scale}${i === 0 ? '' : ` (re-run ${i})`}: in-process evaluation (diagnosis), total / SQL`,
        value:
          `${p.seconds} s / ${p.sqlSeconds} s; raised ${grouped(p.result.counts.raised)}, unchanged ${grouped(p.result.counts.unchanged)}; heap peak ≤ ${mib(p.heapUsedPeakBytes)} MiB; ` +
          p.phases.map((x) => `${x.message} ${x.seconds} s`).join(', '),
        target: '',
        holds: null,
      });
    }
    if (!r.sittings.length) continue;
    const j = r.judged;
    const failures = r.sittings
      .map((s) => s.error ?? (s.evaluations[0]?.status === 'failed' ? JSON.stringify(s.evaluations[0].error ?? null) : null))
      .filter((x): x is string => x !== null);
    const seconds = j.jobSeconds.length ? `median ${j.medianJobSeconds?.toFixed(1)} s of ${j.jobSeconds.map((x) => x.toFixed(1)).join(', ')}` : 'none succeeded';
    out.push({
      figure: `${scale}: full evaluation, job seconds (${j.sittings} sitting${j.sittings > 1 ? 's' : ''})`,
      value: `${seconds}; raised ${j.raised === null ? '?' : grouped(j.raised)}${j.consistent ? '' : ' (differs between sittings)'}${failures.length ? `; failed: ${failures[0].slice(0, 110)}` : ''}`,
      target: scale === 'province' ? `≤ ${PROVINCE_LIMIT_SECONDS} s` : 'succeeds',
      holds: scale === 'province' ? j.allSucceeded && j.medianJobSeconds !== null && j.medianJobSeconds <= PROVINCE_LIMIT_SECONDS : j.allSucceeded,
    });
    const reruns = r.sittings.flatMap((s) => s.evaluations.slice(1));
    if (reruns.length) {
      out.push({
        figure: `${scale}: re-evaluation of unchanged data`,
        value: reruns
          .map((e) => `${e.status} ${e.jobSeconds?.toFixed(1) ?? '?'} s${e.result ? ` (raised ${grouped(e.result.counts.raised)}, unchanged ${grouped(e.result.counts.unchanged)})` : ''}`)
          .join('; '),
        target: 'succeeds, raises nothing',
        holds: reruns.every((e) => e.status === 'succeeded' && e.result?.counts.raised === 0),
      });
    }
    const h = j.health;
    out.push({
      figure: `${scale}: GET /health during the jobs, max p99 / max`,
      value: `${h.maxP99Ms ?? '?'} / ${h.maxMs ?? '?'} ms (${grouped(h.samples)} samples, ${h.errors} errors, ${h.overLimit} over ${HEALTH_LIMIT_MS} ms)`,
      target: `every answer ≤ ${HEALTH_LIMIT_MS} ms`,
      holds: h.samples > 0 && h.overLimit === 0,
    });
    out.push({
      figure: `${scale}: server RSS peak in a full evaluation / VmHWM`,
      value: `${j.serverRssPeakMiB ?? '?'} / ${j.vmHwmMiB ?? '?'} MiB`,
      target: scale === 'province' ? `< ${SERVER_RSS_LIMIT_MIB} MiB` : '',
      holds: scale === 'province' ? j.vmHwmMiB !== null && j.vmHwmMiB < SERVER_RSS_LIMIT_MIB : null,
    });
  }
  for (const d of scaling) {
    out.push({
      figure: `doubling ${d.from} → ${d.to}: time ratio of medians`,
      value:
        d.jobSecondsRatio === null
          ? `not measurable (a full evaluation failed) for ${d.sizeRatios.areaUnits} × units, ${d.sizeRatios.targets} × targets`
          : `${d.jobSecondsRatio} × (pairs ${d.jobSecondsRatioRange?.join('–')}) for ${d.sizeRatios.areaUnits} × units, ${d.sizeRatios.targets} × targets${d.sameInvocation ? '' : ' (separate invocations)'}`,
      target: `≤ ${DOUBLING_LIMIT} ×`,
      holds: d.holds,
    });
  }
  return out;
}

/** The file of the day holds the latest run of each scale; the doublings and checks are recomputed over them. */
function writeResults(file: string, fresh: ScaleRun[], env: ReturnType<typeof environment>): { runs: Partial<Record<EvalScale, ScaleRun>>; scaling: Doubling[]; rows: Check[] } {
  let existing: { benchmark?: string; runs?: Partial<Record<EvalScale, ScaleRun>> } = {};
  if (existsSync(file)) {
    try {
      existing = JSON.parse(readFileSync(file, 'utf8')) as typeof existing;
    } catch {
      existing = {};
    }
  }
  // Earlier runs of the day in this format (with `judged`) are kept for the scales not measured now.
  const earlier = Object.entries(existing.benchmark === 'evaluate' ? (existing.runs ?? {}) : {}).filter(([, r]) => r?.judged !== undefined);
  const runs: Partial<Record<EvalScale, ScaleRun>> = Object.fromEntries(earlier);
  for (const r of fresh) runs[r.scale] = r;
  const scaling = doublings(runs);
  const rows = checks(runs, scaling);
  const method = {
    ledger:
      'generated data (bench/generator; half = 8 of the 16 prefectures, double = every prefecture copied under new codes) imported into a fresh SQLite file by the product in a child process: OrgUnitImportService, then DemandImporter per issuer-prefecture piece as the demands-import job runs it; no burden reports; no flags before the first evaluation',
    sittings: 'each sitting copies the imported ledger to server.sqlite and starts a server on it; with --repeat the sittings go round by round over the scales; the first evaluation of a sitting is the full one judged, later ones (--runs) re-evaluate unchanged data',
    server: 'node dist/bench/src/main.js as a child process on that file (LOG_LEVEL=info to a file), a coordinator of 云南省 logged in',
    evaluation: 'POST /api/v1/flags/evaluate {period}; GET /jobs/:id every 200 ms; jobSeconds = the job row\'s startedAt → finishedAt (worker thread), wallSeconds = POST → seen finished',
    health: 'GET /api/v1/health every pollMs from the bench process, open loop, between the POST and the job seen finished; 2 s idle before',
    rss: 'server VmRSS from /proc every 100 ms while the job runs, and VmHWM (whole server life) before it stops',
    judged: `province: median job seconds of the full evaluations ≤ ${PROVINCE_LIMIT_SECONDS} s; ratio of the medians ≤ ${DOUBLING_LIMIT} for half → province and province → double (every full evaluation of both scales must succeed); every health answer ≤ ${HEALTH_LIMIT_MS} ms; province server VmHWM < ${SERVER_RSS_LIMIT_MIB} MiB`,
  };
  mkdirSync(resolve(file, '..'), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ benchmark: 'evaluate', updatedAt: new Date().toISOString(), ...env, method, scaling, checks: rows, runs }, null, 2)}\n`);
  return { runs, scaling, rows };
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
  linkProductData(root, distBench);
  const env = environment();
  const invocation = `${new Date().toISOString()}#${process.pid}`;
  const ledgers: Ledger[] = [];
  const fresh: ScaleRun[] = [];
  let keep = opts.keep || opts.cpuProf;
  try {
    // Every ledger first, then the sittings round by round (half, province, double, half, …), so that
    // load from elsewhere on the machine falls on all scales alike.
    for (const scale of opts.scales) ledgers.push(await prepareLedger(scale, opts, root));
    const sittings = new Map<EvalScale, Sitting[]>(ledgers.map((l) => [l.scale, []]));
    const inProcess = new Map<EvalScale, InProcessFigures[]>();
    for (let repeat = 1; repeat <= opts.repeat; repeat++) {
      for (const ledger of ledgers) {
        if (opts.inProcess) {
          restoreLedger(ledger);
          const { prepared } = ledger;
          inProcess.set(ledger.scale, await evaluateInProcess({ label: ledger.scale, dbPath: prepared.dbPath, workDir: ledger.workDir, username: prepared.username, period: periodOf(opts), runs: opts.runs }));
        } else sittings.get(ledger.scale)?.push(await sit(ledger, repeat, opts, root, distBench));
      }
    }
    for (const ledger of ledgers) fresh.push(scaleRun(ledger, sittings.get(ledger.scale) ?? [], inProcess.get(ledger.scale) ?? null, opts, root, invocation, env.git));
    keep ||= fresh.some((r) => r.sittings.some((s) => s.error !== undefined));
  } finally {
    for (const ledger of ledgers) {
      if (!keep) rmSync(ledger.workDir, { recursive: true, force: true });
      else log(`[${ledger.scale}] kept ${relative(root, ledger.workDir)} (ledger.sqlite: the imported ledger; server.sqlite: after the last sitting; server.log)`);
    }
  }
  const date = invocation.slice(0, 10);
  const suffix = opts.cpuProf ? '-cpu-prof' : opts.inProcess ? '-in-process' : '';
  const out = opts.out ? resolve(opts.out) : join(root, 'bench', 'results', `${date}-evaluate${suffix}.json`);
  const { rows } = writeResults(out, fresh, env);
  process.stdout.write(`\nRule evaluation benchmark (${date}, ${env.machine.cpus} × ${env.machine.cpuModel}, ${env.machine.totalMemoryGiB} GiB, Node ${process.version})\n\n`);
  process.stdout.write(`${table(rows)}\n\nraw figures: ${relative(root, out)}\n`);
  for (const r of fresh) {
    for (const sitting of r.sittings) {
      if (!sitting.profile) continue;
      process.stdout.write(`\n${r.scale}: worker CPU profile (self time), ${(sitting.profile.busyMs / 1000).toFixed(1)} s busy\n`);
      for (const f of sitting.profile.topFunctions.slice(0, 20)) process.stdout.write(`  ${String(f.ms).padStart(7)} ms ${String(f.share).padStart(5)} %  ${f.name}  ${f.where}\n`);
    }
    for (const [i, p] of (r.inProcess ?? []).entries()) {
      process.stdout.write(`\n${r.scale}${i === 0 ? '' : ` re-run ${i}`}: SQL statements by total time (in-process, ${p.sqlSeconds} s of ${p.seconds} s)\n`);
      for (const st of p.statements) process.stdout.write(`  ${String(st.ms).padStart(7)} ms ${String(st.share).padStart(5)} % ${String(st.calls).padStart(8)} calls ${String(st.rows).padStart(9)} rows  ${st.sql.slice(0, 160)}\n`);
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`evaluate benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
