/**
 * Progress of a long command-line job (seed, import, evaluate, recompute, backup): on a terminal
 * one bar redrawn in place, otherwise plain lines a log can keep. No dependency: a bar is a string.
 */

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/** `[########------------]  40% 1,234/3,085`; an unknown total gives a count only. */
export function renderBar(done: number, total: number | null, width = 24): string {
  if (total === null || total <= 0) return `${done.toLocaleString('en-US')}`;
  const ratio = Math.min(1, Math.max(0, done / total));
  const filled = Math.round(ratio * width);
  const pct = String(Math.floor(ratio * 100)).padStart(3);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${pct}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`;
}

export interface ProgressReporter {
  /** Where a step of the job stands; throttled (a redraw at most every 100 ms, a plain line at most every 2 s or 10 %). */
  update(done: number, total: number | null, message?: string): void;
  /** A line of its own (a step starting, a warning), above the bar on a terminal. */
  line(text: string): void;
  /** Ends the bar (a newline on a terminal). */
  finish(): void;
}

export function progressReporter(label: string, stream: ProgressStream = process.stderr, now: () => number = Date.now): ProgressReporter {
  const tty = stream.isTTY === true;
  let drawn = false;
  let lastAt = -Infinity;
  let lastTenth = -1;
  let lastMessage: string | undefined;
  const clear = () => {
    if (tty && drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  return {
    update(done, total, message) {
      const t = now();
      const complete = total !== null && done >= total;
      if (tty) {
        if (!complete && t - lastAt < 100) return;
        lastAt = t;
        const text = `${label} ${renderBar(done, total)} ${message ?? ''}`.trimEnd();
        const max = (stream.columns ?? 100) - 1;
        stream.write(`\r\x1b[2K${text.length > max ? text.slice(0, max) : text}`);
        drawn = true;
        return;
      }
      const tenth = total === null || total <= 0 ? -1 : Math.floor((done / total) * 10);
      const newStep = message !== lastMessage;
      if (!complete && !newStep && tenth === lastTenth && t - lastAt < 2000) return;
      lastAt = t;
      lastTenth = tenth;
      lastMessage = message;
      const pct = total === null || total <= 0 ? '' : ` (${Math.floor((Math.min(done, total) / total) * 100)}%)`;
      stream.write(`${label}: ${done}/${total ?? '?'}${pct}${message ? ` ${message}` : ''}\n`);
    },
    line(text) {
      clear();
      stream.write(`${text}\n`);
    },
    finish() {
      if (tty && drawn) stream.write('\n');
      drawn = false;
    },
  };
}
