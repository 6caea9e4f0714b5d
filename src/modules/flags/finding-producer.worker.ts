/**
 * Entry of an evaluation's scan thread (finding-producer.ts): runs FindingScan.unitBatches on a
 * read-only connection of its own and posts each batch, never more than `ahead` of what the
 * evaluating thread has taken. It writes nothing.
 */
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { openReadOnlyDatabase, readOnlySnapshots } from '@/modules/jobs/worker/worker-database';
import type { ProducerAck, ProducerData, ProducerMessage } from './finding-producer';
import { FindingScan } from './finding-scan';

function post(message: ProducerMessage): void {
  parentPort?.postMessage(message);
}

async function produce(data: ProducerData): Promise<void> {
  let untaken = 0;
  let wake: (() => void) | null = null;
  parentPort?.on('message', (message: ProducerAck) => {
    if (message.type !== 'taken') return;
    untaken--;
    const resume = wake;
    wake = null;
    resume?.();
  });
  const reader = await openReadOnlyDatabase(data.database);
  try {
    const scan = new FindingScan(readOnlySnapshots(reader), data.policy, data.writeBatch);
    for await (const batch of scan.unitBatches(data.from, data.to)) {
      while (untaken >= data.ahead) await new Promise<void>((resolve) => (wake = resolve));
      untaken++;
      // In parts (ProducerTuning.messageWrites), then the batch itself.
      for (let i = 0; i < batch.writes.length; i += data.messageWrites) post({ type: 'writes', writes: batch.writes.slice(i, i + data.messageWrites) });
      post({ type: 'batch', batch: { ...batch, writes: [] } });
    }
  } finally {
    await reader.destroy();
  }
  post({ type: 'done' });
  parentPort?.removeAllListeners('message');
}

produce(workerData as ProducerData).catch((error: unknown) => {
  post(error instanceof Error ? { type: 'error', message: error.message, stack: error.stack } : { type: 'error', message: String(error) });
  parentPort?.removeAllListeners('message');
});
