import Database from 'better-sqlite3';
import { join } from 'node:path';
import { DomainEvents } from '@/common/events/domain-events';
import { selectRows, toInt } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { EvaluationResult, FlagEvaluation } from '@/modules/flags/flag-evaluation';
import { IdentityService } from '@/modules/identity/identity.service';
import { PolicyService } from '@/modules/policy/policy.service';
import { bootApp, writer } from '../import/app-setup';
import { RssSampler } from '../import/rss';
import { grouped, log, mib, round } from '../import/stats';

/** One SQL statement text (parameter lists collapsed), timed across all its executions. */
export interface StatementStats {
  sql: string;
  calls: number;
  rows: number;
  ms: number;
  share: number;
}

type Method = 'run' | 'get' | 'all' | 'iterate';
type AnyFn = (...args: unknown[]) => unknown;

/** `(?, ?, ?)` lists and repeated VALUES tuples collapsed, whitespace squeezed: one key per statement shape. */
export function statementKey(sql: string): string {
  return sql
    .replace(/\s+/g, ' ')
    .replace(/\?(\s*,\s*\?)+/g, '?…')
    .replace(/(\([^()]*\))(\s*,\s*\1)+/g, '$1, …')
    .trim();
}

/**
 * Times every better-sqlite3 statement execution in this process (the driver is synchronous, so
 * the time of the call is the statement's: SQLite's work plus binding and row conversion), by
 * statement shape. Diagnostic only: it wraps the driver's prototype methods while installed.
 */
export class StatementTimer {
  private readonly stats = new Map<string, { calls: number; rows: number; ms: number }>();
  private readonly keys = new Map<string, string>();
  private restore: (() => void) | null = null;

  install(): void {
    const probe = new Database(':memory:');
    const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<Method, AnyFn> & { source?: string };
    probe.close();
    const originals = new Map<Method, AnyFn>();
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const timer = this;
    for (const method of ['run', 'get', 'all', 'iterate'] as const) {
      const original = proto[method];
      originals.set(method, original);
      proto[method] = function (this: { source: string }, ...args: unknown[]) {
        const started = performance.now();
        const out = original.apply(this, args);
        const rows = method === 'all' ? (out as unknown[]).length : method === 'get' ? (out === undefined ? 0 : 1) : method === 'run' ? Number((out as { changes: number }).changes) : 0;
        timer.add(this.source, performance.now() - started, rows);
        return out;
      };
    }
    this.restore = () => {
      for (const [method, fn] of originals) proto[method] = fn;
    };
  }

  uninstall(): void {
    this.restore?.();
    this.restore = null;
  }

  private add(source: string, ms: number, rows: number): void {
    let key = this.keys.get(source);
    if (key === undefined) {
      key = statementKey(source);
      this.keys.set(source, key);
    }
    const s = this.stats.get(key) ?? { calls: 0, rows: 0, ms: 0 };
    s.calls++;
    s.rows += rows;
    s.ms += ms;
    this.stats.set(key, s);
  }

  totalMs(): number {
    let total = 0;
    for (const s of this.stats.values()) total += s.ms;
    return total;
  }

  top(n: number): StatementStats[] {
    const total = this.totalMs();
    return [...this.stats.entries()]
      .map(([sql, s]) => ({ sql: sql.length > 400 ? `${sql.slice(0, 400)}…` : sql, calls: s.calls, rows: s.rows, ms: Math.round(s.ms), share: round((s.ms / total) * 100, 1) }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, n);
  }
}

export interface InProcessFigures {
  seconds: number;
  /** Seconds of each step, from the evaluation's progress messages. */
  phases: { message: string; seconds: number }[];
  sqlSeconds: number;
  statements: StatementStats[];
  result: EvaluationResult;
  rssPeakBytes: number;
  /**
   * Peak V8 heap in use, sampled every 100 ms and at each progress message (timers fire between the
   * evaluation's awaits). An upper bound of what the job's worker must fit in its heap cap
   * (src/modules/jobs/worker/worker-launcher.ts WORKER_HEAP_MB): it includes garbage not yet
   * collected (this process has no such cap, so collects later) and the app's own tens of MiB.
   */
  heapUsedPeakBytes: number;
  heapUsedBeforeBytes: number;
}

/**
 * The evaluation without the server: `new FlagEvaluation({tx, audit, actor, policy, progress})
 * .run(period)` in this process on the prepared file (the app's own TransactionRunner and
 * AuditService, the current policy, the evaluator as actor), with every SQL statement timed.
 * A diagnosis of where the job's time goes, not the figure of record (no worker, no HTTP).
 */
export async function evaluateInProcess(opts: { label: string; dbPath: string; workDir: string; username: string; period: string; runs: number }): Promise<InProcessFigures[]> {
  const app = await bootApp({ type: 'sqlite', path: opts.dbPath }, join(opts.workDir, 'in-process-data'));
  const rss = new RssSampler(100);
  try {
    const [user] = await selectRows<{ id: number | string }>(writer(app), 'SELECT id FROM users WHERE username = ?', [opts.username]);
    const actor = user ? await app.get(IdentityService).resolve(toInt(user.id), 0) : null;
    if (!actor) throw new Error(`no user ${opts.username}`);
    const policy = await app.get(PolicyService).current();
    const out: InProcessFigures[] = [];
    for (let run = 1; run <= opts.runs; run++) {
      const label = `${opts.label}${opts.runs > 1 ? ` run ${run}` : ''}`;
      const timer = new StatementTimer();
      const marks: { message: string; at: number }[] = [];
      let heapPeak = 0;
      const sampleHeap = () => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed));
      const progress = (_done: number, _total: number | null, message?: string): void => {
        sampleHeap();
        if (message && marks[marks.length - 1]?.message !== message) marks.push({ message, at: performance.now() });
      };
      log(`[${label}] in-process FlagEvaluation.run(${opts.period}) with every SQL statement timed`);
      rss.reset();
      const heapBefore = process.memoryUsage().heapUsed;
      const heapTimer = setInterval(sampleHeap, 100);
      timer.install();
      const started = performance.now();
      let result: EvaluationResult;
      try {
        result = await new FlagEvaluation({ tx: app.get(TransactionRunner), audit: app.get(AuditService), actor, policy, events: app.get(DomainEvents), progress }).run(opts.period);
      } finally {
        timer.uninstall();
        clearInterval(heapTimer);
        sampleHeap();
      }
      const ended = performance.now();
      const phases = marks.map((m, i) => ({ message: m.message, seconds: round(((marks[i + 1]?.at ?? ended) - m.at) / 1000, 2) }));
      const figures: InProcessFigures = {
        seconds: round((ended - started) / 1000, 2),
        phases,
        sqlSeconds: round(timer.totalMs() / 1000, 2),
        statements: timer.top(25),
        result,
        rssPeakBytes: rss.peak().bytes,
        heapUsedPeakBytes: heapPeak,
        heapUsedBeforeBytes: heapBefore,
      };
      log(
        `[${label}] in-process: ${figures.seconds} s (SQL ${figures.sqlSeconds} s), raised ${grouped(result.counts.raised)}, unchanged ${grouped(result.counts.unchanged)}, ` +
          `heap ${mib(heapBefore)} → peak ${mib(heapPeak)} MiB; ` +
          phases.map((p) => `${p.message} ${p.seconds} s`).join(', '),
      );
      out.push(figures);
    }
    return out;
  } finally {
    await rss.stop();
    await app.close();
  }
}
