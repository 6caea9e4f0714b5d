import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '@/config/app-config';
import { ConfigModule } from '@/config/config.module';
import { VerifyAuditCommand } from '@/modules/audit/verify-audit.command';
import { BackupCommand } from './backup.command';
import { RestoreCommand } from './restore.command';

/** Commands that open the database file themselves, read-only or not at all. */
export const FILE_COMMANDS = ['backup', 'restore', 'verify-audit'] as const;
export const FILE_COMMAND_PROVIDERS = [BackupCommand, RestoreCommand, VerifyAuditCommand];

/**
 * The command line for FILE_COMMANDS: configuration only, no database connection, no feature.
 * The full CLI module migrates the database and runs every feature's start-up work (the jobs
 * feature fails jobs it finds running, as after a crash): right for commands that write the ledger,
 * wrong against a database a server is using, and impossible for a file about to be replaced.
 */
@Module({})
export class FileCommandsModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: FileCommandsModule, imports: [ConfigModule.forRoot(config)], providers: FILE_COMMAND_PROVIDERS };
  }
}
