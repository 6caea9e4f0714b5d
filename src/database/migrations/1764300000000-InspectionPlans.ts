import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
const timestamp = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '30', isNullable: nullable });

/**
 * Schema for the annual inspection plans (年度督查检查考核计划) and their items (issue 3).
 *
 * A plan is one version of an issuer's plan for a year; a change to an approved plan is a new row
 * (version n+1, `supersedes_id` pointing at version n), so an approved version is never rewritten.
 * (issuer, year, version) is unique: two concurrent revisions or two first versions cannot both
 * land. Items keep a stable `item_key` across versions; demands link to an item row and the rules
 * resolve its key against the issuer's latest approved version.
 */
export class InspectionPlans1764300000000 implements MigrationInterface {
  name = 'InspectionPlans1764300000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'inspection_plans',
        columns: [
          id,
          { name: 'issuer_id', type: 'integer' },
          { name: 'year', type: 'integer' },
          { name: 'version', type: 'integer' },
          { name: 'status', type: 'varchar', length: '20' },
          { name: 'title', type: 'varchar', length: '200', isNullable: true },
          { name: 'supersedes_id', type: 'integer', isNullable: true },
          { name: 'created_by', type: 'integer' },
          timestamp('created_at'),
          timestamp('updated_at'),
          { name: 'submitted_by', type: 'integer', isNullable: true },
          timestamp('submitted_at', true),
          { name: 'decided_by', type: 'integer', isNullable: true },
          timestamp('decided_at', true),
          { name: 'reject_reason', type: 'varchar', length: '1000', isNullable: true },
        ],
        checks: [
          { name: 'ck_inspection_plans_status', expression: `status IN ('draft', 'submitted', 'approved', 'rejected')` },
          { name: 'ck_inspection_plans_year', expression: 'year BETWEEN 2000 AND 2100' },
          { name: 'ck_inspection_plans_version', expression: 'version >= 1' },
          // Version 1 starts a chain; every later version replaces the one before it.
          { name: 'ck_inspection_plans_chain', expression: '(version = 1 AND supersedes_id IS NULL) OR (version > 1 AND supersedes_id IS NOT NULL)' },
          // An approved or rejected version records who decided and when.
          {
            name: 'ck_inspection_plans_decision',
            expression: `status NOT IN ('approved', 'rejected') OR (decided_by IS NOT NULL AND decided_at IS NOT NULL)`,
          },
          { name: 'ck_inspection_plans_reject_reason', expression: `status <> 'rejected' OR reject_reason IS NOT NULL` },
        ],
        foreignKeys: [
          { columnNames: ['issuer_id'], referencedTableName: 'org_units', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['supersedes_id'], referencedTableName: 'inspection_plans', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['created_by'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['submitted_by'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['decided_by'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
        ],
        indices: [
          { name: 'ix_inspection_plans_version', columnNames: ['issuer_id', 'year', 'version'], isUnique: true },
          // A version is replaced at most once: the chain never forks.
          { name: 'ix_inspection_plans_supersedes', columnNames: ['supersedes_id'], isUnique: true },
          { name: 'ix_inspection_plans_year_status', columnNames: ['year', 'status'] },
        ],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'inspection_plan_items',
        columns: [
          id,
          { name: 'plan_id', type: 'integer' },
          { name: 'item_key', type: 'varchar', length: '40' },
          { name: 'position', type: 'integer' },
          { name: 'title', type: 'varchar', length: '200' },
          { name: 'topic_code', type: 'varchar', length: '40' },
          { name: 'target_level', type: 'varchar', length: '20', isNullable: true },
          // JSON array of org unit ids; checked against the tree when written.
          { name: 'target_unit_ids', type: 'text', isNullable: true },
          // 'YYYY-MM' inside the plan's year, comparable with the periods of the metrics.
          { name: 'planned_month', type: 'varchar', length: '7' },
          { name: 'on_site_days', type: 'integer' },
          { name: 'visits', type: 'integer', default: 1 },
        ],
        checks: [
          { name: 'ck_inspection_plan_items_visits', expression: 'visits >= 1' },
          { name: 'ck_inspection_plan_items_days', expression: 'on_site_days >= 0' },
          { name: 'ck_inspection_plan_items_month', expression: `planned_month LIKE '____-__'` },
          {
            name: 'ck_inspection_plan_items_level',
            expression: `target_level IS NULL OR target_level IN ('province', 'prefecture', 'county', 'township', 'village')`,
          },
          { name: 'ck_inspection_plan_items_target', expression: 'target_level IS NOT NULL OR target_unit_ids IS NOT NULL' },
        ],
        foreignKeys: [
          { columnNames: ['plan_id'], referencedTableName: 'inspection_plans', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['topic_code'], referencedTableName: 'topics', referencedColumnNames: ['code'], onDelete: 'RESTRICT' },
        ],
        indices: [
          { name: 'ix_inspection_plan_items_key', columnNames: ['plan_id', 'item_key'], isUnique: true },
          { name: 'ix_inspection_plan_items_topic', columnNames: ['plan_id', 'topic_code'] },
        ],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('inspection_plan_items');
    await qr.dropTable('inspection_plans');
  }
}
