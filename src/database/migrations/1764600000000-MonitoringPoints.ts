import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
const text = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
const int = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'integer', isNullable: nullable });

/**
 * Monitoring points (减负监测点) and spreadsheet imports of burden reports (issue 4, points 4 and 9).
 *
 * `monitoring_points`: one designation window per unit (`from_month` .. `to_month`, open-ended when
 * NULL); PUT /monitoring-points sets a unit's window, the audit log keeps every earlier window.
 *
 * `report_imports`: one row per imported file and uploading unit. The unique (unit, sha256) makes a
 * re-upload of the same file answer with the first import's stored result and write nothing twice.
 */
export class MonitoringPoints1764600000000 implements MigrationInterface {
  name = 'MonitoringPoints1764600000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'monitoring_points',
        columns: [id, int('unit_id'), text('from_month', 7), text('to_month', 7, true), int('created_by'), text('created_at', 30), int('updated_by'), text('updated_at', 30)],
        checks: [
          { name: 'ck_monitoring_points_months', expression: 'length(from_month) = 7 AND (to_month IS NULL OR (length(to_month) = 7 AND to_month >= from_month))' },
        ],
        foreignKeys: [
          { columnNames: ['unit_id'], referencedTableName: 'org_units', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['created_by'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['updated_by'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
        ],
        indices: [{ name: 'ux_monitoring_points_unit', columnNames: ['unit_id'], isUnique: true }],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'report_imports',
        columns: [id, int('unit_id'), text('sha256', 64), text('file_name', 300), int('row_count'), { name: 'result_json', type: 'text' }, int('created_by'), text('created_at', 30)],
        checks: [{ name: 'ck_report_imports_sha256', expression: 'length(sha256) = 64 AND row_count >= 0' }],
        foreignKeys: [
          { columnNames: ['unit_id'], referencedTableName: 'org_units', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['created_by'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
        ],
        indices: [{ name: 'ux_report_imports_unit_sha256', columnNames: ['unit_id', 'sha256'], isUnique: true }],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const table of ['report_imports', 'monitoring_points']) await qr.dropTable(table);
  }
}
