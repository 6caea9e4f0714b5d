import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * The flagged demands of each issuer in its rollups (issue 6: `GET /metrics/issuers?sort=flaggedShare`
 * read the flags of every demand in scope on the request thread, ~1 s for a province's year).
 *
 * `demand_flagged` holds one row per demand with a standing flag (any status but dismissed and
 * withdrawn, OBJECTION aside: DESIGN §5), at the issuer and landing month it is counted under;
 * `issuer_month_burden.flagged` (on the count row, month = landing month) and
 * `issuer_period_burden.flagged` are the number of those rows there. The writes that move a flag
 * or a demand reconcile a demand's row with its flags and move the counts by the difference
 * (RollupRepository.refreshFlagged); a rebuild of the rollups re-derives both. Filled here from the
 * flags already stored (derived data, like the rollups themselves).
 */
export class IssuerFlaggedDemands1765260000000 implements MigrationInterface {
  name = 'IssuerFlaggedDemands1765260000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'demand_flagged',
        columns: [
          { name: 'demand_id', type: 'integer', isPrimary: true },
          { name: 'issuer_id', type: 'integer' },
          { name: 'lands_month', type: 'varchar', length: '7' },
        ],
        foreignKeys: [
          { columnNames: ['demand_id'], referencedTableName: 'demands', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['issuer_id'], referencedTableName: 'org_units', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
        ],
        indices: [{ name: 'ix_demand_flagged_lands_month', columnNames: ['lands_month'] }],
      }),
    );
    // A plain ADD COLUMN on both databases (TypeORM's addColumn copies the whole table on SQLite).
    for (const table of ['issuer_month_burden', 'issuer_period_burden']) await qr.query(`ALTER TABLE ${table} ADD COLUMN flagged integer NOT NULL DEFAULT 0`);
    await qr.query(
      `INSERT INTO demand_flagged (demand_id, issuer_id, lands_month)
       SELECT d.id, d.issuer_id, substr(d.lands_on, 1, 7) FROM demands d
        WHERE EXISTS (SELECT 1 FROM flags f WHERE f.demand_id = d.id AND f.rule_code <> 'OBJECTION' AND f.status NOT IN ('dismissed', 'withdrawn'))`,
    );
    // Upserts: a count row missing from stale rollups is created (the rebuild that follows fills the rest).
    await qr.query(
      `INSERT INTO issuer_month_burden (issuer_id, lands_month, month, minutes, demands, cancelled, inspections, flagged)
       SELECT issuer_id, lands_month, lands_month, 0, 0, 0, 0, COUNT(*) FROM demand_flagged WHERE true GROUP BY issuer_id, lands_month
       ON CONFLICT (issuer_id, lands_month, month) DO UPDATE SET flagged = excluded.flagged`,
    );
    const quarter = (m: string) => `substr(${m}, 1, 4) || '-Q' || CAST((CAST(substr(${m}, 6, 2) AS INTEGER) + 2) / 3 AS VARCHAR(1))`;
    await qr.query(
      `INSERT INTO issuer_period_burden (issuer_id, period, minutes, demands, cancelled, inspections, flagged)
       SELECT issuer_id, period, 0, 0, 0, 0, COUNT(*) FROM (
         SELECT issuer_id, substr(lands_month, 1, 4) AS period FROM demand_flagged
         UNION ALL
         SELECT issuer_id, ${quarter('lands_month')} FROM demand_flagged) p
       WHERE true GROUP BY issuer_id, period
       ON CONFLICT (issuer_id, period) DO UPDATE SET flagged = excluded.flagged`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('demand_flagged');
    for (const table of ['issuer_month_burden', 'issuer_period_burden']) await qr.query(`ALTER TABLE ${table} DROP COLUMN flagged`);
  }
}
