import Database from 'better-sqlite3';
import { Api, sleep } from './server';

/** A (unit, demand, month) that a registered demand reaches: one report may be filed for it. */
export interface Triple {
  unitId: number;
  demandId: number;
  month: string;
  /** The township whose reporter files it (the unit itself, or a village's township). */
  townshipId: number;
}

export interface Setup {
  /** Bearer token of each township's reporter, by township id. */
  tokens: Map<number, string>;
  /** Units (township or village) under each township, for shadow reports. */
  unitsByTownship: Map<number, number[]>;
  triples: Triple[];
  counts: { orgUnits: number; demands: number; targets: number; occurrences: number; reporters: number; triples: number };
  seconds: { orgUnits: number; demands: number; users: number; logins: number; total: number };
  loginWaitsSeconds: number;
}

interface JobView {
  id: number;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  result?: { imported: number; targets: number };
  error?: unknown;
}

/**
 * Sets the server up through its API, as an administrator and a coordinator would: the org tree
 * (POST /org-units/import), a coordinator of 云南省 who imports the generated demands
 * (POST /demands/import, a job), and a reporter per township (POST /users), each logged in once,
 * one after another (login allows 10 a minute per address: the bench waits when told to). The
 * (unit, demand, month) triples a report may be filed for are then read from the SQLite file
 * (read-only): every target of a demand with an occurrence in a month up to `lastMonth`.
 */
export async function setUp(opts: {
  api: Api;
  dbPath: string;
  adminPassword: string;
  orgUnitsCsv: string;
  demandsCsv: string;
  countyCode: string;
  lastMonth: string;
  log: (line: string) => void;
  /** Create and log in a reporter per township (default true; a bench that files no reports skips the minute the logins take). */
  reporters?: boolean;
}): Promise<Setup> {
  const { api, log } = opts;
  const t0 = performance.now();
  let loginWaitsSeconds = 0;
  const onWait = (s: number) => {
    loginWaitsSeconds += s;
    log(`[setup] login limit reached (10/min per address): waiting ${s} s`);
  };
  api.token = await api.login('admin', opts.adminPassword, onWait);
  const imported = await api.upload<unknown>('/org-units/import', opts.orgUnitsCsv);
  void imported;
  const tOrg = performance.now();

  const db = new Database(opts.dbPath, { readonly: true, fileMustExist: true });
  try {
    const unit = (code: string) => db.prepare<[string], { id: number; path: string }>('SELECT id, path FROM org_units WHERE code = ?').get(code);
    const province = unit('53');
    const county = unit(opts.countyCode);
    if (!province || !county) throw new Error(`no 云南省 (53) or county ${opts.countyCode} after the org-unit import`);
    const townships = db
      .prepare<[string], { id: number; code: string }>("SELECT id, code FROM org_units WHERE level = 'township' AND kind = 'area' AND path LIKE ? || '%' ORDER BY code")
      .all(county.path);
    const villages = db
      .prepare<[string], { id: number; parent_id: number }>("SELECT id, parent_id FROM org_units WHERE level = 'village' AND kind = 'area' AND path LIKE ? || '%' ORDER BY code")
      .all(county.path);
    const orgUnits = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM org_units').get()?.n ?? 0;
    log(`[setup] ${orgUnits} org units imported in ${((tOrg - t0) / 1000).toFixed(1)} s: ${townships.length} townships, ${villages.length} villages in ${opts.countyCode}`);

    // The coordinator imports the demands (a job above the inline size).
    const password = opts.adminPassword;
    await api.call('POST', '/users', { username: 'bench-coordinator', password, role: 'coordinator', orgUnitId: province.id });
    const reporters: { townshipId: number; username: string }[] = [];
    for (const t of opts.reporters === false ? [] : townships) {
      const username = `bench-reporter-${t.code}`;
      await api.call('POST', '/users', { username, password, role: 'reporter', orgUnitId: t.id, displayName: `${t.code} 填报员` });
      reporters.push({ townshipId: t.id, username });
    }
    const tUsers = performance.now();
    const coordinator = new Api(api.base);
    coordinator.token = await coordinator.login('bench-coordinator', password, onWait);
    const accepted = await coordinator.upload<{ jobId: number; status: string }>('/demands/import', opts.demandsCsv);
    let job: JobView;
    for (;;) {
      job = await coordinator.call<JobView>('GET', `/jobs/${accepted.jobId}`);
      if (job.status === 'succeeded' || job.status === 'failed') break;
      await sleep(200);
    }
    if (job.status !== 'succeeded') throw new Error(`the demand import failed: ${JSON.stringify(job.error).slice(0, 500)}`);
    const tDemands = performance.now();
    log(`[setup] demands imported by the coordinator: ${job.result?.imported ?? 0} demands, ${job.result?.targets ?? 0} targets in ${((tDemands - tUsers) / 1000).toFixed(1)} s`);

    // One login per reporter, one after another.
    const tokens = new Map<number, string>();
    for (const r of reporters) tokens.set(r.townshipId, await api.login(r.username, password, onWait));
    const tLogins = performance.now();
    log(`[setup] ${reporters.length} township reporters logged in (${((tLogins - tDemands) / 1000).toFixed(1)} s)`);

    const unitsByTownship = new Map<number, number[]>(townships.map((t) => [t.id, [t.id]]));
    for (const v of villages) unitsByTownship.get(v.parent_id)?.push(v.id);
    const triples = db
      .prepare<[string, string], { unitId: number; demandId: number; month: string; townshipId: number }>(
        `SELECT t.unit_id AS unitId, t.demand_id AS demandId, o.month AS month,
                CASE WHEN u.level = 'township' THEN u.id ELSE u.parent_id END AS townshipId
           FROM demand_targets t
           JOIN demand_occurrences o ON o.demand_id = t.demand_id
           JOIN org_units u ON u.id = t.unit_id
          WHERE o.month <= ? AND u.level IN ('township', 'village') AND u.path LIKE ? || '%'
          ORDER BY t.demand_id, t.unit_id, o.month`,
      )
      .all(opts.lastMonth, county.path)
      .filter((r) => tokens.has(r.townshipId));
    const count = (table: string) => db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).get()?.n ?? 0;
    return {
      tokens,
      unitsByTownship,
      triples,
      counts: { orgUnits, demands: count('demands'), targets: count('demand_targets'), occurrences: count('demand_occurrences'), reporters: reporters.length, triples: triples.length },
      seconds: { orgUnits: (tOrg - t0) / 1000, users: (tUsers - tOrg) / 1000, demands: (tDemands - tUsers) / 1000, logins: (tLogins - tDemands) / 1000, total: (tLogins - t0) / 1000 },
      loginWaitsSeconds,
    };
  } finally {
    db.close();
  }
}

/** Rows of a table in the server's SQLite file (read-only), for the check after the load. */
export function countRows(dbPath: string, sql: string): number {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare<[], { n: number }>(sql).get()?.n ?? 0;
  } finally {
    db.close();
  }
}
