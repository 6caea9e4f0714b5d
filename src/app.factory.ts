import { DynamicModule, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { answerClientErrorsAsJson } from './common/http/client-error';
import { requestIdFor } from './common/http/request-id';
import type { AppConfig } from './config/app-config';
import { serveDashboard } from './modules/dashboard/serve-dashboard';
import { DemoModule } from './modules/demo/demo.module';

export const API_PREFIX = 'api/v1';

/**
 * The server: the API (AppModule) and the demo county loader that `npm start` runs on an empty
 * database (src/main.ts). The loader serves no route; it sits here so the feature list stays the API.
 */
@Module({})
export class ServerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: ServerModule, imports: [AppModule.forRoot(config), DemoModule] };
  }
}

/** Builds the HTTP application exactly as production runs it; tests use the same function. */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ServerModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  answerClientErrorsAsJson(app.getHttpServer());
  // The id is assigned before the body parser runs, so even a 400/413 from the parser carries it.
  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    requestIdFor(req, res);
    next();
  });
  app.useBodyParser('json', { limit: '1mb' });
  app.useBodyParser('urlencoded', { limit: '1mb', extended: false });
  app.use(
    helmet({
      // The intranet may serve plain HTTP: do not force https upgrades or HSTS.
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
      hsts: false,
    }),
  );
  app.setGlobalPrefix(API_PREFIX);
  serveDashboard(app);
  app.enableShutdownHooks();
  SwaggerModule.setup('api/docs', app, () => buildOpenApi(app), { jsonDocumentUrl: 'api/docs/openapi.json' });
  return app;
}

export function buildOpenApi(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Burden Ledger API')
    .setDescription('The ledger of demands sent down to grassroots units, the burden they carry, and the findings on them (基层减负台账).')
    .setVersion('1')
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, config);
}
