import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for `GET /flags?status=` over a whole province (issue 10: a scan of every flag, ≈ 0.26 s
 * for a status and ≈ 0.4 s for a status with a rule at 775 k flags; bench/README.md): the count of
 * a status, with or without a rule and a range of landing days, read from an index alone
 * (`(rule_code, lands_on)` already serves a rule without a status); the page sorts the ids they
 * give (FlagRepository.list).
 * The evaluation inserts every flag as `open`, so both take their new entries at a few hot
 * positions (`open` and the latest days, per rule).
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
