import { MigrationInterface, QueryRunner } from 'typeorm';

/** Schema for the inspection plans and their items (issue 3). */
export class InspectionPlans1764300000000 implements MigrationInterface {
  name = 'InspectionPlans1764300000000';

  async up(_qr: QueryRunner): Promise<void> {
    // Filled in with the feature.
  }

  async down(_qr: QueryRunner): Promise<void> {
    // Filled in with the feature.
  }
}
