import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
const text = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
const day = (name: string, nullable = false): TableColumnOptions => text(name, 10, nullable);
const int = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'integer', isNullable: nullable });

/**
 * The demand registry (issue 3). A demand's targets are one row per target unit; its recurrence
 * is stored as occurrence counts per month (never one row per target per occurrence); report
 * fields keep their normalised keys for the duplicate rules. Registration numbers come from a
 * counter per prefix and year, incremented under the row lock of the issuing transaction.
 */
export class Demands1764400000000 implements MigrationInterface {
  name = 'Demands1764400000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'demands',
        columns: [
          id,
          text('registration_no', 40),
          int('issuer_id'),
          text('kind', 20),
          text('subtype', 30, true),
          text('title', 300),
          text('topic_code', 40),
          text('basis', 1000, true),
          day('issued_on'),
          day('starts_on', true),
          day('due_on', true),
          day('lands_on'),
          day('last_lands_on', true),
          text('recurrence', 12),
          day('recurrence_until', true),
          int('estimate_minutes'),
          text('estimate_source', 10),
          int('policy_version'),
          { name: 'requires_trace', type: 'text' },
          { name: 'details', type: 'text' },
          { name: 'target_scopes', type: 'text' },
          int('parent_demand_id', true),
          int('plan_item_id', true),
          text('status', 12),
          day('cancelled_on', true),
          text('cancel_reason', 500, true),
          int('target_count'),
          int('created_by'),
          text('created_at', 30),
          text('updated_at', 30),
          { name: 'row_version', type: 'integer', default: 1 },
        ],
        checks: [
          { name: 'ck_demands_kind', expression: `kind IN ('inspection', 'report', 'meeting', 'document', 'other')` },
          { name: 'ck_demands_recurrence', expression: `recurrence IN ('once', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly')` },
          { name: 'ck_demands_status', expression: `status IN ('active', 'cancelled')` },
          { name: 'ck_demands_estimate_source', expression: `estimate_source IN ('issuer', 'policy')` },
          { name: 'ck_demands_estimate', expression: 'estimate_minutes >= 0' },
        ],
        foreignKeys: [
          { columnNames: ['issuer_id'], referencedTableName: 'org_units', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['topic_code'], referencedTableName: 'topics', referencedColumnNames: ['code'], onDelete: 'RESTRICT' },
          { columnNames: ['parent_demand_id'], referencedTableName: 'demands', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['plan_item_id'], referencedTableName: 'inspection_plan_items', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['created_by'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
        ],
        indices: [
          { name: 'ix_demands_registration_no', columnNames: ['registration_no'], isUnique: true },
          { name: 'ix_demands_issuer', columnNames: ['issuer_id', 'lands_on'] },
          { name: 'ix_demands_lands_on', columnNames: ['lands_on'] },
          { name: 'ix_demands_topic', columnNames: ['topic_code'] },
          { name: 'ix_demands_parent', columnNames: ['parent_demand_id'] },
          { name: 'ix_demands_plan_item', columnNames: ['plan_item_id'] },
        ],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'demand_targets',
        columns: [
          { ...int('demand_id'), isPrimary: true },
          { ...int('unit_id'), isPrimary: true },
          int('estimated_minutes'),
        ],
        checks: [{ name: 'ck_demand_targets_estimate', expression: 'estimated_minutes >= 0' }],
        foreignKeys: [
          { columnNames: ['demand_id'], referencedTableName: 'demands', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['unit_id'], referencedTableName: 'org_units', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
        ],
        indices: [{ name: 'ix_demand_targets_unit', columnNames: ['unit_id', 'demand_id'] }],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'demand_occurrences',
        columns: [{ ...int('demand_id'), isPrimary: true }, { ...text('month', 7), isPrimary: true }, int('occurrences')],
        checks: [{ name: 'ck_demand_occurrences_count', expression: 'occurrences > 0' }],
        foreignKeys: [{ columnNames: ['demand_id'], referencedTableName: 'demands', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }],
        indices: [{ name: 'ix_demand_occurrences_month', columnNames: ['month', 'demand_id'] }],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'demand_fields',
        columns: [{ ...int('demand_id'), isPrimary: true }, { ...int('position'), isPrimary: true }, text('name', 200), text('field_key', 200)],
        foreignKeys: [{ columnNames: ['demand_id'], referencedTableName: 'demands', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }],
        indices: [{ name: 'ix_demand_fields_key', columnNames: ['field_key', 'demand_id'] }],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'demand_joint_issuers',
        columns: [{ ...int('demand_id'), isPrimary: true }, { ...int('issuer_id'), isPrimary: true }],
        foreignKeys: [
          { columnNames: ['demand_id'], referencedTableName: 'demands', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['issuer_id'], referencedTableName: 'org_units', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
        ],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'registration_counters',
        columns: [{ ...text('prefix', 20), isPrimary: true }, { ...int('year'), isPrimary: true }, int('last_seq')],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const table of ['registration_counters', 'demand_joint_issuers', 'demand_fields', 'demand_occurrences', 'demand_targets', 'demands']) {
      await qr.dropTable(table);
    }
  }
}
