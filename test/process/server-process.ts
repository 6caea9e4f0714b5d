import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, symlinkSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * The built application as a separate process: what `npm run build` makes, started with
 * `node main.js` the way `npm run start:prod` does, killed like a crash kills it, and the CLI
 * (`node cli.js ...`) beside it. Nothing here imports the application: it is reached over HTTP,
 * through the CLI and through its database file, as an operator would.
 */

export const ROOT = join(__dirname, '..', '..');
export const API = '/api/v1';

/** Runs a command to its end; rejects with its output when it fails. */
function runToEnd(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`node ${args.join(' ')} exited with ${code}:\n${output}`))));
  });
}

/**
 * Compiles the sources into `<dir>/dist` as `npm run build` does (tsc on tsconfig.build.json, then
 * tsc-alias rewriting the `@/` imports), never touching the shared `dist/`. Without type checking:
 * `npm test` type-checks the same sources first. The compiled code finds `data/`, `dashboard/` and
 * `node_modules/` beside its `dist/` as in the repository, so those are linked into `<dir>`.
 */
export async function buildServer(dir: string): Promise<string> {
  const dist = join(dir, 'dist');
  await runToEnd([join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--noCheck', '--outDir', dist], ROOT);
  await runToEnd([join(ROOT, 'node_modules', 'tsc-alias', 'dist', 'bin', 'index.js'), '-p', 'tsconfig.build.json', '--outDir', dist], ROOT);
  for (const name of ['data', 'dashboard', 'node_modules', 'package.json']) symlinkSync(join(ROOT, name), join(dir, name));
  return dist;
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** No answer came back: the connection was refused, reset or closed before a whole response arrived. */
export class NoAnswer extends Error {
  constructor(readonly code: string) {
    super(`no answer (${code})`);
  }
}

/**
 * One HTTP request on its own connection (no keep-alive: after a kill nothing is left pooled).
 * Resolves only with a complete response; anything else rejects with NoAnswer. `dropResponse`
 * closes the connection as soon as the answer starts to arrive, unread.
 */
export function httpJson(
  port: number,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string>; timeoutMs?: number; dropResponse?: boolean } = {},
): Promise<HttpAnswer> {
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (payload) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(payload.length);
  }
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path: `${API}${path}`, headers, agent: false, timeout: options.timeoutMs ?? 120_000 }, (res) => {
      if (options.dropResponse) {
        // The answer is lost on its way (a proxy timing out, a network cut): the server did the work.
        req.destroy();
        return reject(new NoAnswer('dropped'));
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error: NodeJS.ErrnoException) => reject(new NoAnswer(error.code ?? error.message)));
      res.on('aborted', () => reject(new NoAnswer('aborted')));
      res.on('end', () => {
        if (!res.complete) return reject(new NoAnswer('incomplete'));
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text === '' ? null : JSON.parse(text);
        } catch {
          // Not JSON: kept as text for the failure message.
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => reject(new NoAnswer(error.code ?? error.message)));
    req.end(payload);
  });
}

/** The environment of one ledger installation: its SQLite file (unless it runs on PostgreSQL), data folder, port and secrets. */
export interface Installation {
  dist: string;
  dir: string;
  databasePath: string;
  port: number;
  env: Record<string, string>;
}

/** `databaseUrl`: another database than the installation's own SQLite file (a PostgreSQL schema). */
export async function newInstallation(dist: string, dir: string, adminPassword: string, databaseUrl?: string): Promise<Installation> {
  mkdirSync(join(dir, 'data'), { recursive: true });
  const databasePath = join(dir, 'ledger.sqlite');
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    DATABASE_URL: databaseUrl ?? `sqlite:${databasePath}`,
    PORT: String(port),
    JWT_SECRET: randomBytes(32).toString('hex'),
    BURDEN_LEDGER_DEMO: '0',
    BURDEN_LEDGER_ADMIN_PASSWORD: adminPassword,
    BURDEN_LEDGER_DATA_DIR: join(dir, 'data'),
    LOG_LEVEL: 'warn',
  };
  return { dist, dir, databasePath, port, env };
}

/** A running `node dist/main.js`, its output going to a log file (shown when a test fails). */
export class ServerProcess {
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    private readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the server and waits until GET /health answers 200. */
  static async start(inst: Installation, label: string): Promise<ServerProcess> {
    const logFile = join(inst.dir, `server-${label}.log`);
    const log = openSync(logFile, 'a');
    const child = spawn(process.execPath, [join(inst.dist, 'main.js')], { cwd: inst.dir, env: inst.env, stdio: ['ignore', log, log] });
    closeSync(log);
    const server = new ServerProcess(child, logFile);
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (!server.running) throw new Error(`The server exited while starting:\n${server.log()}`);
      try {
        const health = await httpJson(inst.port, 'GET', '/health', { timeoutMs: 5_000 });
        if (health.status === 200) return server;
      } catch (error) {
        if (!(error instanceof NoAnswer)) throw error;
      }
      if (Date.now() > deadline) {
        await server.stop('SIGKILL');
        throw new Error(`The server did not answer /health within 120 s:\n${server.log()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Sends `signal` (SIGKILL: a crash; SIGTERM: a normal stop) and waits for the process to end. */
  async stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8').slice(-8000);
    } catch {
      return '(no log)';
    }
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node dist/cli.js <args>` against the installation's database, run to its end. */
export function runCli(inst: Installation, args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(inst.dist, 'cli.js'), ...args], { cwd: inst.dir, env: inst.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A small seeded generator (mulberry32): the same seed gives the same run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
