import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for `GET /flags?status=` over a whole province (issue 10: a scan of every flag, ≈ 0.26 s
 * for a status and ≈ 0.4 s for a status with a rule at 775 k flags; bench/README.md): the count of
 * a status, with or without a rule, read from an index alone, and its page in id order
 * (FlagRepository.list). `(rule_code, lands_on)` already serves a rule without a status.
 * The evaluation inserts every flag as `open` in id order, so both take their new entries at the
 * end of a few runs (`open`, and `open` with each rule): copying the province's 775 k flags took
 * 17.2–18.0 s with them and 18.6 s without. The landing day is left out: with it the same copy took
 * 21.8–24.7 s, its entries spread over the whole index (bench/README.md).
 */
export class FlagStatusIndexes1765270000000 implements MigrationInterface {
  name = 'FlagStatusIndexes1765270000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.query('CREATE INDEX ix_flags_status ON flags (status)');
    await qr.query('CREATE INDEX ix_flags_status_rule ON flags (status, rule_code)');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query('DROP INDEX ix_flags_status_rule');
    await qr.query('DROP INDEX ix_flags_status');
  }
}
