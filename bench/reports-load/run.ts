import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { prepareCountyRun } from '../common/county-run';
import { Check, table } from '../common/report';
import { Rng } from '../generator/prng';
import { grouped, log, mib, round } from '../import/stats';
import { CpuFigures, cpuFigures, cpuSnapshot } from './cpu';
import { healthRequests, LoadFigures, LoadRequest, retryUntilAcknowledged, runOpenLoop } from './open-loop';
import { ProfileSummary, summariseProfile } from './profile';
import { Api, sleep, startServer } from './server';
import { countRows, Setup, setUp, Triple } from './setup';

const USAGE = `Usage: npm run bench:reports -- [--rates 250,500,750,1000,1500,2000] [--duration 20] [--refine 2]
                                 [--share <0..1>] [--warmup 3] [--timeout-ms 10000] [--cpu-prof] [--keep] [--out <file>]

POST /burden-reports at fixed offered rates (open loop), each after GET /health at the same rate
(the baseline of the run). Steps up through --rates until one fails (p99 > 50 ms or any error),
then bisects --refine times between the last rate that held and the first that did not.
Progress on stderr, the table on stdout, the raw figures in bench/results/<date>-reports.json.`;

/** DESIGN §6: p99 ≤ 50 ms at an offered 500 req/s, zero errors. */
const TARGET_RATE = 500;
const TARGET_P99_MS = 50;
const COUNTY = '532503';
const ORIGIN = '127.0.0.1';

interface Options {
  rates: number[];
  durationSeconds: number;
  refine: number;
  share: number | null;
  warmupSeconds: number;
  timeoutMs: number;
  cpuProf: boolean;
  keep: boolean;
  out?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { rates: [250, 500, 750, 1000, 1500, 2000], durationSeconds: 20, refine: 2, share: null, warmupSeconds: 3, timeoutMs: 10_000, cpuProf: false, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`);
      return v;
    };
    const num = (min: number, max: number): number => {
      const v = Number(value());
      if (!Number.isFinite(v) || v < min || v > max) throw new Error(`${flag} must be a number from ${min} to ${max}`);
      return v;
    };
    switch (flag) {
      case '--rates':
        o.rates = value()
          .split(',')
          .map((s) => Number(s.trim()));
        if (o.rates.some((r) => !Number.isInteger(r) || r < 1 || r > 20_000)) throw new Error('--rates: whole numbers from 1 to 20000, comma-separated');
        o.rates.sort((a, b) => a - b);
        break;
      case '--duration':
        o.durationSeconds = num(1, 600);
        break;
      case '--refine':
        o.refine = Math.floor(num(0, 10));
        break;
      case '--share':
        o.share = num(0, 1);
        break;
      case '--warmup':
        o.warmupSeconds = num(0, 60);
        break;
      case '--timeout-ms':
        o.timeoutMs = Math.floor(num(100, 120_000));
        break;
      case '--cpu-prof':
        o.cpuProf = true;
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
  return o;
}

/** The current month in China (UTC+8): reports for later months are refused as in the future. */
function chinaMonth(now = new Date()): { month: string; day: string } {
  const iso = new Date(now.getTime() + 8 * 3600_000).toISOString();
  return { month: iso.slice(0, 7), day: iso.slice(0, 10) };
}

const KINDS = ['inspection', 'report', 'meeting', 'document', 'other'] as const;
const CHANNELS = ['wechat_group', 'phone', 'app', 'paper_notice', 'other'] as const;
const ISSUERS = ['县某局', '镇党委办', '县应急管理局', '县统计局', '县农业农村局', '州某部门'];
const TITLES = ['紧急报送辖区企业名单', '今天下班前上报安全隐患排查表', '补报上月台账', '填报问卷并截图', '报送迎检材料'];

/**
 * Builds the bodies of a POST load up front (so the generator only writes bytes): a
 * `registeredShare` of the requests report a (unit, demand, month) never reported before, taken
 * from `pool`; the rest report a shadow demand on a unit of the same township (no uniqueness rule).
 * Every request carries its own Idempotency-Key, as a client that retries would send.
 */
class Bodies {
  private readonly rng: Rng;
  private next = 0;
  constructor(
    private readonly setup: Setup,
    private readonly pool: Triple[],
    private readonly runId: string,
    private readonly today: string,
    seed: number,
  ) {
    this.rng = Rng.derive(seed, 'bodies');
  }

  get left(): number {
    return this.pool.length - this.next;
  }

  build(label: string, count: number, registeredShare: number): LoadRequest[] {
    const townships = [...this.setup.tokens.keys()];
    const out: LoadRequest[] = [];
    for (let i = 0; i < count; i++) {
      const registered = Math.floor((i + 1) * registeredShare) > Math.floor(i * registeredShare) && this.next < this.pool.length;
      const hoursSpent = this.rng.int(1, 32) / 4;
      let townshipId: number;
      let body: Record<string, unknown>;
      if (registered) {
        const t = this.pool[this.next++];
        townshipId = t.townshipId;
        body = { unitId: t.unitId, demandId: t.demandId, month: t.month, hoursSpent, staffInvolved: this.rng.int(1, 3), overtimeHours: 0, pages: this.rng.int(0, 12), photos: this.rng.int(0, 6), note: '按通知要求整理材料' };
      } else {
        townshipId = this.rng.pick(townships);
        const unitId = this.rng.pick(this.setup.unitsByTownship.get(townshipId) ?? [townshipId]);
        const month = `${this.today.slice(0, 5)}${String(this.rng.int(1, Number(this.today.slice(5, 7)))).padStart(2, '0')}`;
        const day = month === this.today.slice(0, 7) ? this.rng.int(1, Number(this.today.slice(8, 10))) : this.rng.int(1, 28);
        body = {
          unitId,
          shadow: { issuerName: this.rng.pick(ISSUERS), kind: this.rng.pick(KINDS), title: this.rng.pick(TITLES), receivedOn: `${month}-${String(day).padStart(2, '0')}`, channel: this.rng.pick(CHANNELS) },
          hoursSpent,
          staffInvolved: this.rng.int(1, 3),
        };
      }
      out.push({
        method: 'POST',
        path: '/api/v1/burden-reports',
        headers: { Authorization: `Bearer ${this.setup.tokens.get(townshipId)}`, 'Content-Type': 'application/json', 'Idempotency-Key': `bench-${this.runId}-${label}-${i}` },
        body: Buffer.from(JSON.stringify(body)),
        kind: registered ? 'registered' : 'shadow',
      });
    }
    return out;
  }
}

interface Step {
  rate: number;
  phase: 'ascending' | 'refine';
  health: LoadFigures & { cpu: CpuFigures };
  reports: LoadFigures & { cpu: CpuFigures };
  holds: boolean;
}

const holdsAt = (f: LoadFigures) => f.errors.total === 0 && f.latencyMs.p99 !== null && f.latencyMs.p99 <= TARGET_P99_MS;

const ms = (v: number | null) => (v === null ? '–' : v.toFixed(1));
const latencyLine = (f: LoadFigures) => `${ms(f.latencyMs.p50)} / ${ms(f.latencyMs.p90)} / ${ms(f.latencyMs.p99)} / ${ms(f.latencyMs.max)} ms`;
const percent = (v: number | null) => (v === null ? '?' : `${(v * 100).toFixed(0)} %`);
const num = (v: number | null, digits = 2) => (v === null ? '?' : v.toFixed(digits));
const cpuLine = (c: CpuFigures) =>
  `server main thread ${num(c.mainThreadCpuMsPerRequest, 3)} ms CPU per request, busy ${percent(c.mainThreadBusyShare)}, waited ${num(c.mainThreadRunQueueWaitMs, 0)} ms for a core; ` +
  `cores used: server ${num(c.coresServer)}, load generator ${num(c.coresBench)}, other processes ${num(c.coresOthers)} of ${num(c.cores, 0)}`;
const errorLine = (f: LoadFigures) => (f.errors.total === 0 ? '0' : `${f.errors.total} (${Object.entries(f.errors.byStatus).map(([k, v]) => `${k}: ${v}`).join(', ')})`);

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  const { root, distBench, startedAt, environment, dataDir, workDir, profDir, adminPassword } = prepareCountyRun('reports', opts.cpuProf);
  const { month: lastMonth, day: today } = chinaMonth();
  const server = await startServer({ root, distBench, workDir, adminPassword, cpuProfDir: opts.cpuProf ? profDir : undefined });
  log(`[reports] server up on port ${server.port} (pid ${server.pid}${opts.cpuProf ? ', --cpu-prof' : ''}); setting up through the API`);
  let serverHwm: number | null = null;
  let profile: ProfileSummary | null = null;
  let ok = false;
  try {
    const api = new Api(`${server.base}/api/v1`);
    const setup = await setUp({ api, dbPath: server.dbPath, adminPassword, orgUnitsCsv: join(dataDir, 'org-units.csv'), demandsCsv: join(dataDir, 'demands.csv'), countyCode: COUNTY, lastMonth, log });
    // Shuffle the triples (deterministically) so that consecutive requests hit different units and demands.
    const rng = Rng.derive(1, 'triples');
    const pool = [...setup.triples];
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    const perStep = (rate: number) => Math.round(rate * opts.durationSeconds);
    const maxRate = opts.rates[opts.rates.length - 1];
    const warmupCount = Math.round(100 * opts.warmupSeconds);
    const planned = warmupCount + opts.rates.reduce((s, r) => s + perStep(r), 0) + opts.refine * perStep(maxRate);
    const share = opts.share ?? Math.min(1, pool.length / planned);
    log(
      `[reports] ${grouped(setup.triples.length)} reportable (unit, demand, month) triples up to ${lastMonth}; up to ${grouped(planned)} POSTs planned: ` +
        `${(share * 100).toFixed(1)} % on registered demands (each triple once), the rest shadow reports`,
    );
    const runId = randomBytes(4).toString('hex');
    const bodies = new Bodies(setup, pool, runId, today, 1);
    const unacknowledged: LoadRequest[] = [];
    const load = async (rate: number, requests: LoadRequest[]): Promise<LoadFigures & { cpu: CpuFigures }> => {
      const before = cpuSnapshot(server.pid);
      const { figures, failed } = await runOpenLoop({ host: ORIGIN, port: server.port, rate, requests, timeoutMs: opts.timeoutMs });
      const cpu = cpuFigures(before, cpuSnapshot(server.pid), requests.length);
      unacknowledged.push(...failed.filter((r) => r.method === 'POST'));
      return { ...figures, cpu };
    };

    let warmup: LoadFigures | null = null;
    if (warmupCount > 0) {
      log(`[reports] warm-up: ${opts.warmupSeconds} s at 100 req/s (not judged)`);
      await load(100, healthRequests(warmupCount));
      warmup = await load(100, bodies.build('warmup', warmupCount, share));
      log(`[reports]   warm-up p99 ${ms(warmup.latencyMs.p99)} ms, errors ${errorLine(warmup)}`);
    }

    const steps: Step[] = [];
    /** When each POST load ran (CLOCK_MONOTONIC µs), to cut the server's CPU profile to it. */
    const postWindows: [number, number][] = [];
    const measure = async (rate: number, phase: Step['phase']): Promise<Step> => {
      await sleep(1000);
      const health = await load(rate, healthRequests(perStep(rate)));
      log(`[reports] ${rate} req/s GET /health (baseline): p50/p90/p99/max ${latencyLine(health)}, errors ${errorLine(health)}, achieved ${health.achievedRate} req/s; ${cpuLine(health.cpu)}`);
      await sleep(1000);
      const requests = bodies.build(`r${rate}-${steps.length}`, perStep(rate), share);
      const from = Number(process.hrtime.bigint() / 1000n);
      const reports = await load(rate, requests);
      postWindows.push([from, Number(process.hrtime.bigint() / 1000n)]);
      const step: Step = { rate, phase, health, reports, holds: holdsAt(reports) };
      log(
        `[reports] ${rate} req/s POST /burden-reports: p50/p90/p99/max ${latencyLine(reports)}, errors ${errorLine(reports)}, achieved ${reports.achievedRate} req/s, ` +
          `max in flight ${reports.maxInFlight}, sockets ${reports.socketsOpened}; ${cpuLine(reports.cpu)} → ${step.holds ? 'holds' : 'does NOT hold'}`,
      );
      if (server.exitCode() !== null) throw new Error(`the server exited with ${server.exitCode()} (see ${server.logFile})`);
      steps.push(step);
      return step;
    };

    let lastPass: number | null = null;
    let firstFail: number | null = null;
    for (const rate of opts.rates) {
      const step = await measure(rate, 'ascending');
      if (step.holds) lastPass = rate;
      else {
        firstFail = rate;
        break;
      }
    }
    for (let k = 0; k < opts.refine && firstFail !== null; k++) {
      const low = lastPass ?? 0;
      const mid = Math.round((low + firstFail) / 2 / 25) * 25;
      if (mid <= low || mid >= firstFail) break;
      const step = await measure(mid, 'refine');
      if (step.holds) lastPass = mid;
      else firstFail = mid;
    }

    await sleep(1000);
    // The requests that got no 2xx are sent again as a client would (same body and key), so that
    // the count check covers what the server completed after the client had given up.
    const retries = await retryUntilAcknowledged({ host: ORIGIN, port: server.port, requests: unacknowledged, concurrency: 8, attempts: 20 });
    if (retries.retried) log(`[reports] retried ${grouped(retries.retried)} unacknowledged POSTs (same key): ${grouped(retries.replayed)} answered from the idempotency store, ${grouped(retries.fresh)} stored now, ${retries.gaveUp} gave up`);
    const posts = [warmup, ...steps.map((s) => s.reports)].filter((f): f is LoadFigures => f !== null);
    const acknowledgedInLoad = posts.reduce((s, f) => s + f.ok2xx, 0);
    const acknowledged = acknowledgedInLoad + retries.acknowledged;
    const sent = posts.reduce((s, f) => s + f.requests, 0);
    const stored = countRows(server.dbPath, 'SELECT COUNT(*) AS n FROM burden_reports');
    const storedRegistered = countRows(server.dbPath, 'SELECT COUNT(*) AS n FROM burden_reports WHERE demand_id IS NOT NULL');
    const versions = countRows(server.dbPath, 'SELECT COUNT(*) AS n FROM burden_report_versions');
    const acknowledgedRegistered = posts.reduce((s, f) => s + (f.byKind.registered?.ok2xx ?? 0), 0) + (retries.acknowledgedByKind.registered ?? 0);
    serverHwm = server.vmHwmBytes();

    const at500 = steps.find((s) => s.rate === TARGET_RATE);
    const highest = lastPass;
    const checks: Check[] = [];
    if (at500) {
      const r = at500.reports;
      checks.push(
        { figure: `POST @ ${TARGET_RATE} req/s: p50 / p90 / p99 / max`, value: latencyLine(r), target: `p99 ≤ ${TARGET_P99_MS} ms`, holds: r.latencyMs.p99 !== null && r.latencyMs.p99 <= TARGET_P99_MS },
        { figure: `POST @ ${TARGET_RATE} req/s: errors (non-2xx, timeouts)`, value: `${errorLine(r)} of ${grouped(r.requests)}`, target: '0', holds: r.errors.total === 0 },
        { figure: `POST @ ${TARGET_RATE} req/s: achieved rate`, value: `${r.achievedRate} req/s (sent ${r.sentRate})`, target: `${TARGET_RATE}`, holds: null },
        { figure: `GET /health @ ${TARGET_RATE} req/s (baseline): p50 / p90 / p99 / max`, value: latencyLine(at500.health), target: '', holds: null },
        {
          figure: `POST @ ${TARGET_RATE} req/s: server main thread CPU per request, busy share`,
          value: `${num(r.cpu.mainThreadCpuMsPerRequest, 3)} ms, ${percent(r.cpu.mainThreadBusyShare)} (waited ${num(r.cpu.mainThreadRunQueueWaitMs, 0)} ms for a core)`,
          target: '',
          holds: null,
        },
        {
          figure: `POST @ ${TARGET_RATE} req/s: cores used by server / load generator / other processes`,
          value: `${num(r.cpu.coresServer)} / ${num(r.cpu.coresBench)} / ${num(r.cpu.coresOthers)} of ${num(r.cpu.cores, 0)}`,
          target: '',
          holds: null,
        },
      );
    }
    for (const s of steps) {
      if (s.rate === TARGET_RATE) continue;
      checks.push({
        figure: `POST @ ${s.rate} req/s: p99 (health p99), errors; CPU per POST, other processes' cores`,
        value: `${ms(s.reports.latencyMs.p99)} ms (${ms(s.health.latencyMs.p99)} ms), ${errorLine(s.reports)}; ${num(s.reports.cpu.mainThreadCpuMsPerRequest, 3)} ms, ${num(s.reports.cpu.coresOthers)}`,
        target: `p99 ≤ ${TARGET_P99_MS} ms, 0 errors`,
        holds: s.holds,
      });
    }
    checks.push(
      { figure: 'highest offered rate holding p99 ≤ 50 ms, 0 errors', value: highest === null ? 'none of the rates tried' : `${highest} req/s${firstFail === null ? ' (the highest tried: more may hold)' : ` (${firstFail} req/s does not)`}`, target: `≥ ${TARGET_RATE}`, holds: highest !== null && highest >= TARGET_RATE },
      {
        figure: 'reports stored = distinct requests acknowledged (2xx)',
        value: `${grouped(stored)} stored; ${grouped(acknowledged)} acknowledged of ${grouped(sent)} sent (${grouped(acknowledgedInLoad)} in the load + ${grouped(retries.acknowledged)} on retry, ${grouped(retries.replayed)} of them replayed)`,
        target: 'equal',
        holds: stored === acknowledged && retries.gaveUp === 0,
      },
      { figure: 'server RSS peak (VmHWM)', value: serverHwm === null ? '?' : `${mib(serverHwm)} MiB`, target: '', holds: null },
    );

    await server.stop();
    if (opts.cpuProf) {
      const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
      if (file) {
        profile = summariseProfile(join(profDir, file), root, postWindows);
        log(`[reports] CPU profile of the server: ${join(relative(root, profDir), file)}${opts.keep ? "" : " (deleted with the work directory unless --keep; its summary goes to the JSON)"}`);
      } else log('[reports] no CPU profile written');
    }

    const result = {
      benchmark: 'reports-load',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      ...environment,
      server: `node ${opts.cpuProf ? '--cpu-prof ' : ''}dist/bench/src/main.js (SQLite file, LOG_LEVEL=info to a file), child process on 127.0.0.1; the load generator in the bench process on the same machine`,
      method: {
        generator: 'open loop (bench/reports-load/open-loop.ts): request i due at i / rate; latency from the scheduled send time; keep-alive agent, no socket cap',
        durationSeconds: opts.durationSeconds,
        warmupSeconds: opts.warmupSeconds,
        timeoutMs: opts.timeoutMs,
        target: { rate: TARGET_RATE, p99Ms: TARGET_P99_MS, errors: 0 },
        rates: opts.rates,
        refine: opts.refine,
        cpuProf: opts.cpuProf,
      },
      setup: { ...setup.counts, seconds: setup.seconds, loginWaitsSeconds: setup.loginWaitsSeconds, today, lastMonth, registeredShare: round(share, 4), triplesLeft: bodies.left },
      warmup,
      steps,
      highestHoldingRate: highest,
      firstFailingRate: firstFail,
      holdsAt500: at500 ? at500.holds : null,
      verification: { sent, acknowledgedInLoad, retries, acknowledged, stored, acknowledgedRegistered, storedRegistered, versions, equal: stored === acknowledged && storedRegistered === acknowledgedRegistered && retries.gaveUp === 0 },
      serverVmHwmBytes: serverHwm,
      profile,
      checks,
    };
    const out = opts.out ? resolve(opts.out) : join(root, 'bench', 'results', `${startedAt.toISOString().slice(0, 10)}-reports${opts.cpuProf ? '-cpu-prof' : ''}.json`);
    mkdirSync(resolve(out, '..'), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    log(`[reports] results in ${relative(root, out)}`);
    process.stdout.write(`${table(checks)}\n`);
    if (profile) {
      process.stdout.write(`\nServer CPU profile during the POST loads (${profile.totalMs.toFixed(0)} ms sampled, ${profile.busyMs.toFixed(0)} ms busy):\n`);
      for (const g of profile.byPackage.slice(0, 12)) process.stdout.write(`  ${g.share.toFixed(1).padStart(5)} %  ${g.name}\n`);
      process.stdout.write('Top functions (self time):\n');
      for (const f of profile.topFunctions.slice(0, 20)) process.stdout.write(`  ${f.share.toFixed(1).padStart(5)} %  ${f.name}  ${f.where}\n`);
    }
    ok = true;
  } finally {
    await server.stop();
    if (!opts.keep && ok) rmSync(workDir, { recursive: true, force: true });
    else log(`[reports] kept ${relative(root, workDir)} (server log, database${opts.cpuProf ? ', CPU profile' : ''})`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
