import { MigrationInterface, QueryRunner } from 'typeorm';

/** Schema for the demand registry (issue 3). */
export class Demands1764400000000 implements MigrationInterface {
  name = 'Demands1764400000000';

  async up(_qr: QueryRunner): Promise<void> {
    // Filled in with the feature.
  }

  async down(_qr: QueryRunner): Promise<void> {
    // Filled in with the feature.
  }
}
