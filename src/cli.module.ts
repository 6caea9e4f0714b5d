import { DynamicModule, Module } from '@nestjs/common';
import { coreImports } from './app.module';
import type { AppConfig } from './config/app-config';
import { BulletinCommand } from './modules/cases/bulletin.command';
import { CasesModule } from './modules/cases/cases.module';
import { EvaluateCommand } from './modules/flags/evaluate.command';
import { CreateUserCommand } from './modules/identity/create-user.command';
import { MetricsModule } from './modules/metrics/metrics.module';
import { RecomputeCommand } from './modules/metrics/recompute.command';
import { DemoModule } from './modules/demo/demo.module';
import { SeedCommand } from './modules/demo/seed.command';
import { FILE_COMMAND_PROVIDERS } from './modules/operations/file-commands.module';
import { ImportCommand } from './modules/operations/import.command';

/**
 * The command line: the same modules as the server, without HTTP. Later issues add commands here.
 * The file commands (backup, restore, verify-audit) are listed for --help; src/cli.ts runs them
 * in FileCommandsModule, without this module's database connection and start-up work.
 */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      // The metrics module registers the rollup listeners: an evaluation from the command line keeps them current too.
      imports: [...coreImports({ ...config, logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel }), MetricsModule, DemoModule, CasesModule],
      providers: [CreateUserCommand, EvaluateCommand, RecomputeCommand, SeedCommand, ImportCommand, BulletinCommand, ...FILE_COMMAND_PROVIDERS],
    };
  }
}
