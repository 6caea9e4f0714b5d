import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { AuthGuard } from './common/auth/auth.guard';
import { HttpExceptionFilter } from './common/http/http-exception.filter';
import { requestIdFor } from './common/http/request-id';
import { createValidationPipe } from './common/http/validation';
import { DomainEventsModule } from './common/events/domain-events';
import { IdempotencyModule } from './common/idempotency/idempotency.module';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { AuditModule } from './modules/audit/audit.module';
import { BurdenReportsModule } from './modules/burden-reports/burden-reports.module';
import { DemandsModule } from './modules/demands/demands.module';
import { DutiesModule } from './modules/duties/duties.module';
import { CasesModule } from './modules/cases/cases.module';
import { FlagsModule } from './modules/flags/flags.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { HealthModule } from './modules/health/health.module';
import { IdentityModule } from './modules/identity/identity.module';
import { InspectionPlansModule } from './modules/inspection-plans/inspection-plans.module';
import { JobsModule } from './modules/jobs/jobs.module';
import { JointInspectionsModule } from './modules/joint-inspections/joint-inspections.module';
import { OrgUnitsModule } from './modules/org-units/org-units.module';
import { PolicyModule } from './modules/policy/policy.module';

/** Modules every entry point needs: configuration, logging, database, tokens, audit, identity. */
export function coreImports(config: AppConfig) {
  return [
    ConfigModule.forRoot(config),
    LoggerModule.forRoot({
      pinoHttp: {
        level: config.logLevel,
        genReqId: (req: IncomingMessage, res: ServerResponse) => requestIdFor(req, res),
        // One compact line per request: id, method, URL, status, time; never headers or bodies.
        serializers: {
          req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
        customProps: (req: IncomingMessage & { actor?: { userId: number } }) => ({ userId: req.actor?.userId }),
      },
    }),
    DatabaseModule.forRoot(config),
    DomainEventsModule,
    JwtModule.register({
      global: true,
      secret: config.jwtSecret,
      signOptions: { expiresIn: config.jwtExpiresInSeconds, algorithm: 'HS256' },
      verifyOptions: { algorithms: ['HS256'] },
    }),
    // Login is rate-limited; the limiter's options must exist wherever the identity module loads.
    ThrottlerModule.forRoot([{ name: 'default', ttl: 60_000, limit: 10 }]),
    AuditModule,
    IdentityModule,
  ];
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...coreImports(config),
        IdempotencyModule,
        HealthModule,
        OrgUnitsModule,
        DutiesModule,
        PolicyModule,
        JobsModule,
        InspectionPlansModule,
        DemandsModule,
        BurdenReportsModule,
        JointInspectionsModule,
        FlagsModule,
        MetricsModule,
        CasesModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
