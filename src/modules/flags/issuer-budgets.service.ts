import { Injectable } from '@nestjs/common';
import { Actor, withinJurisdiction } from '@/common/auth/actor';
import { invalid, notFound } from '@/common/errors/domain-error';
import { nowIso } from '@/common/time';
import { Tx } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { IssuerBudgetRepository } from './issuer-budget.repository';

export interface IssuerBudgetView {
  issuerId: number;
  issuerName: string;
  year: number;
  budgetHours: number | null;
  imposedHours: number;
  /** Hours left before ISSUER_BUDGET fires; null without a budget. */
  remainingHours: number | null;
  setAt: string | null;
}

const hours = (minutes: number) => Math.round((minutes / 60) * 100) / 100;

/** Issuers' burden budgets (总量管控): set by coordinators whose jurisdiction holds the office. */
@Injectable()
export class IssuerBudgetsService {
  constructor(
    private readonly repo: IssuerBudgetRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  async set(actor: Actor, issuerId: number, year: number, budgetHours: number): Promise<IssuerBudgetView> {
    if (year < 2000 || year > 2100) throw invalid('year', 'must be between 2000 and 2100');
    return this.tx.run(async (tx) => {
      const unit = await this.visibleUnit(tx, actor, issuerId);
      const before = await this.view(tx, unit, year);
      await this.repo.upsert(tx, issuerId, year, Math.round(budgetHours * 60), actor.userId, nowIso());
      const after = await this.view(tx, unit, year);
      await this.audit.append(tx, { actor, action: 'issuer-budget.set', entityType: 'issuer_budget', entityId: `${issuerId}/${year}`, unitPath: unit.path, before, after });
      return after;
    });
  }

  async get(actor: Actor, issuerId: number, year: number): Promise<IssuerBudgetView> {
    return this.tx.snapshot(async (reader) => {
      const unit = await this.visibleUnit(reader, actor, issuerId);
      return this.view(reader, unit, year);
    });
  }

  /** The budget an issuer sees for itself (the preview's "budget left"); null only when the unit does not exist. */
  async remainingFor(tx: Tx, issuerId: number, year: number): Promise<IssuerBudgetView | null> {
    const unit = await this.repo.findUnit(tx, issuerId);
    return unit ? this.view(tx, unit, year) : null;
  }

  private async visibleUnit(tx: Tx, actor: Actor, issuerId: number) {
    const unit = await this.repo.findUnit(tx, issuerId);
    const own = actor.role === 'issuer' && actor.orgUnitId === issuerId;
    if (!unit || !(own || (actor.role !== 'issuer' && withinJurisdiction(actor, unit.path)))) throw notFound('Issuer', issuerId);
    return unit;
  }

  private async view(tx: Tx, unit: { id: number; name: string }, year: number): Promise<IssuerBudgetView> {
    const budget = await this.repo.find(tx, unit.id, year);
    const imposed = await this.repo.imposedMinutes(tx, unit.id, year);
    return {
      issuerId: unit.id,
      issuerName: unit.name,
      year,
      budgetHours: budget ? hours(budget.budgetMinutes) : null,
      imposedHours: hours(imposed),
      remainingHours: budget ? hours(budget.budgetMinutes - imposed) : null,
      setAt: budget?.setAt ?? null,
    };
  }
}
