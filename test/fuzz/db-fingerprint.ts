import { createHash } from 'node:crypto';
import { selectRows, toInt } from '@/database/dialect';
import { RollupRebuildService } from '@/modules/metrics/rollup-rebuild.service';
import type { TestApp } from '../utils/test-app';

/** Every table of the test database (the migrated schema), sorted by name. */
export async function tableNames(t: TestApp): Promise<string[]> {
  const rows =
    t.kind === 'sqlite'
      ? await selectRows<{ name: string }>(t.db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
      : await selectRows<{ name: string }>(t.db, `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`);
  return rows.map((r) => r.name);
}

/**
 * A fingerprint of the whole database: every row of every table, hashed per table. The test
 * database holds a few hundred rows, so reading them all is cheap, and unlike row counts and
 * max ids it also sees an UPDATE that stuck after a rejection. Rows are hashed in a sorted order,
 * so the databases' unspecified row order does not matter.
 */
export async function databaseFingerprint(t: TestApp, tables: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of tables) {
    if (table === 'audit_log') {
      // Append-only and hash-chained: its size, last id and head hash stand for every row (and reading them all grows with the run).
      const [size] = await selectRows<{ n: number | string; m: number | string | null }>(t.db, 'SELECT COUNT(*) AS n, MAX(id) AS m FROM audit_log');
      const [head] = await selectRows<{ hash: string }>(t.db, 'SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1');
      out[table] = `${toInt(size.n)}:${String(size.m)}:${head?.hash ?? ''}`;
      continue;
    }
    const rows = await selectRows<Record<string, unknown>>(t.db, `SELECT * FROM ${quote(table)}`);
    const lines = rows.map((r) => JSON.stringify(r)).sort();
    out[table] = `${rows.length}:${createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16)}`;
  }
  return out;
}

/** The tables whose fingerprints differ, for the failure message. */
export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Waits until the background work of earlier accepted writes has ended: no job queued or running,
 * and no rollup rebuild about to start one (a write marks rollups stale and starts their rebuild
 * after its transaction, MetricsModule; an evaluation's success starts one too). A worker writing
 * under a fingerprint would look like a write that stuck after a rejection.
 */
export async function waitForJobs(t: TestApp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const rebuild = t.app.get(RollupRebuildService);
  let quietAt: string | null = null;
  for (;;) {
    await rebuild.settled();
    const [row] = await selectRows<{ n: number | string; m: number | string | null }>(t.db, `SELECT COUNT(*) AS n, (SELECT MAX(id) FROM jobs) AS m FROM jobs WHERE status IN ('queued', 'running')`);
    const last = String(row.m);
    if (toInt(row.n) === 0) {
      // No new job since the app was last found quiet: nothing can be running behind it.
      if (lastQuiet.get(t) === last) return;
      // A new job ended: quiet twice in a row, 100 ms apart, with no newer job (a success may start a rollup rebuild).
      if (quietAt === last) {
        lastQuiet.set(t, last);
        return;
      }
      quietAt = last;
    } else quietAt = null;
    if (Date.now() > deadline) throw new Error('fuzz: jobs still running');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The newest job id each app was last found quiet at. */
const lastQuiet = new WeakMap<TestApp, string>();

/** What an unexpected write left behind, for the report: the newest audit entries and jobs. */
export async function newestWrites(t: TestApp): Promise<string> {
  const audit = await selectRows<{ action: string; entity_type: string }>(t.db, 'SELECT action, entity_type FROM audit_log ORDER BY id DESC LIMIT 2');
  const jobs = await selectRows<{ kind: string; status: string }>(t.db, 'SELECT kind, status FROM jobs ORDER BY id DESC LIMIT 2');
  return `newest audit ${JSON.stringify(audit)}, newest jobs ${JSON.stringify(jobs)}`;
}
