import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Actor } from '@/common/auth/actor';
import { TransactionRunner } from '@/database/transaction-runner';
import { DEMO_ACCOUNTS, DEMO_SEED, DEMO_YEAR, DemoAccount } from './demo-accounts';
import type { DemoContext, DemoStep, RegisteredShowcase } from './demo-context';
import { DEMO_STEPS } from './demo-steps';
import { DemoRepository } from './demo.repository';

export interface DemoOptions {
  /** The demo users' password; when absent one is generated (and returned, to be printed once). */
  password?: string;
  /** One line per step, and (without `onProgress`) a line a second inside long steps. */
  log?: (line: string) => void;
  /** Progress inside a step, unthrottled (a progress bar throttles itself). */
  onProgress?: (done: number, total: number, message: string) => void;
  /** The steps to run (default DEMO_STEPS); tests may stop early. */
  steps?: readonly DemoStep[];
}

export interface DemoSummary {
  county: string;
  year: number;
  seed: number;
  password: string;
  passwordGenerated: boolean;
  users: DemoAccount[];
  counts: Record<string, number>;
  showcase: Record<string, RegisteredShowcase>;
  flags: { total: number; byStatus: Record<string, number> };
  stepSeconds: Record<string, number>;
  elapsedSeconds: number;
}

/** Refused: the database already holds org units or users. */
export class DatabaseNotEmptyError extends Error {
  constructor() {
    super('The database is not empty (it holds org units or users other than admin): the demo county loads only into an empty one.');
  }
}

/**
 * Loads the demo county (云南省红河州蒙自市) into an empty database through the features' own
 * services and import paths, so audit entries, rollups and flags are exactly what real use makes.
 * The steps are DEMO_STEPS, run in order; progress goes to `log`.
 */
@Injectable()
export class DemoLoader {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly repo: DemoRepository,
    private readonly moduleRef: ModuleRef,
  ) {}

  isEmpty(): Promise<boolean> {
    return this.repo.isEmpty(this.tx.reader);
  }

  /** Loads the demo; throws DatabaseNotEmptyError when the database holds anything already. */
  async load(options: DemoOptions = {}): Promise<DemoSummary> {
    if (!(await this.isEmpty())) throw new DatabaseNotEmptyError();
    const started = performance.now();
    const log = options.log ?? (() => undefined);
    const password = options.password ?? randomBytes(12).toString('base64url');
    const workDir = mkdtempSync(join(tmpdir(), 'burden-ledger-demo-'));
    const actors = new Map<string, Actor>();
    const steps = options.steps ?? DEMO_STEPS;
    let current = '';
    let lastLogged = 0;
    const ctx: DemoContext = {
      tx: this.tx,
      repo: this.repo,
      get: (type) => this.moduleRef.get(type, { strict: false }),
      actor: (username) => {
        const actor = actors.get(username);
        if (!actor) throw new Error(`demo: no demo user ${username} (the users step creates them)`);
        return actor;
      },
      password,
      year: DEMO_YEAR,
      seed: DEMO_SEED,
      workDir,
      progress: (done, total, message) => {
        if (options.onProgress) return options.onProgress(done, total, `${current} ${message}`.trimEnd());
        // At most one line a second: the log shows movement without drowning.
        const now = performance.now();
        if (now - lastLogged < 1000 && done < total) return;
        lastLogged = now;
        log(`  ${current}: ${done}/${total} ${message}`.trimEnd());
      },
      showcase: new Map(),
      counts: {},
      actors,
    };
    const stepSeconds: Record<string, number> = {};
    try {
      for (const [i, step] of steps.entries()) {
        current = step.name;
        const stepStarted = performance.now();
        log(`demo ${i + 1}/${steps.length} ${step.name}: ${step.title}`);
        await step.run(ctx);
        stepSeconds[step.name] = Math.round(performance.now() - stepStarted) / 1000;
      }
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
    const elapsedSeconds = Math.round(performance.now() - started) / 1000;
    log(`demo loaded in ${elapsedSeconds} s`);
    return {
      county: '532503 蒙自市',
      year: DEMO_YEAR,
      seed: DEMO_SEED,
      password,
      passwordGenerated: options.password === undefined,
      users: [...DEMO_ACCOUNTS],
      counts: ctx.counts,
      showcase: Object.fromEntries(ctx.showcase),
      flags: await this.repo.countFlags(this.tx.reader),
      stepSeconds,
      elapsedSeconds,
    };
  }
}
