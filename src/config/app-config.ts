import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export type DatabaseConfig =
  | { type: 'sqlite'; path: string }
  | { type: 'postgres'; url: string; schema: string };

export interface AppConfig {
  port: number;
  dataDir: string;
  database: DatabaseConfig;
  jwtSecret: string;
  /** Access token lifetime in seconds. */
  jwtExpiresInSeconds: number;
  logLevel: LogLevel;
  /** Creates the first admin on a database without users. */
  adminPassword?: string;
  /** Lifetime of a stored Idempotency-Key answer, in hours. */
  idempotencyTtlHours: number;
  /**
   * BURDEN_LEDGER_DEMO: whether `npm start` (`main.js --demo`) loads the demo county into an empty
   * database. loadConfig always sets it (default true); configs built by hand may leave it out (= off).
   */
  demo?: boolean;
  /** BURDEN_LEDGER_DEMO_PASSWORD: the demo users' password (otherwise one is generated and printed once). */
  demoPassword?: string;
  /**
   * BURDEN_LEDGER_JOB_HELPER_THREADS (0 or 1, default 0): threads a job's worker may start beside
   * itself. With 1, a full evaluation reads and compares units on the second core while its
   * worker writes: about 30 % faster at province scale on two cores, at the cost of about 50-80 MiB
   * more resident memory and slower request answers while it runs (bench/README, issue 5).
   * Absent in configs built by hand: 0.
   */
  jobHelperThreads?: number;
}

/** Raised at boot for a bad environment value; the message names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
  }
}

type Env = Record<string, string | undefined>;

/** A variable's value, with an unset or blank variable (as `VAR=` in a compose file leaves it) read as absent. */
function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw;
}

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be an integer, got "${raw}"`);
  const parsed = Number(raw.trim());
  if (parsed < min || parsed > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${parsed}`);
  return parsed;
}

const TRUE_WORDS = ['1', 'true', 'on', 'yes'];
const FALSE_WORDS = ['0', 'false', 'off', 'no'];

function boolVar(env: Env, name: string, fallback: boolean): boolean {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  throw new ConfigError(name, `must be 1 or 0 (true/false, on/off), got "${raw}"`);
}

export function parseDatabaseUrl(raw: string, cwd: string): DatabaseConfig {
  if (raw.startsWith('sqlite:')) {
    const file = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file === '') throw new ConfigError('DATABASE_URL', 'names no SQLite file (use sqlite:path/to/file.sqlite)');
    return { type: 'sqlite', path: isAbsolute(file) ? file : resolve(cwd, file) };
  }
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid postgres:// URL');
    }
    const schema = url.searchParams.get('schema') ?? 'public';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      throw new ConfigError('DATABASE_URL', `has an invalid schema parameter "${schema}"`);
    }
    url.searchParams.delete('schema');
    return { type: 'postgres', url: url.toString(), schema };
  }
  throw new ConfigError('DATABASE_URL', `must start with sqlite: or postgres://, got "${raw}"`);
}

const MIN_SECRET_LENGTH = 32;

function validJwtSecret(env: Env): string | undefined {
  const raw = value(env, 'JWT_SECRET');
  if (raw !== undefined && raw.length < MIN_SECRET_LENGTH) {
    throw new ConfigError('JWT_SECRET', `must be at least ${MIN_SECRET_LENGTH} characters long`);
  }
  return raw;
}

function readStoredSecret(file: string): string | null {
  if (!existsSync(file)) return null;
  const stored = readFileSync(file, 'utf8').trim();
  return stored.length >= MIN_SECRET_LENGTH ? stored : null;
}

/**
 * The secret kept in the data folder (generated on first use), so restarts keep sessions valid.
 * Created exclusively, so two processes starting together (server and CLI) end with one secret.
 */
function storedJwtSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  const stored = readStoredSecret(file);
  if (stored) return stored;
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  try {
    writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
  }
  // The file exists: another process won the race, or it holds an unusably short secret.
  const raced = readStoredSecret(file);
  if (raced) return raced;
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

/** Validates the environment once; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): AppConfig {
  const dataDir = resolve(cwd, value(env, 'BURDEN_LEDGER_DATA_DIR') ?? 'data');
  const logLevel = (value(env, 'LOG_LEVEL') ?? 'info').trim() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const adminPassword = value(env, 'BURDEN_LEDGER_ADMIN_PASSWORD');
  if (adminPassword !== undefined && adminPassword.length < 8) {
    throw new ConfigError('BURDEN_LEDGER_ADMIN_PASSWORD', 'must be at least 8 characters long');
  }
  const demoPassword = value(env, 'BURDEN_LEDGER_DEMO_PASSWORD');
  if (demoPassword !== undefined && demoPassword.length < 8) {
    throw new ConfigError('BURDEN_LEDGER_DEMO_PASSWORD', 'must be at least 8 characters long');
  }
  const config: Omit<AppConfig, 'jwtSecret'> = {
    port: intVar(env, 'PORT', 3000, 1, 65535),
    dataDir,
    database: parseDatabaseUrl(value(env, 'DATABASE_URL') ?? 'sqlite:data/burden-ledger.sqlite', cwd),
    jwtExpiresInSeconds: intVar(env, 'JWT_EXPIRES_IN_SECONDS', 8 * 3600, 60, 30 * 24 * 3600),
    logLevel,
    adminPassword,
    idempotencyTtlHours: intVar(env, 'IDEMPOTENCY_TTL_HOURS', 24, 1, 24 * 30),
    demo: boolVar(env, 'BURDEN_LEDGER_DEMO', true),
    demoPassword,
    jobHelperThreads: intVar(env, 'BURDEN_LEDGER_JOB_HELPER_THREADS', 0, 0, 1),
  };
  // Only once everything else is valid: a failed start must not leave a new secret behind.
  const jwtSecret = validJwtSecret(env) ?? storedJwtSecret(dataDir);
  return { ...config, jwtSecret };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
