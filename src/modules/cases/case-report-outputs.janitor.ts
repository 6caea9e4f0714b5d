import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TransactionRunner } from '@/database/transaction-runner';
import { CaseRepository } from './case.repository';

const HOUR = 3600_000;
/** How long a bulletin rendered by a job stays downloadable: pulling the period again renders it anew. */
export const CASE_REPORT_OUTPUT_TTL_HOURS = 7 * 24;

/**
 * Deletes bulletins rendered by jobs (`case_report_outputs`) a week after they were made, at start
 * and then hourly, so the table does not grow with every large pull. The cases and the pull's
 * audit entry stay; only the rendered file goes. The server only (not the command line).
 */
@Injectable()
export class CaseReportOutputsJanitor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('CaseReports');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly repo: CaseRepository,
    private readonly tx: TransactionRunner,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.adapterHost.httpAdapter) return;
    await this.purge();
    this.timer = setInterval(() => {
      this.purge().catch((error: unknown) => this.logger.warn({ err: error }, 'Purging old rendered bulletins failed'));
    }, HOUR);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Removes rendered bulletins older than the TTL; returns how many went. */
  purge(now: number = Date.now()): Promise<number> {
    const before = new Date(now - CASE_REPORT_OUTPUT_TTL_HOURS * HOUR).toISOString();
    return this.tx.run((tx) => this.repo.removeOutputsOlderThan(tx, before));
  }
}
