import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  /** Sampled time inside the windows (or the whole profile without windows). */
  totalMs: number;
  /** The windows (CLOCK_MONOTONIC µs, as process.hrtime) the summary is restricted to; null: the whole run. */
  windows: [number, number][] | null;
  /** Sampled time that was not idle, ms. */
  busyMs: number;
  /** Self time by where the code lives: a package under node_modules, a product directory, node internals, GC, idle. */
  byPackage: { name: string; ms: number; share: number }[];
  topFunctions: { name: string; where: string; ms: number; share: number }[];
}

function placeOf(url: string, functionName: string, root: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = path.slice(nm + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const rel = relative(root, path);
  const m = /^dist\/bench\/src\/(.*)\/[^/]+$/.exec(rel);
  if (m) return `product src/${m[1].split('/').slice(0, 2).join('/')}`;
  return rel;
}

/**
 * Self time of a V8 CPU profile (node --cpu-prof) by package and by function, restricted to
 * `windows` when given: V8 stamps samples with the monotonic clock process.hrtime reads (CLOCK_MONOTONIC
 * on Linux, shared by all processes), so the bench's own hrtime marks select the load.
 */
export function summariseProfile(file: string, root: string, windows: [number, number][] | null = null): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const hits = new Map<number, number>();
  let at = profile.startTime;
  let totalUs = 0;
  let idleUs = 0;
  const idleIds = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (windows && !windows.some(([from, to]) => at >= from && at <= to)) continue;
    const id = profile.samples[i];
    // Weight each sample by the interval to the next one (the time it stands for).
    const weight = profile.timeDeltas[i + 1] ?? delta;
    hits.set(id, (hits.get(id) ?? 0) + weight);
    totalUs += weight;
    if (idleIds.has(id)) idleUs += weight;
  }
  const totalMs = totalUs / 1000;
  const msPerSample = 1 / 1000;
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, { name: string; where: string; ms: number }>();
  for (const node of profile.nodes) {
    const n = hits.get(node.id) ?? 0;
    if (n === 0) continue;
    const t = n * msPerSample;
    const { functionName, url, lineNumber } = node.callFrame;
    const place = placeOf(url, functionName, root);
    byPackage.set(place, (byPackage.get(place) ?? 0) + t);
    const where = url === '' ? '' : `${url.startsWith('node:') ? url : relative(root, url.replace(/^file:\/\//, ''))}:${lineNumber + 1}`;
    const key = `${functionName}|${where}`;
    const entry = byFunction.get(key) ?? { name: functionName || '(anonymous)', where, ms: 0 };
    entry.ms += t;
    byFunction.set(key, entry);
  }
  const share = (ms: number) => Math.round((ms / totalMs) * 1000) / 10;
  return {
    file: relative(root, file),
    totalMs,
    windows,
    busyMs: (totalUs - idleUs) / 1000,
    byPackage: [...byPackage.entries()].map(([name, ms]) => ({ name, ms: Math.round(ms), share: share(ms) })).sort((a, b) => b.ms - a.ms),
    topFunctions: [...byFunction.values()]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 40)
      .map((f) => ({ ...f, ms: Math.round(f.ms), share: share(f.ms) })),
  };
}
