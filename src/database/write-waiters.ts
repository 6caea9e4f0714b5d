/**
 * SQLite: how many writers are waiting for the write lock, in memory shared between the server's
 * thread and the jobs' worker threads (a SharedArrayBuffer handed to each worker). A worker's
 * transactions follow one another closely (a rebuild takes a month per transaction, back to back),
 * so a request waiting for the lock would only get it by landing in the short gap between two of
 * them; a worker that sees a waiter after its commit lets it go first (yieldToWaitingWriters).
 */
let waiters = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));

/** The shared counter, to hand to a worker thread. */
export function writeWaitersBuffer(): SharedArrayBuffer {
  return waiters.buffer;
}

/** In a worker thread: count with the server's thread (the buffer it handed over). */
export function adoptWriteWaiters(buffer: SharedArrayBuffer): void {
  waiters = new Int32Array(buffer);
}

/** A writer starts (1) or stops (−1) waiting for the lock. */
export function countWriteWaiter(delta: 1 | -1): void {
  Atomics.add(waiters, 0, delta);
}

export function writeWaiters(): number {
  return Atomics.load(waiters, 0);
}

/** How long a worker holds back at most for the writers waiting after its commit. */
export const YIELD_MAX_MS = 250;

/**
 * After a commit: while writers wait for the lock (up to YIELD_MAX_MS), hold back so they take it.
 * Returns at once when nobody waits, which is nearly always.
 */
export async function yieldToWaitingWriters(maxMs = YIELD_MAX_MS): Promise<void> {
  if (writeWaiters() <= 0) return;
  const until = performance.now() + maxMs;
  while (writeWaiters() > 0 && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 1));
}
