import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { createApp } from './app.factory';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import { DemoLoader } from './modules/demo/demo-loader.service';
import { printDemoWelcome } from './modules/demo/demo-welcome';
import { IdentityService } from './modules/identity/identity.service';
import { holdServerLock } from './modules/operations/server-lock';

function configOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** `npm start` passes --demo; `npm run start:prod` does not, so production never loads the demo. */
const DEMO_FLAG = '--demo';

async function bootstrap(): Promise<void> {
  const config = configOrExit();
  // The server marks the SQLite file as in use, so `restore` refuses to replace it under us.
  if (config.database.type === 'sqlite') holdServerLock(config.database.path);
  const app = await createApp(config);
  await app.init();
  const logger = app.get(Logger);
  if (process.argv.includes(DEMO_FLAG) && config.demo !== false) {
    const demo = app.get(DemoLoader);
    if (await demo.isEmpty()) {
      logger.log('Empty database: loading the demo county 云南省红河州蒙自市 (BURDEN_LEDGER_DEMO=0 turns this off)');
      const summary = await demo.load({ password: config.demoPassword, log: (line) => logger.log(line) });
      printDemoWelcome(summary, (text) => process.stdout.write(text));
    }
  }
  await app.get(IdentityService).adviseWhenNoUsers();
  await app.listen(config.port);
  const db = config.database.type === 'sqlite' ? `SQLite ${config.database.path}` : `PostgreSQL (schema ${config.database.schema})`;
  logger.log(`Burden Ledger listening on http://localhost:${config.port}/api/v1 (docs at /api/docs); database: ${db}`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
