import { ModuleRef } from '@nestjs/core';
import { readFileSync, existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Command, CommandRunner, Option } from 'nest-commander';
import type { Actor } from '@/common/auth/actor';
import { DomainError, ErrorDetail } from '@/common/errors/domain-error';
import { DomainEvents } from '@/common/events/domain-events';
import { progressReporter } from '@/common/progress/progress-bar';
import { TransactionRunner } from '@/database/transaction-runner';
import { BurdenReportImportService } from '@/modules/burden-reports/burden-report-import.service';
import { actorOf } from '@/modules/identity/identity.service';
import { UserRepository } from '@/modules/identity/user.repository';
import { OrgUnitImportService } from '@/modules/org-units/org-unit-import.service';
import { importDemandFile } from './demand-file-import';

const KINDS = ['org-units', 'demands', 'reports'] as const;
type ImportKind = (typeof KINDS)[number];

interface ImportOptions {
  as?: string;
}

/** Who imports by default: the admin for the tree; demands and reports need a named user. */
const DEFAULT_USER: Record<ImportKind, string | null> = { 'org-units': 'admin', demands: null, reports: null };

/** One line per wrong row and column of an import refused as a whole. */
export function describeImportErrors(error: DomainError): string {
  const details: ErrorDetail[] = Array.isArray(error.details) ? error.details : [];
  const lines = details.map((d) => {
    const where = [d.row !== undefined ? `row ${d.row}` : null, d.column ? `column ${d.column}` : d.field ? `field ${d.field}` : null].filter(Boolean).join(', ');
    return `  ${where ? `${where}: ` : ''}${d.message}`;
  });
  return [error.message, ...lines].join('\n');
}

/**
 * `npm run cli -- import <org-units|demands|reports> <file> [--as <username>]` (CSV or XLSX in
 * the templates of data/templates/): through the same import code as the API, as that user
 * (org-units: admin by default; demands: a coordinator, or an issuer for its own; reports: a
 * reporter of the units in the file). All or nothing: a refused file prints every wrong row and
 * column and exits 1 with nothing written. Progress on stderr, the result as JSON on stdout.
 */
@Command({ name: 'import', arguments: '<kind> <file>', description: 'Import org-units, demands or reports from a CSV/XLSX file (all or nothing)' })
export class ImportCommand extends CommandRunner {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly users: UserRepository,
    private readonly moduleRef: ModuleRef,
  ) {
    super();
  }

  @Option({ flags: '--as <username>', description: 'the user the import runs as (org-units: admin by default; demands: a coordinator or issuer; reports: a reporter)' })
  parseAs(value: string): string {
    return value;
  }

  async run([kind, file]: string[], options: ImportOptions): Promise<void> {
    if (!(KINDS as readonly string[]).includes(kind)) {
      process.stderr.write(`import: the kind must be one of ${KINDS.join(', ')}, got "${kind}"\n`);
      process.exitCode = 2;
      return;
    }
    const path = resolve(file);
    if (!existsSync(path)) {
      process.stderr.write(`import: no file ${path}\n`);
      process.exitCode = 2;
      return;
    }
    const username = options.as ?? DEFAULT_USER[kind as ImportKind];
    if (username === null) {
      process.stderr.write(`import ${kind}: name the user it runs as with --as <username> (${kind === 'demands' ? 'a coordinator, or an issuer for its own demands' : 'a reporter of the units in the file'})\n`);
      process.exitCode = 2;
      return;
    }
    const user = await this.users.findByUsername(this.tx.reader, username);
    if (!user || user.disabled) {
      process.stderr.write(`import: no active user ${username}\n`);
      process.exitCode = 2;
      return;
    }
    const bytes = readFileSync(path);
    const progress = progressReporter(`import ${kind}`);
    try {
      const result = await this.importAs(kind as ImportKind, actorOf(user), bytes, basename(path), (done, total, message) => progress.update(done, total, message));
      progress.finish();
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } catch (error) {
      progress.finish();
      if (error instanceof DomainError) {
        process.stderr.write(`Nothing imported. ${describeImportErrors(error)}\n`);
        process.exitCode = 1;
        return;
      }
      throw error;
    }
  }

  private async importAs(kind: ImportKind, actor: Actor, bytes: Buffer, fileName: string, progress: (done: number, total: number, message: string) => void): Promise<unknown> {
    switch (kind) {
      case 'org-units':
        return this.moduleRef.get(OrgUnitImportService, { strict: false }).import(actor, bytes, fileName);
      case 'reports': {
        const result = await this.moduleRef.get(BurdenReportImportService, { strict: false }).import(actor, bytes, fileName);
        // The ids of a township's sheet are many and say little on a terminal.
        return { ...result, reportIds: undefined };
      }
      case 'demands':
        return importDemandFile({ tx: this.tx, events: this.moduleRef.get(DomainEvents, { strict: false }) }, actor, bytes, fileName, progress);
    }
  }
}
