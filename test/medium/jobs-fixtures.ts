/**
 * Job kinds for tests only (never registered by the app): each exercises one path of the job
 * machinery that the shipped handlers do not reach. Loaded by the worker thread from this file,
 * so it imports nothing from jest.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { DomainError, ErrorCode } from '@/common/errors/domain-error';
import { defineJob } from '@/modules/jobs/job-definition';

const record = (raw: unknown): Record<string, unknown> => (typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {});
const count = (value: unknown, fallback: number): number => (typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback);

/** Writes audit entries from the worker in short transactions: the worker as a writer of the shared database. */
export const auditWriterJob = defineJob<{ batches: number; perBatch: number }, { entries: number; isMainThread: boolean }>({
  kind: 'test-audit-writer',
  module: __filename,
  parseInput: (raw) => ({ batches: count(record(raw).batches, 10), perBatch: count(record(raw).perBatch, 10) }),
  async run(input, ctx) {
    let entries = 0;
    for (let b = 0; b < input.batches; b++) {
      await ctx.tx.run(async (tx) => {
        for (let i = 0; i < input.perBatch; i++) {
          await ctx.audit.append(tx, { actor: ctx.actor, action: 'test.worker-write', entityType: 'test', entityId: `${b}-${i}`, unitPath: ctx.actor.unitPath });
          entries += 1;
        }
      });
      ctx.progress(entries, input.batches * input.perBatch);
    }
    return { entries, isMainThread };
  },
});

/** Reports what it found at its attachment path. */
export const attachmentJob = defineJob<Record<string, never>, { existed: boolean; bytes: number; sha256: string; path: string | null }>({
  kind: 'test-attachment',
  module: __filename,
  parseInput: () => ({}),
  run(_input, ctx) {
    const path = ctx.attachmentPath;
    if (path === null || !existsSync(path)) return Promise.resolve({ existed: false, bytes: 0, sha256: '', path });
    const content = readFileSync(path);
    return Promise.resolve({ existed: true, bytes: content.length, sha256: createHash('sha256').update(content).digest('hex'), path });
  },
});

/** Fails the way a bug does (a plain Error whose message must not reach the poller) or the way bad data does. */
export const failingJob = defineJob<{ how: 'bug' | 'domain' | 'exit' }, never>({
  kind: 'test-failing',
  module: __filename,
  parseInput: (raw) => {
    const how = record(raw).how;
    return { how: how === 'domain' || how === 'exit' ? how : 'bug' };
  },
  run(input, ctx) {
    ctx.progress(1, 3, 'about to fail');
    if (input.how === 'domain') {
      return Promise.reject(new DomainError(ErrorCode.Unprocessable, 'row 2: topic is unknown', [{ row: 2, column: 'topic', message: 'is unknown' }]));
    }
    // process.exit in a worker thread ends that thread only, as a crash would.
    if (input.how === 'exit') process.exit(3);
    return Promise.reject(new Error('SELECT secret FROM internals failed'));
  },
});

/**
 * Holds SQLite's write lock in back-to-back transactions of `holdMs` each (a busy wait inside the
 * transaction, as a month's rebuild computing in SQL would), like a rebuild of many months.
 */
export const lockHolderJob = defineJob<{ transactions: number; holdMs: number }, { transactions: number }>({
  kind: 'test-lock-holder',
  module: __filename,
  parseInput: (raw) => ({ transactions: count(record(raw).transactions, 10), holdMs: count(record(raw).holdMs, 200) }),
  async run(input, ctx) {
    for (let i = 0; i < input.transactions; i++) {
      await ctx.tx.run(async (tx) => {
        await tx.query('UPDATE jobs SET id = id WHERE 0 = 1');
        const until = Date.now() + input.holdMs;
        let spins = 0;
        while (Date.now() < until) spins += 1;
        return spins;
      });
      ctx.progress(i + 1, input.transactions);
    }
    return { transactions: input.transactions };
  },
});

/**
 * Writes `kilobytes` of WAL pages in each of `transactions` transactions (its own row's message,
 * rewritten), `pauseMs` apart, then a short message.
 */
export const walWriterJob = defineJob<{ transactions: number; kilobytes: number; pauseMs: number }, { transactions: number }>({
  kind: 'test-wal-writer',
  module: __filename,
  parseInput: (raw) => ({ transactions: count(record(raw).transactions, 10), kilobytes: count(record(raw).kilobytes, 256), pauseMs: count(record(raw).pauseMs, 0) }),
  async run(input, ctx) {
    for (let i = 0; i < input.transactions; i++) {
      const filler = String(i % 10).repeat(input.kilobytes * 1024);
      await ctx.tx.run((tx) => tx.query('UPDATE jobs SET message = ? WHERE id = ?', [filler, ctx.jobId]));
      ctx.progress(i + 1, input.transactions, 'writing');
      await new Promise((resolve) => setTimeout(resolve, input.pauseMs));
    }
    await ctx.tx.run((tx) => tx.query('UPDATE jobs SET message = ? WHERE id = ?', ['written', ctx.jobId]));
    return { transactions: input.transactions };
  },
});
