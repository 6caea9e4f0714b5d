import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { DatabaseConfig } from '@/config/app-config';
import { generate, Manifest, Scale, SCALES } from '../generator/generate';
import { projectRoot } from '../generator/paths';
import { BenchDatabase, bootApp, DEFAULT_POSTGRES_URL, freshPostgres, freshSqlite, linkProductData, postgresAnswers, readSqlitePragmas, seedUsersAndUnits } from './app-setup';
import { BaselineFigures, FullBaselineFigures, postgresBaseline, SQLITE_PRAGMAS, sqliteBaseline, sqliteFullBaseline, SqlitePragmas } from './baseline';
import { HealthFigures, measureHealth } from './health';
import { Piece, splitByPrefecture, UPLOAD_LIMIT_BYTES } from './pieces';
import { importPieces, ProductFigures } from './product';
import { RssSampler } from './rss';
import { Check, machine, table } from '../common/report';
import { grouped, log, mib } from './stats';

const USAGE = `Usage: npm run bench:import -- [--scale county|province] [--year 2026] [--seed 1] [--data <dir>]
                                [--postgres auto|on|off] [--health largest|all|off] [--poll-ms 20] [--no-full-baseline] [--no-product] [--keep] [--out <file>]

Imports the generated demands (split by the issuer's prefecture) with the product's importer,
times it against raw prepared single-row inserts of the same driver on the same schema, and
measures GET /health while the server imports through POST /demands/import. Progress on stderr,
the table on stdout, the raw figures in bench/results/<date>-import.json.
--no-product skips the in-process imports and baselines (only the server's job: health, RSS).`;

/** DESIGN §6: bulk import ≥ 0.3 × the raw prepared-statement insert rate. */
const TARGET_RATIO = 0.3;
/** Issue 3: GET /health answers within 100 ms while a large import runs. */
const HEALTH_LIMIT_MS = 100;
/** DESIGN §6: the server stays under 400 MB resident at province scale (taken as MiB). */
const SERVER_RSS_LIMIT_MIB = 400;

interface Options {
  scale: Scale;
  year: number;
  seed: number;
  data?: string;
  postgres: 'auto' | 'on' | 'off';
  postgresUrl: string;
  health: 'largest' | 'all' | 'off';
  pollMs: number;
  keep: boolean;
  fullBaseline: boolean;
  /** false: only the server measurement (health, RSS), no in-process import or baseline. */
  product: boolean;
  out?: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { scale: 'county', year: 2026, seed: 1, postgres: 'auto', postgresUrl: process.env.BENCH_POSTGRES_URL ?? DEFAULT_POSTGRES_URL, health: 'largest', pollMs: 20, keep: false, fullBaseline: true, product: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`);
      return v;
    };
    const oneOf = <T extends string>(allowed: readonly T[]): T => {
      const v = value();
      if (!(allowed as readonly string[]).includes(v)) throw new Error(`${flag} must be one of ${allowed.join(', ')}`);
      return v as T;
    };
    const integer = (min: number, max: number): number => {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new Error(`${flag} must be a whole number from ${min} to ${max}`);
      return Number(v);
    };
    switch (flag) {
      case '--scale':
        options.scale = oneOf(SCALES);
        break;
      case '--year':
        options.year = integer(2000, 2100);
        break;
      case '--seed':
        options.seed = integer(0, 4_294_967_295);
        break;
      case '--data':
        options.data = value();
        break;
      case '--postgres':
        options.postgres = oneOf(['auto', 'on', 'off'] as const);
        break;
      case '--postgres-url':
        options.postgresUrl = value();
        break;
      case '--health':
        options.health = oneOf(['largest', 'all', 'off'] as const);
        break;
      case '--poll-ms':
        options.pollMs = integer(1, 1000);
        break;
      case '--keep':
        options.keep = true;
        break;
      case '--no-full-baseline':
        options.fullBaseline = false;
        break;
      case '--no-product':
        options.product = false;
        break;
      case '--out':
        options.out = value();
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
  return options;
}

interface DatabaseRun {
  kind: 'sqlite' | 'postgres';
  product: ProductFigures & { orgUnits: number; orgUnitSeconds: number; where: string };
  /** The settings of the product's SQLite connection, which the baseline connections copy. */
  connection: SqlitePragmas | null;
  baseline: BaselineFigures;
  /** SQLite only, informational: raw prepared inserts of every row the import wrote. */
  fullBaseline: (FullBaselineFigures & { ratio: number }) | null;
  ratio: number;
  targetRatio: number;
  holds: boolean;
  matchesManifest: boolean;
}

async function measureDatabase(
  kind: 'sqlite' | 'postgres',
  opts: Options,
  workDir: string,
  orgUnitsCsv: Buffer,
  pieces: Piece[],
  manifest: Manifest,
  rss: RssSampler,
): Promise<{ run: DatabaseRun; productDb: BenchDatabase }> {
  const fresh = (name: string): Promise<BenchDatabase> => (kind === 'sqlite' ? Promise.resolve(freshSqlite(workDir, name)) : freshPostgres(opts.postgresUrl, name));
  const productDb = await fresh('product');
  const baselineDb = await fresh('baseline');
  try {
    // The product: a fresh database migrated by the app, org units and users through its services, then the pieces.
    log(`[${kind}] product database ${productDb.where}: migrating, importing ${grouped(manifest.orgUnits.total)} org units`);
    const app = await bootApp(productDb.config, join(workDir, `${kind}-product-data`));
    let product: DatabaseRun['product'];
    let connection: SqlitePragmas | null = null;
    try {
      if (kind === 'sqlite') connection = await readSqlitePragmas(app, SQLITE_PRAGMAS);
      const seeded = await seedUsersAndUnits(app, orgUnitsCsv);
      log(`[${kind}] org units: ${grouped(seeded.orgUnits)} in ${seeded.orgUnitSeconds.toFixed(2)} s; importing ${pieces.length} piece(s)`);
      const figures = await importPieces(app, seeded.coordinator, pieces, rss, kind);
      product = { ...figures, orgUnits: seeded.orgUnits, orgUnitSeconds: seeded.orgUnitSeconds, where: productDb.where };
    } finally {
      await app.close();
    }
    log(`[${kind}] product: ${grouped(product.targets)} targets in ${product.seconds.toFixed(2)} s = ${grouped(product.targetsPerSecond)} targets/s`);

    // The baseline: a second database migrated and seeded the same way, then raw prepared inserts.
    log(`[${kind}] baseline database ${baselineDb.where}: migrating, importing the same org units`);
    await seedLikeProduct(baselineDb, `${kind}-baseline`, workDir, orgUnitsCsv);
    const baseline =
      kind === 'sqlite' ? sqliteBaseline(sqlitePath(baselineDb), sqlitePath(productDb), connection ?? {}) : await postgresBaseline(opts.postgresUrl, baselineDb.where, productDb.where);
    log(`[${kind}] baseline: ${grouped(baseline.rows)} targets in ${baseline.seconds.toFixed(2)} s = ${grouped(baseline.targetsPerSecond)} targets/s`);
    const ratio = product.targetsPerSecond / baseline.targetsPerSecond;
    const matchesManifest = product.stored.targets === manifest.expected.targets && product.stored.demands === manifest.demands.total && product.targets === manifest.expected.targets;
    const run: DatabaseRun = { kind, product, connection, baseline, fullBaseline: null, ratio, targetRatio: TARGET_RATIO, holds: ratio >= TARGET_RATIO, matchesManifest };
    return { run, productDb };
  } catch (error) {
    if (!opts.keep) await productDb.drop();
    throw error;
  } finally {
    if (!opts.keep) await baselineDb.drop();
  }
}

const sqlitePath = (db: BenchDatabase) => (db.config as Extract<DatabaseConfig, { type: 'sqlite' }>).path;

/** A database migrated and seeded exactly as the product's (users, org units), by the app. */
async function seedLikeProduct(db: BenchDatabase, name: string, workDir: string, orgUnitsCsv: Buffer): Promise<void> {
  const app = await bootApp(db.config, join(workDir, `${name}-data`));
  try {
    await seedUsersAndUnits(app, orgUnitsCsv);
  } finally {
    await app.close();
  }
}

/** The diagnosis of the SQLite run: raw inserts of every row the import wrote (after the other measurements, it needs memory). */
async function measureFullBaseline(run: DatabaseRun, productDb: BenchDatabase, opts: Options, workDir: string, orgUnitsCsv: Buffer): Promise<void> {
  const fullDb = freshSqlite(workDir, 'full-baseline');
  try {
    log(`[sqlite] full baseline database ${fullDb.where}: migrating, importing the same org units`);
    await seedLikeProduct(fullDb, 'sqlite-full-baseline', workDir, orgUnitsCsv);
    const full = sqliteFullBaseline(sqlitePath(fullDb), sqlitePath(productDb), run.connection ?? {});
    run.fullBaseline = { ...full, ratio: run.product.targetsPerSecond / full.targetsPerSecond };
    log(
      `[sqlite] full baseline: ${grouped(full.rows)} rows in ${full.seconds.toFixed(2)} s (` +
        full.tables.map((t) => `${t.table} ${t.seconds.toFixed(2)} s`).join(', ') +
        `); the product takes ${(run.product.seconds / full.seconds).toFixed(2)} × as long`,
    );
  } finally {
    if (!opts.keep) await fullDb.drop();
  }
}

function checks(runs: DatabaseRun[], health: HealthFigures | null, scale: Scale): Check[] {
  const out: Check[] = [];
  for (const r of runs) {
    const p = r.product;
    out.push(
      { figure: `${r.kind}: product import, targets/s`, value: `${grouped(p.targetsPerSecond)} (${grouped(p.targets)} in ${p.seconds.toFixed(1)} s)`, target: '', holds: null },
      { figure: `${r.kind}: product import, demands/s`, value: `${grouped(p.demandsPerSecond)} (${grouped(p.demands)})`, target: '', holds: null },
      { figure: `${r.kind}: raw prepared INSERT, targets/s`, value: `${grouped(r.baseline.targetsPerSecond)} (${grouped(r.baseline.rows)} in ${r.baseline.seconds.toFixed(1)} s)`, target: '', holds: null },
      { figure: `${r.kind}: ratio product ÷ raw`, value: r.ratio.toFixed(3), target: `≥ ${TARGET_RATIO}`, holds: r.holds },
      ...(r.fullBaseline
        ? [
            {
              figure: `${r.kind}: raw INSERT of every row written`,
              value: `${grouped(r.fullBaseline.rows)} rows in ${r.fullBaseline.seconds.toFixed(1)} s (product ${(p.seconds / r.fullBaseline.seconds).toFixed(2)} × that)`,
              target: '(diagnosis)',
              holds: null,
            },
          ]
        : []),
      { figure: `${r.kind}: rows stored = manifest`, value: `${grouped(p.stored.demands)} demands, ${grouped(p.stored.targets)} targets`, target: 'expected counts', holds: r.matchesManifest },
      { figure: `${r.kind}: bench process RSS peak (import)`, value: `${mib(p.rssPeakBytes)} MiB`, target: '', holds: null },
    );
  }
  if (health) {
    const d = health.during;
    out.push(
      { figure: 'GET /health during import: samples', value: `${d.samples} (${d.errors} errors; idle before: ${health.idle.samples})`, target: '', holds: null },
      { figure: 'GET /health p50 / p95 / p99', value: `${d.p50Ms} / ${d.p95Ms} / ${d.p99Ms} ms`, target: '', holds: null },
      { figure: 'GET /health max', value: `${d.maxMs} ms (${d.overLimit} over ${health.limitMs} ms)`, target: `every answer ≤ ${health.limitMs} ms`, holds: health.holds },
    );
    for (const i of health.imports) {
      out.push({
        figure: `job import of piece ${i.piece} (worker thread)`,
        value: `${i.status}: ${grouped(i.targets)} targets, job ${i.jobSeconds?.toFixed(1) ?? '?'} s${i.targetsPerSecond ? ` = ${grouped(i.targetsPerSecond)} targets/s` : ''}`,
        target: 'succeeds',
        holds: i.status === 'succeeded',
      });
    }
    const hwm = health.serverRss.vmHwmBytes ?? health.serverRss.sampledPeakBytes;
    out.push({
      figure: 'server RSS peak during import (VmHWM)',
      value: `${mib(hwm)} MiB`,
      target: scale === 'province' ? `< ${SERVER_RSS_LIMIT_MIB} MiB` : `(< ${SERVER_RSS_LIMIT_MIB} MiB at province)`,
      holds: scale === 'province' ? mib(hwm) < SERVER_RSS_LIMIT_MIB : null,
    });
  }
  return out;
}

/** The results file of the day holds the latest run of each scale. */
function writeResults(file: string, scale: Scale, run: unknown): void {
  let existing: { benchmark?: string; runs?: Record<string, unknown> } = {};
  if (existsSync(file)) {
    try {
      existing = JSON.parse(readFileSync(file, 'utf8')) as typeof existing;
    } catch {
      existing = {};
    }
  }
  const runs = { ...(existing.benchmark === 'import' ? (existing.runs ?? {}) : {}), [scale]: run };
  mkdirSync(resolve(file, '..'), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ benchmark: 'import', runs }, null, 2)}\n`);
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
  const startedAt = new Date();
  const environment = machine();
  const dataDir = opts.data ? resolve(opts.data) : join(root, 'bench', 'data', `${opts.scale}-${opts.year}-${opts.seed}`);
  if (!existsSync(join(dataDir, 'manifest.json'))) {
    log(`no generated data in ${relative(root, dataDir)}: generating ${opts.scale} scale, year ${opts.year}, seed ${opts.seed}`);
    generate({ scale: opts.scale, year: opts.year, seed: opts.seed, outDir: dataDir, root });
  }
  const manifest = JSON.parse(readFileSync(join(dataDir, 'manifest.json'), 'utf8')) as Manifest;
  const workDir = join(root, 'bench', 'results', 'tmp', `import-${manifest.scale}-${process.pid}`);
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const rss = new RssSampler(100);
  try {
    const split = await splitByPrefecture(join(dataDir, 'demands.csv'), join(workDir, 'pieces'));
    const pieces = split.pieces;
    const largest = pieces.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    log(
      `${manifest.scale} scale: ${grouped(manifest.demands.total)} demands, ${grouped(manifest.expected.targets)} expected targets, ` +
        `${pieces.length} piece(s) by issuer prefecture (largest ${largest.key}: ${grouped(largest.rows)} rows, ${(largest.bytes / 1024 / 1024).toFixed(1)} MiB)`,
    );
    const orgUnitsPath = join(dataDir, 'org-units.csv');
    const orgUnitsCsv = readFileSync(orgUnitsPath);

    const runs: DatabaseRun[] = [];
    const productDbs: BenchDatabase[] = [];
    let postgres: string | null = null;
    try {
      const sqlite = opts.product ? await measureDatabase('sqlite', opts, workDir, orgUnitsCsv, pieces, manifest, rss) : null;
      if (sqlite) {
        runs.push(runAnnounce(sqlite.run));
        productDbs.push(sqlite.productDb);
      } else log('--no-product: no in-process import, no baseline');
      if (sqlite && opts.postgres !== 'off') {
        postgres = await postgresAnswers(opts.postgresUrl);
        if (postgres) {
          const pg = await measureDatabase('postgres', opts, workDir, orgUnitsCsv, pieces, manifest, rss);
          runs.push(runAnnounce(pg.run));
          productDbs.push(pg.productDb);
        } else if (opts.postgres === 'on') throw new Error(`PostgreSQL does not answer at ${opts.postgresUrl}`);
        else log(`PostgreSQL does not answer at ${opts.postgresUrl}: skipped`);
      }
      if (sqlite && opts.fullBaseline) await measureFullBaseline(sqlite.run, sqlite.productDb, opts, workDir, orgUnitsCsv);
    } finally {
      if (!opts.keep) for (const db of productDbs) await db.drop();
    }

    let health: HealthFigures | null = null;
    if (opts.health !== 'off') {
      health = await measureHealth({
        root,
        distBench,
        workDir,
        orgUnitsCsv: orgUnitsPath,
        pieces: opts.health === 'all' ? pieces : [largest],
        pollIntervalMs: opts.pollMs,
        limitMs: HEALTH_LIMIT_MS,
      });
    }

    const finishedAt = new Date();
    const rows = checks(runs, health, manifest.scale);
    const date = startedAt.toISOString().slice(0, 10);
    const out = opts.out ? resolve(opts.out) : join(root, 'bench', 'results', `${date}-import.json`);
    const result = {
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      ...environment,
      scale: manifest.scale,
      year: manifest.year,
      seed: manifest.seed,
      data: {
        dir: relative(root, dataDir),
        demandsCsv: manifest.files['demands.csv'],
        orgUnitsCsv: manifest.files['org-units.csv'],
        demands: manifest.demands.total,
        expectedTargets: manifest.expected.targets,
      },
      pieces: {
        strategy: "by issuer prefecture (first 4 digits of the issuer code's area part; 53 = province offices); a piece over the upload limit would continue in <key>-2…",
        uploadLimitBytes: UPLOAD_LIMIT_BYTES,
        count: pieces.length,
        largest: { key: largest.key, rows: largest.rows, bytes: largest.bytes },
        list: pieces.map((p) => ({ key: p.key, rows: p.rows, bytes: p.bytes })),
      },
      postgres: opts.postgres === 'off' ? 'off' : (postgres ?? 'not answering'),
      databases: runs.map((r) => ({
        ...r,
        product: { ...r.product, rssPeakMiB: mib(r.product.rssPeakBytes), pieces: r.product.pieces.map((p) => ({ ...p, rssPeakMiB: mib(p.rssPeakBytes) })) },
      })),
      health,
      checks: rows,
    };
    writeResults(out, manifest.scale, result);
    process.stdout.write(`\nImport benchmark, ${manifest.scale} scale (${date}, ${result.machine.cpus} × ${result.machine.cpuModel}, ${result.machine.totalMemoryGiB} GiB, Node ${process.version})\n\n`);
    process.stdout.write(`${table(rows)}\n\nraw figures: ${relative(root, out)}\n`);
  } finally {
    await rss.stop();
    if (!opts.keep) rmSync(workDir, { recursive: true, force: true });
    else log(`kept ${workDir}`);
  }
}

function runAnnounce(run: DatabaseRun): DatabaseRun {
  log(`[${run.kind}] ratio ${run.ratio.toFixed(3)} (target ≥ ${run.targetRatio}): ${run.holds ? 'holds' : 'DOES NOT HOLD'}`);
  return run;
}

main().catch((error: unknown) => {
  process.stderr.write(`import benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
