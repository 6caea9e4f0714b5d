import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { EvaluationResult } from '@/modules/flags/flag-evaluation';
import { grouped, log, mib, percentile, round } from '../import/stats';
import { Api, ServerChild, sleep } from '../reports-load/server';

/** GET /health answers summarised (ms; errors and answers over the limit counted). */
export interface LatencySummary {
  samples: number;
  errors: number;
  overLimit: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

interface Sample {
  at: number;
  ms: number;
  ok: boolean;
}

/**
 * Asks GET /api/v1/health every `intervalMs`, open loop (a slow answer does not delay the next
 * question; a question unanswered after 5 s is an error), from this process's main thread, which
 * is otherwise idle (the job is polled every 200 ms).
 */
class HealthPoller {
  readonly samples: Sample[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.ask(), this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.inFlight]);
  }

  private ask(): void {
    const at = performance.now();
    const p = fetch(this.url, { signal: AbortSignal.timeout(5000) })
      .then(async (res) => {
        await res.text();
        this.samples.push({ at, ms: performance.now() - at, ok: res.ok });
      })
      .catch(() => {
        this.samples.push({ at, ms: performance.now() - at, ok: false });
      })
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  summary(from: number, to: number, limitMs: number): LatencySummary {
    const window = this.samples.filter((s) => s.at >= from && s.at <= to);
    const ms = window.filter((s) => s.ok).map((s) => s.ms);
    const r = (v: number | null) => (v === null ? null : round(v, 2));
    return {
      samples: window.length,
      errors: window.filter((s) => !s.ok).length,
      overLimit: window.filter((s) => !s.ok || s.ms > limitMs).length,
      p50Ms: r(percentile(ms, 50)),
      p95Ms: r(percentile(ms, 95)),
      p99Ms: r(percentile(ms, 99)),
      maxMs: ms.length ? r(Math.max(...ms)) : null,
    };
  }

  slowest(from: number, to: number, n: number): { atMs: number; ms: number; ok: boolean }[] {
    return this.samples
      .filter((s) => s.at >= from && s.at <= to)
      .sort((a, b) => b.ms - a.ms)
      .slice(0, n)
      .map((s) => ({ atMs: round(s.at - from, 0), ms: round(s.ms, 2), ok: s.ok }));
  }
}

/** The server's resident set (main thread + job workers: one process) every 100 ms from /proc. */
class ChildRss {
  private readonly samples: { at: number; bytes: number }[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.tick(), 100);
    this.tick();
  }

  private tick(): void {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      if (match) this.samples.push({ at: performance.now(), bytes: Number(match[1]) * 1024 });
    } catch {
      // the process is gone
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }

  peak(from: number, to: number): { bytes: number; samples: number } {
    const window = this.samples.filter((s) => s.at >= from && s.at <= to);
    return { bytes: window.reduce((m, s) => Math.max(m, s.bytes), 0), samples: window.length };
  }

  before(at: number): number | null {
    const earlier = this.samples.filter((s) => s.at < at);
    return earlier.length ? earlier[earlier.length - 1].bytes : null;
  }
}

interface JobView {
  id: number;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress: { done: number; total: number | null };
  message: string | null;
  result?: EvaluationResult;
  error?: unknown;
  startedAt?: string;
  finishedAt?: string;
}

export interface EvaluationRun {
  jobId: number;
  status: string;
  error?: unknown;
  /** The job's own startedAt → finishedAt (in the worker thread). */
  jobSeconds: number | null;
  /** From POST /flags/evaluate to the job seen finished (polled every 200 ms). */
  wallSeconds: number;
  /** When each progress message was first seen, seconds after the POST (±0.2 s: the poll interval). */
  phases: { message: string; atSeconds: number }[];
  result: EvaluationResult | null;
  health: LatencySummary;
  slowestHealth: { atMs: number; ms: number; ok: boolean }[];
  /** Server RSS: just before the POST, peak while the job ran (sampled every 100 ms). */
  serverRss: { beforeBytes: number | null; peakBytes: number; samples: number };
}

/**
 * Starts `POST /flags/evaluate {period}` as the logged-in coordinator and polls `GET /jobs/:id`
 * every 200 ms until it ends, while GET /health is asked every `pollMs` and the server's RSS is
 * sampled. Two seconds of idle health samples come first.
 */
export async function evaluateOnce(opts: {
  label: string;
  server: ServerChild;
  api: Api;
  period: string;
  pollMs: number;
  limitMs: number;
  timeoutSeconds: number;
}): Promise<{ run: EvaluationRun; idle: LatencySummary }> {
  const { server, api, label } = opts;
  const poller = new HealthPoller(`${server.base}/api/v1/health`, opts.pollMs);
  const rss = new ChildRss(server.pid);
  poller.start();
  try {
    const idleFrom = performance.now();
    await sleep(2000);
    const started = performance.now();
    const accepted = await api.call<{ jobId: number; status: string }>('POST', '/flags/evaluate', { period: opts.period });
    log(`[${label}] POST /flags/evaluate {period: ${opts.period}} → job ${accepted.jobId}; polling health every ${opts.pollMs} ms`);
    const phases: { message: string; atSeconds: number }[] = [];
    let job: JobView;
    let lastLog = performance.now();
    for (;;) {
      job = await api.call<JobView>('GET', `/jobs/${accepted.jobId}`);
      const now = performance.now();
      if (job.message && phases[phases.length - 1]?.message !== job.message) phases.push({ message: job.message, atSeconds: round((now - started) / 1000, 2) });
      if (job.status === 'succeeded' || job.status === 'failed') break;
      if (server.exitCode() !== null) throw new Error(`the server exited with ${server.exitCode()} during the evaluation (see ${server.logFile})`);
      if ((now - started) / 1000 > opts.timeoutSeconds) throw new Error(`the evaluation did not end within ${opts.timeoutSeconds} s`);
      if (now - lastLog > 10_000) {
        lastLog = now;
        log(`[${label}]   job ${job.id} ${job.status} ${job.progress.done}/${job.progress.total ?? '?'} ${job.message ?? ''} (${((now - started) / 1000).toFixed(0)} s)`);
      }
      await sleep(200);
    }
    const ended = performance.now();
    await poller.stop();
    const jobSeconds = job.startedAt && job.finishedAt ? (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000 : null;
    const health = poller.summary(started, ended, opts.limitMs);
    const peak = rss.peak(started, ended);
    const run: EvaluationRun = {
      jobId: job.id,
      status: job.status,
      ...(job.error === undefined ? {} : { error: job.error }),
      jobSeconds,
      wallSeconds: round((ended - started) / 1000, 3),
      phases,
      result: job.result ?? null,
      health,
      slowestHealth: poller.slowest(started, ended, 10),
      serverRss: { beforeBytes: rss.before(started), peakBytes: peak.bytes, samples: peak.samples },
    };
    const c = job.result?.counts;
    log(
      `[${label}]   job ${job.id} ${job.status} in ${jobSeconds?.toFixed(2) ?? '?'} s (POST→done ${run.wallSeconds.toFixed(2)} s)` +
        (c ? `: raised ${grouped(c.raised)}, unchanged ${grouped(c.unchanged)}, withdrawn ${grouped(c.withdrawn)}` : '') +
        `; health max ${health.maxMs ?? '?'} ms, p99 ${health.p99Ms ?? '?'} ms (${health.samples} samples, ${health.errors} errors); server RSS peak ${mib(peak.bytes)} MiB` +
        (job.status === 'failed' ? `; error ${JSON.stringify(job.error).slice(0, 500)}` : ''),
    );
    return { run, idle: poller.summary(idleFrom, started, opts.limitMs) };
  } finally {
    await poller.stop();
    rss.stop();
  }
}

/** The flags in the server's database by rule and status (read-only, after the runs). */
export function storedFlags(dbPath: string): { total: number; byRule: Record<string, Record<string, number>> } {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare<[], { rule: string; status: string; n: number }>('SELECT rule_code AS rule, status, COUNT(*) AS n FROM flags GROUP BY rule_code, status ORDER BY rule_code, status').all();
    const byRule: Record<string, Record<string, number>> = {};
    let total = 0;
    for (const r of rows) {
      (byRule[r.rule] ??= {})[r.status] = r.n;
      total += r.n;
    }
    return { total, byRule };
  } finally {
    db.close();
  }
}

/** The CPU profiles a `--cpu-prof` server wrote (one per thread); the job worker's are those of a thread id other than 0. */
export function workerProfiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .filter((f) => {
      // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile
      const parts = f.split('.');
      return parts.length >= 7 && parts[parts.length - 3] !== '0';
    })
    .map((f) => join(dir, f));
}
