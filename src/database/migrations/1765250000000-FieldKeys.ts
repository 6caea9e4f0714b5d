import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

const int = (name: string): TableColumnOptions => ({ name, type: 'integer', isNullable: false });

/**
 * Report field keys kept once, in a dictionary (issue 3: the bulk import). `demand_fields` held
 * each field's normalised key as text with an index on (key, demand): 2.25 M rows a province
 * year, whose index in random text order was the import's most expensive write (14.7 s of the
 * rows' 30 s of SQL; 9.1 s with the same index on an integer key, bench/README.md). The rows now
 * carry `key_id` into `field_keys` (≈ 9,000 distinct keys a province year); the readers join it.
 *
 * The table is rebuilt rather than altered so that `key_id` is NOT NULL on SQLite too (SQLite adds
 * columns only as nullable): a new table is filled from the old one, which is then dropped, and
 * the new one takes its name. Keys and rows are copied as they are (no key is normalised again).
 */
export class FieldKeys1765250000000 implements MigrationInterface {
  name = 'FieldKeys1765250000000';

  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'field_keys',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'field_key', type: 'varchar', length: '200', isNullable: false },
        ],
        indices: [{ name: 'ux_field_keys_key', columnNames: ['field_key'], isUnique: true }],
      }),
    );
    await qr.query('INSERT INTO field_keys (field_key) SELECT DISTINCT field_key FROM demand_fields ORDER BY field_key');
    await qr.createTable(
      new Table({
        name: 'demand_fields_next',
        columns: [{ ...int('demand_id'), isPrimary: true }, { ...int('position'), isPrimary: true }, { name: 'name', type: 'varchar', length: '200', isNullable: false }, int('key_id')],
        foreignKeys: [
          { columnNames: ['demand_id'], referencedTableName: 'demands', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
          { columnNames: ['key_id'], referencedTableName: 'field_keys', referencedColumnNames: ['id'], onDelete: 'RESTRICT' },
        ],
      }),
    );
    await qr.query(
      `INSERT INTO demand_fields_next (demand_id, position, name, key_id)
       SELECT f.demand_id, f.position, f.name, k.id FROM demand_fields f JOIN field_keys k ON k.field_key = f.field_key`,
    );
    await qr.query('DROP TABLE demand_fields');
    await qr.query('ALTER TABLE demand_fields_next RENAME TO demand_fields');
    await qr.query('CREATE INDEX ix_demand_fields_key ON demand_fields (key_id, demand_id)');
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.createTable(
      new Table({
        name: 'demand_fields_prev',
        columns: [
          { ...int('demand_id'), isPrimary: true },
          { ...int('position'), isPrimary: true },
          { name: 'name', type: 'varchar', length: '200', isNullable: false },
          { name: 'field_key', type: 'varchar', length: '200', isNullable: false },
        ],
        foreignKeys: [{ columnNames: ['demand_id'], referencedTableName: 'demands', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }],
      }),
    );
    await qr.query(
      `INSERT INTO demand_fields_prev (demand_id, position, name, field_key)
       SELECT f.demand_id, f.position, f.name, k.field_key FROM demand_fields f JOIN field_keys k ON k.id = f.key_id`,
    );
    await qr.query('DROP TABLE demand_fields');
    await qr.query('ALTER TABLE demand_fields_prev RENAME TO demand_fields');
    await qr.query('CREATE INDEX ix_demand_fields_key ON demand_fields (field_key, demand_id)');
    await qr.query('DROP TABLE field_keys');
  }
}
