import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
const text = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
const int = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'integer', isNullable: nullable });

const CHANNELS = `'wechat_group', 'phone', 'app', 'paper_notice', 'other'`;
const KINDS = `'inspection', 'report', 'meeting', 'document', 'other'`;

/**
 * Burden reports and objections (issue 4).
 *
 * `burden_reports` holds one row per report with its current figures (what metrics read, no
 * "is current" filter needed); every version, the first included, is kept in
 * `burden_report_versions`, so nothing is overwritten. Report ids are stable across amendments.
 * "One current report per (unit, demand, month)" is a plain unique index: a shadow report has no
 * demand, and NULLs are distinct in unique indexes on both SQLite and PostgreSQL, so any number of
 * shadow reports may exist while a registered demand has one report per unit and month.
 */
export class BurdenReports1764500000000 implements MigrationInterface {
  name = 'BurdenReports1764500000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'burden_reports',
        columns: [
          id,
          int('unit_id'),
          int('demand_id', true),
          text('month', 7),
          text('shadow_issuer_name', 200, true),
          text('shadow_kind', 20, true),
          text('shadow_title', 300, true),
          text('shadow_received_on', 10, true),
          text('shadow_channel', 20, true),
          text('source', 10),
          int('minutes_spent'),
          int('staff_involved', true),
          int('overtime_minutes'),
          int('pages'),
          int('photos'),
          text('note', 2000, true),
          int('version'),
          text('linked_at', 30, true),
          int('linked_by', true),
          int('created_by'),
          text('created_at', 30),
          int('updated_by'),
          text('updated_at', 30),
        ],
        checks: [
          { name: 'ck_burden_reports_month', expression: `length(month) = 7` },
          { name: 'ck_burden_reports_source', expression: `source IN ('report', 'confirm')` },
          { name: 'ck_burden_reports_minutes', expression: 'minutes_spent >= 0 AND overtime_minutes >= 0 AND overtime_minutes <= minutes_spent' },
          { name: 'ck_burden_reports_counts', expression: 'pages >= 0 AND photos >= 0 AND version >= 1' },
          { name: 'ck_burden_reports_staff', expression: 'staff_involved IS NULL OR staff_involved >= 1' },
          { name: 'ck_burden_reports_channel', expression: `shadow_channel IS NULL OR shadow_channel IN (${CHANNELS})` },
          { name: 'ck_burden_reports_kind', expression: `shadow_kind IS NULL OR shadow_kind IN (${KINDS})` },
          // A report covers a registered demand, or is a shadow report with every shadow field.
          {
            name: 'ck_burden_reports_subject',
            expression:
              'demand_id IS NOT NULL OR (shadow_issuer_name IS NOT NULL AND shadow_kind IS NOT NULL AND shadow_title IS NOT NULL AND shadow_received_on IS NOT NULL AND shadow_channel IS NOT NULL)',
          },
        ],
        foreignKeys: [
          { columnNames: ['unit_id'], referencedTableName: 'org_units', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['demand_id'], referencedTableName: 'demands', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['linked_by'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['created_by'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['updated_by'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
        ],
        indices: [
          { name: 'ux_burden_reports_unit_demand_month', columnNames: ['unit_id', 'demand_id', 'month'], isUnique: true },
          { name: 'ix_burden_reports_unit_month', columnNames: ['unit_id', 'month'] },
          { name: 'ix_burden_reports_demand_month', columnNames: ['demand_id', 'month'] },
          { name: 'ix_burden_reports_month', columnNames: ['month'] },
        ],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'burden_report_versions',
        columns: [
          { ...int('report_id'), isPrimary: true },
          { ...int('version'), isPrimary: true },
          text('change_kind', 10),
          int('demand_id', true),
          text('month', 7),
          int('minutes_spent'),
          int('staff_involved', true),
          int('overtime_minutes'),
          int('pages'),
          int('photos'),
          text('note', 2000, true),
          int('created_by'),
          text('created_at', 30),
        ],
        checks: [
          { name: 'ck_burden_report_versions_change', expression: `change_kind IN ('create', 'confirm', 'amend', 'link')` },
          { name: 'ck_burden_report_versions_minutes', expression: 'minutes_spent >= 0 AND overtime_minutes >= 0' },
        ],
        foreignKeys: [
          { columnNames: ['report_id'], referencedTableName: 'burden_reports', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['demand_id'], referencedTableName: 'demands', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['created_by'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
        ],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'objections',
        columns: [id, int('demand_id'), int('unit_id'), text('reason', 2000), int('duty_item_id', true), int('created_by'), text('created_at', 30)],
        checks: [{ name: 'ck_objections_reason', expression: 'length(reason) > 0' }],
        foreignKeys: [
          { columnNames: ['demand_id'], referencedTableName: 'demands', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['unit_id'], referencedTableName: 'org_units', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['duty_item_id'], referencedTableName: 'duty_items', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['created_by'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
        ],
        indices: [
          // One objection per unit and demand: the OBJECTION flag's fingerprint is rule | demand | unit.
          { name: 'ux_objections_demand_unit', columnNames: ['demand_id', 'unit_id'], isUnique: true },
          { name: 'ix_objections_unit', columnNames: ['unit_id'] },
        ],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const table of ['objections', 'burden_report_versions', 'burden_reports']) await qr.dropTable(table);
  }
}
