import { execFileSync } from 'node:child_process';
import { cpus, platform, release, totalmem } from 'node:os';
import { round } from '../import/stats';

/** One line of a benchmark's table: a figure, its value, the target it is judged against, and whether it holds (null: not judged). */
export interface Check {
  figure: string;
  value: string;
  target: string;
  holds: boolean | null;
}

/** A Markdown table of checks, columns padded by code points so Chinese text lines up in a terminal. */
export function table(rows: readonly Check[]): string {
  const cells = [['figure', 'value', 'target', 'holds?'], ...rows.map((r) => [r.figure, r.value, r.target, r.holds === null ? '' : r.holds ? 'yes' : 'NO'])];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...cells.map((row) => [...row[c]].length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => cell + ' '.repeat(widths[c] - [...cell].length)).join(' | ')} |`;
  return [line(cells[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

/** The git commit measured, and whether src/ had uncommitted changes (a figure of uncommitted code says so). */
export function gitState(): { commit: string; srcChanged: boolean } | null {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const changed = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim() !== '';
    return { commit, srcChanged: changed };
  } catch {
    return null;
  }
}

/** The machine a figure was measured on, and the code. */
export function machine() {
  const list = cpus();
  return {
    machine: {
      cpuModel: list[0]?.model ?? 'unknown',
      cpus: list.length,
      totalMemoryBytes: totalmem(),
      totalMemoryGiB: round(totalmem() / 1024 ** 3, 1),
      os: `${platform()} ${release()}`,
      node: process.version,
    },
    git: gitState(),
  };
}
