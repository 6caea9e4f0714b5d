import { DynamicModule, Module } from '@nestjs/common';
import { coreImports } from './app.module';
import type { AppConfig } from './config/app-config';
import { EvaluateCommand } from './modules/flags/evaluate.command';
import { CreateUserCommand } from './modules/identity/create-user.command';
import { MetricsModule } from './modules/metrics/metrics.module';
import { RecomputeCommand } from './modules/metrics/recompute.command';

/** The command line: the same modules as the server, without HTTP. Later issues add commands here. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      // The metrics module registers the rollup listeners: an evaluation from the command line keeps them current too.
      imports: [...coreImports({ ...config, logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel }), MetricsModule],
      providers: [CreateUserCommand, EvaluateCommand, RecomputeCommand],
    };
  }
}
