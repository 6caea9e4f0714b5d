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
