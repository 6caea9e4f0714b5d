import { writeFileSync } from 'node:fs';
import { Command, CommandRunner, Option } from 'nest-commander';
import { isCalendarDate } from '@/common/time';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { actorOf } from '@/modules/identity/identity.service';
import { UserRepository } from '@/modules/identity/user.repository';
import { BULLETIN_FORMATS, BulletinFormat, BulletinMaker } from './bulletin/bulletin-maker';
import { CaseRepository } from './case.repository';

interface BulletinOptions {
  from?: string;
  to?: string;
  format?: string;
  as?: string;
  anonymise?: boolean;
  out?: string;
}

/**
 * `npm run cli -- bulletin --from 2026-10-01 --to 2026-12-31 --as <inspector> [--format docx]
 * [--anonymise] [--out file]`: the bulletin an inspector would pull over HTTP, with the same
 * jurisdiction, document number and audit entry, written to a file (default: the bulletin's own
 * name in the working directory).
 */
@Command({ name: 'bulletin', description: 'Write the typical-case bulletin (通报) of a period, as an inspector would pull it' })
export class BulletinCommand extends CommandRunner {
  constructor(
    private readonly cases: CaseRepository,
    private readonly users: UserRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {
    super();
  }

  @Option({ flags: '--from <day>', description: 'First handling day (YYYY-MM-DD)', required: true })
  parseFrom(value: string): string {
    return value;
  }

  @Option({ flags: '--to <day>', description: 'Last handling day (YYYY-MM-DD)', required: true })
  parseTo(value: string): string {
    return value;
  }

  @Option({ flags: '--as <username>', description: 'The inspector whose jurisdiction the bulletin covers (the pull is audited as theirs)', required: true })
  parseAs(value: string): string {
    return value;
  }

  @Option({ flags: '--format <format>', description: `One of ${BULLETIN_FORMATS.join(', ')} (default docx)` })
  parseFormat(value: string): string {
    return value;
  }

  @Option({ flags: '--anonymise', description: 'Print each person’s post in place of the name, everywhere' })
  parseAnonymise(): boolean {
    return true;
  }

  @Option({ flags: '--out <file>', description: 'Where to write it (default: the bulletin’s name in the working directory)' })
  parseOut(value: string): string {
    return value;
  }

  async run(_args: string[], options: BulletinOptions): Promise<void> {
    const fail = (message: string) => {
      process.stderr.write(`${message}\n`);
      process.exitCode = 2;
    };
    const format = (options.format ?? 'docx') as BulletinFormat;
    if (!BULLETIN_FORMATS.includes(format)) return fail(`format: ${options.format} is not one of ${BULLETIN_FORMATS.join(', ')}`);
    for (const field of ['from', 'to'] as const) {
      if (!options[field] || !isCalendarDate(options[field])) return fail(`${field}: ${options[field] ?? ''} is not a calendar date YYYY-MM-DD`);
    }
    const user = await this.users.findByUsername(this.tx.reader, options.as ?? '');
    if (!user || user.disabled) return fail(`as: no active user ${options.as ?? ''}`);
    const actor = actorOf(user);
    if (actor.role !== 'inspector') return fail(`as: ${user.username} is ${actor.role}; only inspectors pull bulletins`);
    try {
      const { bulletin, file } = await new BulletinMaker(this.cases, this.tx, this.audit).make(actor, {
        from: options.from!,
        to: options.to!,
        format,
        anonymise: options.anonymise === true,
      });
      const out = options.out ?? file.fileName;
      writeFileSync(out, file.content);
      process.stdout.write(`${JSON.stringify({ file: out, docNo: bulletin.docNo, cases: bulletin.items.length, bytes: file.content.length })}\n`);
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
    }
  }
}
