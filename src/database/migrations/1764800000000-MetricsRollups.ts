import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

const minutes = (name: string): TableColumnOptions => ({ name, type: 'integer', default: 0 });

/**
 * Burden rollups (issue 6): one row per unit and month holding the Standard Cost Model sums of
 * DESIGN §5 in integer minutes. Quarters and years are sums of months. Rows are kept current by
 * adding and removing each write's contribution in the write's own transaction, and rebuilt
 * set-based by the recompute job; both must give the same numbers.
 */
export class MetricsRollups1764800000000 implements MigrationInterface {
  name = 'MetricsRollups1764800000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'unit_month_burden',
        columns: [
          { name: 'unit_id', type: 'integer', isPrimary: true },
          { name: 'month', type: 'varchar', length: '7', isPrimary: true },
          minutes('occurrences'),
          minutes('estimated_minutes'),
          minutes('reported_minutes'),
          minutes('burden_minutes'),
          minutes('hidden_minutes'),
          minutes('duplicate_minutes'),
          minutes('excess_minutes'),
          // Hours of shadow-demand reports, also inside reported, burden and hidden: an issuer's view leaves them out.
          minutes('shadow_minutes'),
        ],
        checks: [{ name: 'ck_unit_month_burden_month', expression: 'length(month) = 7' }],
        foreignKeys: [{ columnNames: ['unit_id'], referencedTableName: 'org_units', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('unit_month_burden');
  }
}
