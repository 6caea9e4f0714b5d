import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config';
import { MIGRATIONS } from './migrations';
import { SnakeNamingStrategy } from './snake-naming.strategy';

/** Connection options for either database; schema changes only through MIGRATIONS. */
export function dataSourceOptions(db: DatabaseConfig): DataSourceOptions {
  const common = {
    synchronize: false,
    migrationsRun: true,
    migrationsTransactionMode: 'each' as const,
    migrations: MIGRATIONS,
    namingStrategy: new SnakeNamingStrategy(),
    logging: false,
  };
  if (db.type === 'sqlite') {
    return {
      ...common,
      type: 'better-sqlite3',
      database: db.path,
      enableWAL: true,
      timeout: 5000,
      prepareDatabase: (conn: { pragma(sql: string): unknown }) => {
        conn.pragma('busy_timeout = 5000');
        conn.pragma('synchronous = NORMAL');
      },
    };
  }
  return {
    ...common,
    type: 'postgres',
    url: db.url,
    schema: db.schema,
    extra: { options: `-c search_path=${db.schema}`, max: 10 },
  };
}

/**
 * A second, read-only SQLite connection for reads outside a unit of work. In WAL mode it sees
 * only committed data, so a read interleaved with a queued write transaction on the main
 * connection never sees that transaction's uncommitted rows.
 */
export function sqliteReaderOptions(path: string): DataSourceOptions {
  return {
    type: 'better-sqlite3',
    database: path,
    readonly: true,
    fileMustExist: true,
    timeout: 5000,
    synchronize: false,
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    logging: false,
    prepareDatabase: (conn: { pragma(sql: string): unknown }) => {
      conn.pragma('busy_timeout = 5000');
    },
  };
}
