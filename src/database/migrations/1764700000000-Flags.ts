import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
const text = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
const int = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'integer', isNullable: nullable });

const STATUSES = ['open', 'under_review', 'confirmed', 'dismissed', 'rectifying', 'rectified', 'verified', 'withdrawn'];

/**
 * Flags, their review history and issuers' burden budgets (issue 5).
 *
 * `flags`: one finding, keyed by its fingerprint (rule | subject | unit | period, DESIGN §2) so
 * re-evaluation updates or withdraws a flag and never raises it twice. A flag is about a demand
 * (optionally on one unit), a shadow burden report, or an issuer; `issuer_id` is the issuer of the
 * flagged demand (or the issuer itself) and is NULL only for a shadow report's flag, whose
 * reporter's identity the issuer must never see. Nothing is deleted: a finding that no longer
 * holds is `withdrawn`; `row_version` guards transitions against lost updates.
 *
 * `flag_transitions`: every state change with actor (NULL for the evaluation itself), time and
 * comment, and the assignee / due date a rectification order set.
 *
 * `issuer_budgets`: the hours (as minutes) an office may impose on the grassroots in a year.
 */
export class Flags1764700000000 implements MigrationInterface {
  name = 'Flags1764700000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'flags',
        columns: [
          id,
          text('fingerprint', 200),
          text('rule_code', 40),
          int('demand_id', true),
          int('report_id', true),
          int('unit_id', true),
          int('issuer_id', true),
          text('period', 10),
          text('lands_on', 10),
          text('status', 20),
          text('explanation', 4000),
          { name: 'evidence', type: 'text' },
          int('policy_version'),
          int('assignee_id', true),
          text('due_on', 10, true),
          text('raised_at', 30),
          text('updated_at', 30),
          { name: 'row_version', type: 'integer', default: 1 },
        ],
        checks: [
          { name: 'ck_flags_status', expression: `status IN (${STATUSES.map((s) => `'${s}'`).join(', ')})` },
          { name: 'ck_flags_subject', expression: 'demand_id IS NOT NULL OR report_id IS NOT NULL OR issuer_id IS NOT NULL' },
        ],
        foreignKeys: [
          { columnNames: ['demand_id'], referencedTableName: 'demands', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['report_id'], referencedTableName: 'burden_reports', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['unit_id'], referencedTableName: 'org_units', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['issuer_id'], referencedTableName: 'org_units', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['assignee_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
        ],
        indices: [
          { name: 'ux_flags_fingerprint', columnNames: ['fingerprint'], isUnique: true },
          { name: 'ix_flags_demand', columnNames: ['demand_id', 'rule_code'] },
          { name: 'ix_flags_unit', columnNames: ['unit_id', 'lands_on'] },
          { name: 'ix_flags_issuer', columnNames: ['issuer_id', 'lands_on'] },
          { name: 'ix_flags_rule_lands_on', columnNames: ['rule_code', 'lands_on'] },
          // Only rectifications have a due date that can pass: a partial index the evaluation's inserts never touch.
          { name: 'ix_flags_rectifying_due', columnNames: ['due_on'], where: "status = 'rectifying'" },
        ],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'flag_transitions',
        columns: [
          id,
          int('flag_id'),
          text('from_status', 20),
          text('to_status', 20),
          int('actor_id', true),
          text('at', 30),
          text('comment', 2000),
          int('assignee_id', true),
          text('due_on', 10, true),
        ],
        foreignKeys: [
          { columnNames: ['flag_id'], referencedTableName: 'flags', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['actor_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['assignee_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
        ],
        indices: [{ name: 'ix_flag_transitions_flag', columnNames: ['flag_id', 'id'] }],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'issuer_budgets',
        columns: [{ ...int('issuer_id'), isPrimary: true }, { ...int('year'), isPrimary: true }, int('budget_minutes'), int('set_by'), text('set_at', 30)],
        checks: [{ name: 'ck_issuer_budgets_minutes', expression: 'budget_minutes >= 0' }],
        foreignKeys: [
          { columnNames: ['issuer_id'], referencedTableName: 'org_units', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['set_by'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
        ],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const table of ['issuer_budgets', 'flag_transitions', 'flags']) await qr.dropTable(table);
  }
}
