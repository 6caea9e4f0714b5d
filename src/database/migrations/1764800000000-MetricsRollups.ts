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
    // What each issuing office imposes (issuer metrics): per issuer, the month its demands land in
    // (lands_on) and the month of each occurrence, the minutes imposed on all targets; the counts of
    // demands landing (all, cancelled since, inspections) sit on the row where month = lands_month.
    await qr.createTable(
      new Table({
        name: 'issuer_month_burden',
        columns: [
          { name: 'issuer_id', type: 'integer', isPrimary: true },
          { name: 'lands_month', type: 'varchar', length: '7', isPrimary: true },
          { name: 'month', type: 'varchar', length: '7', isPrimary: true },
          // An office's daily report to every village of a province passes 2^31 minutes in a year.
          { name: 'minutes', type: 'bigint', default: 0 },
          minutes('demands'),
          minutes('cancelled'),
          minutes('inspections'),
        ],
        checks: [{ name: 'ck_issuer_month_burden_months', expression: 'length(month) = 7 AND length(lands_month) = 7' }],
        foreignKeys: [{ columnNames: ['issuer_id'], referencedTableName: 'org_units', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('issuer_month_burden');
    await qr.dropTable('unit_month_burden');
  }
}
