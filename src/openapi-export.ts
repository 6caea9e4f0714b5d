import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOpenApi, createApp } from './app.factory';
import { loadConfig } from './config/app-config';

/** Writes openapi.json from the code (`npm run openapi`); a test fails when the committed file is stale. */
async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'burden-ledger-openapi-'));
  try {
    const config = loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'openapi.sqlite')}`, BURDEN_LEDGER_DATA_DIR: dir, LOG_LEVEL: 'silent' });
    const app = await createApp(config);
    await app.init();
    const file = join(process.cwd(), 'openapi.json');
    writeFileSync(file, `${JSON.stringify(buildOpenApi(app), null, 2)}\n`);
    await app.close();
    process.stdout.write(`Wrote ${file}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
