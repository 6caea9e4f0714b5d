import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { CliModule } from './cli.module';
import { ConfigError, loadConfig } from './config/app-config';
import { FILE_COMMANDS, FileCommandsModule } from './modules/operations/file-commands.module';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const command = process.argv[2] ?? '';
  const fileCommand = (FILE_COMMANDS as readonly string[]).includes(command);
  await CommandFactory.run(fileCommand ? FileCommandsModule.forRoot(config) : CliModule.forRoot(config), {
    logger: ['error', 'warn'],
    // Commander has already printed its own message (usage, unknown command); only the exit code is ours.
    errorHandler: (err: Error & { code?: string }) => {
      const helpShown = err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version';
      if (!err.code?.startsWith('commander.')) process.stderr.write(`${err.message}\n`);
      process.exit(helpShown ? 0 : 2);
    },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
