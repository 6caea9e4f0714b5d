import { Command, CommandRunner, Option } from 'nest-commander';
import { Role, ROLES } from '@/common/auth/actor';
import { DomainError } from '@/common/errors/domain-error';
import { TransactionRunner } from '@/database/transaction-runner';
import { IdentityService } from './identity.service';
import { UserRepository } from './user.repository';

interface CreateUserOptions {
  username?: string;
  password?: string;
  role?: string;
  orgUnit?: string;
  displayName?: string;
}

/** `npm run cli -- create-user --username U --password P --role R [--org-unit CODE]` */
@Command({ name: 'create-user', description: 'Create a user (the first admin, or any other) from the shell' })
export class CreateUserCommand extends CommandRunner {
  constructor(
    private readonly identity: IdentityService,
    private readonly users: UserRepository,
    private readonly tx: TransactionRunner,
  ) {
    super();
  }

  async run(_args: string[], options: CreateUserOptions): Promise<void> {
    const { username, password, role } = options;
    if (!username || !password || !role) {
      process.stderr.write('create-user needs --username, --password and --role\n');
      process.exitCode = 2;
      return;
    }
    if (!ROLES.includes(role as Role)) {
      process.stderr.write(`--role must be one of ${ROLES.join(', ')}\n`);
      process.exitCode = 2;
      return;
    }
    let orgUnitId: number | undefined;
    if (options.orgUnit !== undefined) {
      const found = await this.users.findUnitIdByCode(this.tx.reader, options.orgUnit);
      if (found === null) {
        process.stderr.write(`No org unit with code ${options.orgUnit}\n`);
        process.exitCode = 2;
        return;
      }
      orgUnitId = found;
    }
    try {
      const user = await this.identity.createUser(null, { username, password, role: role as Role, orgUnitId, displayName: options.displayName }, 'cli');
      process.stdout.write(`Created user ${user.username} (id ${user.id}, role ${user.role})\n`);
    } catch (error) {
      if (error instanceof DomainError) {
        process.stderr.write(`${error.message}\n`);
        process.exitCode = 1;
        return;
      }
      throw error;
    }
  }

  @Option({ flags: '--username <username>', description: 'login name' })
  parseUsername(value: string) {
    return value;
  }

  @Option({ flags: '--password <password>', description: 'at least 8 characters' })
  parsePassword(value: string) {
    return value;
  }

  @Option({ flags: '--role <role>', description: ROLES.join(' | ') })
  parseRole(value: string) {
    return value;
  }

  @Option({ flags: '--org-unit <code>', description: 'code of the org unit (every role but admin)' })
  parseOrgUnit(value: string) {
    return value;
  }

  @Option({ flags: '--display-name <name>', description: 'name shown in the dashboard' })
  parseDisplayName(value: string) {
    return value;
  }
}
