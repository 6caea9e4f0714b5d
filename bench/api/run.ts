import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { prepareCountyRun } from '../common/county-run';
import { Check, table } from '../common/report';
import { Rng } from '../generator/prng';
import { log, mib, percentile, round } from '../import/stats';
import { CpuFigures, cpuFigures, cpuSnapshot } from '../reports-load/cpu';
import { healthRequests, LoadFigures, LoadRequest, runOpenLoop, Summary, summarise } from '../reports-load/open-loop';
import { ProfileSummary, summariseProfile } from '../reports-load/profile';
import { Api, sleep, startServer } from '../reports-load/server';
import { setUp } from '../reports-load/setup';

const USAGE = `Usage: npm run bench:api -- [--rates 500,1000] [--duration 20] [--registrations 300] [--cpu-prof] [--keep] [--out <file>]

Two figures of DESIGN §6 on one county-scale server (蒙自市, the generated year of demands):
- the unit card, GET /metrics/units/:id?period=, at fixed offered rates (open loop), each after
  GET /health at the same rate (the baseline of the run): p99 ≤ 25 ms at 500 req/s;
- registering one demand with 20 targets, rules and rollups included, one request at a time:
  p95 ≤ 20 ms, next to GET /health asked the same way.
--cpu-prof: the server runs with node --cpu-prof; the JSON summarises where it spent the card loads.
Progress on stderr, the table on stdout, the raw figures in bench/results/<date>-api.json.`;

const CARD_RATE = 500;
const CARD_P99_MS = 25;
const REGISTER_P95_MS = 20;
const TARGETS_PER_DEMAND = 20;
const COUNTY = '532503';
const ORIGIN = '127.0.0.1';

interface Options {
  rates: number[];
  durationSeconds: number;
  registrations: number;
  cpuProf: boolean;
  keep: boolean;
  out?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { rates: [500, 1000], durationSeconds: 20, registrations: 300, cpuProf: false, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v === '') throw new Error(`${arg} needs a value`);
      return v;
    };
    const whole = (min: number, max: number): number => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${arg} must be a whole number from ${min} to ${max}`);
      return v;
    };
    switch (arg) {
      case '--rates':
        o.rates = value()
          .split(',')
          .map((s) => Number(s.trim()))
          .sort((a, b) => a - b);
        if (o.rates.some((r) => !Number.isInteger(r) || r < 1 || r > 20_000)) throw new Error('--rates: whole numbers from 1 to 20000, comma-separated');
        break;
      case '--duration':
        o.durationSeconds = whole(1, 600);
        break;
      case '--registrations':
        o.registrations = whole(20, 100_000);
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

/** Today and a day some days later in China (UTC+8), as YYYY-MM-DD, without a local time zone. */
function chinaDays(later: number): { today: string; due: string } {
  const now = Date.now() + 8 * 3600_000;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { today: day(now), due: day(now + later * 86_400_000) };
}

interface Fixture {
  coordinatorToken: string;
  issuerToken: string;
  /** Townships and villages of the county: the cards asked for. */
  areaUnitIds: number[];
  villageIds: number[];
}

/** A county coordinator and an issuing office of the county, each logged in once; the units of the county. */
async function fixture(api: Api, dbPath: string, password: string): Promise<Fixture> {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  let county: { id: number; path: string };
  let office: { id: number };
  let areaUnitIds: number[];
  let villageIds: number[];
  try {
    county = db.prepare<[string], { id: number; path: string }>('SELECT id, path FROM org_units WHERE code = ?').get(COUNTY)!;
    office = db.prepare<[number], { id: number }>("SELECT id FROM org_units WHERE parent_id = ? AND kind = 'department' ORDER BY code LIMIT 1").get(county.id)!;
    const under = (level: string) =>
      db
        .prepare<[string, string], { id: number }>("SELECT id FROM org_units WHERE kind = 'area' AND level = ? AND path LIKE ? || '%' ORDER BY code")
        .all(level, county.path)
        .map((r) => r.id);
    villageIds = under('village');
    areaUnitIds = [...under('township'), ...villageIds];
  } finally {
    db.close();
  }
  if (!office || villageIds.length < TARGETS_PER_DEMAND) throw new Error(`county ${COUNTY} needs an office and ${TARGETS_PER_DEMAND} villages`);
  await api.call('POST', '/users', { username: 'bench-county-coordinator', password, role: 'coordinator', orgUnitId: county.id });
  await api.call('POST', '/users', { username: 'bench-issuer', password, role: 'issuer', orgUnitId: office.id });
  const wait = (s: number) => log(`[api] login limit reached: waiting ${s} s`);
  const coordinatorToken = await api.login('bench-county-coordinator', password, wait);
  const issuerToken = await api.login('bench-issuer', password, wait);
  return { coordinatorToken, issuerToken, areaUnitIds, villageIds };
}

const PERIODS = ['2026', '2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4', ...Array.from({ length: 12 }, (_, m) => `2026-${String(m + 1).padStart(2, '0')}`)];

/** Card requests over every (unit, period) of the county, shuffled with a fixed seed, repeated to `count`. */
function cardRequests(f: Fixture, count: number): LoadRequest[] {
  const pairs = f.areaUnitIds.flatMap((id) => PERIODS.map((p) => `/api/v1/metrics/units/${id}?period=${p}`));
  const rng = Rng.derive(1, 'cards');
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [pairs[i], pairs[j]] = [pairs[j], pairs[i]];
  }
  const headers = { Authorization: `Bearer ${f.coordinatorToken}` };
  return Array.from({ length: count }, (_, i) => ({ method: 'GET' as const, path: pairs[i % pairs.length], headers, body: null, kind: 'card' }));
}

const FIELDS = ['户籍人口（人）', '常住人口', '低保户数', '脱贫户人均纯收入（元）', '耕地面积（亩）', '村集体经济收入（万元）', '外出务工人数'];

/** POST /demands one after another, each a report to 20 villages (a different 20 each time), timed by the client. */
async function registrations(api: Api, f: Fixture, count: number, runId: string): Promise<{ latencyMs: Summary & { p95: number | null }; statuses: Record<string, number>; seconds: number }> {
  const { today, due } = chinaDays(14);
  const times: number[] = [];
  const statuses: Record<string, number> = {};
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const targets = Array.from({ length: TARGETS_PER_DEMAND }, (_, k) => f.villageIds[(i * TARGETS_PER_DEMAND + k) % f.villageIds.length]);
    const body = {
      kind: 'report',
      title: `基准测试报表 ${runId}-${i}`,
      topic: 'statistics',
      issuedOn: today,
      dueOn: due,
      targetUnitIds: [...new Set(targets)],
      fields: FIELDS.slice(0, 3 + (i % 5)),
    };
    const t0 = performance.now();
    const res = await fetch(`${api.base}/demands`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${f.issuerToken}` }, body: JSON.stringify(body) });
    await res.arrayBuffer();
    times.push(performance.now() - t0);
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
  }
  const p95 = percentile(times, 95);
  return { latencyMs: { ...summarise(times), p95: p95 === null ? null : round(p95, 2) }, statuses, seconds: (performance.now() - start) / 1000 };
}

/** GET /health asked the same way (one at a time, same client): the floor under the registration figure. */
async function sequentialHealth(api: Api, count: number): Promise<Summary> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const res = await fetch(`${api.base}/health`);
    await res.arrayBuffer();
    times.push(performance.now() - t0);
  }
  return summarise(times);
}

const ms = (v: number | null) => (v === null ? '–' : v.toFixed(1));
const line = (s: Summary) => `${ms(s.p50)} / ${ms(s.p90)} / ${ms(s.p99)} / ${ms(s.max)} ms`;

interface CardStep {
  rate: number;
  health: LoadFigures & { cpu: CpuFigures };
  card: LoadFigures & { cpu: CpuFigures };
  holds: boolean;
}

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  const { root, distBench, startedAt, environment, dataDir, workDir, profDir, adminPassword } = prepareCountyRun('api', opts.cpuProf);
  const server = await startServer({ root, distBench, workDir, adminPassword, cpuProfDir: opts.cpuProf ? profDir : undefined });
  let profile: ProfileSummary | null = null;
  log(`[api] server up on port ${server.port} (pid ${server.pid}); setting up through the API`);
  let ok = false;
  try {
    const api = new Api(`${server.base}/api/v1`);
    const setup = await setUp({
      api,
      dbPath: server.dbPath,
      adminPassword,
      orgUnitsCsv: join(dataDir, 'org-units.csv'),
      demandsCsv: join(dataDir, 'demands.csv'),
      countyCode: COUNTY,
      lastMonth: '2026-12',
      log,
      reporters: false,
    });
    const f = await fixture(api, server.dbPath, adminPassword);
    log(`[api] ${setup.counts.demands} demands, ${setup.counts.targets} targets; cards over ${f.areaUnitIds.length} units × ${PERIODS.length} periods`);

    const load = async (rate: number, requests: LoadRequest[]) => {
      const before = cpuSnapshot(server.pid);
      const { figures } = await runOpenLoop({ host: ORIGIN, port: server.port, rate, requests, timeoutMs: 10_000 });
      return { ...figures, cpu: cpuFigures(before, cpuSnapshot(server.pid), requests.length) };
    };
    log('[api] warm-up: 3 s of cards at 100 req/s (not judged)');
    await load(100, cardRequests(f, 300));
    const steps: CardStep[] = [];
    /** When each card load ran (CLOCK_MONOTONIC µs), to cut the server's CPU profile to it. */
    const cardWindows: [number, number][] = [];
    for (const rate of opts.rates) {
      const count = rate * opts.durationSeconds;
      await sleep(1000);
      const health = await load(rate, healthRequests(count));
      await sleep(1000);
      const from = Number(process.hrtime.bigint() / 1000n);
      const card = await load(rate, cardRequests(f, count));
      cardWindows.push([from, Number(process.hrtime.bigint() / 1000n)]);
      const holds = card.errors.total === 0 && card.latencyMs.p99 !== null && card.latencyMs.p99 <= CARD_P99_MS;
      log(`[api] ${rate} req/s: GET /health ${line(health.latencyMs)}; unit card ${line(card.latencyMs)}, errors ${card.errors.total}, achieved ${card.achievedRate} req/s → ${holds ? 'holds' : 'does NOT hold'}`);
      steps.push({ rate, health, card, holds });
    }

    log(`[api] registering ${opts.registrations} demands with ${TARGETS_PER_DEMAND} targets each, one at a time (20 not judged first)`);
    const runId = randomBytes(3).toString('hex');
    await registrations(api, f, 20, `${runId}w`);
    const health = await sequentialHealth(api, opts.registrations);
    const register = await registrations(api, f, opts.registrations, runId);
    const registerHolds = register.statuses['201'] === opts.registrations && register.latencyMs.p95 !== null && register.latencyMs.p95 <= REGISTER_P95_MS;
    log(`[api] POST /demands (20 targets): ${line(register.latencyMs)}, statuses ${JSON.stringify(register.statuses)}; GET /health the same way ${line(health)}`);

    const at500 = steps.find((s) => s.rate === CARD_RATE) ?? null;
    const hwm = server.vmHwmBytes();
    if (opts.cpuProf) {
      await server.stop();
      const file = readdirSync(profDir).find((name) => name.endsWith('.cpuprofile'));
      if (file) profile = summariseProfile(join(profDir, file), root, cardWindows);
    }
    const checks: Check[] = [
      ...steps.map((s) => ({
        figure: `unit card @ ${s.rate} req/s: p50 / p90 / p99 / max`,
        value: `${line(s.card.latencyMs)}; errors ${s.card.errors.total}; achieved ${s.card.achievedRate} req/s (health ${line(s.health.latencyMs)})`,
        target: s.rate === CARD_RATE ? `p99 ≤ ${CARD_P99_MS} ms, 0 errors` : '',
        holds: s.rate === CARD_RATE ? s.holds : null,
      })),
      {
        figure: `register a demand with ${TARGETS_PER_DEMAND} targets: p95 (p50 / p90 / p99 / max)`,
        value: `${ms(register.latencyMs.p95)} ms (${line(register.latencyMs)}); ${opts.registrations} one at a time, statuses ${JSON.stringify(register.statuses)}; health the same way ${line(health)}`,
        target: `p95 ≤ ${REGISTER_P95_MS} ms, every one 201`,
        holds: registerHolds,
      },
      { figure: 'server RSS peak (VmHWM)', value: hwm === null ? '?' : `${mib(hwm)} MiB`, target: '< 400 MB', holds: hwm === null ? null : hwm < 400 * 1024 * 1024 },
    ];
    const results = {
      benchmark: 'api',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      ...environment,
      server: 'node dist/bench/src/main.js (SQLite file, LOG_LEVEL=info to a file), county scale',
      method: {
        card: 'open loop at fixed offered rates (bench/reports-load/open-loop.ts), latency from the scheduled send; GET /metrics/units/:id?period= as the county coordinator over every township and village × 17 periods, shuffled (seed 1); GET /health at the same rate first as the baseline',
        register: `POST /demands (a report with 3–7 fields to ${TARGETS_PER_DEMAND} villages, the rules about one demand and the rollups in the same request) one at a time from the bench process, ${opts.registrations} after 20 not judged; GET /health asked the same way`,
      },
      setup: setup.counts,
      card: { target: { rate: CARD_RATE, p99Ms: CARD_P99_MS }, steps, holdsAt500: at500?.holds ?? null },
      register: { target: { p95Ms: REGISTER_P95_MS }, ...register, health },
      serverVmHwmBytes: hwm,
      profile,
      checks,
    };
    const file = opts.out ?? join(root, 'bench', 'results', `${startedAt.toISOString().slice(0, 10)}-api.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`\nAPI benchmark (${startedAt.toISOString().slice(0, 10)}, ${environment.machine.cpus} × ${environment.machine.cpuModel})\n\n${table(checks)}\n\nRaw figures: ${relative(root, file)}\n`);
    ok = true;
  } finally {
    await server.stop();
    if (ok && !opts.keep) rmSync(workDir, { recursive: true, force: true });
    else log(`[api] kept ${relative(root, workDir)}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
