import { Injectable } from '@nestjs/common';
import type { Actor } from '@/common/auth/actor';
import { Tx } from '@/database/dialect';
import { addDays, toEpochDay } from '@/modules/demands/calendar/working-days';
import type { DemandDetailView } from '@/modules/demands/demands.service';
import { DemandsService } from '@/modules/demands/demands.service';
import type { CreateDemandDto } from '@/modules/demands/dto/demand.dto';
import { PolicyService } from '@/modules/policy/policy.service';
import { EvaluationScanRepository } from './evaluation-scan.repository';
import { FlagRepository } from './flag.repository';
import { IssuerBudgetsService, IssuerBudgetView } from './issuer-budgets.service';
import { explanationOf } from './explanations';
import { LandingBuilder } from './landings';
import { PreviewRepository } from './preview.repository';
import { RuleFactsRepository } from './rule-facts.repository';
import { RULE_CODES, RULE_TITLES, RuleCode, UNIT_RULES } from './rules';
import type { Landing, UnitRuleContext } from './rules/unit-rule';

/** A finding the demand would raise. */
export interface PreviewFlag {
  rule: RuleCode;
  ruleTitle: string;
  unitId: number | null;
  explanation: string;
  evidence: Record<string, unknown>;
}

/** 最多填一次: what one target already provided of the fields asked for, to whom and when. */
export interface OnceOnlyUnit {
  unitId: number;
  unitName: string;
  fields: { fieldKey: string; providedTo: { demandId: number; registrationNo: string; title: string; issuerName: string; landsOn: string }[] }[];
}

export interface DemandPreview {
  estimate: { estimatedHoursPerTarget: number; targetCount: number; occurrences: number; totalHours: number; estimateSource: 'issuer' | 'policy' };
  flags: PreviewFlag[];
  onceOnly: OnceOnlyUnit[];
  /** The issuer's hours imposed in the issue year with this demand counted, against its budget (budgetHours null when none is set). */
  budget: IssuerBudgetView | null;
  /** Targets compared one by one (the unit rules and the once-only check); a larger demand is checked on its first targets. */
  unitsChecked: number;
  writesNothing: true;
}

/** Targets a preview compares one by one: enough for any county, bounded for a province-wide demand. */
const UNIT_CHECK_LIMIT = 500;
const ONCE_ONLY_WINDOW_DAYS = 365;
const ONCE_ONLY_ROWS = 2000;

/**
 * POST /demands/preview: registers the demand inside a transaction that is rolled back (so the
 * rules, estimate and targets are exactly those of registering it), reads what that would
 * raise, the data the targets already gave, and the budget left, and writes nothing.
 */
@Injectable()
export class PreviewService {
  constructor(
    private readonly demands: DemandsService,
    private readonly flags: FlagRepository,
    private readonly facts: RuleFactsRepository,
    private readonly reads: PreviewRepository,
    private readonly budgets: IssuerBudgetsService,
    private readonly policy: PolicyService,
  ) {}

  preview(actor: Actor, dto: CreateDemandDto): Promise<DemandPreview> {
    return this.demands.dryRun(actor, dto, async (tx, demand) => {
      const stored = await this.flags.findingsOfDemand(tx, demand.id, RULE_CODES);
      const flags: PreviewFlag[] = [];
      for (const s of stored) {
        const row = (await this.flags.findById(tx, s.id))!;
        flags.push({ rule: row.rule, ruleTitle: RULE_TITLES[row.rule], unitId: row.unitId, explanation: row.explanation, evidence: row.evidence });
      }
      const units = await this.reads.targets(tx, demand.id, UNIT_CHECK_LIMIT);
      flags.push(...(await this.unitFindings(tx, demand, units)));
      const occurrences = demand.occurrences.reduce((n, o) => n + o.occurrences, 0);
      return {
        estimate: {
          estimatedHoursPerTarget: demand.estimatedHoursPerTarget,
          targetCount: demand.targetCount,
          occurrences,
          totalHours: Math.round(demand.estimatedHoursPerTarget * demand.targetCount * occurrences * 100) / 100,
          estimateSource: demand.estimateSource,
        },
        flags,
        onceOnly: await this.onceOnly(tx, demand, units),
        budget: await this.budgets.remainingFor(tx, demand.issuerId, Number(demand.issuedOn.slice(0, 4))),
        unitsChecked: units.length,
        writesNothing: true as const,
      };
    });
  }

  /** The unit rules (duplicates, quota, split visits) on each checked target, keeping what falls on this demand. */
  private async unitFindings(tx: Tx, demand: DemandDetailView, units: number[]): Promise<PreviewFlag[]> {
    if (demand.kind !== 'report' && demand.kind !== 'inspection') return [];
    const { thresholds } = (await this.policy.current(tx)).document;
    const window = Math.max(thresholds.duplicateDataWindowDays.value, thresholds.duplicateInspectionWindowDays.value);
    const last = demand.recurrence === 'once' ? demand.landsOn : (demand.until ?? demand.landsOn);
    const yearStart = `${demand.landsOn.slice(0, 4)}-01-01`;
    const windowStart = addDays(demand.landsOn, -window);
    const from = windowStart < yearStart ? windowStart : yearStart;
    const scan = new EvaluationScanRepository();
    const builder = new LandingBuilder(scan);
    const { demands, pairs } = await scan.comparableOnUnits(tx, units, from, last);
    const landings = new Map<number, Landing>();
    await builder.add(tx, demands, from, last, landings);
    await builder.complete(tx, landings);
    const levels = await scan.areaLevels(tx);
    const visits = await this.facts.plannedVisits(tx, [...new Set(demands.map((d) => d.planItemId).filter((p): p is number => p !== null))]);
    const context: UnitRuleContext = {
      thresholds,
      fromDay: toEpochDay(demand.landsOn),
      toDay: toEpochDay(last),
      keyName: (key) => builder.keyName(key),
      plannedVisits: (item) => visits.get(item) ?? null,
    };
    const byUnit = new Map<number, Landing[]>();
    for (const p of pairs) {
      const landing = landings.get(p.demandId);
      if (landing) byUnit.set(p.unitId, [...(byUnit.get(p.unitId) ?? []), landing]);
    }
    const found: PreviewFlag[] = [];
    for (const [unitId, onUnit] of byUnit) {
      const level = levels.get(unitId);
      if (!level || !onUnit.some((l) => l.demandId === demand.id)) continue;
      onUnit.sort((a, b) => a.days[0] - b.days[0] || a.demandId - b.demandId);
      for (const rule of UNIT_RULES) {
        for (const f of rule.evaluateUnit({ unitId, level, landings: onUnit }, context)) {
          if (f.demandId === demand.id) found.push({ rule: f.rule, ruleTitle: RULE_TITLES[f.rule], unitId, explanation: explanationOf(f, (id) => builder.title(id)), evidence: f.evidence });
        }
      }
    }
    return found;
  }

  private async onceOnly(tx: Tx, demand: DemandDetailView, units: number[]): Promise<OnceOnlyUnit[]> {
    const keys = demand.fieldKeys ?? [];
    const rows = await this.reads.providedData(tx, units, keys, demand.id, addDays(demand.landsOn, -ONCE_ONLY_WINDOW_DAYS), demand.landsOn, ONCE_ONLY_ROWS);
    const byUnit = new Map<number, OnceOnlyUnit>();
    for (const r of rows) {
      const unit = byUnit.get(r.unitId) ?? { unitId: r.unitId, unitName: r.unitName, fields: [] };
      byUnit.set(r.unitId, unit);
      let field = unit.fields.find((f) => f.fieldKey === r.fieldKey);
      if (!field) unit.fields.push((field = { fieldKey: r.fieldKey, providedTo: [] }));
      field.providedTo.push({ demandId: r.demandId, registrationNo: r.registrationNo, title: r.title, issuerName: r.issuerName, landsOn: r.landsOn });
    }
    return [...byUnit.values()].sort((a, b) => a.unitId - b.unitId);
  }
}
