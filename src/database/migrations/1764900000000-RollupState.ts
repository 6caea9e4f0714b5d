import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * Whether the burden rollups are behind the flags (issue 6). A rule evaluation changes findings
 * across a whole period and the rollups of the months concerned are rebuilt afterwards, by a job
 * of their own; until that rebuild has covered them they are stale. One row: the first month the
 * rollups may be wrong from (null: they are current), and a generation that every marking write
 * raises, so a rebuild that began before a newer marking cannot clear it.
 */
export class RollupState1764900000000 implements MigrationInterface {
  name = 'RollupState1764900000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'rollup_state',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'generation', type: 'integer', default: 0 },
          { name: 'dirty_from_month', type: 'varchar', length: '7', isNullable: true },
          // When the rollups last went from current to stale (ISO-8601 UTC), for a reader judging how old the figures are.
          { name: 'dirty_since', type: 'varchar', length: '30', isNullable: true },
        ],
        checks: [
          { name: 'ck_rollup_state_single_row', expression: 'id = 1' },
          { name: 'ck_rollup_state_dirty', expression: '(dirty_from_month IS NULL AND dirty_since IS NULL) OR (length(dirty_from_month) = 7 AND dirty_since IS NOT NULL)' },
        ],
      }),
    );
    await qr.query('INSERT INTO rollup_state (id, generation, dirty_from_month, dirty_since) VALUES (1, 0, NULL, NULL)');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('rollup_state');
  }
}
