import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops `ix_demand_fields_key (key_id, demand_id)` (issue 3: the bulk import).
 *
 * It was kept for the once-only check of `POST /demands/preview`. At province scale (352 k
 * demands, 2.25 M fields) it made that check slower, not faster: SQLite drove the query from the
 * keys, and common keys such as 人口数 occur in thousands of demands. Measured on a copy of the
 * province ledger, for one report of 14 keys:
 * - 200 target villages: 1.2 s with the index, 52 ms without;
 * - 500 townships: 3.0 s with it, 1.9 s without.
 * Without it the check starts from the units' targets. The preview's rule scan
 * (`EvaluationScanRepository.comparableOnUnits`) already reads every demand of each target unit
 * in the window that way, so the check costs no more than work the preview already does.
 *
 * The index was also three quarters of the cost of writing a field row: 2.25 M rows took 12.4 s
 * with it and 2.9 s without (bench/README.md).
 *
 * Every other reader of `demand_fields` goes by demand, through the primary key.
 */
export class DropFieldKeyIndex1765280000000 implements MigrationInterface {
  name = 'DropFieldKeyIndex1765280000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query('DROP INDEX ix_demand_fields_key');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('CREATE INDEX ix_demand_fields_key ON demand_fields (key_id, demand_id)');
  }
}
