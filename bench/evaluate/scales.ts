import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { datasetName, generate, Manifest, Scale } from '../generator/generate';
import { log } from '../import/stats';

/**
 * The sizes the evaluation is measured at. `half` and `double` are the province with half of its
 * prefectures (chosen so that counties, townships and villages are each ≈ 50 %) and with every
 * prefecture copied under new codes: half and twice the units at the same density (DESIGN §6),
 * see bench/generator/reshape.ts.
 */
export const EVAL_SCALES = ['county', 'half', 'province', 'double'] as const;
export type EvalScale = (typeof EVAL_SCALES)[number];

/** The doublings judged: each pair is (smaller, twice as large). */
export const DOUBLINGS: readonly [EvalScale, EvalScale][] = [
  ['half', 'province'],
  ['province', 'double'],
];

export function generatorOptions(scale: EvalScale): { scale: Scale; fraction?: number; copies?: number } {
  switch (scale) {
    case 'county':
      return { scale: 'county' };
    case 'half':
      return { scale: 'province', fraction: 0.5 };
    case 'province':
      return { scale: 'province' };
    case 'double':
      return { scale: 'province', copies: 2 };
  }
}

/** The generated data of a scale (bench/data/<name>-<year>-<seed>/), generated first when missing. */
export function ensureData(root: string, scale: EvalScale, year: number, seed: number): { dataDir: string; manifest: Manifest } {
  const options = generatorOptions(scale);
  const dataDir = join(root, 'bench', 'data', `${datasetName(options)}-${year}-${seed}`);
  if (!existsSync(join(dataDir, 'manifest.json'))) {
    log(`[${scale}] no generated data in ${relative(root, dataDir)}: generating (${JSON.stringify(options)}, year ${year}, seed ${seed})`);
    generate({ ...options, year, seed, outDir: dataDir, root });
  }
  const manifest = JSON.parse(readFileSync(join(dataDir, 'manifest.json'), 'utf8')) as Manifest;
  return { dataDir, manifest };
}
