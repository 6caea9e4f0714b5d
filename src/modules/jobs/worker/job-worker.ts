/**
 * Entry of a job's worker thread (see worker-launcher.ts for how it is started from dist/ and
 * from the TypeScript sources). It opens its own database connections, loads the job's
 * definition from the module the registry named, runs it, and writes the job's state itself:
 * the request thread only reads the row, so it never waits for the job.
 */
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { DomainEvents } from '@/common/events/domain-events';
import { nowIso } from '@/common/time';
import { adoptWriteWaiters } from '@/database/write-waiters';
import { AuditRepository } from '@/modules/audit/audit.repository';
import { AuditService } from '@/modules/audit/audit.service';
import { AnyJobDefinition, isJobDefinition, JobListenerModule } from '../job-definition';
import { executeJob } from '../job-execution';
import { JobsRepository } from '../jobs.repository';
import { checkpointBeforeExit, openWorkerDatabase, WorkerTransactionRunner } from './worker-database';
import type { WorkerJobData, WorkerMessage } from './worker-launcher';

function post(message: WorkerMessage): void {
  parentPort?.postMessage(message);
}

function describe(error: unknown): { message: string; stack?: string } {
  return error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) };
}

/** The definition of `kind` among the exports of its module. */
function loadDefinition(modulePath: string, kind: string): AnyJobDefinition {
  // The registry names the module at run time; a static import cannot (and the worker must not load every job).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exported = require(modulePath) as Record<string, unknown>;
  const definition = Object.values(exported).find((value) => isJobDefinition(value) && value.kind === kind);
  if (!definition || !isJobDefinition(definition)) throw new Error(`${modulePath} exports no job definition of kind ${kind}`);
  return definition;
}

/** This thread's domain events, with the listeners of every registered listener module. */
function loadListeners(modulePaths: readonly string[]): DomainEvents {
  const events = new DomainEvents();
  for (const modulePath of modulePaths) {
    // Named at run time by the registry, like the job's own module.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = require(modulePath) as Partial<JobListenerModule>;
    if (typeof exported.registerJobListeners !== 'function') throw new Error(`${modulePath} exports no registerJobListeners`);
    exported.registerJobListeners(events);
  }
  return events;
}

async function runJob(data: WorkerJobData): Promise<void> {
  if (data.writeWaiters) adoptWriteWaiters(data.writeWaiters);
  const { main, reader } = await openWorkerDatabase(data.database);
  try {
    const tx = new WorkerTransactionRunner(main, reader, data.database.type === 'sqlite');
    const jobs = new JobsRepository();
    // queued → running; a job failed meanwhile (the server is stopping) is left alone.
    if (!(await tx.run((t) => jobs.markRunning(t, data.jobId, nowIso())))) return;
    await executeJob({
      jobId: data.jobId,
      actor: data.actor,
      tx,
      audit: new AuditService(new AuditRepository(), tx),
      events: loadListeners(data.listenerModules),
      jobs,
      attachmentPath: data.attachmentPath,
      inWorker: true,
      database: data.database,
      helperThreads: data.helperThreads,
      prepare: () => {
        const definition = loadDefinition(data.module, data.kind);
        return { definition, input: definition.parseInput(JSON.parse(data.input) as unknown, data.actor) };
      },
      onInternalError: (error) => post({ type: 'log', level: 'error', ...describe(error) }),
      onProgressError: (error) => post({ type: 'log', level: 'warn', ...describe(error) }),
    });
  } finally {
    await checkpointBeforeExit(main).catch((error: unknown) => post({ type: 'log', level: 'warn', ...describe(error) }));
    if (reader !== main) await reader.destroy();
    await main.destroy();
  }
}

runJob(workerData as WorkerJobData).catch((error: unknown) => {
  // The job's row could not be written (the database is gone): the starting thread marks it failed.
  post({ type: 'log', level: 'error', ...describe(error) });
  process.exitCode = 1;
});
