import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Actor } from '@/common/auth/actor';
import type { DatabaseConfig } from '@/config/app-config';

/** What the worker thread needs to run one job; everything is structured-cloneable. */
export interface WorkerJobData {
  jobId: number;
  kind: string;
  /** The file exporting the job's definition (its `module`). */
  module: string;
  /** The stored input JSON; the worker parses it again with the definition's parseInput. */
  input: string;
  actor: Actor;
  /** The app's own database settings: the same file, or the same PostgreSQL schema. */
  database: DatabaseConfig;
  /** Threads the job may start beside its worker (AppConfig.jobHelperThreads). */
  helperThreads: number;
  attachmentPath: string | null;
  /** Modules exporting `registerJobListeners` (see JobListenerModule), loaded before the job runs. */
  listenerModules: string[];
  /** The job kind's heap cap (JobDefinition.workerHeapMb); absent: DEFAULT_WORKER_HEAP_MB. */
  heapMb?: number;
  /** The server's count of writers waiting for SQLite's write lock (see write-waiters.ts). */
  writeWaiters?: SharedArrayBuffer;
}

/** Messages a worker posts to the thread that started it. */
export type WorkerMessage = { type: 'log'; level: 'error' | 'warn'; message: string; stack?: string };

/**
 * Heap cap of one job's worker, unless its kind sets its own. Jobs stream their tables in batches
 * (DESIGN §6: the server stays under 400 MB); a job that tries to hold a table in memory fails
 * instead of taking the server down.
 */
export const DEFAULT_WORKER_HEAP_MB = 256;

/**
 * The built code runs `job-worker.js` directly (tsc-alias has already rewritten the `@/` imports).
 * From the TypeScript sources (ts-jest, ts-node) there is no `.js` to run, and jest's module
 * system does not reach into worker threads, so the worker starts with this small bootstrap: it
 * resolves `@/…` against `src/`, compiles each `.ts` file it requires with TypeScript's
 * `transpileModule` (the project's tsconfig options, no type check: tsc and ts-jest check the
 * code), then requires the worker entry. TypeScript is a dev dependency: only this path needs it.
 */
const TS_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const { srcRoot, projectRoot, entry } = workerData.bootstrap;
const projectRequire = Module.createRequire(path.join(projectRoot, 'package.json'));
const ts = projectRequire('typescript');
const configFile = path.join(projectRoot, 'tsconfig.json');
const parsed = ts.readConfigFile(configFile, ts.sys.readFile);
if (parsed.error) throw new Error(ts.flattenDiagnosticMessageText(parsed.error.messageText, '\\n'));
const options = ts.convertCompilerOptionsFromJson(parsed.config.compilerOptions || {}, projectRoot).options;
Object.assign(options, { module: ts.ModuleKind.CommonJS, sourceMap: false, inlineSourceMap: false, declaration: false, noEmit: false });
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request.startsWith('@/')) request = path.join(srcRoot, request.slice(2));
  return resolveFilename.call(this, request, ...rest);
};
Module._extensions['.ts'] = function (module, filename) {
  const output = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions: options, fileName: filename });
  module._compile(output.outputText, filename);
};
require(entry);
`;

/** Starts one worker thread running one job. */
export function launchJobWorker(data: WorkerJobData): Worker {
  return launchThread(join(__dirname, 'job-worker'), data, { oldMb: data.heapMb ?? DEFAULT_WORKER_HEAP_MB });
}

/** A thread's heap caps: the old generation and, if set, the young one (V8's default is up to 48 MB per thread). */
export interface HeapCaps {
  oldMb: number;
  youngMb?: number;
}

/**
 * Starts a worker thread on `entry` (a module path without its extension: `.js` in the built code,
 * `.ts` through the bootstrap above), with `data` as its workerData and heap caps.
 */
export function launchThread(entry: string, data: object, heap: HeapCaps): Worker {
  const fromSources = extname(__filename) === '.ts';
  const file = `${entry}${fromSources ? '.ts' : '.js'}`;
  const resourceLimits = { maxOldGenerationSizeMb: heap.oldMb, ...(heap.youngMb === undefined ? {} : { maxYoungGenerationSizeMb: heap.youngMb }) };
  if (!fromSources) return new Worker(file, { workerData: data, resourceLimits });
  // src/modules/jobs/worker → src → the project root (where tsconfig.json and node_modules are).
  const srcRoot = join(__dirname, '..', '..', '..');
  const bootstrap = { srcRoot, projectRoot: join(srcRoot, '..'), entry: file };
  return new Worker(TS_BOOTSTRAP, { eval: true, workerData: { ...data, bootstrap }, resourceLimits });
}
