import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join } from 'node:path';
import type { Piece } from './pieces';
import { grouped, log, percentile, round } from './stats';

/** What GET /health answered while imports ran, and what the imports did. */
export interface HealthFigures {
  server: string;
  pollIntervalMs: number;
  limitMs: number;
  idle: LatencySummary;
  during: LatencySummary;
  /** The ten slowest answers during the imports: when they were asked (ms after the first POST) and how long they took. */
  slowest: { atMs: number; ms: number; ok: boolean }[];
  holds: boolean;
  imports: JobFigures[];
  /**
   * The server process (main thread + job workers): peak resident set over its life (VmHWM), the
   * same peak read just before the first POST (start-up and the set-up through the API), and a
   * timeline of its resident set during the imports with what the job said at that moment.
   */
  serverRss: { sampledPeakBytes: number; samples: number; vmHwmBytes: number | null; vmHwmBeforeImportBytes: number | null; timeline: RssPoint[] };
}

/** One sample of the server's resident set during an import: ms after the POST, MiB (all, anonymous), the job's state and message. */
export interface RssPoint {
  atMs: number;
  rssMiB: number;
  anonMiB: number | null;
  phase: string;
}

export interface LatencySummary {
  samples: number;
  errors: number;
  overLimit: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export interface JobFigures {
  piece: string;
  bytes: number;
  jobId: number;
  status: string;
  demands: number;
  targets: number;
  /** From POST /demands/import to the job seen finished (upload, queue, worker start, import). */
  wallSeconds: number;
  /** The job's own startedAt → finishedAt (worker thread, its own connection). */
  jobSeconds: number | null;
  targetsPerSecond: number | null;
  error?: unknown;
}

interface Sample {
  at: number;
  ms: number;
  ok: boolean;
}

const HEALTH_PATH = '/api/v1/health';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function summary(samples: Sample[], limitMs: number): LatencySummary {
  const ms = samples.filter((s) => s.ok).map((s) => s.ms);
  const r = (v: number | null) => (v === null ? null : round(v, 2));
  return {
    samples: samples.length,
    errors: samples.filter((s) => !s.ok).length,
    overLimit: samples.filter((s) => !s.ok || s.ms > limitMs).length,
    p50Ms: r(percentile(ms, 50)),
    p95Ms: r(percentile(ms, 95)),
    p99Ms: r(percentile(ms, 99)),
    maxMs: ms.length ? r(Math.max(...ms)) : null,
  };
}

/** Resident pages of a process from /proc (Linux); null elsewhere. */
function rssOf(pid: number): number | null {
  try {
    const resident = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return resident * 4096;
  } catch {
    return null;
  }
}

/** A `kB` line of /proc/<pid>/status (VmHWM, RssAnon…) in bytes; null when it cannot be read. */
function statusBytes(pid: number, field: string): number | null {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

const vmHwmOf = (pid: number) => statusBytes(pid, 'VmHWM');

class Api {
  token: string | null = null;
  constructor(readonly base: string) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let payload: string | FormData | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(`${this.base}${path}`, { method, headers, body: payload });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
    return (text === '' ? null : JSON.parse(text)) as T;
  }

  upload<T>(path: string, file: string): Promise<T> {
    const form = new FormData();
    form.append('file', new Blob([readFileSync(file)], { type: 'text/csv' }), basename(file));
    return this.call<T>('POST', path, form);
  }
}

interface JobView {
  id: number;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress: { done: number; total: number | null };
  message: string | null;
  result?: { imported: number; targets: number };
  error?: unknown;
  startedAt?: string;
  finishedAt?: string;
}

/**
 * Runs the product's server as a child process (`node dist/bench/src/main.js`: src/main.ts as
 * compiled by bench:build; configuration from the environment as in production, LOG_LEVEL info,
 * logs to a file) on a fresh SQLite file, sets it up through the API (the first admin from
 * BURDEN_LEDGER_ADMIN_PASSWORD, POST /org-units/import, POST /users for a coordinator of 云南省),
 * then imports `pieces` one after another with POST /demands/import — over 256 KB, so each runs
 * as a job in a worker thread — while a separate client in this process asks GET /health every
 * `pollIntervalMs` (open loop: a slow answer does not delay the next question).
 */
export async function measureHealth(opts: {
  root: string;
  distBench: string;
  workDir: string;
  orgUnitsCsv: string;
  pieces: Piece[];
  pollIntervalMs: number;
  limitMs: number;
}): Promise<HealthFigures> {
  const entry = join(opts.distBench, 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run bench:build`);
  const port = await freePort();
  const password = randomBytes(12).toString('base64url');
  const dbPath = join(opts.workDir, 'server.sqlite');
  const logFile = join(opts.workDir, 'server.log');
  const out = openSync(logFile, 'w');
  const child: ChildProcess = spawn(process.execPath, [entry], {
    cwd: opts.root,
    env: {
      ...process.env,
      DATABASE_URL: `sqlite:${dbPath}`,
      PORT: String(port),
      BURDEN_LEDGER_ADMIN_PASSWORD: password,
      BURDEN_LEDGER_DATA_DIR: join(opts.workDir, 'server-data'),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const state: { exited: number | null } = { exited: null };
  child.once('exit', (code) => (state.exited = code ?? -1));
  /** Read through a call: TypeScript would keep a checked property narrowed across awaits. */
  const exitCode = (): number | null => state.exited;
  const pid = child.pid;
  if (pid === undefined) throw new Error('the server did not start');
  const base = `http://127.0.0.1:${port}`;
  const api = new Api(`${base}/api/v1`);
  let serverPeak = 0;
  let serverSamples = 0;
  const timeline: RssPoint[] = [];
  /** While an import runs: when it was posted and what its job last said. */
  let tracking: { postedAt: number; phase: string } | null = null;
  const rssTimer = setInterval(() => {
    const rss = rssOf(pid);
    if (rss !== null) {
      serverPeak = Math.max(serverPeak, rss);
      serverSamples++;
      if (tracking) {
        const anon = statusBytes(pid, 'RssAnon');
        timeline.push({ atMs: round(performance.now() - tracking.postedAt, 0), rssMiB: round(rss / 2 ** 20, 1), anonMiB: anon === null ? null : round(anon / 2 ** 20, 1), phase: tracking.phase });
      }
    }
  }, 100);

  try {
    const bootStarted = performance.now();
    for (;;) {
      if (exitCode() !== null) throw new Error(`the server exited with ${exitCode()} (see ${logFile})`);
      if (performance.now() - bootStarted > 60_000) throw new Error(`the server did not answer within 60 s (see ${logFile})`);
      try {
        const res = await fetch(`${base}${HEALTH_PATH}`);
        await res.text();
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    log(`[health] server up on port ${port} (pid ${pid}) in ${((performance.now() - bootStarted) / 1000).toFixed(1)} s; setting up through the API`);
    api.token = (await api.call<{ accessToken: string }>('POST', '/auth/login', { username: 'admin', password })).accessToken;
    await api.upload('/org-units/import', opts.orgUnitsCsv);
    const provinces = await api.call<{ items: { id: number; code: string }[] }>('GET', '/org-units?level=province');
    const province = provinces.items.find((u) => u.code === '53');
    if (!province) throw new Error('no 云南省 after the org-unit import');
    await api.call('POST', '/users', { username: 'bench-coordinator', password, role: 'coordinator', orgUnitId: province.id });
    api.token = (await api.call<{ accessToken: string }>('POST', '/auth/login', { username: 'bench-coordinator', password })).accessToken;

    // The health client: its own fetches, open loop.
    const samples: Sample[] = [];
    const inFlight = new Set<Promise<void>>();
    const ask = (): void => {
      const at = performance.now();
      const p = fetch(`${base}${HEALTH_PATH}`, { signal: AbortSignal.timeout(5000) })
        .then(async (res) => {
          await res.text();
          samples.push({ at, ms: performance.now() - at, ok: res.ok });
        })
        .catch(() => {
          samples.push({ at, ms: performance.now() - at, ok: false });
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    };
    const poller = setInterval(ask, opts.pollIntervalMs);
    const idleFrom = performance.now();
    await sleep(2000);
    const windows: [number, number][] = [];
    const imports: JobFigures[] = [];
    const vmHwmBeforeImport = vmHwmOf(pid);
    try {
      for (const piece of opts.pieces) {
        const started = performance.now();
        const track = { postedAt: started, phase: 'upload' };
        tracking = track;
        log(`[health] POST /demands/import ${basename(piece.file)} (${(piece.bytes / 1024 / 1024).toFixed(1)} MiB, ${grouped(piece.rows)} rows) while polling GET /health every ${opts.pollIntervalMs} ms`);
        const accepted = await api.upload<{ jobId: number; status: string }>('/demands/import', piece.file);
        let job: JobView;
        let lastLog = performance.now();
        for (;;) {
          job = await api.call<JobView>('GET', `/jobs/${accepted.jobId}`);
          track.phase = `${job.status}: ${job.message ?? ''}`;
          if (job.status === 'succeeded' || job.status === 'failed') break;
          if (exitCode() !== null) throw new Error(`the server exited with ${exitCode()} during the import (see ${logFile})`);
          if (performance.now() - lastLog > 5000) {
            lastLog = performance.now();
            log(`[health]   job ${job.id} ${job.status}: ${job.message ?? ''} ${job.progress.done}/${job.progress.total ?? '?'}`);
          }
          await sleep(200);
        }
        const ended = performance.now();
        tracking = null;
        windows.push([started, ended]);
        const jobSeconds = job.startedAt && job.finishedAt ? (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000 : null;
        const targets = job.result?.targets ?? 0;
        imports.push({
          piece: piece.key,
          bytes: piece.bytes,
          jobId: job.id,
          status: job.status,
          demands: job.result?.imported ?? 0,
          targets,
          wallSeconds: (ended - started) / 1000,
          jobSeconds,
          targetsPerSecond: jobSeconds && targets ? targets / jobSeconds : null,
          ...(job.error === undefined ? {} : { error: job.error }),
        });
        log(
          `[health]   job ${job.id} ${job.status}: ${grouped(job.result?.imported ?? 0)} demands, ${grouped(targets)} targets; ` +
            `job ${jobSeconds?.toFixed(2) ?? '?'} s, POST→done ${((ended - started) / 1000).toFixed(2)} s` +
            (job.status === 'failed' ? `; error ${JSON.stringify(job.error).slice(0, 300)}` : ''),
        );
      }
    } finally {
      clearInterval(poller);
      await Promise.all([...inFlight]);
    }
    const inWindow = (s: Sample) => windows.some(([from, to]) => s.at >= from && s.at <= to);
    const idle = summary(samples.filter((s) => s.at >= idleFrom && s.at < (windows[0]?.[0] ?? Infinity)), opts.limitMs);
    const duringSamples = samples.filter(inWindow);
    const during = summary(duringSamples, opts.limitMs);
    const origin = windows[0]?.[0] ?? 0;
    const slowest = [...duringSamples]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 10)
      .map((s) => ({ atMs: round(s.at - origin, 0), ms: round(s.ms, 2), ok: s.ok }));
    return {
      server: `node ${join('dist', 'bench', 'src', 'main.js')} (SQLite, LOG_LEVEL=info)`,
      pollIntervalMs: opts.pollIntervalMs,
      limitMs: opts.limitMs,
      idle,
      during,
      slowest,
      holds: during.samples > 0 && during.overLimit === 0 && imports.every((i) => i.status === 'succeeded'),
      imports,
      serverRss: { sampledPeakBytes: serverPeak, samples: serverSamples, vmHwmBytes: vmHwmOf(pid), vmHwmBeforeImportBytes: vmHwmBeforeImport, timeline },
    };
  } finally {
    clearInterval(rssTimer);
    if (exitCode() === null) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(timer);
    }
  }
}
