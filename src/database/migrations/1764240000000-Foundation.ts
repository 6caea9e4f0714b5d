import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
const timestamp = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '30', isNullable: nullable });

/**
 * The foundation: org tree, staff history, topics, duty items, users, audit chain, idempotency keys.
 * Timestamps are ISO-8601 UTC strings and calendar dates YYYY-MM-DD strings, so neither database
 * nor the server's time zone can shift them. Materialised paths use binary collation (C on
 * PostgreSQL) so that subtree range scans are exact and indexed.
 */
export class Foundation1764240000000 implements MigrationInterface {
  name = 'Foundation1764240000000';

  async up(qr: QueryRunner): Promise<void> {
    const pg = qr.connection.options.type === 'postgres';
    const binary = pg ? { collation: 'C' } : {};

    await qr.createTable(
      new Table({
        name: 'org_units',
        columns: [
          id,
          { name: 'code', type: 'varchar', length: '40', isUnique: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'kind', type: 'varchar', length: '20' },
          { name: 'level', type: 'varchar', length: '20' },
          { name: 'parent_id', type: 'integer', isNullable: true },
          { name: 'path', type: 'varchar', length: '400', ...binary },
          { name: 'depth', type: 'integer' },
          { name: 'staff_count', type: 'integer', default: 0 },
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        checks: [
          { name: 'ck_org_units_kind', expression: `kind IN ('area', 'department')` },
          { name: 'ck_org_units_level', expression: `level IN ('province', 'prefecture', 'county', 'township', 'village')` },
          { name: 'ck_org_units_staff', expression: 'staff_count >= 0' },
        ],
        foreignKeys: [{ columnNames: ['parent_id'], referencedTableName: 'org_units', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }],
        indices: [
          { name: 'ix_org_units_path', columnNames: ['path'], isUnique: true },
          { name: 'ix_org_units_parent', columnNames: ['parent_id'] },
          { name: 'ix_org_units_level', columnNames: ['level', 'path'] },
        ],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'org_unit_staff',
        columns: [
          id,
          { name: 'org_unit_id', type: 'integer' },
          { name: 'staff_count', type: 'integer' },
          { name: 'effective_from', type: 'varchar', length: '10' },
          timestamp('created_at'),
        ],
        checks: [{ name: 'ck_org_unit_staff_count', expression: 'staff_count >= 0' }],
        foreignKeys: [{ columnNames: ['org_unit_id'], referencedTableName: 'org_units', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }],
        indices: [{ name: 'ix_org_unit_staff_unit', columnNames: ['org_unit_id', 'effective_from'], isUnique: true }],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'topics',
        columns: [
          { name: 'code', type: 'varchar', length: '40', isPrimary: true },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'sort_order', type: 'integer', default: 0 },
        ],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'duty_items',
        columns: [
          id,
          { name: 'level', type: 'varchar', length: '20' },
          { name: 'topic_code', type: 'varchar', length: '40' },
          { name: 'category', type: 'varchar', length: '20' },
          { name: 'title', type: 'varchar', length: '300' },
          { name: 'basis', type: 'varchar', length: '500', isNullable: true },
          timestamp('created_at'),
        ],
        checks: [
          { name: 'ck_duty_items_category', expression: `category IN ('core', 'supporting', 'withdrawn', 'negative')` },
          { name: 'ck_duty_items_level', expression: `level IN ('province', 'prefecture', 'county', 'township', 'village')` },
        ],
        foreignKeys: [{ columnNames: ['topic_code'], referencedTableName: 'topics', referencedColumnNames: ['code'], onDelete: 'RESTRICT' }],
        indices: [{ name: 'ix_duty_items_key', columnNames: ['level', 'topic_code', 'title'], isUnique: true }],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'users',
        columns: [
          id,
          { name: 'username', type: 'varchar', length: '64', isUnique: true },
          { name: 'display_name', type: 'varchar', length: '100', isNullable: true },
          { name: 'password_hash', type: 'varchar', length: '100' },
          { name: 'role', type: 'varchar', length: '20' },
          { name: 'org_unit_id', type: 'integer', isNullable: true },
          { name: 'disabled', type: 'boolean', default: false },
          { name: 'token_version', type: 'integer', default: 0 },
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        checks: [
          { name: 'ck_users_role', expression: `role IN ('admin', 'issuer', 'reporter', 'coordinator', 'inspector')` },
          // A missing unit never means "everything": only admins have none, and admins never have one.
          {
            name: 'ck_users_admin_unit',
            expression: `(role = 'admin' AND org_unit_id IS NULL) OR (role <> 'admin' AND org_unit_id IS NOT NULL)`,
          },
        ],
        foreignKeys: [{ columnNames: ['org_unit_id'], referencedTableName: 'org_units', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }],
        indices: [{ name: 'ix_users_unit', columnNames: ['org_unit_id'] }],
      }),
    );

    await qr.createTable(
      new Table({
        name: 'audit_log',
        columns: [
          id,
          timestamp('at'),
          { name: 'actor_id', type: 'integer', isNullable: true },
          { name: 'actor', type: 'varchar', length: '100' },
          { name: 'action', type: 'varchar', length: '100' },
          { name: 'entity_type', type: 'varchar', length: '50' },
          { name: 'entity_id', type: 'varchar', length: '100', isNullable: true },
          { name: 'unit_path', type: 'varchar', length: '400', isNullable: true, ...binary },
          { name: 'before_json', type: 'text', isNullable: true },
          { name: 'after_json', type: 'text', isNullable: true },
          { name: 'prev_hash', type: 'varchar', length: '64' },
          { name: 'hash', type: 'varchar', length: '64' },
        ],
        indices: [
          { name: 'ix_audit_unit_path', columnNames: ['unit_path'] },
          { name: 'ix_audit_entity', columnNames: ['entity_type', 'entity_id'] },
          { name: 'ix_audit_hash', columnNames: ['hash'], isUnique: true },
        ],
      }),
    );

    // One row holding the chain head; appenders lock it, so concurrent writers cannot fork the chain.
    await qr.createTable(
      new Table({
        name: 'audit_head',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'last_id', type: 'integer' },
          { name: 'hash', type: 'varchar', length: '64' },
        ],
      }),
    );
    await qr.query(`INSERT INTO audit_head (id, last_id, hash) VALUES (1, 0, '${'0'.repeat(64)}')`);

    await qr.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          id,
          { name: 'user_id', type: 'integer' },
          { name: 'idem_key', type: 'varchar', length: '200' },
          { name: 'request_hash', type: 'varchar', length: '64' },
          { name: 'state', type: 'varchar', length: '10' },
          { name: 'status_code', type: 'integer', isNullable: true },
          { name: 'response_json', type: 'text', isNullable: true },
          timestamp('created_at'),
        ],
        checks: [{ name: 'ck_idempotency_state', expression: `state IN ('pending', 'done')` }],
        indices: [
          { name: 'ix_idempotency_user_key', columnNames: ['user_id', 'idem_key'], isUnique: true },
          { name: 'ix_idempotency_created', columnNames: ['created_at'] },
        ],
      }),
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const table of ['idempotency_keys', 'audit_head', 'audit_log', 'users', 'duty_items', 'topics', 'org_unit_staff', 'org_units']) {
      await qr.dropTable(table);
    }
  }
}
