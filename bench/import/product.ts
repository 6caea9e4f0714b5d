import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { Actor } from '@/common/auth/actor';
import { DomainEvents } from '@/common/events/domain-events';
import { selectRows, toInt } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { DemandImporter, DemandImportTimings } from '@/modules/demands/demand-importer';
import { loadFieldSynonyms } from '@/modules/demands/fields/field-key';
import { PolicyService } from '@/modules/policy/policy.service';
import type { Piece } from './pieces';
import { RssSampler } from './rss';
import { grouped, log, mib, round } from './stats';
import { writer } from './app-setup';

/** One piece imported by the product, timed. */
export interface PieceFigures {
  key: string;
  rows: number;
  bytes: number;
  demands: number;
  targets: number;
  seconds: number;
  /**
   * Where the time went, from the importer's own timings (it reads, checks and writes a batch of
   * rows at a time, so these are sums over the batches): reading and parsing the file, checking
   * rows, writing demands (registration numbers, ids back), writing their parts (targets,
   * occurrences, fields, joint issuers), the rollups and audit entry; commit is the rest.
   */
  phases: ImportPhases;
  rssPeakBytes: number;
}

export interface ProductFigures {
  pieces: PieceFigures[];
  demands: number;
  targets: number;
  /** Σ piece seconds: the imports themselves (each parse + validate + write + commit). */
  seconds: number;
  demandsPerSecond: number;
  targetsPerSecond: number;
  rssPeakBytes: number;
  rssSamples: number;
  /** Rows in the database afterwards. */
  stored: { demands: number; targets: number; occurrences: number; fields: number; jointIssuers: number };
  phases: ImportPhases;
}

export interface ImportPhases {
  readSeconds: number;
  checkSeconds: number;
  demandsSeconds: number;
  partsSeconds: number;
  rollupsAndAuditSeconds: number;
  commitSeconds: number;
}

/**
 * Imports every piece as the demands-import job does (src/modules/demands/demands-import.job.ts),
 * but in-process and timed: the current policy, the field synonyms, and
 * `new DemandImporter().run(tx, bytes, fileName, ctx)` inside one `TransactionRunner.run` per
 * piece, so each piece is one all-or-nothing import.
 */
export async function importPieces(app: NestExpressApplication, actor: Actor, pieces: Piece[], rss: RssSampler, label: string): Promise<ProductFigures> {
  const policy = await app.get(PolicyService).current();
  const synonyms = loadFieldSynonyms();
  const runner = app.get(TransactionRunner);
  // The app's own events: the burden rollups are kept in the import's transaction, as in the product.
  const events = app.get(DomainEvents);
  const figures: PieceFigures[] = [];
  rss.reset();
  let overallPeak = 0;
  let samples = 0;
  for (const [index, piece] of pieces.entries()) {
    const bytes = readFileSync(piece.file);
    const timings: DemandImportTimings = { read: 0, check: 0, demands: 0, parts: 0, after: 0 };
    rss.reset();
    const started = performance.now();
    let inside = 0;
    const result = await runner.run(async (tx) => {
      const r = await new DemandImporter().run(tx, bytes, basename(piece.file), { actor, policy, synonyms, events, timings });
      inside = performance.now();
      return r;
    });
    const ended = performance.now();
    const peak = rss.peak();
    overallPeak = Math.max(overallPeak, peak.bytes);
    samples += peak.samples;
    const phases: ImportPhases = {
      readSeconds: timings.read / 1000,
      checkSeconds: timings.check / 1000,
      demandsSeconds: timings.demands / 1000,
      partsSeconds: timings.parts / 1000,
      rollupsAndAuditSeconds: timings.after / 1000,
      commitSeconds: (ended - inside) / 1000,
    };
    const seconds = (ended - started) / 1000;
    figures.push({ key: piece.key, rows: piece.rows, bytes: piece.bytes, demands: result.imported, targets: result.targets, seconds, phases, rssPeakBytes: peak.bytes });
    log(
      `[${label}] product ${index + 1}/${pieces.length} piece ${piece.key}: ${grouped(result.imported)} demands, ${grouped(result.targets)} targets in ${seconds.toFixed(2)} s ` +
        `(${grouped(result.targets / seconds)} targets/s; ${(Object.entries(phases) as [string, number][]).map(([k, v]) => `${k.replace('Seconds', '')} ${v.toFixed(2)}`).join(', ')} s) RSS ${mib(peak.bytes)} MiB`,
    );
  }
  const count = async (table: string): Promise<number> => toInt((await selectRows<{ n: number | string }>(writer(app), `SELECT COUNT(*) AS n FROM ${table}`))[0]?.n);
  const demands = figures.reduce((s, f) => s + f.demands, 0);
  const targets = figures.reduce((s, f) => s + f.targets, 0);
  const seconds = figures.reduce((s, f) => s + f.seconds, 0);
  const sum = (k: keyof ImportPhases) => round(figures.reduce((s, f) => s + f.phases[k], 0), 2);
  const allPhases: ImportPhases = {
    readSeconds: sum('readSeconds'),
    checkSeconds: sum('checkSeconds'),
    demandsSeconds: sum('demandsSeconds'),
    partsSeconds: sum('partsSeconds'),
    rollupsAndAuditSeconds: sum('rollupsAndAuditSeconds'),
    commitSeconds: sum('commitSeconds'),
  };
  return {
    pieces: figures,
    demands,
    targets,
    seconds,
    demandsPerSecond: demands / seconds,
    targetsPerSecond: targets / seconds,
    rssPeakBytes: overallPeak,
    rssSamples: samples,
    stored: {
      demands: await count('demands'),
      targets: await count('demand_targets'),
      occurrences: await count('demand_occurrences'),
      fields: await count('demand_fields'),
      jointIssuers: await count('demand_joint_issuers'),
    },
    phases: allPhases,
  };
}
