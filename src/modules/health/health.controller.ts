import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '@/common/auth/decorators';
import { DomainError, ErrorCode } from '@/common/errors/domain-error';
import { databaseKind, selectRows } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly tx: TransactionRunner) {}

  /** Liveness plus a round trip to the database. */
  @Get()
  @Public()
  async health() {
    const reader = this.tx.reader;
    try {
      await selectRows(reader, 'SELECT 1 AS ok');
    } catch {
      throw new DomainError(ErrorCode.Unavailable, 'The database does not answer');
    }
    return { status: 'ok', database: databaseKind(reader) };
  }
}
