/** How often a running job's progress row is written at most. */
export const PROGRESS_INTERVAL_MS = 250;

export interface Progress {
  done: number;
  total: number | null;
  message?: string;
}

/**
 * Turns a stream of progress reports (possibly one per row) into at most one write per interval.
 * A report inside the interval is kept and written when the interval ends (a trailing write), so
 * the stored progress never lags more than one interval behind, even when the handler then works
 * silently for a long time. Writes never overlap; a failed write is reported and skipped (progress
 * is advisory and must not fail the job).
 *
 * No I/O of its own: the clock is injected and the write is a callback, so it is tested without
 * threads or a database.
 */
export class ProgressThrottle {
  private latest: Progress | null = null;
  private written: Progress | null = null;
  private lastWriteAt = -Infinity;
  private inFlight: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    private readonly write: (progress: Progress) => Promise<void>,
    private readonly onError: (error: unknown) => void,
    private readonly intervalMs: number = PROGRESS_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  report(done: number, total: number | null, message?: string): void {
    if (this.closed) return;
    this.latest = message === undefined ? { done, total } : { done, total, message };
    this.schedule();
  }

  /** The last progress reported, for the final write that ends the job. */
  get last(): Progress | null {
    return this.latest;
  }

  /** Stops further writes and waits for the one in flight. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  /**
   * Writes at once when the interval has passed, else arms a trailing timer. The clock is checked
   * on every report because a handler awaiting only in-memory work (better-sqlite3 resolves its
   * queries without I/O) may keep the timer from ever firing until it finishes.
   */
  private schedule(): void {
    if (this.inFlight) return;
    const wait = this.lastWriteAt + this.intervalMs - this.now();
    if (wait <= 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.flushLatest();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flushLatest();
    }, wait);
  }

  private flushLatest(): void {
    if (this.closed || !this.latest || this.latest === this.written) return;
    const progress = this.latest;
    this.lastWriteAt = this.now();
    this.inFlight = this.write(progress)
      .then(
        () => {
          this.written = progress;
        },
        (error: unknown) => this.onError(error),
      )
      .finally(() => {
        this.inFlight = null;
        // Reports that arrived during the write are written when the next interval allows.
        if (!this.closed && this.latest !== this.written && this.latest !== progress) this.schedule();
      });
  }
}
