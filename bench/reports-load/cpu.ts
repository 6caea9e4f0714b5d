import { readFileSync } from 'node:fs';

/**
 * Where the CPU went during a load, from /proc (Linux): the server's main thread (the one that
 * runs every request: its CPU time, and the time it was ready to run but waited for a core), the
 * whole server process, this bench process (the load generator), and the machine. What the
 * machine used beyond the server and the bench is other processes': on a shared machine, that
 * says how far a step's latencies are the product's and how far the neighbours'.
 */
export interface CpuSnapshot {
  atMs: number;
  /** /proc/<pid>/task/<pid>/schedstat: on-CPU time and run-queue wait of the main thread (ns). */
  mainThreadCpuNs: number | null;
  mainThreadWaitNs: number | null;
  /** utime + stime of the server process, all threads (clock ticks). */
  serverTicks: number | null;
  /** This process (the load generator), µs. */
  benchUs: number;
  /** /proc/stat: busy and total ticks over all cores. */
  machineBusyTicks: number | null;
  machineTotalTicks: number | null;
}

export interface CpuFigures {
  seconds: number;
  /** The server's main thread: CPU ms, per request, and its share of the wall time (1 = saturated). */
  mainThreadCpuMs: number | null;
  mainThreadCpuMsPerRequest: number | null;
  mainThreadBusyShare: number | null;
  /** How long the main thread was ready to run but had no core (ms over the load). */
  mainThreadRunQueueWaitMs: number | null;
  /** Cores used on average: the server (all threads), the load generator, everything else. */
  coresServer: number | null;
  coresBench: number;
  coresOthers: number | null;
  cores: number | null;
}

/** Linux reports these in USER_HZ, 100 on every mainstream configuration. */
const TICKS_PER_SECOND = 100;

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function cpuSnapshot(serverPid: number): CpuSnapshot {
  const sched = read(`/proc/${serverPid}/task/${serverPid}/schedstat`)?.trim().split(/\s+/).map(Number);
  const stat = read(`/proc/${serverPid}/stat`);
  // Fields after the command name (which may hold spaces, inside parentheses): utime is the 14th field, stime the 15th.
  const fields = stat ? stat.slice(stat.lastIndexOf(')') + 2).split(' ') : null;
  const cpuLine = read('/proc/stat')?.split('\n')[0].trim().split(/\s+/).slice(1).map(Number) ?? null;
  const usage = process.cpuUsage();
  return {
    atMs: performance.now(),
    mainThreadCpuNs: sched ? sched[0] : null,
    mainThreadWaitNs: sched ? sched[1] : null,
    serverTicks: fields ? Number(fields[11]) + Number(fields[12]) : null,
    benchUs: usage.user + usage.system,
    // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
    machineBusyTicks: cpuLine ? cpuLine.slice(0, 8).reduce((s, v) => s + v, 0) - cpuLine[3] - cpuLine[4] : null,
    machineTotalTicks: cpuLine ? cpuLine.slice(0, 8).reduce((s, v) => s + v, 0) : null,
  };
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);

export function cpuFigures(before: CpuSnapshot, after: CpuSnapshot, requests: number): CpuFigures {
  const seconds = (after.atMs - before.atMs) / 1000;
  const mainNs = diff(before.mainThreadCpuNs, after.mainThreadCpuNs);
  const waitNs = diff(before.mainThreadWaitNs, after.mainThreadWaitNs);
  const serverTicks = diff(before.serverTicks, after.serverTicks);
  const busyTicks = diff(before.machineBusyTicks, after.machineBusyTicks);
  const totalTicks = diff(before.machineTotalTicks, after.machineTotalTicks);
  const benchCores = (after.benchUs - before.benchUs) / 1e6 / seconds;
  const serverCores = serverTicks === null ? null : serverTicks / TICKS_PER_SECOND / seconds;
  const busyCores = busyTicks === null ? null : busyTicks / TICKS_PER_SECOND / seconds;
  return {
    seconds: round(seconds, 2),
    mainThreadCpuMs: mainNs === null ? null : round(mainNs / 1e6, 1),
    mainThreadCpuMsPerRequest: mainNs === null || requests === 0 ? null : round(mainNs / 1e6 / requests, 3),
    mainThreadBusyShare: mainNs === null ? null : round(mainNs / 1e9 / seconds, 3),
    mainThreadRunQueueWaitMs: waitNs === null ? null : round(waitNs / 1e6, 1),
    coresServer: serverCores === null ? null : round(serverCores, 2),
    coresBench: round(benchCores, 2),
    coresOthers: busyCores === null || serverCores === null ? null : round(Math.max(0, busyCores - serverCores - benchCores), 2),
    cores: totalTicks === null ? null : round(totalTicks / TICKS_PER_SECOND / seconds, 1),
  };
}
