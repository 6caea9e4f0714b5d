import { Injectable } from '@nestjs/common';
import { execute, selectRows, toInt, Tx, updatedRows, Where } from '@/database/dialect';
import type { JobStatus } from './job-definition';

export interface JobRow {
  id: number;
  kind: string;
  status: JobStatus;
  progressDone: number;
  progressTotal: number | null;
  message: string | null;
  input: string;
  result: string | null;
  error: string | null;
  attachmentPath: string | null;
  createdBy: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

interface RawJob {
  id: number | string;
  kind: string;
  status: JobStatus;
  progress_done: number | string;
  progress_total: number | string | null;
  message: string | null;
  input: string;
  result: string | null;
  error: string | null;
  attachment_path: string | null;
  created_by: number | string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

const COLUMNS =
  'id, kind, status, progress_done, progress_total, message, input, result, error, attachment_path, created_by, created_at, started_at, finished_at';

const MAX_MESSAGE = 500;
/** Progress counters are stored in INTEGER columns. */
const MAX_COUNT = 2_147_483_647;

function mapJob(r: RawJob): JobRow {
  return {
    id: toInt(r.id),
    kind: r.kind,
    status: r.status,
    progressDone: toInt(r.progress_done),
    progressTotal: r.progress_total === null ? null : toInt(r.progress_total),
    message: r.message,
    input: r.input,
    result: r.result,
    error: r.error,
    attachmentPath: r.attachment_path,
    createdBy: toInt(r.created_by),
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

const clampCount = (n: number): number => Math.min(MAX_COUNT, Math.max(0, Math.floor(Number.isFinite(n) ? n : 0)));
const clampMessage = (m: string | null | undefined): string | null => (m === undefined || m === null ? null : m.slice(0, MAX_MESSAGE));

export interface JobProgress {
  done: number;
  total: number | null;
  message?: string;
}

export interface JobFilter {
  /** Null: every user's jobs (admin). */
  createdBy: number | null;
  kind?: string;
  status?: JobStatus;
}

/**
 * The `jobs` table. Used by the request thread (insert, reads, recovery) and by worker threads
 * (state and progress), so it needs nothing from the Nest container.
 */
@Injectable()
export class JobsRepository {
  async insert(
    tx: Tx,
    job: { kind: string; status: 'queued' | 'running'; input: string; attachmentPath: string | null; createdBy: number; createdAt: string },
  ): Promise<number> {
    const rows = await selectRows<{ id: number | string }>(
      tx,
      `INSERT INTO jobs (kind, status, progress_done, input, attachment_path, created_by, created_at, started_at)
       VALUES (?, ?, 0, ?, ?, ?, ?, ?) RETURNING id`,
      [job.kind, job.status, job.input, job.attachmentPath, job.createdBy, job.createdAt, job.status === 'running' ? job.createdAt : null],
    );
    return toInt(rows[0].id);
  }

  async findById(tx: Tx, id: number): Promise<JobRow | null> {
    if (!Number.isInteger(id) || id < 1 || id > MAX_COUNT) return null;
    const rows = await selectRows<RawJob>(tx, `SELECT ${COLUMNS} FROM jobs WHERE id = ?`, [id]);
    return rows.length ? mapJob(rows[0]) : null;
  }

  async list(tx: Tx, filter: JobFilter, offset: number, limit: number): Promise<{ rows: JobRow[]; total: number }> {
    const where = new Where();
    if (filter.createdBy !== null) where.add('created_by = ?', filter.createdBy);
    if (filter.kind !== undefined) where.add('kind = ?', filter.kind);
    if (filter.status !== undefined) where.add('status = ?', filter.status);
    const [count] = await selectRows<{ n: number | string }>(tx, `SELECT COUNT(*) AS n FROM jobs ${where.clause}`, where.params);
    const rows = await selectRows<RawJob>(tx, `SELECT ${COLUMNS} FROM jobs ${where.clause} ORDER BY id DESC LIMIT ? OFFSET ?`, [...where.params, limit, offset]);
    return { rows: rows.map(mapJob), total: toInt(count.n) };
  }

  /** queued → running; false when the job is no longer queued (failed by a shutdown meanwhile). */
  async markRunning(tx: Tx, id: number, at: string): Promise<boolean> {
    return (await updatedRows(tx, `UPDATE jobs SET status = 'running', started_at = ? WHERE id = ? AND status = 'queued' RETURNING id`, [at, id])) > 0;
  }

  async updateProgress(tx: Tx, id: number, progress: JobProgress): Promise<void> {
    await execute(tx, `UPDATE jobs SET progress_done = ?, progress_total = ?, message = COALESCE(?, message) WHERE id = ? AND status = 'running'`, [
      clampCount(progress.done),
      progress.total === null ? null : clampCount(progress.total),
      clampMessage(progress.message),
      id,
    ]);
  }

  /** running → succeeded with the result and the last progress; false if the job was failed meanwhile. */
  async markSucceeded(tx: Tx, id: number, result: string, progress: JobProgress | null, at: string): Promise<boolean> {
    const changed = await updatedRows(
      tx,
      `UPDATE jobs SET status = 'succeeded', result = ?, finished_at = ?,
         progress_done = COALESCE(?, progress_done), progress_total = COALESCE(?, progress_total), message = COALESCE(?, message)
       WHERE id = ? AND status = 'running' RETURNING id`,
      [
        result,
        at,
        progress ? clampCount(progress.done) : null,
        progress && progress.total !== null ? clampCount(progress.total) : null,
        clampMessage(progress?.message),
        id,
      ],
    );
    return changed > 0;
  }

  /** queued|running → failed; a job that already ended keeps its state. False when nothing changed. */
  async markFailed(tx: Tx, id: number, error: string, progress: JobProgress | null, at: string): Promise<boolean> {
    const changed = await updatedRows(
      tx,
      `UPDATE jobs SET status = 'failed', error = ?, finished_at = ?,
         progress_done = COALESCE(?, progress_done), progress_total = COALESCE(?, progress_total), message = COALESCE(?, message)
       WHERE id = ? AND status IN ('queued', 'running') RETURNING id`,
      [
        error,
        at,
        progress ? clampCount(progress.done) : null,
        progress && progress.total !== null ? clampCount(progress.total) : null,
        clampMessage(progress?.message),
        id,
      ],
    );
    return changed > 0;
  }

  /** Jobs still queued or running (at start: left behind by a process that died). */
  async findUnfinished(tx: Tx): Promise<{ id: number; attachmentPath: string | null }[]> {
    const rows = await selectRows<{ id: number | string; attachment_path: string | null }>(
      tx,
      `SELECT id, attachment_path FROM jobs WHERE status IN ('queued', 'running') ORDER BY id`,
    );
    return rows.map((r) => ({ id: toInt(r.id), attachmentPath: r.attachment_path }));
  }

  /** Forgets the attachment once its file is deleted. */
  async clearAttachment(tx: Tx, id: number): Promise<void> {
    await execute(tx, 'UPDATE jobs SET attachment_path = NULL WHERE id = ?', [id]);
  }
}
