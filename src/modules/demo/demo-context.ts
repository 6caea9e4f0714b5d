import type { Type } from '@nestjs/common';
import type { Actor } from '@/common/auth/actor';
import type { TransactionRunner } from '@/database/transaction-runner';
import type { DemoRepository } from './demo.repository';

/** A showcase demand once registered. */
export interface RegisteredShowcase {
  id: number;
  registrationNo: string;
}

/** What the steps of the demo share while loading, and what the loader reports at the end. */
export interface DemoContext {
  readonly tx: TransactionRunner;
  readonly repo: DemoRepository;
  /** Any provider of the running application, by class (the steps use the features' own services). */
  get<T>(type: Type<T>): T;
  /** The actor of a demo user created by the users step. */
  actor(username: string): Actor;
  readonly password: string;
  readonly year: number;
  readonly seed: number;
  /** Scratch directory for the generated import files (removed after loading). */
  readonly workDir: string;
  /** Progress inside a step: `done` of `total` (shown in the log). */
  progress(done: number, total: number, message: string): void;
  /** Showcase demands by key (see showcase.ts), filled by the showcase step. */
  readonly showcase: Map<string, RegisteredShowcase>;
  /** Counts the summary shows (org units, demands, reports…), filled by the steps. */
  readonly counts: Record<string, number>;
  /** Actors by username, filled by the users step. */
  readonly actors: Map<string, Actor>;
}

/**
 * One step of the demo, run in order by DemoLoader (demo-steps.ts lists them). A step that needs
 * another feature (typical cases, bulletins) is one more entry there, using `ctx.get(ItsService)`.
 */
export interface DemoStep {
  name: string;
  /** Shown in the log: what the step loads. */
  title: string;
  run(ctx: DemoContext): Promise<void>;
}
