import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

/**
 * The server's claim on a SQLite file: `<database>.server-lock`, JSON {pid, host, startTicks,
 * startedAt}, written at start and removed at exit. `restore` refuses while a live process holds
 * it. A server killed outright leaves the file behind; the claim is then judged by liveness:
 * the pid must be running on this host, and where /proc tells a process's start time it must be
 * the same process (not a later one that got the pid again). A claim from another host cannot be
 * checked and counts as held.
 */
export interface ServerClaim {
  pid: number;
  host: string;
  /** Start time of the process in clock ticks since boot (/proc/<pid>/stat field 22); null off Linux. */
  startTicks: number | null;
  startedAt: string;
}

export function serverLockPath(databasePath: string): string {
  return `${databasePath}.server-lock`;
}

function startTicksOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readClaim(file: string): ServerClaim | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<ServerClaim>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return null;
    return { pid: parsed.pid, host: parsed.host, startTicks: parsed.startTicks ?? null, startedAt: parsed.startedAt ?? '' };
  } catch {
    return null;
  }
}

/** The live server holding the database, or null when none does (no claim, or a stale one). */
export function serverHolding(databasePath: string): ServerClaim | null {
  const file = serverLockPath(databasePath);
  if (!existsSync(file)) return null;
  const claim = readClaim(file);
  // An unreadable claim is a half-written one: someone is starting. Count it as held.
  if (claim === null) return { pid: 0, host: 'unknown', startTicks: null, startedAt: '' };
  if (claim.host !== hostname()) return claim;
  if (!isRunning(claim.pid)) return null;
  if (claim.startTicks !== null) {
    const ticks = startTicksOf(claim.pid);
    if (ticks !== null && ticks !== claim.startTicks) return null;
  }
  return claim;
}

export class DatabaseHeldError extends Error {
  constructor(
    readonly claim: ServerClaim,
    databasePath: string,
  ) {
    super(`A Burden Ledger server (pid ${claim.pid} on ${claim.host}, since ${claim.startedAt || 'unknown'}) holds ${databasePath}; stop it first.`);
  }
}

/**
 * Claims the database for this server process until it exits. Refuses when another live server
 * holds it: two servers on one SQLite file would each fail the other's jobs at start.
 */
export function holdServerLock(databasePath: string): void {
  const holder = serverHolding(databasePath);
  if (holder && holder.pid !== process.pid) throw new DatabaseHeldError(holder, databasePath);
  const file = serverLockPath(databasePath);
  const claim: ServerClaim = { pid: process.pid, host: hostname(), startTicks: startTicksOf(process.pid), startedAt: new Date().toISOString() };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(claim)}\n`);
  // Removed at a normal exit; a signal's default action skips 'exit', and liveness covers that.
  process.once('exit', () => releaseServerLock(databasePath));
}

/** Removes the claim if it is still this process's. */
export function releaseServerLock(databasePath: string): void {
  const file = serverLockPath(databasePath);
  if (readClaim(file)?.pid === process.pid) {
    try {
      unlinkSync(file);
    } catch {
      // Already gone: nothing to release.
    }
  }
}
