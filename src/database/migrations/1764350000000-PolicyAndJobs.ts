import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
const timestamp = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '30', isNullable: nullable });

/**
 * Schema for policy versions and background jobs (issue 3).
 *
 * A policy version is immutable once stored: PUT /policy appends the next version. Its document
 * is canonical JSON text (the same bytes on both databases), its effective date a YYYY-MM-DD string.
 *
 * A job row is written by the thread that runs the job: the request thread inserts it (queued),
 * the worker thread moves it to running, records throttled progress and the final state.
 */
export class PolicyAndJobs1764350000000 implements MigrationInterface {
  name = 'PolicyAndJobs1764350000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'policy_versions',
        columns: [
          id,
          { name: 'version', type: 'integer', isUnique: true },
          { name: 'document', type: 'text' },
          { name: 'effective_from', type: 'varchar', length: '10' },
          timestamp('created_at'),
          // Null for the version shipped in data/policy.json (seeded at the first start).
          { name: 'created_by', type: 'integer', isNullable: true },
        ],
        checks: [{ name: 'ck_policy_versions_version', expression: 'version >= 1' }],
        foreignKeys: [{ columnNames: ['created_by'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'jobs',
        columns: [
          id,
          { name: 'kind', type: 'varchar', length: '60' },
          { name: 'status', type: 'varchar', length: '10' },
          { name: 'progress_done', type: 'integer', default: 0 },
          // Null until the job knows how much work there is.
          { name: 'progress_total', type: 'integer', isNullable: true },
          { name: 'message', type: 'varchar', length: '500', isNullable: true },
          { name: 'input', type: 'text' },
          { name: 'result', type: 'text', isNullable: true },
          // JSON {message, code?, details?}: an import reports every wrong row here.
          { name: 'error', type: 'text', isNullable: true },
          // A file handed to the job (an upload), kept in the data folder until the job ends.
          { name: 'attachment_path', type: 'varchar', length: '500', isNullable: true },
          { name: 'created_by', type: 'integer' },
          timestamp('created_at'),
          timestamp('started_at', true),
          timestamp('finished_at', true),
        ],
        checks: [
          { name: 'ck_jobs_status', expression: `status IN ('queued', 'running', 'succeeded', 'failed')` },
          { name: 'ck_jobs_progress', expression: 'progress_done >= 0 AND (progress_total IS NULL OR progress_total >= 0)' },
        ],
        foreignKeys: [{ columnNames: ['created_by'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }],
        indices: [
          { name: 'ix_jobs_created_by', columnNames: ['created_by', 'id'] },
          { name: 'ix_jobs_status', columnNames: ['status'] },
        ],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('jobs');
    await qr.dropTable('policy_versions');
  }
}
