import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * The issuer rollups summed per year and quarter (issue 6: `GET /metrics/issuers` over a province's
 * offices for a year read ~190k issuer × month rows on the request thread). One row per issuing
 * office and period (`2026`, `2026-Q3`): the sums of its `issuer_month_burden` rows whose landing
 * month and occurrence month both lie in that period, exactly what a list of the period adds up.
 * Kept current by the same writes as the month rows and rebuilt with them; filled here from the
 * month rows already there (a derived table, like the month rows themselves).
 */
export class IssuerPeriodBurden1765240000000 implements MigrationInterface {
  name = 'IssuerPeriodBurden1765240000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'issuer_period_burden',
        columns: [
          { name: 'issuer_id', type: 'integer', isPrimary: true },
          { name: 'period', type: 'varchar', length: '7', isPrimary: true },
          { name: 'minutes', type: 'bigint', default: 0 },
          { name: 'demands', type: 'integer', default: 0 },
          { name: 'cancelled', type: 'integer', default: 0 },
          { name: 'inspections', type: 'integer', default: 0 },
        ],
        checks: [{ name: 'ck_issuer_period_burden_period', expression: 'length(period) = 4 OR length(period) = 7' }],
        foreignKeys: [{ columnNames: ['issuer_id'], referencedTableName: 'org_units', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }],
      }),
    );
    const quarter = (m: string) => `substr(${m}, 1, 4) || '-Q' || CAST((CAST(substr(${m}, 6, 2) AS INTEGER) + 2) / 3 AS VARCHAR(1))`;
    await qr.query(
      `INSERT INTO issuer_period_burden (issuer_id, period, minutes, demands, cancelled, inspections)
       SELECT issuer_id, period, SUM(minutes), SUM(demands), SUM(cancelled), SUM(inspections) FROM (
         SELECT issuer_id, substr(lands_month, 1, 4) AS period, minutes, demands, cancelled, inspections FROM issuer_month_burden WHERE substr(lands_month, 1, 4) = substr(month, 1, 4)
         UNION ALL
         SELECT issuer_id, ${quarter('lands_month')}, minutes, demands, cancelled, inspections FROM issuer_month_burden WHERE ${quarter('lands_month')} = ${quarter('month')}) p
       GROUP BY issuer_id, period`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('issuer_period_burden');
  }
}
