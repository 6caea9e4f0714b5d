import { Progress, ProgressThrottle } from './progress-throttle';

describe('ProgressThrottle', () => {
  let now: number;
  let writes: Progress[];
  let pending: (() => void)[];
  let errors: unknown[];

  /** A write that completes only when the test says so (`settle`). */
  const slowWrite = (p: Progress) =>
    new Promise<void>((resolve) => {
      writes.push(p);
      pending.push(resolve);
    });
  const settle = async () => {
    pending.splice(0).forEach((resolve) => resolve());
    // Let the throttle's then/finally handlers run.
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };

  beforeEach(() => {
    jest.useFakeTimers();
    now = 1_000_000;
    writes = [];
    pending = [];
    errors = [];
  });
  afterEach(() => jest.useRealTimers());

  const throttle = (write = slowWrite) => new ProgressThrottle(write, (e) => errors.push(e), 250, () => now);

  it('writes the first report at once, then at most one per interval, checking the clock on each report', async () => {
    const t = throttle();
    t.report(0, 100, 'start');
    expect(writes).toEqual([{ done: 0, total: 100, message: 'start' }]);
    await settle();
    for (let done = 1; done <= 10; done++) {
      now += 20;
      t.report(done, 100);
    }
    // 200 ms after the first write: nothing new yet.
    expect(writes).toHaveLength(1);
    now += 60;
    t.report(11, 100);
    // The report that crosses the interval writes itself, with no timer needed.
    expect(writes).toEqual([{ done: 0, total: 100, message: 'start' }, { done: 11, total: 100 }]);
  });

  it('writes the last report of a quiet spell when the interval ends (trailing write)', async () => {
    const t = throttle();
    t.report(0, null);
    await settle();
    now += 100;
    t.report(5, null);
    expect(writes).toHaveLength(1);
    now += 150;
    jest.advanceTimersByTime(150);
    expect(writes).toEqual([
      { done: 0, total: null },
      { done: 5, total: null },
    ]);
  });

  it('never overlaps writes: reports made during a slow write are written after it, once the interval allows', async () => {
    const t = throttle();
    t.report(1, 10);
    now += 500;
    t.report(2, 10);
    t.report(3, 10);
    expect(writes).toEqual([{ done: 1, total: 10 }]);
    await settle();
    // The interval since the first write has passed: the newest report goes out right away.
    expect(writes).toEqual([
      { done: 1, total: 10 },
      { done: 3, total: 10 },
    ]);
  });

  it('does not write the same report twice', async () => {
    const t = throttle();
    t.report(1, 1);
    await settle();
    now += 1000;
    jest.advanceTimersByTime(1000);
    expect(writes).toHaveLength(1);
  });

  it('reports a failed write and carries on', async () => {
    let fail = true;
    const t = throttle((p) => {
      writes.push(p);
      return fail ? Promise.reject(new Error('SQLITE_BUSY')) : Promise.resolve();
    });
    t.report(1, 3);
    await settle();
    expect(errors).toHaveLength(1);
    fail = false;
    now += 300;
    t.report(2, 3);
    await settle();
    expect(writes.map((w) => w.done)).toEqual([1, 2]);
    expect(errors).toHaveLength(1);
  });

  it('close waits for the write in flight, then ignores reports; `last` keeps the final progress', async () => {
    const t = throttle();
    t.report(1, 4);
    let closed = false;
    const closing = t.close().then(() => (closed = true));
    await Promise.resolve();
    expect(closed).toBe(false);
    await settle();
    await closing;
    expect(closed).toBe(true);
    now += 1000;
    t.report(4, 4);
    jest.advanceTimersByTime(1000);
    expect(writes).toHaveLength(1);
    expect(t.last).toEqual({ done: 1, total: 4 });
  });
});
