import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { generate } from '../generator/generate';
import { projectRoot } from '../generator/paths';
import { linkProductData } from '../import/app-setup';
import { log } from '../import/stats';
import { machine } from './report';

/** What a county-scale HTTP bench (api, reports) starts from: paths, the generated county, a fresh work directory. */
export interface CountyRun {
  root: string;
  /** dist/bench: where the compiled product and bench live. */
  distBench: string;
  startedAt: Date;
  environment: ReturnType<typeof machine>;
  /** bench/data/county-2026-1, generated (seed 1) when missing. */
  dataDir: string;
  /** bench/results/tmp/<name>-<pid>/, emptied. */
  workDir: string;
  /** <workDir>/cpu-prof/, made only with `cpuProf`. */
  profDir: string;
  adminPassword: string;
}

export function prepareCountyRun(name: string, cpuProf: boolean): CountyRun {
  const root = projectRoot();
  // This file compiles to dist/bench/bench/common/: two levels up is dist/bench.
  const distBench = resolve(__dirname, '..', '..');
  linkProductData(root, distBench);
  const startedAt = new Date();
  const environment = machine();
  const dataDir = join(root, 'bench', 'data', 'county-2026-1');
  if (!existsSync(join(dataDir, 'manifest.json'))) {
    log(`no generated data in ${relative(root, dataDir)}: generating county scale, 2026, seed 1`);
    generate({ scale: 'county', year: 2026, seed: 1, outDir: dataDir, root });
  }
  const workDir = join(root, 'bench', 'results', 'tmp', `${name}-${process.pid}`);
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const profDir = join(workDir, 'cpu-prof');
  if (cpuProf) mkdirSync(profDir, { recursive: true });
  return { root, distBench, startedAt, environment, dataDir, workDir, profDir, adminPassword: randomBytes(12).toString('base64url') };
}
