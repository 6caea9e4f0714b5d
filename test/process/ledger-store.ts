import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { TEST_POSTGRES_URL } from '../utils/test-db';

/**
 * The database an installation of the built server runs on, read from outside the server as an
 * operator would: a SQLite file (opened read-only) or a fresh schema of the local PostgreSQL.
 */
export interface LedgerStore {
  readonly kind: 'sqlite' | 'postgres';
  /** The server's DATABASE_URL. */
  readonly databaseUrl: string;
  /**
   * Something that changes when a transaction commits and this process can watch (SQLite's WAL
   * file, PostgreSQL's pg_wal folder when this user may read it), or null.
   */
  readonly commitWatch: string | null;
  all<T>(sql: string): Promise<T[]>;
  /** SQLite: `integrity_check` and `foreign_key_check`. PostgreSQL checks its constraints as it writes: 'enforced'. */
  soundness(): Promise<{ integrity: string; foreignKeyProblems: unknown[] }>;
  close(): Promise<void>;
}

export function sqliteStore(databasePath: string): LedgerStore {
  let db: Database.Database | null = null;
  // Opened on first read, after the server has written: the file exists by then.
  const open = () => (db ??= new Database(databasePath, { readonly: true, fileMustExist: true }));
  return {
    kind: 'sqlite',
    databaseUrl: `sqlite:${databasePath}`,
    commitWatch: `${databasePath}-wal`,
    all: <T>(sql: string) => Promise.resolve(open().prepare(sql).all() as T[]),
    soundness: () => Promise.resolve({ integrity: open().pragma('integrity_check', { simple: true }) as string, foreignKeyProblems: open().pragma('foreign_key_check') as unknown[] }),
    close: () => Promise.resolve(void db?.close()),
  };
}

/**
 * A new schema in the local PostgreSQL's test database (dropped by `close`), or null when
 * PostgreSQL does not answer.
 */
export async function postgresStore(): Promise<LedgerStore | null> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch {
    return null;
  }
  const schema = `process_${randomBytes(6).toString('hex')}`;
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.query(`SET search_path TO ${schema}`);
  const [{ data_directory: dataDirectory }] = (await client.query<{ data_directory: string }>('SHOW data_directory')).rows;
  const wal = join(dataDirectory, 'pg_wal');
  const url = new URL(TEST_POSTGRES_URL);
  url.searchParams.set('schema', schema);
  return {
    kind: 'postgres',
    databaseUrl: url.toString(),
    commitWatch: existsSync(wal) ? wal : null,
    all: async <T>(sql: string) => (await client.query(sql)).rows as T[],
    soundness: () => Promise.resolve({ integrity: 'enforced', foreignKeyProblems: [] }),
    close: async () => {
      if (process.env.KEEP_PROCESS_TEST_FILES !== '1') await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    },
  };
}
