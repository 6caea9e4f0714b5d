import { MigrationInterface, QueryRunner } from 'typeorm';

/** Schema for policy versions and background jobs (issue 3). */
export class PolicyAndJobs1764350000000 implements MigrationInterface {
  name = 'PolicyAndJobs1764350000000';

  async up(_qr: QueryRunner): Promise<void> {
    // Filled in with the feature.
  }

  async down(_qr: QueryRunner): Promise<void> {
    // Filled in with the feature.
  }
}
