import Database from 'better-sqlite3';
import { Client } from 'pg';
import { log } from './stats';

/** The raw insert rate of the driver: one prepared single-row INSERT per target, one transaction. */
export interface BaselineFigures {
  driver: string;
  statement: string;
  rows: number;
  seconds: number;
  targetsPerSecond: number;
  /** Untimed set-up: copying the demands rows, reading the target pairs. */
  setupSeconds: number;
}

const INSERT = 'INSERT INTO demand_targets (demand_id, unit_id, estimated_minutes) VALUES (?, ?, ?)';

/** The target rows of the product run, in the order it wrote them. */
interface Triples {
  demandIds: Int32Array;
  unitIds: Int32Array;
  minutes: Int32Array;
}

/** The connection settings of the product's SQLite connection, applied to the baseline's. */
export const SQLITE_PRAGMAS = ['busy_timeout', 'synchronous', 'foreign_keys', 'cache_size', 'temp_store', 'mmap_size', 'wal_autocheckpoint', 'journal_mode'] as const;
export type SqlitePragmas = Partial<Record<(typeof SQLITE_PRAGMAS)[number], string | number>>;

function openLikeProduct(path: string, pragmas: SqlitePragmas): Database.Database {
  const db = new Database(path, { timeout: 5000 });
  for (const name of SQLITE_PRAGMAS) {
    const value = pragmas[name];
    if (value !== undefined) db.pragma(`${name} = ${value}`);
  }
  return db;
}

/**
 * better-sqlite3 directly on `baselinePath` — a second database migrated and seeded exactly as
 * the product's (same tables, indexes, users, org units and ids) — with the settings read from
 * the product's own connection (`pragmas`: WAL, foreign_keys ON, synchronous NORMAL, cache size…,
 * as src/database/data-source-options.ts and TypeORM's driver set them). The product's `demands`
 * rows are copied in first (not timed); then the product's (demand_id, unit_id, estimated_minutes)
 * rows, read back in the order the product inserted them (rowid), are inserted with one prepared
 * statement run once per row inside one `db.transaction(...)`, timed from the first run to the
 * commit.
 */
export function sqliteBaseline(baselinePath: string, productPath: string, pragmas: SqlitePragmas): BaselineFigures {
  const setupStarted = performance.now();
  const db = openLikeProduct(baselinePath, pragmas);
  try {
    db.prepare('ATTACH DATABASE ? AS product').run(productPath);
    checkSameUnits(db);
    db.transaction(() => db.exec('INSERT INTO main.demands SELECT * FROM product.demands'))();
    const triples = readTriples(
      db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM product.demand_targets').get()?.n ?? 0,
      db.prepare('SELECT demand_id, unit_id, estimated_minutes FROM product.demand_targets ORDER BY rowid').raw(true).iterate() as Iterable<[number, number, number]>,
    );
    db.exec('DETACH DATABASE product');
    db.pragma('wal_checkpoint(TRUNCATE)');
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    const rows = triples.demandIds.length;
    log(`[sqlite] baseline: ${rows.toLocaleString('en-US')} prepared single-row inserts in one transaction…`);

    const insert = db.prepare(INSERT);
    const { demandIds, unitIds, minutes } = triples;
    const insertAll = db.transaction(() => {
      for (let i = 0; i < rows; i++) insert.run(demandIds[i], unitIds[i], minutes[i]);
    });
    const started = performance.now();
    insertAll();
    const seconds = (performance.now() - started) / 1000;

    const stored = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM demand_targets').get()?.n ?? 0;
    if (stored !== rows) throw new Error(`the baseline stored ${stored} targets, not ${rows}`);
    return { driver: `better-sqlite3 (SQLite ${sqliteVersion(db)})`, statement: INSERT, rows, seconds, targetsPerSecond: rows / seconds, setupSeconds };
  } finally {
    db.close();
  }
}

function checkSameUnits(db: Database.Database): void {
  const n = (sql: string) => db.prepare<[], { n: number }>(sql).get()?.n ?? -1;
  const same = n('SELECT COUNT(*) AS n FROM org_units b JOIN product.org_units p ON p.id = b.id AND p.code = b.code AND p.path = b.path');
  const units = n('SELECT COUNT(*) AS n FROM org_units');
  const productUnits = n('SELECT COUNT(*) AS n FROM product.org_units');
  if (same !== units || units !== productUnits) throw new Error(`the baseline's org units differ from the product's (${same} of ${units}/${productUnits} identical)`);
}

/** The demand tables the import writes, parents first. */
const DEMAND_TABLES = ['field_keys', 'demands', 'demand_targets', 'demand_occurrences', 'demand_fields', 'demand_joint_issuers'] as const;

/** Raw prepared inserts of every row the import wrote, table by table (informational, not the target's baseline). */
export interface FullBaselineFigures {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** The product's targets ÷ these seconds: the rate the import would reach if it cost no more than inserting its rows. */
  targetsPerSecond: number;
  tables: { table: string; rows: number; seconds: number }[];
}

/**
 * Not the target's baseline, a diagnosis: how long the same driver takes to insert EVERY row the
 * import wrote (the field-key dictionary, demands with their ids, targets, occurrences, fields, joint issuers), one prepared
 * single-row INSERT per row, all in one transaction, on a third database migrated and seeded like
 * the others. Each table's rows are read from the product database into memory just before they
 * are inserted (not timed, one table in memory at a time); the inserts and the commit are timed.
 * The product's time minus this is the importer's own work (parsing, checking, building
 * statements); this minus the targets baseline is what the schema's other rows cost.
 */
export function sqliteFullBaseline(path: string, productPath: string, pragmas: SqlitePragmas): FullBaselineFigures {
  const db = openLikeProduct(path, pragmas);
  try {
    db.prepare('ATTACH DATABASE ? AS product').run(productPath);
    checkSameUnits(db);
    db.pragma('wal_checkpoint(TRUNCATE)');
    log(`[sqlite] full baseline: every row of the import, one prepared single-row INSERT per row, one transaction…`);
    const tables: FullBaselineFigures['tables'] = [];
    let insertsEnded = 0;
    db.transaction(() => {
      for (const table of DEMAND_TABLES) {
        const columns = db
          .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}') ORDER BY cid`)
          .all()
          .map((c) => c.name);
        let rows: unknown[][] | null = db.prepare(`SELECT ${columns.join(', ')} FROM product.${table} ORDER BY rowid`).raw(true).all() as unknown[][];
        const insert = db.prepare(`INSERT INTO main.${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
        const from = performance.now();
        for (const row of rows) insert.run(row);
        insertsEnded = performance.now();
        tables.push({ table, rows: rows.length, seconds: (insertsEnded - from) / 1000 });
        rows = null;
      }
    })();
    tables.push({ table: '(commit)', rows: 0, seconds: (performance.now() - insertsEnded) / 1000 });
    db.exec('DETACH DATABASE product');
    const total = tables.reduce((n, t) => n + t.rows, 0);
    const seconds = tables.reduce((n, t) => n + t.seconds, 0);
    const targets = tables.find((t) => t.table === 'demand_targets')?.rows ?? 0;
    return { rows: total, seconds, rowsPerSecond: total / seconds, targetsPerSecond: targets / seconds, tables };
  } finally {
    db.close();
  }
}

function sqliteVersion(db: Database.Database): string {
  return db.prepare<[], { v: string }>('SELECT sqlite_version() AS v').get()?.v ?? '?';
}

function readTriples(count: number, rows: Iterable<[number, number, number]>): Triples {
  const demandIds = new Int32Array(count);
  const unitIds = new Int32Array(count);
  const minutes = new Int32Array(count);
  let i = 0;
  for (const [d, u, m] of rows) {
    demandIds[i] = d;
    unitIds[i] = u;
    minutes[i] = m;
    i++;
  }
  if (i !== count) throw new Error(`read ${i} target rows, expected ${count}`);
  return { demandIds, unitIds, minutes };
}

/**
 * The same on PostgreSQL with node-postgres: the baseline schema migrated and seeded like the
 * product's, the product's demands copied in (not timed), then one named (server-side prepared)
 * single-row INSERT per target, each awaited, between one BEGIN and COMMIT.
 */
export async function postgresBaseline(url: string, baselineSchema: string, productSchema: string): Promise<BaselineFigures> {
  const setupStarted = performance.now();
  const client = new Client({ connectionString: url, options: `-c search_path=${baselineSchema}` });
  await client.connect();
  try {
    const same = await client.query<{ n: string }>(
      `SELECT COUNT(*) AS n FROM ${baselineSchema}.org_units b JOIN ${productSchema}.org_units p ON p.id = b.id AND p.code = b.code AND p.path = b.path`,
    );
    const units = await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${baselineSchema}.org_units`);
    if (same.rows[0]?.n !== units.rows[0]?.n) throw new Error(`the baseline's org units differ from the product's`);
    await client.query(`INSERT INTO ${baselineSchema}.demands SELECT * FROM ${productSchema}.demands`);
    const count = Number((await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${productSchema}.demand_targets`)).rows[0]?.n ?? 0);
    const bounds = await client.query<{ lo: number | null; hi: number | null }>(`SELECT MIN(demand_id) AS lo, MAX(demand_id) AS hi FROM ${productSchema}.demand_targets`);
    const demandIds = new Int32Array(count);
    const unitIds = new Int32Array(count);
    const minutes = new Int32Array(count);
    let n = 0;
    const lo = bounds.rows[0]?.lo ?? 0;
    const hi = bounds.rows[0]?.hi ?? -1;
    // In the order the product wrote them: demand ids grow with the import, and within a range the heap order (ctid) is the insert order.
    for (let from = lo; from <= hi; from += 20_000) {
      const rows = await client.query<[number, number, number]>({
        text: `SELECT demand_id, unit_id, estimated_minutes FROM ${productSchema}.demand_targets WHERE demand_id >= $1 AND demand_id < $2 ORDER BY ctid`,
        values: [from, from + 20_000],
        rowMode: 'array',
      });
      for (const [d, u, m] of rows.rows) {
        demandIds[n] = d;
        unitIds[n] = u;
        minutes[n] = m;
        n++;
      }
    }
    if (n !== count) throw new Error(`read ${n} target rows, expected ${count}`);
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    log(`[postgres] baseline: ${count.toLocaleString('en-US')} prepared single-row inserts in one transaction…`);
    const text = 'INSERT INTO demand_targets (demand_id, unit_id, estimated_minutes) VALUES ($1, $2, $3)';
    const started = performance.now();
    await client.query('BEGIN');
    for (let i = 0; i < count; i++) {
      await client.query({ name: 'bench_insert_target', text, values: [demandIds[i], unitIds[i], minutes[i]] });
      if (i > 0 && i % 500_000 === 0) log(`[postgres] baseline: ${i.toLocaleString('en-US')} rows, ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    await client.query('COMMIT');
    const seconds = (performance.now() - started) / 1000;
    const stored = Number((await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM demand_targets')).rows[0]?.n ?? 0);
    if (stored !== count) throw new Error(`the baseline stored ${stored} targets, not ${count}`);
    const version = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?';
    return { driver: `pg (node-postgres, PostgreSQL ${version})`, statement: text, rows: count, seconds, targetsPerSecond: count / seconds, setupSeconds };
  } finally {
    await client.end();
  }
}
