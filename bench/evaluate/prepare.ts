import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { selectRows, toInt } from '@/database/dialect';
import { IdentityService } from '@/modules/identity/identity.service';
import type { Manifest } from '../generator/generate';
import { bootApp, freshSqlite, seedUsersAndUnits, writer } from '../import/app-setup';
import { splitByPrefecture } from '../import/pieces';
import { importPieces } from '../import/product';
import { RssSampler } from '../import/rss';
import { grouped, log, round } from '../import/stats';

/** The ledger the evaluation runs on, as the product's own import paths wrote it. */
export interface Prepared {
  dbPath: string;
  /** The coordinator of 云南省 who starts the evaluation (a user created like any other). */
  username: string;
  password: string;
  stored: { orgUnits: number; areaUnits: number; demands: number; targets: number; occurrences: number; fields: number; jointIssuers: number; burdenReports: number };
  matchesManifest: boolean;
  seconds: { orgUnits: number; demands: number; total: number };
  pieces: number;
  /** This (bench) process while importing: the app, the piece being parsed and written. */
  importRssPeakBytes: number;
  dbBytes: number;
}

/**
 * A fresh SQLite file at `<workDir>/server.sqlite` (where the server child will open it), filled
 * the fastest honest way the product allows, in this process: the app migrates and seeds it
 * (`createApp` + `init`), `OrgUnitImportService` imports org-units.csv (as POST /org-units/import),
 * then demands.csv split by the issuer's prefecture goes through `DemandImporter` exactly as the
 * `demands-import` job runs it, one all-or-nothing transaction per piece (bench/import/product.ts).
 * No flags exist afterwards: imports do not judge (the evaluation is what raises them).
 */
export async function prepareDatabase(opts: { scale: string; workDir: string; dataDir: string; manifest: Manifest }): Promise<Prepared> {
  const t0 = performance.now();
  const db = freshSqlite(opts.workDir, 'server');
  const rss = new RssSampler(100);
  try {
    const app = await bootApp(db.config, join(opts.workDir, 'prepare-data'));
    try {
      const orgUnitsCsv = readFileSync(join(opts.dataDir, 'org-units.csv'));
      const seeded = await seedUsersAndUnits(app, orgUnitsCsv);
      log(`[${opts.scale}] ${grouped(seeded.orgUnits)} org units imported in ${seeded.orgUnitSeconds.toFixed(1)} s; splitting demands.csv by issuer prefecture`);
      const split = await splitByPrefecture(join(opts.dataDir, 'demands.csv'), join(opts.workDir, 'pieces'));
      const imported = await importPieces(app, seeded.coordinator, split.pieces, rss, opts.scale);

      const password = randomBytes(12).toString('base64url');
      const username = 'bench-evaluator';
      const [province] = await selectRows<{ id: number | string }>(writer(app), 'SELECT id FROM org_units WHERE code = ?', ['53']);
      if (!province) throw new Error('no 云南省 (53) after the org-unit import');
      await app.get(IdentityService).createUser(null, { username, password, role: 'coordinator', orgUnitId: toInt(province.id) }, 'bench');

      const count = async (sql: string) => toInt((await selectRows<{ n: number | string }>(writer(app), sql))[0]?.n);
      const stored = {
        orgUnits: await count('SELECT COUNT(*) AS n FROM org_units'),
        areaUnits: await count("SELECT COUNT(*) AS n FROM org_units WHERE kind = 'area'"),
        demands: imported.stored.demands,
        targets: imported.stored.targets,
        occurrences: imported.stored.occurrences,
        fields: imported.stored.fields,
        jointIssuers: imported.stored.jointIssuers,
        burdenReports: await count('SELECT COUNT(*) AS n FROM burden_reports'),
      };
      // Leave the file as a stopped server would: everything in the main database file.
      await selectRows(writer(app), 'PRAGMA wal_checkpoint(TRUNCATE)');
      const matchesManifest =
        stored.orgUnits === opts.manifest.orgUnits.total && stored.demands === opts.manifest.demands.total && stored.targets === opts.manifest.expected.targets;
      const total = (performance.now() - t0) / 1000;
      log(
        `[${opts.scale}] ledger ready in ${total.toFixed(1)} s: ${grouped(stored.demands)} demands, ${grouped(stored.targets)} targets ` +
          `(import ${imported.seconds.toFixed(1)} s, ${split.pieces.length} pieces)${matchesManifest ? '' : ' — DOES NOT MATCH the manifest'}`,
      );
      return {
        dbPath: db.where,
        username,
        password,
        stored,
        matchesManifest,
        seconds: { orgUnits: round(seeded.orgUnitSeconds, 2), demands: round(imported.seconds, 2), total: round(total, 2) },
        pieces: split.pieces.length,
        importRssPeakBytes: imported.rssPeakBytes,
        dbBytes: 0,
      };
    } finally {
      await app.close();
    }
  } catch (error) {
    await db.drop();
    throw error;
  } finally {
    await rss.stop();
  }
}

/**
 * `prepareDatabase` in a child process (this file run as a script), so the process that then
 * measures GET /health is not the one that just held the import's gigabyte of garbage: a major
 * collection of that heap during the measurement would delay the health client's callbacks and
 * show up as slow answers.
 */
export function prepareInChild(opts: { scale: string; workDir: string; dataDir: string }): Promise<Prepared> {
  const resultFile = join(opts.workDir, 'prepared.json');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [__filename, JSON.stringify({ ...opts, resultFile })], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`preparing the ledger failed (exit ${code})`));
      resolvePromise(JSON.parse(readFileSync(resultFile, 'utf8')) as Prepared);
    });
  });
}

if (require.main === module) {
  const opts = JSON.parse(process.argv[2] ?? '{}') as { scale: string; workDir: string; dataDir: string; resultFile: string };
  const manifest = JSON.parse(readFileSync(join(opts.dataDir, 'manifest.json'), 'utf8')) as Manifest;
  prepareDatabase({ ...opts, manifest })
    .then((prepared) => writeFileSync(opts.resultFile, JSON.stringify(prepared)))
    .catch((error: unknown) => {
      process.stderr.write(`preparing the ledger failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    });
}
