import { join } from 'node:path';
import type { DatabaseConfig } from '@/config/app-config';
import { HeapCaps, launchThread } from '@/modules/jobs/worker/worker-launcher';
import type { PolicySnapshot } from '@/modules/policy/policy.service';
import type { FlagWrite } from './flag.repository';
import { UnitFindingBatch, UnitFindingSource, UnitFindingStream, WRITE_BATCH } from './finding-scan';

/** How the scan thread hands its batches over. */
export interface ProducerTuning {
  /**
   * Batches the scan thread may have made and not yet seen taken. Each is about 8,000 findings
   * (a few MB); two ahead keep the evaluating thread supplied without the scan running away from it.
   */
  ahead: number;
  /** Findings per batch (FindingScan's `writeBatch`). */
  writeBatch: number;
  /**
   * Findings per message: a batch goes over in parts, then the batch itself. One message of a
   * whole batch is a serialised buffer of several MB, which the allocator keeps after it is freed
   * (the server's resident set grew by tens of MB at province scale).
   */
  messageWrites: number;
}

export const DEFAULT_TUNING: ProducerTuning = { ahead: 2, writeBatch: WRITE_BATCH, messageWrites: 500 };

/** What the scan thread is started with (structured-cloneable). */
export interface ProducerData extends ProducerTuning {
  database: DatabaseConfig;
  policy: PolicySnapshot;
  from: string;
  to: string;
}

/** Scan thread → evaluating thread. */
export type ProducerMessage =
  | { type: 'writes'; writes: FlagWrite[] }
  | { type: 'batch'; batch: UnitFindingBatch }
  | { type: 'done' }
  | { type: 'error'; message: string; stack?: string };

/** Evaluating thread → scan thread: a batch was taken (the scan may make one more). */
export interface ProducerAck {
  type: 'taken';
}

/**
 * The unit scan (FindingScan.unitBatches) in a worker thread of its own, on its own read-only
 * connection, so that reading and comparing the next units (most of a full evaluation's work)
 * goes on while the evaluating thread judges demands and writes findings: on two cores the two
 * halves overlap instead of following each other. Only the evaluating thread writes.
 *
 * The scan thread makes at most `ahead` batches that have not been taken. A failure there
 * (an error, its heap cap, the thread ending early) fails `next`, and so the evaluation; `close`
 * stops the thread however the evaluation ends.
 */
export function unitFindingsInWorker(database: DatabaseConfig, policy: PolicySnapshot, heap: HeapCaps, tuning: ProducerTuning = DEFAULT_TUNING): UnitFindingSource {
  return (from, to) => new ThreadedUnitFindings({ database, policy, from, to, ...tuning }, heap);
}

class ThreadedUnitFindings implements UnitFindingStream {
  private readonly worker;
  private readonly arrived: UnitFindingBatch[] = [];
  /** The findings of the batch being received (they come in parts, before the batch itself). */
  private parts: FlagWrite[] = [];
  private finished = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  constructor(data: ProducerData, heap: HeapCaps) {
    this.worker = launchThread(join(__dirname, 'finding-producer.worker'), data, heap);
    this.worker.on('message', (message: ProducerMessage) => {
      switch (message.type) {
        case 'writes':
          for (const write of message.writes) this.parts.push(write);
          return;
        case 'batch':
          this.arrived.push({ ...message.batch, writes: this.parts });
          this.parts = [];
          break;
        case 'done':
          this.finished = true;
          break;
        case 'error':
          this.fail(Object.assign(new Error(`The evaluation's unit scan failed: ${message.message}`), { stack: message.stack }));
          return;
      }
      this.notify();
    });
    this.worker.on('error', (error: Error) => this.fail(error));
    this.worker.on('exit', (code) => {
      if (!this.finished) this.fail(new Error(`The evaluation's unit scan stopped before it was done (exit code ${code})`));
    });
  }

  ready(): boolean {
    return this.arrived.length > 0 || this.failure !== null;
  }

  async next(): Promise<UnitFindingBatch | null> {
    for (;;) {
      const batch = this.arrived.shift();
      if (batch) {
        this.worker.postMessage({ type: 'taken' } satisfies ProducerAck);
        return batch;
      }
      if (this.failure) throw this.failure;
      if (this.finished) return null;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async close(): Promise<void> {
    this.finished = true;
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
