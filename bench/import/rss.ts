import { Worker } from 'node:worker_threads';

/**
 * Samples the resident set size of this process every `intervalMs` from a worker thread, so a
 * main thread busy with synchronous database work (better-sqlite3) does not skip samples.
 * `process.memoryUsage.rss()` is process-wide: it counts every thread.
 */
const SAMPLER = `
const { workerData } = require('node:worker_threads');
const slots = new BigInt64Array(workerData.buffer);
const tick = () => {
  const rss = BigInt(process.memoryUsage.rss());
  if (rss > Atomics.load(slots, 0)) Atomics.store(slots, 0, rss);
  Atomics.add(slots, 1, 1n);
};
tick();
setInterval(tick, workerData.intervalMs);
`;

export class RssSampler {
  private readonly slots: BigInt64Array;
  private readonly worker: Worker;

  constructor(readonly intervalMs = 100) {
    const buffer = new SharedArrayBuffer(16);
    this.slots = new BigInt64Array(buffer);
    this.worker = new Worker(SAMPLER, { eval: true, workerData: { buffer, intervalMs } });
    this.worker.unref();
  }

  /** Starts a new window: the peak restarts from the current RSS. */
  reset(): void {
    Atomics.store(this.slots, 0, BigInt(process.memoryUsage.rss()));
    Atomics.store(this.slots, 1, 0n);
  }

  /** Highest RSS seen since the last reset (bytes) and the number of samples taken. */
  peak(): { bytes: number; samples: number } {
    const now = BigInt(process.memoryUsage.rss());
    if (now > Atomics.load(this.slots, 0)) Atomics.store(this.slots, 0, now);
    return { bytes: Number(Atomics.load(this.slots, 0)), samples: Number(Atomics.load(this.slots, 1)) };
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
