import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join } from 'node:path';

/** The product's server as a child process: `node dist/bench/src/main.js` (compiled by bench:build because bench/import/server.ts imports it) on a fresh SQLite file. */
export interface ServerChild {
  port: number;
  pid: number;
  base: string;
  logFile: string;
  dbPath: string;
  exitCode(): number | null;
  vmHwmBytes(): number | null;
  stop(): Promise<void>;
}

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

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Starts the product's own entry (src/main.ts as compiled by bench:build) with its configuration
 * from the environment, as in production: DATABASE_URL, PORT, BURDEN_LEDGER_ADMIN_PASSWORD and the
 * production log level (`info`, to a file). `cpuProfDir`: also `--cpu-prof` into that directory
 * (written when the server exits on SIGTERM).
 */
export async function startServer(opts: { root: string; distBench: string; workDir: string; adminPassword: string; cpuProfDir?: string }): Promise<ServerChild> {
  const entry = join(opts.distBench, 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run bench:build`);
  const port = await freePort();
  const dbPath = join(opts.workDir, 'server.sqlite');
  const logFile = join(opts.workDir, 'server.log');
  const out = openSync(logFile, 'w');
  const args = opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir, entry] : [entry];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: opts.root,
    env: {
      ...process.env,
      DATABASE_URL: `sqlite:${dbPath}`,
      PORT: String(port),
      BURDEN_LEDGER_ADMIN_PASSWORD: opts.adminPassword,
      BURDEN_LEDGER_DATA_DIR: join(opts.workDir, 'server-data'),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const state: { exited: number | null } = { exited: null };
  child.once('exit', (code) => (state.exited = code ?? -1));
  const exitCode = (): number | null => state.exited;
  const pid = child.pid;
  if (pid === undefined) throw new Error('the server did not start');
  const base = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (exitCode() !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await gone;
    clearTimeout(timer);
  };
  const started = performance.now();
  try {
    for (;;) {
      if (exitCode() !== null) throw new Error(`the server exited with ${exitCode()} (see ${logFile})`);
      if (performance.now() - started > 60_000) throw new Error(`the server did not answer within 60 s (see ${logFile})`);
      try {
        const res = await fetch(`${base}/api/v1/health`);
        await res.text();
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const vmHwmBytes = (): number | null => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return match ? Number(match[1]) * 1024 : null;
    } catch {
      return null;
    }
  };
  return { port, pid, base, logFile, dbPath, exitCode, vmHwmBytes, stop };
}

/** A small JSON client of the API for the setup (not the load). */
export class Api {
  token: string | null = null;
  constructor(readonly base: string) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.raw(method, path, body);
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
    return (text === '' ? null : JSON.parse(text)) as T;
  }

  raw(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let payload: string | FormData | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    return fetch(`${this.base}${path}`, { method, headers, body: payload });
  }

  upload<T>(path: string, file: string): Promise<T> {
    const form = new FormData();
    form.append('file', new Blob([readFileSync(file)], { type: 'text/csv' }), basename(file));
    return this.call<T>('POST', path, form);
  }

  /**
   * Logs in and returns the access token. Login is limited to 10 a minute per address: on 429
   * this waits (Retry-After, else 10 s) and tries again.
   */
  async login(username: string, password: string, onWait: (seconds: number) => void): Promise<string> {
    for (;;) {
      const res = await fetch(`${this.base}/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) });
      const text = await res.text();
      if (res.status === 429) {
        const seconds = Math.max(1, Number(res.headers.get('retry-after') ?? res.headers.get('retry-after-default') ?? 10) || 10);
        onWait(seconds);
        await sleep(seconds * 1000);
        continue;
      }
      if (!res.ok) throw new Error(`POST /auth/login ${username} answered ${res.status}: ${text.slice(0, 300)}`);
      return (JSON.parse(text) as { accessToken: string }).accessToken;
    }
  }
}
