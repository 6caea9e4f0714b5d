import { join, resolve } from 'node:path';
import { datasetName, DEFAULT_COUNTY, generate, Progress, Scale, SCALES } from '@/modules/demo/generator/generate';
import { projectRoot } from '@/modules/demo/generator/paths';
import { MAX_COPIES } from '@/modules/demo/generator/reshape';

const USAGE = `Usage: npm run bench:generate -- [--scale county|province] [--year 2026] [--seed 1] [--out <dir>] [--county 532503]
                                  [--fraction 0.5] [--copies 2]

Writes org-units.csv, demands.csv (the import formats) and manifest.json.
--fraction, --copies (province only): keep that share of the prefectures, or copy every
prefecture under new codes: half and double the units at the same density (see reshape.ts).
Default --out: bench/data/<scale>-<year>-<seed>/ (bench/data/county<code>-… for another county,
province-fraction0.5-…, province-copies2-… when reshaped).
Progress goes to stderr; the summary JSON to stdout.`;

interface CliOptions {
  scale: Scale;
  year: number;
  seed: number;
  out?: string;
  county: string;
  fraction: number;
  copies: number;
}

function parseArgs(argv: string[]): CliOptions {
  const options: CliOptions = { scale: 'county', year: 2026, seed: 1, county: DEFAULT_COUNTY, fraction: 1, copies: 1 };
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
        if (!(SCALES as readonly string[]).includes(v)) throw new Error(`--scale must be one of ${SCALES.join(', ')}`);
        options.scale = v as Scale;
        break;
      }
      case '--year':
        options.year = integer(2000, 2100);
        break;
      case '--seed':
        options.seed = integer(0, 4_294_967_295);
        break;
      case '--out':
        options.out = value();
        break;
      case '--county':
        options.county = value();
        break;
      case '--fraction': {
        const v = value();
        if (!/^(0?\.\d+|1(\.0*)?)$/.test(v) || Number(v) <= 0) throw new Error('--fraction must be a number in (0, 1]');
        options.fraction = Number(v);
        break;
      }
      case '--copies':
        options.copies = integer(1, MAX_COPIES);
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

function main(): void {
  let options: CliOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  const root = projectRoot();
  if ((options.fraction !== 1 || options.copies !== 1) && options.scale !== 'province') {
    process.stderr.write(`--fraction and --copies apply to --scale province\n\n${USAGE}\n`);
    process.exit(2);
  }
  const name = datasetName(options);
  const outDir = options.out ? resolve(options.out) : join(root, 'bench', 'data', `${name}-${options.year}-${options.seed}`);
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  let lastDecile = -1;
  const onProgress = (p: Progress): void => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (p.phase === 'org-units') {
      process.stderr.write(`org-units: ${p.done} rows (${seconds}s)\n`);
      return;
    }
    const pct = p.total === 0 ? 100 : Math.floor((p.done / p.total) * 100);
    if (p.phase === 'demands') {
      if (tty) process.stderr.write(`\rdemands: ${p.done}/${p.total} (${pct}%) ${seconds}s`);
      else if (Math.floor(pct / 10) > lastDecile) {
        lastDecile = Math.floor(pct / 10);
        process.stderr.write(`demands: ${p.done}/${p.total} (${pct}%) ${seconds}s\n`);
      }
      return;
    }
    process.stderr.write(`${tty ? '\r' : ''}demands: ${p.done}/${p.total} (100%) ${seconds}s — done\n`);
  };
  process.stderr.write(`generating ${options.scale} scale, year ${options.year}, seed ${options.seed} into ${outDir}\n`);
  try {
    const summary = generate({ scale: options.scale, year: options.year, seed: options.seed, county: options.county, fraction: options.fraction, copies: options.copies, outDir, root, onProgress });
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } catch (error) {
    process.stderr.write(`generation failed: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

main();
