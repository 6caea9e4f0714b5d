import { Inject } from '@nestjs/common';
import { Command, CommandRunner } from 'nest-commander';
import { progressReporter } from '@/common/progress/progress-bar';
import { APP_CONFIG, AppConfig } from '@/config/app-config';
import { DemoLoader } from './demo-loader.service';
import { demoWelcome } from './demo-welcome';

/**
 * `npm run cli -- seed`: loads the demo county into the configured database, as `npm start` does
 * on an empty one, and refuses (exit 1) a database that holds org units or users other than admin.
 * Works on PostgreSQL too. The demo users' password is BURDEN_LEDGER_DEMO_PASSWORD, else generated
 * and printed once.
 */
@Command({ name: 'seed', description: 'Load the demo county 蒙自市 into an empty database' })
export class SeedCommand extends CommandRunner {
  constructor(
    private readonly demo: DemoLoader,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async run(): Promise<void> {
    if (!(await this.demo.isEmpty())) {
      process.stderr.write('seed: the database is not empty (it holds org units or users other than admin); the demo loads only into an empty database.\n');
      process.exitCode = 1;
      return;
    }
    const progress = progressReporter('seed');
    const summary = await this.demo.load({
      password: this.config.demoPassword,
      log: (line) => progress.line(line),
      onProgress: (done, total, message) => progress.update(done, total, message),
    });
    progress.finish();
    process.stdout.write(demoWelcome(summary));
  }
}
