import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root: the nearest directory above this file whose package.json is the
 * project's. Works from the TypeScript sources (bench/generator, under jest) and from the
 * compiled files (dist/bench/generator) alike.
 */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (parsed.name === 'burden-ledger') return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`No burden-ledger package.json above ${from}`);
    dir = up;
  }
}

export interface DataFiles {
  divisions: string;
  topics: string;
  fieldSynonyms: string;
  demandTemplate: string;
}

/** The project data the generator reads (all inside the repository, never ../shared). */
export function dataFiles(root: string = projectRoot()): DataFiles {
  return {
    divisions: join(root, 'data', 'divisions', 'yunnan-divisions.csv'),
    topics: join(root, 'data', 'topics.json'),
    fieldSynonyms: join(root, 'data', 'field-synonyms.json'),
    demandTemplate: join(root, 'data', 'templates', 'demands-import.csv'),
  };
}
