import type { Tx } from '@/database/dialect';
import { workingDaysBetween } from '@/modules/demands/calendar/working-days';
import type { PolicySnapshot } from '@/modules/policy/policy.service';
import { FlagRepository, FlagWrite, StoredFinding } from './flag.repository';
import { isWithdrawable } from './flag-state';
import { ApprovedPlanFacts, RuleFactsRepository } from './rule-facts.repository';
import { DemandFacts, DemandRule, DemandRuleContext, Finding, fingerprintOf, RuleCode } from './rules/rule';

/** What one reconciliation changed; summed into an evaluation's result. */
export interface ReconcileCounts {
  raised: number;
  refreshed: number;
  reopened: number;
  withdrawn: number;
  unchanged: number;
  /** Findings that still hold on a flag already past review (confirmed and after): left as they are. */
  kept: number;
}

export const emptyCounts = (): ReconcileCounts => ({ raised: 0, refreshed: 0, reopened: 0, withdrawn: 0, unchanged: 0, kept: 0 });

export function addCounts(a: ReconcileCounts, b: ReconcileCounts): ReconcileCounts {
  return {
    raised: a.raised + b.raised,
    refreshed: a.refreshed + b.refreshed,
    reopened: a.reopened + b.reopened,
    withdrawn: a.withdrawn + b.withdrawn,
    unchanged: a.unchanged + b.unchanged,
    kept: a.kept + b.kept,
  };
}

export const changed = (c: ReconcileCounts) => c.raised + c.refreshed + c.reopened + c.withdrawn > 0;

/** A rule's finding on one unit (or none), ready to store. */
export function toWrite(finding: Finding, unitId: number | null, policyVersion: number): FlagWrite {
  return {
    fingerprint: fingerprintOf(finding, unitId),
    rule: finding.rule,
    demandId: finding.demandId,
    reportId: finding.reportId ?? null,
    unitId,
    issuerId: finding.issuerId,
    period: finding.period,
    landsOn: finding.landsOn,
    explanation: finding.explanation,
    // The rules build evidence in a fixed key order, so plain JSON is stable enough to compare a
    // stored judgement with a new one, and several times cheaper than canonical JSON at province scale.
    evidence: JSON.stringify(finding.evidence),
    policyVersion,
  };
}

const WITHDRAW_NOTE = '复核后该问题已不再成立（事项已撤销或修改），系统自动撤回。';
const REOPEN_NOTE = '该问题再次成立，系统重新提出。';

/**
 * Brings the stored flags of one scope in line with what the rules find now (DESIGN §2): a new
 * finding is raised `open`; a finding still open is refreshed with today's evidence; a withdrawn
 * one that holds again is reopened; a flag of the scope that no longer holds is withdrawn, but
 * only from `open` or `under_review` — a confirmed finding stays and must be rectified.
 * Idempotent: running it twice on the same data changes nothing the second time.
 */
export class FindingsReconciler {
  constructor(private readonly flags: FlagRepository) {}

  async reconcile(tx: Tx, desired: readonly FlagWrite[], scope: readonly StoredFinding[], at: string): Promise<ReconcileCounts> {
    const counts = emptyCounts();
    const wanted = new Map<string, FlagWrite>();
    for (const w of desired) wanted.set(w.fingerprint, w);
    const stored = new Map(scope.map((s) => [s.fingerprint, s]));
    // Findings not in the scope read are inserted at once; the few already stored under another
    // period's scope come back as not inserted and are reconciled like the rest.
    const fresh = [...wanted.values()].filter((w) => !stored.has(w.fingerprint));
    const inserted = await this.flags.insertFindings(tx, fresh, at);
    counts.raised += inserted.size;
    const elsewhere = fresh.filter((w) => !inserted.has(w.fingerprint)).map((w) => w.fingerprint);
    for (const s of await this.flags.findingsByFingerprint(tx, elsewhere)) stored.set(s.fingerprint, s);

    for (const w of wanted.values()) {
      if (inserted.has(w.fingerprint)) continue;
      const s = stored.get(w.fingerprint);
      if (!s) continue;
      if (s.status === 'withdrawn') {
        await this.flags.moveStatus(tx, s.id, { from: 'withdrawn', to: 'open', version: null }, at);
        await this.flags.refreshFinding(tx, s.id, w, at);
        await this.flags.insertTransition(tx, { flagId: s.id, from: 'withdrawn', to: 'open', actorId: null, at, comment: REOPEN_NOTE });
        counts.reopened++;
      } else if (s.status === 'open') {
        // A finding rendered on read (empty explanation) is judged by its evidence: a flag an older
        // evaluation stored with its text is not rewritten for that alone.
        const explanationChanged = w.explanation !== '' && s.explanation !== w.explanation;
        if (explanationChanged || s.evidence !== w.evidence || s.policyVersion !== w.policyVersion || s.landsOn !== w.landsOn) {
          await this.flags.refreshFinding(tx, s.id, w, at);
          counts.refreshed++;
        } else {
          counts.unchanged++;
        }
      } else {
        counts.kept++;
      }
    }

    counts.withdrawn += (await this.withdrawMissing(tx, scope, wanted, at)).length;
    return counts;
  }

  /** Withdraws the flags of `scope` whose fingerprint is not among the findings that hold now (from open or under_review only). */
  async withdrawMissing(tx: Tx, scope: readonly StoredFinding[], holding: { has(fingerprint: string): boolean }, at: string): Promise<StoredFinding[]> {
    const withdrawn: StoredFinding[] = [];
    for (const s of scope) {
      if (holding.has(s.fingerprint) || !isWithdrawable(s.status)) continue;
      if (await this.flags.moveStatus(tx, s.id, { from: s.status, to: 'withdrawn', version: null }, at)) {
        await this.flags.insertTransition(tx, { flagId: s.id, from: s.status, to: 'withdrawn', actorId: null, at, comment: WITHDRAW_NOTE });
        withdrawn.push(s);
      }
    }
    return withdrawn;
  }
}

/** Plans and plan items looked up while judging, by issuer|year and plan|item. */
export interface JudgeCache {
  plans: Map<string, ApprovedPlanFacts | null>;
  items: Map<string, { id: number; topic: string } | null>;
}

export const newJudgeCache = (): JudgeCache => ({ plans: new Map(), items: new Map() });

/**
 * Runs the rules about one demand's own properties over a batch of demands and expands each
 * finding to the units it attaches to. A cancelled demand raises nothing: its findings no longer
 * hold (DESIGN §2) and reconciliation withdraws what may be withdrawn.
 */
export class DemandJudge {
  constructor(
    private readonly facts: RuleFactsRepository,
    private readonly rules: readonly DemandRule[],
  ) {}

  get codes(): RuleCode[] {
    return [...new Set(this.rules.map((r) => r.code))];
  }

  /**
   * The findings of the rules on these demands. `cache` may be shared by the calls of one
   * evaluation (plans and plan items do not change under it); a write-time call uses a fresh one.
   */
  async judge(tx: Tx, ids: readonly number[], policy: PolicySnapshot, cache: JudgeCache = newJudgeCache()): Promise<FlagWrite[]> {
    const demands = await this.facts.demandFacts(tx, ids);
    const parentIds = [...demands.values()].map((d) => d.parentDemandId).filter((p): p is number => p !== null && !demands.has(p));
    const parents = parentIds.length ? await this.facts.demandFacts(tx, [...new Set(parentIds)]) : new Map<number, DemandFacts>();
    const duties = await this.facts.dutyKinds(tx, [...new Set([...demands.values()].map((d) => d.topic))]);
    await this.facts.fillTargetLevels(
      tx,
      [...demands.values()].filter((d) => d.status !== 'cancelled' && duties.has(d.topic)),
    );
    const plans = cache.plans;
    const writes: FlagWrite[] = [];
    for (const demand of demands.values()) {
      if (demand.status === 'cancelled') continue;
      let approvedPlan: DemandRuleContext['approvedPlan'] = null;
      if (demand.kind === 'inspection') {
        const year = Number(demand.issuedOn.slice(0, 4));
        const key = `${demand.issuerId}|${year}`;
        if (!plans.has(key)) plans.set(key, await this.facts.approvedPlan(tx, demand.issuerId, year));
        const plan = plans.get(key) ?? null;
        if (plan && demand.planItemId !== null) {
          const itemKey = `${plan.planId}|${demand.planItemId}`;
          if (!cache.items.has(itemKey)) cache.items.set(itemKey, await this.facts.planItemIn(tx, plan.planId, demand.planItemId));
          approvedPlan = { ...plan, item: cache.items.get(itemKey) ?? null };
        } else if (plan) {
          approvedPlan = { ...plan, item: null };
        }
      }
      const context: DemandRuleContext = {
        thresholds: policy.document.thresholds,
        workingDaysBetween,
        parent: demand.parentDemandId === null ? null : (demands.get(demand.parentDemandId) ?? parents.get(demand.parentDemandId) ?? null),
        approvedPlan,
        dutyKindsByLevel: duties.get(demand.topic) ?? {},
      };
      for (const rule of this.rules) {
        for (const finding of rule.evaluate(demand, context)) {
          const target = finding.target;
          switch (target.kind) {
            case 'demand':
            case 'issuer':
              writes.push(toWrite(finding, null, policy.version));
              break;
            case 'unit':
              writes.push(toWrite(finding, target.unitId, policy.version));
              break;
            case 'targets-at-level':
              for (const unitId of await this.facts.targetsAtLevel(tx, demand.id, target.level)) writes.push(toWrite(finding, unitId, policy.version));
              break;
          }
        }
      }
    }
    return writes;
  }
}
