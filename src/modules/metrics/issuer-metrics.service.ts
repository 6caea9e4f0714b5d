import { Injectable } from '@nestjs/common';
import { Actor, Level, withinJurisdiction } from '@/common/auth/actor';
import { forbidden } from '@/common/errors/domain-error';
import { Page, PageRequest } from '@/common/paging/page';
import type { Tx } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { IssuerBudgetRepository } from '@/modules/flags/issuer-budget.repository';
import { PolicyService } from '@/modules/policy/policy.service';
import { minutesToHours, parsePeriod, Period, ratio } from './calculators';
import { badQuery } from './bad-query';
import { IssuerMetricsRepository } from './issuer-metrics.repository';
import { MetricsRepository } from './metrics.repository';
import { RollupStaleness, RollupStateRepository, stalenessFor } from './rollup-state.repository';

export const ISSUER_SORTS = ['hoursImposed', 'demandsIssued', 'flaggedShare', 'code'] as const;
export type IssuerSort = (typeof ISSUER_SORTS)[number];

export interface IssuerRef {
  id: number;
  code: string;
  name: string;
  kind: 'area' | 'department';
  level: Level;
}

/** The budget of ISSUER_BUDGET for the period's year, "used" counted exactly as that rule counts it. */
export interface IssuerBudgetUse {
  year: number;
  budgetHours: number;
  /** Hours the issuer's demands impose in the whole year (every occurrence landing in it), as the rule judges them. */
  usedHours: number;
  /** used ÷ budget (above 1 when over); null for a zero budget. */
  usedShare: number | null;
}

/** The issuer's plan for the period's year against what its demands carried out. */
export interface IssuerPlanExecution {
  year: number;
  /** Version of the approved plan in force; null without an approved plan. */
  version: number | null;
  plannedItems: number;
  carriedOut: number;
}

/** DESIGN §5 issuer metrics of one issuing office over a period. Hours with two decimals, shares 0–1 or null. */
export interface IssuerMetrics {
  issuer: IssuerRef;
  /** Registered demands landing in the period (landing date in from..to), those cancelled since included. */
  demandsIssued: number;
  /** Of demandsIssued, those cancelled since (their occurrences before the cancellation still count). */
  demandsCancelled: number;
  /** Distinct units those demands target. */
  targetsReached: number;
  /** Σ over those demands' targets of occurrences in the period × the target's estimated minutes. */
  hoursImposed: number;
  /** Of demandsIssued, those with a standing flag (not dismissed or withdrawn) of any rule but OBJECTION. */
  flaggedDemands: number;
  flaggedShare: number | null;
  plan: IssuerPlanExecution;
  /** carriedOut ÷ plannedItems; null when nothing was planned in the period. */
  planExecutionRate: number | null;
  inspections: number;
  jointInspections: number;
  /** jointInspections ÷ inspections; null without inspections. */
  jointInspectionShare: number | null;
  budget: IssuerBudgetUse | null;
}

export interface IssuerMetricsInputs {
  period: string;
  from: string;
  to: string;
  policyVersion: number;
  /** Whether the rollups the counts and hours come from are behind the ledger for this period (an edit of a big demand, an evaluation, until their rebuild). */
  rollups: RollupStaleness;
}

export type IssuerMetricsPage = Page<IssuerMetrics> & {
  inputs: IssuerMetricsInputs;
  under: IssuerRef | null;
};

export interface IssuerMetricsQuery {
  period: string;
  underId?: number;
  sort?: IssuerSort;
  order?: 'asc' | 'desc';
}

/**
 * The burden each issuing office imposes (DESIGN §3 `GET /metrics/issuers`, §5 "Issuer metrics"),
 * for coordinators and inspectors over the offices inside their jurisdiction. The offices are
 * sorted and paged in one set-based statement over the issuer rollups (the flagged demands they
 * count too); flags, joint inspections, distinct targets, plan execution and budget are read for
 * the offices on the page only.
 */
@Injectable()
export class IssuerMetricsService {
  constructor(
    private readonly repo: IssuerMetricsRepository,
    private readonly units: MetricsRepository,
    private readonly budgets: IssuerBudgetRepository,
    private readonly tx: TransactionRunner,
    private readonly policy: PolicyService,
    private readonly state: RollupStateRepository,
  ) {}

  async list(actor: Actor, query: IssuerMetricsQuery, page: PageRequest): Promise<IssuerMetricsPage> {
    const period = parsePeriod(query.period);
    if (!period) throw badQuery('period', 'must be written 2026, 2026-Q3 or 2026-07');
    const policy = await this.policy.current();
    return this.tx.snapshot(async (reader) => {
      const under = await this.scopeOf(reader, actor, query.underId);
      const sort = query.sort ?? 'hoursImposed';
      const order = query.order ?? (sort === 'code' ? 'asc' : 'desc');
      // Sorted and paged in SQL: only the page's offices are read further and mapped.
      const { tallies: shown, total } = under ? await this.repo.tallyPage(reader, under.path, period, sort, order, page.offset, page.pageSize) : { tallies: [], total: 0 };
      const year = yearOf(period);
      const ids = shown.map((tally) => tally.issuer.id);
      const details = await this.repo.details(reader, ids, period.from, period.to);
      const plans = await this.repo.planExecution(reader, ids, year, period.months[0], period.months[period.months.length - 1]);
      // Budgets of the year are few (one per office a coordinator chose); "used" is read only for those shown.
      const budgets = new Map((await this.budgets.budgetsOfYear(reader, year)).map((b) => [b.issuerId, b.budgetMinutes]));
      const items: IssuerMetrics[] = [];
      for (const tally of shown) {
        const detail = details.get(tally.issuer.id) ?? { flagged: 0, jointInspections: 0, targetsReached: 0 };
        const plan = plans.get(tally.issuer.id);
        const budgetMinutes = budgets.get(tally.issuer.id);
        const usedMinutes = budgetMinutes === undefined ? 0 : await this.budgets.imposedMinutes(reader, tally.issuer.id, year);
        items.push({
          issuer: tally.issuer,
          demandsIssued: tally.demands,
          demandsCancelled: tally.cancelled,
          targetsReached: detail.targetsReached,
          hoursImposed: minutesToHours(tally.imposedMinutes),
          flaggedDemands: detail.flagged,
          flaggedShare: ratio(detail.flagged, tally.demands),
          plan: {
            year,
            version: plan?.version ?? null,
            plannedItems: plan?.planned ?? 0,
            carriedOut: plan?.carriedOut ?? 0,
          },
          planExecutionRate: ratio(plan?.carriedOut ?? 0, plan?.planned ?? 0),
          inspections: tally.inspections,
          jointInspections: detail.jointInspections,
          jointInspectionShare: ratio(detail.jointInspections, tally.inspections),
          budget:
            budgetMinutes === undefined
              ? null
              : {
                  year,
                  budgetHours: minutesToHours(budgetMinutes),
                  usedHours: minutesToHours(usedMinutes),
                  usedShare: ratio(usedMinutes, budgetMinutes),
                },
        });
      }
      return {
        items,
        total,
        page: page.page,
        pageSize: page.pageSize,
        under: under
          ? {
              id: under.id,
              code: under.code,
              name: under.name,
              kind: under.kind,
              level: under.level,
            }
          : null,
        inputs: {
          period: period.period,
          from: period.from,
          to: period.to,
          policyVersion: policy.version,
          rollups: stalenessFor(await this.state.read(reader), period.months),
        },
      };
    });
  }

  /**
   * The subtree whose issuing units are listed: `underId` when it lies in the caller's
   * jurisdiction (400 when it does not exist, 403 outside), else the caller's jurisdiction.
   */
  private async scopeOf(reader: Tx, actor: Actor, underId: number | undefined): Promise<(IssuerRef & { path: string }) | null> {
    if (underId !== undefined) {
      const unit = await this.units.findUnit(reader, underId);
      if (!unit) throw badQuery('underId', `org unit ${underId} does not exist`);
      if (!withinJurisdiction(actor, unit.path)) throw forbidden(`Org unit ${underId} is outside your jurisdiction`);
      return unit;
    }
    if (actor.jurisdictionPath === null) throw forbidden('No jurisdiction');
    return this.repo.unitAtPath(reader, actor.jurisdictionPath);
  }
}

function yearOf(period: Period): number {
  return Number(period.period.slice(0, 4));
}
