import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@/config/app-config';
import { TransactionRunner } from '@/database/transaction-runner';
import { IdempotencyRepository } from './idempotency.repository';

const HOUR = 3600_000;

/** Deletes stored answers older than the TTL at start and then hourly, so the table stays small. */
@Injectable()
export class IdempotencyJanitor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Idempotency');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly repo: IdempotencyRepository,
    private readonly tx: TransactionRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.purge();
    this.timer = setInterval(() => {
      this.purge().catch((error: unknown) => this.logger.warn({ err: error }, 'Purging expired idempotency keys failed'));
    }, HOUR);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Removes every key older than the TTL; returns nothing, it is housekeeping. */
  async purge(now: number = Date.now()): Promise<void> {
    const before = new Date(now - this.config.idempotencyTtlHours * HOUR).toISOString();
    await this.tx.run((tx) => this.repo.removeOlderThan(tx, before));
  }
}
