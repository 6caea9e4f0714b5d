import { countWriteWaiter, writeWaiters, yieldToWaitingWriters } from './write-waiters';

describe('write waiters', () => {
  afterEach(() => {
    while (writeWaiters() > 0) countWriteWaiter(-1);
  });

  it('returns at once when no writer waits', async () => {
    const at = performance.now();
    await yieldToWaitingWriters(1000);
    expect(performance.now() - at).toBeLessThan(50);
  });

  it('holds back while a writer waits and goes on as soon as it stops waiting', async () => {
    countWriteWaiter(1);
    expect(writeWaiters()).toBe(1);
    setTimeout(() => countWriteWaiter(-1), 120);
    const at = performance.now();
    await yieldToWaitingWriters(1000);
    const waited = performance.now() - at;
    expect(waited).toBeGreaterThanOrEqual(100);
    expect(waited).toBeLessThan(600);
    expect(writeWaiters()).toBe(0);
  });

  it('holds back no longer than its limit when a writer keeps waiting', async () => {
    countWriteWaiter(1);
    const at = performance.now();
    await yieldToWaitingWriters(150);
    const waited = performance.now() - at;
    expect(waited).toBeGreaterThanOrEqual(140);
    expect(waited).toBeLessThan(800);
  });
});
