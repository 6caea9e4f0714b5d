import { Injectable } from '@nestjs/common';
import { Actor, withinJurisdiction } from '@/common/auth/actor';
import { DomainError, ErrorCode, forbidden, invalid, notFound } from '@/common/errors/domain-error';
import { BurdenScope, DemandWritten, DomainEvents, ObjectionFiled, ReportLinked } from '@/common/events/domain-events';
import { Page, PageRequest } from '@/common/paging/page';
import { isCalendarDate, nowIso, todayInChina } from '@/common/time';
import { Tx } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { PolicyService } from '@/modules/policy/policy.service';
import { FlagQueryDto, FlagTransitionDto } from './dto/flag.dto';
import { FlagRepository, FlagRow, FlagTransitionRow } from './flag.repository';
import { checkTransition, FlagParty, isStanding } from './flag-state';
import { changed, DemandJudge, FindingsReconciler, ReconcileCounts, toWrite } from './findings';
import { ObjectionFindingRepository } from './objection-finding.repository';
import { RuleFactsRepository } from './rule-facts.repository';
import { DEMAND_RULES, objectionFinding } from './rules';
import { RULE_TITLES } from './rules/rule';

export interface FlagView {
  id: number;
  rule: FlagRow['rule'];
  ruleTitle: string;
  status: FlagRow['status'];
  demandId: number | null;
  demandTitle: string | null;
  registrationNo: string | null;
  reportId: number | null;
  unitId: number | null;
  unitName: string | null;
  issuerId: number | null;
  issuerName: string | null;
  period: string;
  landsOn: string;
  explanation: string;
  evidence: Record<string, unknown>;
  policyVersion: number;
  assigneeId: number | null;
  dueOn: string | null;
  overdue: boolean;
  raisedAt: string;
  updatedAt: string;
  version: number;
}

export interface FlagDetailView extends FlagView {
  fingerprint: string;
  transitions: FlagTransitionRow[];
}

/**
 * An issuer reads the flags on its own demands, but not which unit objected (as for the
 * objection list): the OBJECTION flag's unit is withheld from it.
 */
function view(f: FlagRow, today: string, actor: Actor): FlagView {
  const hideUnit = actor.role === 'issuer' && f.rule === 'OBJECTION';
  return {
    id: f.id,
    rule: f.rule,
    ruleTitle: RULE_TITLES[f.rule],
    status: f.status,
    demandId: f.demandId,
    demandTitle: f.demandTitle,
    registrationNo: f.registrationNo,
    reportId: f.reportId,
    unitId: hideUnit ? null : f.unitId,
    unitName: hideUnit ? null : f.unitName,
    issuerId: f.issuerId,
    issuerName: f.issuerName,
    period: f.period,
    landsOn: f.landsOn,
    explanation: f.explanation,
    evidence: f.evidence,
    policyVersion: f.policyVersion,
    assigneeId: f.assigneeId,
    dueOn: f.dueOn,
    overdue: f.status === 'rectifying' && f.dueOn !== null && f.dueOn < today,
    raisedAt: f.raisedAt,
    updatedAt: f.updatedAt,
    version: f.rowVersion,
  };
}

/**
 * Flags: the findings of the rules and their review by the coordinating mechanism (DESIGN §2).
 * Rules about one demand run inside the transaction that writes it (the `demand.written`
 * listener); an objection opens its OBJECTION flag the same way.
 */
@Injectable()
export class FlagsService {
  private readonly reconciler: FindingsReconciler;
  private readonly judge: DemandJudge;

  constructor(
    private readonly repo: FlagRepository,
    facts: RuleFactsRepository,
    private readonly objections: ObjectionFindingRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly policy: PolicyService,
    private readonly events: DomainEvents,
  ) {
    this.reconciler = new FindingsReconciler(repo);
    this.judge = new DemandJudge(facts, DEMAND_RULES);
  }

  // -- reactions inside the writer's transaction ---------------------------------------------

  async onDemandWritten(event: DemandWritten): Promise<void> {
    const { tx, demandId, actor } = event;
    const policy = await this.policy.current(tx);
    const desired = await this.judge.judge(tx, [demandId], policy);
    const scope = await this.repo.findingsOfDemand(tx, demandId, this.judge.codes);
    const counts = await this.reconciler.reconcile(tx, desired, scope, nowIso());
    // Even when no finding moved: an edit may have moved the demand's landing month, where its issuer counts it flagged.
    await this.events.publish({ type: 'flags.changed', tx, demandIds: [demandId], flagIds: [] });
    await this.auditFindings(tx, actor, demandId, counts);
  }

  async onObjectionFiled(event: ObjectionFiled): Promise<void> {
    const { tx, objectionId, actor } = event;
    const facts = await this.objections.find(tx, objectionId);
    if (!facts) return;
    const policy = await this.policy.current(tx);
    const write = toWrite(objectionFinding(facts), facts.unitId, policy.version);
    const counts = await this.reconciler.reconcile(tx, [write], [], nowIso());
    // An OBJECTION flag does not make its demand flagged (DESIGN §5); announced like every flag write all the same.
    await this.events.publish({ type: 'flags.changed', tx, demandIds: [facts.demandId], flagIds: [] });
    await this.auditFindings(tx, actor, facts.demandId, counts);
  }

  /** A linked shadow report is no longer hidden burden: its open flag is withdrawn (a confirmed one stays). */
  async onReportLinked(event: ReportLinked): Promise<void> {
    const { tx, reportId, demandId, actor } = event;
    const scope = await this.repo.findingsOfReport(tx, reportId);
    const counts = await this.reconciler.reconcile(tx, [], scope, nowIso());
    await this.events.publish({ type: 'flags.changed', tx, demandIds: [demandId], flagIds: scope.map((s) => s.id) });
    await this.auditFindings(tx, actor, demandId, counts);
  }

  private async auditFindings(tx: Tx, actor: Actor, demandId: number, counts: ReconcileCounts): Promise<void> {
    if (!changed(counts)) return;
    const flags = await this.repo.findingsOfDemand(tx, demandId, Object.keys(RULE_TITLES) as (keyof typeof RULE_TITLES)[]);
    await this.audit.append(tx, {
      actor,
      action: 'flags.judge',
      entityType: 'demand',
      entityId: demandId,
      unitPath: actor.unitPath,
      after: { counts, flags: flags.map((f) => ({ id: f.id, fingerprint: f.fingerprint, status: f.status })) },
    });
  }

  // -- reading ---------------------------------------------------------------------------------

  async list(actor: Actor, query: FlagQueryDto, page: PageRequest): Promise<Page<FlagView>> {
    for (const field of ['from', 'to'] as const) {
      const value = query[field];
      if (value !== undefined && !isCalendarDate(value)) {
        throw new DomainError(ErrorCode.BadRequest, `${field}: ${value} is not a calendar date`, [{ field, message: 'is not a calendar date' }]);
      }
    }
    const today = todayInChina();
    const { rows, total } = await this.tx.snapshot((reader) =>
      this.repo.list(
        reader,
        actor,
        {
          status: query.status,
          rule: query.rule,
          unitId: query.unitId,
          issuerId: query.issuerId,
          demandId: query.demandId,
          from: query.from,
          to: query.to,
          overdueOn: query.overdue === true ? today : undefined,
        },
        page.offset,
        page.pageSize,
      ),
    );
    return { items: rows.map((r) => view(r, today, actor)), total, page: page.page, pageSize: page.pageSize };
  }

  async get(actor: Actor, id: number): Promise<FlagDetailView> {
    return this.tx.snapshot(async (reader) => {
      const flag = await this.repo.findVisible(reader, actor, id);
      if (!flag) throw notFound('Flag', id);
      return this.detail(reader, flag, actor);
    });
  }

  private async detail(tx: Tx, flag: FlagRow, actor: Actor): Promise<FlagDetailView> {
    const hideUnit = actor.role === 'issuer' && flag.rule === 'OBJECTION';
    return { ...view(flag, todayInChina(), actor), fingerprint: hideUnit ? '' : flag.fingerprint, transitions: await this.repo.transitions(tx, flag.id) };
  }

  // -- review ----------------------------------------------------------------------------------

  async transition(actor: Actor, id: number, dto: FlagTransitionDto): Promise<FlagDetailView> {
    if (dto.dueOn !== undefined && !isCalendarDate(dto.dueOn)) throw invalid('dueOn', 'is not a calendar date');
    return this.tx.run(async (tx) => {
      const flag = await this.repo.findVisible(tx, actor, id);
      if (!flag) throw notFound('Flag', id);
      const party = this.partyOf(actor, flag);
      if (party === null) throw forbidden('Only coordinators review flags; the issuing office reports the rectification of its own demand');
      const check = checkTransition(flag.status, dto.to, party, { comment: dto.comment, dueOn: dto.dueOn });
      if (!check.ok) {
        switch (check.reason) {
          case 'not-allowed':
            throw new DomainError(ErrorCode.Conflict, `A flag that is ${flag.status} cannot move to ${dto.to}`, { currentStatus: flag.status, allowed: check.allowed, version: flag.rowVersion });
          case 'wrong-party':
            throw forbidden(check.party === 'system' ? `Only the evaluation moves a flag to ${dto.to}` : `Only the ${check.party} moves a flag from ${flag.status} to ${dto.to}`);
          case 'missing':
            throw invalid(check.field, check.field === 'comment' ? `is required to move a flag to ${dto.to}` : `is required when ordering rectification`);
          case 'unexpected':
            throw invalid(check.field, `has no meaning when moving a flag to ${dto.to}`);
        }
      }
      if (dto.dueOn !== undefined && dto.dueOn < todayInChina()) throw invalid('dueOn', 'is in the past');
      if (dto.assigneeId !== undefined) {
        if (dto.to !== 'rectifying') throw invalid('assigneeId', `has no meaning when moving a flag to ${dto.to}`);
        const user = await this.repo.findUser(tx, dto.assigneeId);
        if (!user || user.disabled || !withinJurisdiction(actor, user.unitPath)) throw invalid('assigneeId', `user ${dto.assigneeId} is not an active user in your jurisdiction`);
      }
      if (dto.version !== flag.rowVersion) {
        throw new DomainError(ErrorCode.Conflict, `Flag ${id} was changed since version ${dto.version}; reload it`, { currentStatus: flag.status, version: flag.rowVersion });
      }
      const at = nowIso();
      // A demand's hours count in the duplicate and excess shares while a flag on it stands: the rollups follow.
      const burden: BurdenScope[] =
        flag.demandId !== null && isStanding(flag.status) !== isStanding(dto.to) ? [{ demandIds: [flag.demandId], ...(flag.unitId === null ? {} : { unitId: flag.unitId }) }] : [];
      const moved = await this.events.aroundBurdenChange(tx, burden, () =>
        this.repo.moveStatus(tx, id, { from: flag.status, to: dto.to, version: dto.version, assigneeId: dto.assigneeId, dueOn: dto.dueOn }, at),
      );
      if (!moved) {
        // Lost a race: another transition committed after this one read the flag. The answer names
        // the flag as it is now, so the client can reload and decide again with the right version.
        const now = await this.repo.findById(tx, id);
        throw new DomainError(ErrorCode.Conflict, `Flag ${id} was changed meanwhile; reload it`, { currentStatus: now?.status ?? flag.status, version: now?.rowVersion ?? flag.rowVersion });
      }
      // Whether the demand still has a standing flag may have changed: its issuer's flagged count follows.
      if (flag.demandId !== null && isStanding(flag.status) !== isStanding(dto.to)) await this.events.publish({ type: 'flags.changed', tx, demandIds: [flag.demandId], flagIds: [] });
      const comment = (dto.comment ?? '').trim();
      await this.repo.insertTransition(tx, { flagId: id, from: flag.status, to: dto.to, actorId: actor.userId, at, comment, assigneeId: dto.assigneeId, dueOn: dto.dueOn });
      const after = (await this.repo.findById(tx, id))!;
      await this.audit.append(tx, {
        actor,
        action: 'flag.transition',
        entityType: 'flag',
        entityId: id,
        unitPath: flag.unitPath ?? flag.issuerPath,
        before: { status: flag.status, version: flag.rowVersion, assigneeId: flag.assigneeId, dueOn: flag.dueOn },
        after: { status: after.status, version: after.rowVersion, assigneeId: after.assigneeId, dueOn: after.dueOn, comment },
      });
      return this.detail(tx, after, actor);
      // The detail is the answer: an Idempotency-Key's record commits with the transition, so a
      // retry after a crash right behind the commit replays it instead of a lasting 409.
    }, { resultIsAnswer: true });
  }

  /** Coordinators whose jurisdiction holds the flag review it; the issuing office of the flagged demand rectifies. */
  private partyOf(actor: Actor, flag: FlagRow): FlagParty | null {
    if (actor.role === 'coordinator' && (withinJurisdiction(actor, flag.unitPath) || withinJurisdiction(actor, flag.issuerPath))) return 'coordinator';
    if (actor.role === 'issuer' && flag.issuerId !== null && actor.orgUnitId === flag.issuerId) return 'issuer';
    return null;
  }
}
