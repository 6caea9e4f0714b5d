import { Injectable } from '@nestjs/common';
import { Actor, Level, withinJurisdiction } from '@/common/auth/actor';
import { DomainError, ErrorCode, ErrorDetail, forbidden, invalid, notFound } from '@/common/errors/domain-error';
import { Page, PageRequest } from '@/common/paging/page';
import { nowIso } from '@/common/time';
import { isUniqueViolation, Tx } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { CreateInspectionPlanDto, InspectionPlanQueryDto, PlanItemDto, RejectInspectionPlanDto, UpdateInspectionPlanDto } from './dto/inspection-plan.dto';
import { InspectionPlan, InspectionPlanItem, NewPlanItem } from './inspection-plan.model';
import { InspectionPlanRepository, isForeignKeyViolation, PlanFilter, StatusChange } from './inspection-plan.repository';
import { assignItemKeys, itemField, itemProblems, targetProblem } from './plan-items';
import { allowedActions, nextStatus, PlanAction, PlanStatus, requiredStatus } from './plan-state';

export type PlanItemView = Omit<InspectionPlanItem, 'planId'>;

export interface InspectionPlanView extends Omit<InspectionPlan, 'issuer'> {
  issuer: { id: number; code: string; name: string };
  /** What may be done to the plan in its current state (who may do it is up to the role). */
  allowedActions: PlanAction[];
}

export interface InspectionPlanDetail extends InspectionPlanView {
  items: PlanItemView[];
}

function view(plan: InspectionPlan): InspectionPlanView {
  const { issuer, ...rest } = plan;
  return { ...rest, issuer: { id: issuer.id, code: issuer.code, name: issuer.name }, allowedActions: allowedActions(plan.status) };
}

function itemView(item: InspectionPlanItem): PlanItemView {
  const { id, itemKey, title, topic, targetLevel, targetUnitIds, plannedMonth, onSiteDays, visits } = item;
  return { id, itemKey, title, topic, targetLevel, targetUnitIds, plannedMonth, onSiteDays, visits };
}

/** 409 for an action the plan's state does not allow, with the state it is in. */
function wrongState(id: number, action: PlanAction, current: PlanStatus): DomainError {
  const required = requiredStatus(action);
  return new DomainError(ErrorCode.Conflict, `Inspection plan ${id} is ${current}; only a ${required} plan can be ${PAST[action]}`, {
    currentStatus: current,
    requiredStatus: required,
    allowedActions: allowedActions(current),
  });
}

const PAST: Record<PlanAction, string> = {
  edit: 'edited',
  submit: 'submitted',
  approve: 'approved',
  reject: 'rejected',
  rework: 'reworked',
  revise: 'revised',
};

/**
 * Annual inspection plans (年度督查检查考核计划): an issuer drafts its plan for a year, submits it,
 * and a coordinator whose jurisdiction covers the issuer approves or rejects it. An approved
 * version is frozen; a change is a new version that needs approval again.
 *
 * Reach: an issuer's users read and write their own unit's plans; coordinators and inspectors
 * read the plans of issuers inside their jurisdiction; nobody else reads any. A plan that exists
 * outside the caller's reach answers 403 (a plan's existence is not secret: DESIGN §1).
 */
@Injectable()
export class InspectionPlansService {
  constructor(
    private readonly repo: InspectionPlanRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  list(actor: Actor, query: InspectionPlanQueryDto, page: PageRequest): Promise<Page<InspectionPlanView>> {
    // One snapshot, so the total and the page agree even while plans are written.
    return this.tx.snapshot(async (reader) => {
      const filter: PlanFilter = { year: query.year, status: query.status, ...this.scope(actor) };
      if (query.issuerId !== undefined) {
        const unit = (await this.repo.findUnits(reader, [query.issuerId])).get(query.issuerId);
        if (!unit) throw invalid('issuerId', `org unit ${query.issuerId} does not exist`);
        if (!this.reaches(actor, query.issuerId, unit.path)) throw forbidden(`The plans of org unit ${query.issuerId} are outside your reach`);
        filter.issuerId = query.issuerId;
      }
      const { rows, total } = await this.repo.listPlans(reader, filter, page.offset, page.pageSize);
      return { items: rows.map(view), total, page: page.page, pageSize: page.pageSize };
    });
  }

  get(actor: Actor, id: number): Promise<InspectionPlanDetail> {
    return this.tx.snapshot(async (reader) => {
      const plan = await this.requirePlan(reader, id);
      if (!this.reaches(actor, plan.issuerId, plan.issuer.path)) throw forbidden(`Inspection plan ${id} is outside your reach`);
      return this.detail(reader, plan);
    });
  }

  create(actor: Actor, dto: CreateInspectionPlanDto): Promise<InspectionPlanDetail> {
    const issuer = this.issuerOf(actor);
    return this.tx.run(async (tx) => {
      const existing = await this.repo.findLatestVersion(tx, issuer.id, dto.year);
      if (existing) throw planExists(dto.year, existing);
      const items = await this.checkItems(tx, issuer, dto.year, dto.items, await this.repo.usedItemKeys(tx, issuer.id, dto.year));
      let id: number;
      try {
        id = await this.repo.insertPlan(tx, {
          issuerId: issuer.id,
          year: dto.year,
          version: 1,
          title: dto.title ?? null,
          supersedesId: null,
          createdBy: actor.userId,
          at: nowIso(),
        });
      } catch (error) {
        // A concurrent create of the same issuer and year committed first.
        if (isUniqueViolation(error)) throw planExists(dto.year, null);
        throw error;
      }
      await this.repo.insertItems(tx, id, items);
      const created = await this.detail(tx, (await this.repo.findPlan(tx, id))!);
      await this.audit.append(tx, { actor, action: 'inspection-plan.create', entityType: 'inspection_plan', entityId: id, unitPath: issuer.path, after: created });
      return created;
    }, { resultIsAnswer: true });
  }

  update(actor: Actor, id: number, dto: UpdateInspectionPlanDto): Promise<InspectionPlanDetail> {
    const issuer = this.issuerOf(actor);
    return this.tx.run(async (tx) => {
      const plan = await this.ownPlan(tx, actor, id);
      const before = await this.detail(tx, plan);
      // Only a draft is edited: the plan's row is locked, so a concurrent submit cannot slip in between.
      await this.transition(tx, plan, 'edit', {});
      if (dto.title !== undefined) await this.repo.updateTitle(tx, id, dto.title);
      if (dto.items !== undefined) {
        const items = await this.checkItems(tx, issuer, plan.year, dto.items, await this.repo.usedItemKeys(tx, plan.issuerId, plan.year));
        try {
          await this.repo.replaceItems(tx, id, items);
        } catch (error) {
          if (isForeignKeyViolation(error)) {
            throw new DomainError(ErrorCode.Conflict, 'An item this edit drops is referenced by a demand; keep its itemKey', [
              { field: 'items', message: 'drops an item a demand links to' },
            ]);
          }
          throw error;
        }
      }
      const after = await this.detail(tx, (await this.repo.findPlan(tx, id))!);
      await this.audit.append(tx, {
        actor,
        action: 'inspection-plan.update',
        entityType: 'inspection_plan',
        entityId: id,
        unitPath: plan.issuer.path,
        before,
        after,
      });
      return after;
    });
  }

  submit(actor: Actor, id: number): Promise<InspectionPlanDetail> {
    return this.tx.run(async (tx) => {
      const plan = await this.ownPlan(tx, actor, id);
      // A resubmitted plan awaits a new decision: the last one no longer describes it.
      return this.move(tx, actor, plan, 'submit', { submittedBy: actor.userId, submittedAt: nowIso(), decidedBy: null, decidedAt: null, rejectReason: null });
    }, { resultIsAnswer: true });
  }

  approve(actor: Actor, id: number): Promise<InspectionPlanDetail> {
    return this.tx.run(async (tx) => {
      const plan = await this.decidablePlan(tx, actor, id);
      return this.move(tx, actor, plan, 'approve', { decidedBy: actor.userId, decidedAt: nowIso(), rejectReason: null });
    }, { resultIsAnswer: true });
  }

  reject(actor: Actor, id: number, dto: RejectInspectionPlanDto): Promise<InspectionPlanDetail> {
    const reason = dto.reason.trim();
    if (reason === '') throw invalid('reason', 'say why the plan is rejected');
    return this.tx.run(async (tx) => {
      const plan = await this.decidablePlan(tx, actor, id);
      return this.move(tx, actor, plan, 'reject', { decidedBy: actor.userId, decidedAt: nowIso(), rejectReason: reason });
    }, { resultIsAnswer: true });
  }

  /** rejected → draft: the issuer takes a rejected plan back to change it; the rejection stays readable. */
  rework(actor: Actor, id: number): Promise<InspectionPlanDetail> {
    return this.tx.run(async (tx) => {
      const plan = await this.ownPlan(tx, actor, id);
      return this.move(tx, actor, plan, 'rework', {});
    }, { resultIsAnswer: true });
  }

  /**
   * A change to an approved plan: a new version in draft, replacing the latest version, with the
   * items (and their keys) copied. The approved version stays as it is and keeps counting for the
   * rules until the new version is approved.
   */
  revise(actor: Actor, id: number): Promise<InspectionPlanDetail> {
    return this.tx.run(async (tx) => {
      const plan = await this.ownPlan(tx, actor, id);
      if (nextStatus(plan.status, 'revise') === null) throw wrongState(id, 'revise', plan.status);
      const latest = (await this.repo.findLatestVersion(tx, plan.issuerId, plan.year))!;
      if (latest.id !== plan.id) throw alreadyRevised(plan, latest);
      let newId: number;
      try {
        newId = await this.repo.insertPlan(tx, {
          issuerId: plan.issuerId,
          year: plan.year,
          version: plan.version + 1,
          title: plan.title,
          supersedesId: plan.id,
          createdBy: actor.userId,
          at: nowIso(),
        });
      } catch (error) {
        // A concurrent revision of the same version committed first.
        if (isUniqueViolation(error)) {
          throw new DomainError(ErrorCode.Conflict, `Inspection plan ${id} was revised meanwhile`, { currentStatus: plan.status });
        }
        throw error;
      }
      const items = await this.repo.findItems(tx, plan.id);
      await this.repo.insertItems(
        tx,
        newId,
        items.map(({ itemKey, title, topic, targetLevel, targetUnitIds, plannedMonth, onSiteDays, visits }) => ({
          itemKey,
          title,
          topic,
          targetLevel,
          targetUnitIds,
          plannedMonth,
          onSiteDays,
          visits,
        })),
      );
      const created = await this.detail(tx, (await this.repo.findPlan(tx, newId))!);
      await this.audit.append(tx, {
        actor,
        action: 'inspection-plan.revise',
        entityType: 'inspection_plan',
        entityId: newId,
        unitPath: plan.issuer.path,
        after: { ...created, revisedFrom: { id: plan.id, version: plan.version } },
      });
      return created;
    }, { resultIsAnswer: true });
  }

  /** Applies a status transition and audits it with the plan before and after. */
  private async move(tx: Tx, actor: Actor, plan: InspectionPlan, action: PlanAction, change: StatusChange): Promise<InspectionPlanDetail> {
    await this.transition(tx, plan, action, change);
    const after = (await this.repo.findPlan(tx, plan.id))!;
    await this.audit.append(tx, {
      actor,
      action: `inspection-plan.${action}`,
      entityType: 'inspection_plan',
      entityId: plan.id,
      unitPath: plan.issuer.path,
      before: view(plan),
      after: view(after),
    });
    return this.detail(tx, after);
  }

  /**
   * Moves the plan only if it is still in the state the action needs; the conditional update
   * decides between concurrent callers (exactly one wins), the loser gets 409 with the state
   * the winner left.
   */
  private async transition(tx: Tx, plan: InspectionPlan, action: PlanAction, change: StatusChange): Promise<void> {
    const to = nextStatus(plan.status, action);
    if (to !== null && (await this.repo.changeStatus(tx, plan.id, requiredStatus(action), to, nowIso(), change))) return;
    const current = (await this.repo.findPlan(tx, plan.id))?.status ?? plan.status;
    throw wrongState(plan.id, action, current);
  }

  private async detail(tx: Tx, plan: InspectionPlan): Promise<InspectionPlanDetail> {
    return { ...view(plan), items: (await this.repo.findItems(tx, plan.id)).map(itemView) };
  }

  private async requirePlan(tx: Tx, id: number): Promise<InspectionPlan> {
    const plan = await this.repo.findPlan(tx, id);
    if (!plan) throw notFound('Inspection plan', id);
    return plan;
  }

  /**
   * A plan about to be written, read after locking its row: concurrent writers of one plan queue,
   * and each reads what the one before it left.
   */
  private async lockedPlan(tx: Tx, id: number): Promise<InspectionPlan> {
    if (!(await this.repo.lockPlan(tx, id))) throw notFound('Inspection plan', id);
    return this.requirePlan(tx, id);
  }

  /** A plan the caller's unit issued; another unit's plan is refused whether the caller can read it or not. */
  private async ownPlan(tx: Tx, actor: Actor, id: number): Promise<InspectionPlan> {
    const plan = await this.lockedPlan(tx, id);
    if (plan.issuerId !== actor.orgUnitId) throw forbidden(`Inspection plan ${id} belongs to another issuer`);
    return plan;
  }

  /**
   * A plan the calling coordinator may decide on: its issuer inside the coordinator's
   * jurisdiction, and not the coordinator's own unit, nor a plan the coordinator drafted or
   * submitted (nobody approves their own plan).
   */
  private async decidablePlan(tx: Tx, actor: Actor, id: number): Promise<InspectionPlan> {
    const plan = await this.lockedPlan(tx, id);
    if (!withinJurisdiction(actor, plan.issuer.path)) throw forbidden(`Inspection plan ${id} is outside your jurisdiction`);
    if (plan.issuerId === actor.orgUnitId || plan.createdBy === actor.userId || plan.submittedBy === actor.userId) {
      throw forbidden(`Inspection plan ${id} is your own unit's plan; another office must decide on it`);
    }
    return plan;
  }

  /** Whether the caller may read the plans of this issuing unit. */
  private reaches(actor: Actor, issuerId: number, issuerPath: string): boolean {
    switch (actor.role) {
      case 'issuer':
        return issuerId === actor.orgUnitId;
      case 'coordinator':
      case 'inspector':
        return actor.jurisdictionPath !== null && withinJurisdiction(actor, issuerPath);
      case 'admin':
      case 'reporter':
        return false;
    }
  }

  /** The list's base restriction for the caller's role. */
  private scope(actor: Actor): Pick<PlanFilter, 'issuerId' | 'issuerUnder'> {
    switch (actor.role) {
      case 'issuer':
        return { issuerId: this.issuerOf(actor).id };
      case 'coordinator':
      case 'inspector':
        if (actor.jurisdictionPath === null) throw forbidden('No jurisdiction');
        return { issuerUnder: actor.jurisdictionPath };
      case 'admin':
      case 'reporter':
        throw forbidden(`Role ${actor.role} does not read inspection plans`);
    }
  }

  /** The caller's unit as the issuer of its plans. */
  private issuerOf(actor: Actor): Issuer {
    // The users table guarantees a unit for every role but admin, and the routes admit issuers only.
    if (actor.orgUnitId === null || actor.unitPath === null || actor.jurisdictionPath === null || actor.level === null) {
      throw forbidden('Only a user of an issuing unit can write its inspection plan');
    }
    return { id: actor.orgUnitId, path: actor.unitPath, jurisdictionPath: actor.jurisdictionPath, level: actor.level };
  }

  /**
   * Checks the items against the database (topics, target units) and the plan (keys, months,
   * levels) and gives each its key. Targets outside the issuer's jurisdiction are a 403; every
   * other problem is a 422 naming the item's field.
   */
  private async checkItems(tx: Tx, issuer: Issuer, year: number, items: PlanItemDto[], usedKeys: string[]): Promise<NewPlanItem[]> {
    const problems: ErrorDetail[] = itemProblems(year, issuer.level, items);
    const topics = await this.repo.existingTopics(tx, [...new Set(items.map((i) => i.topic))]);
    const units = await this.repo.findUnits(
      tx,
      items.flatMap((i) => i.targetUnitIds ?? []),
    );
    const outside: ErrorDetail[] = [];
    items.forEach((item, i) => {
      if (!topics.has(item.topic)) problems.push({ field: itemField(i, 'topic'), message: `unknown topic ${item.topic} (see GET /topics)` });
      for (const unitId of item.targetUnitIds ?? []) {
        const problem = targetProblem(units.get(unitId), unitId, issuer, item.targetLevel);
        if (problem) (problem.forbidden ? outside : problems).push({ field: itemField(i, 'targetUnitIds'), message: problem.message });
      }
    });
    if (outside.length) throw new DomainError(ErrorCode.Forbidden, outside.map((d) => `${d.field}: ${d.message}`).join('; '), outside);
    if (problems.length) throw new DomainError(ErrorCode.Unprocessable, problems.map((d) => `${d.field}: ${d.message}`).join('; '), problems);
    const keys = assignItemKeys(
      year,
      items.map((i) => i.itemKey),
      usedKeys,
    );
    return items.map((item, i) => ({
      itemKey: keys[i],
      title: item.title,
      topic: item.topic,
      targetLevel: item.targetLevel ?? null,
      targetUnitIds: item.targetUnitIds ?? [],
      plannedMonth: item.plannedMonth,
      onSiteDays: item.onSiteDays,
      visits: item.visits ?? 1,
    }));
  }
}

interface Issuer {
  id: number;
  path: string;
  jurisdictionPath: string;
  level: Level;
}

function planExists(year: number, existing: { id: number; version: number; status: PlanStatus } | null): DomainError {
  const message = existing
    ? `Your unit already has a plan for ${year} (plan ${existing.id}, version ${existing.version}, ${existing.status}); edit, rework or revise it`
    : `Your unit already has a plan for ${year}; edit, rework or revise it`;
  return new DomainError(ErrorCode.Conflict, message, [
    { field: 'year', message, ...(existing ? { existingPlanId: existing.id, currentStatus: existing.status } : {}) },
  ]);
}

function alreadyRevised(plan: InspectionPlan, latest: { id: number; version: number; status: PlanStatus }): DomainError {
  return new DomainError(
    ErrorCode.Conflict,
    `Inspection plan ${plan.id} (version ${plan.version}) is already replaced by version ${latest.version} (plan ${latest.id}, ${latest.status}); change that one`,
    { currentStatus: plan.status, latestVersionId: latest.id, latestStatus: latest.status },
  );
}
