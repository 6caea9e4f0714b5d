import { Injectable } from '@nestjs/common';
import { Actor } from '@/common/auth/actor';
import { TransactionRunner } from '@/database/transaction-runner';
import { PolicyService } from '@/modules/policy/policy.service';
import { DemandImporter, DemandImportResult } from './demand-importer';
import { loadFieldSynonyms } from './fields/field-key';

/** POST /demands/import on the request thread, in one transaction. */
@Injectable()
export class DemandImportService {
  private readonly importer = new DemandImporter();

  constructor(
    private readonly tx: TransactionRunner,
    private readonly policy: PolicyService,
  ) {}

  async import(actor: Actor, bytes: Buffer, fileName: string): Promise<DemandImportResult> {
    const synonyms = loadFieldSynonyms();
    return this.tx.run(async (tx) => this.importer.run(tx, bytes, fileName, { actor, policy: await this.policy.current(tx), synonyms }));
  }
}
