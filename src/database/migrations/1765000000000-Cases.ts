import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
const text = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
const int = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'integer', isNullable: nullable });
const longText = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable });

/**
 * Typical cases and bulletins for discipline inspectors (issue 7).
 *
 * `cases`: one typical case (典型案例) built by an inspector from confirmed flags. `evidence` is
 * the frozen copy (JSON) of the flags, their demands, hours and review history at creation, with
 * its SHA-256 in `evidence_hash`: later edits to the ledger never change what a bulletin says.
 * Reach is by the case's issuer or unit (DESIGN §1), so at least one of them is set.
 *
 * `case_flags`: which flags a case was built from (the live rectification status is read through it).
 *
 * `bulletins`: the document number (文号) given to a period's bulletin by an issuing area unit,
 * sequential per unit and year; pulling the same period again reuses its number.
 *
 * `case_report_outputs`: a bulletin rendered by a background job (large bulletins), kept for the
 * job's starter to download (base64 text, portable across both databases).
 */
export class Cases1765000000000 implements MigrationInterface {
  name = 'Cases1765000000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'cases',
        columns: [
          id,
          text('title', 200),
          int('issuer_id', true),
          int('unit_id', true),
          longText('persons'),
          text('conduct_from', 10, true),
          text('conduct_to', 10, true),
          longText('facts'),
          text('provision', 1000),
          text('handling_type', 40, true),
          text('handling_on', 10, true),
          text('handling_note', 2000, true),
          text('category', 40),
          text('category_source', 10),
          text('status', 10),
          longText('evidence'),
          text('evidence_hash', 64),
          int('created_by'),
          text('created_at', 30),
          int('updated_by'),
          text('updated_at', 30),
          text('finalised_at', 30, true),
          { name: 'row_version', type: 'integer', default: 1 },
        ],
        checks: [
          { name: 'ck_cases_status', expression: `status IN ('draft', 'final')` },
          { name: 'ck_cases_category_source', expression: `category_source IN ('rule', 'manual')` },
          { name: 'ck_cases_reach', expression: 'issuer_id IS NOT NULL OR unit_id IS NOT NULL' },
          // A final case carries its handling: the bulletin prints it and files the case by its date.
          { name: 'ck_cases_final_handling', expression: `status = 'draft' OR (handling_type IS NOT NULL AND handling_on IS NOT NULL)` },
        ],
        foreignKeys: [
          { columnNames: ['issuer_id'], referencedTableName: 'org_units', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['unit_id'], referencedTableName: 'org_units', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['created_by'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['updated_by'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
        ],
        indices: [
          { name: 'ix_cases_issuer', columnNames: ['issuer_id'] },
          { name: 'ix_cases_unit', columnNames: ['unit_id'] },
          { name: 'ix_cases_status_handling_on', columnNames: ['status', 'handling_on'] },
        ],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'case_flags',
        columns: [
          { ...int('case_id'), isPrimary: true },
          { ...int('flag_id'), isPrimary: true },
        ],
        foreignKeys: [
          { columnNames: ['case_id'], referencedTableName: 'cases', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['flag_id'], referencedTableName: 'flags', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
        ],
        indices: [{ name: 'ix_case_flags_flag', columnNames: ['flag_id'] }],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'bulletins',
        columns: [id, int('issuing_unit_id'), int('year'), int('seq'), text('doc_no', 60), text('from_on', 10), text('to_on', 10), int('created_by'), text('created_at', 30)],
        foreignKeys: [
          { columnNames: ['issuing_unit_id'], referencedTableName: 'org_units', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['created_by'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
        ],
        indices: [
          { name: 'ux_bulletins_period', columnNames: ['issuing_unit_id', 'from_on', 'to_on'], isUnique: true },
          { name: 'ux_bulletins_number', columnNames: ['issuing_unit_id', 'year', 'seq'], isUnique: true },
        ],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'case_report_outputs',
        columns: [{ ...int('job_id'), isPrimary: true }, text('file_name', 200), text('content_type', 120), longText('content'), text('created_at', 30)],
        foreignKeys: [{ columnNames: ['job_id'], referencedTableName: 'jobs', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('case_report_outputs');
    await qr.dropTable('bulletins');
    await qr.dropTable('case_flags');
    await qr.dropTable('cases');
  }
}
