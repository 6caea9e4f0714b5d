import { Injectable } from '@nestjs/common';
import { Actor, withinJurisdiction } from '@/common/auth/actor';
import { conflict, DomainError, ErrorCode, forbidden, invalid, notFound } from '@/common/errors/domain-error';
import { Page, PageRequest } from '@/common/paging/page';
import { isCalendarDate, nowIso, todayInChina } from '@/common/time';
import { isUniqueViolation, Tx } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { CreateOrgUnitDto, OrgUnitQueryDto, UpdateOrgUnitDto } from './dto/org-unit.dto';
import { childPath, OrgUnit, OrgUnitName, placementProblem } from './org-unit.model';
import { OrgUnitRepository } from './org-unit.repository';

export type OrgUnitView = Omit<OrgUnit, 'depth'>;

function view(unit: OrgUnit): OrgUnitView {
  const { id, code, name, kind, level, parentId, path, staffCount, createdAt, updatedAt } = unit;
  return { id, code, name, kind, level, parentId, path, staffCount, createdAt, updatedAt };
}

@Injectable()
export class OrgUnitsService {
  constructor(
    private readonly repo: OrgUnitRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  list(actor: Actor, query: OrgUnitQueryDto, page: PageRequest): Promise<Page<OrgUnitView>> {
    // One snapshot, so the total and the page agree even while units are written.
    return this.tx.snapshot((reader) => this.listIn(reader, actor, query, page));
  }

  private async listIn(reader: Tx, actor: Actor, query: OrgUnitQueryDto, page: PageRequest): Promise<Page<OrgUnitView>> {
    let underPath: string | undefined;
    if (query.underId !== undefined) {
      const under = await this.requireVisible(reader, actor, query.underId);
      underPath = under.path;
    }
    const scopePath = actor.role === 'admin' ? null : this.jurisdiction(actor);
    const { rows, total } = await this.repo.list(
      reader,
      { scopePath, underPath, parentId: query.parentId, level: query.level, kind: query.kind, q: query.q },
      page.offset,
      page.pageSize,
    );
    return { items: rows.map(view), total, page: page.page, pageSize: page.pageSize };
  }

  /** A unit in the caller's jurisdiction in full; an ancestor of the caller's own unit by name only. */
  async get(actor: Actor, id: number): Promise<(OrgUnitView & { staffHistory: { staffCount: number; effectiveFrom: string }[] }) | OrgUnitName> {
    const reader = this.tx.reader;
    const unit = await this.repo.findById(reader, id);
    if (!unit) throw notFound('Org unit', id);
    if (!withinJurisdiction(actor, unit.path)) {
      if (actor.unitPath !== null && actor.unitPath.startsWith(unit.path)) {
        const { code, name, kind, level, parentId } = unit;
        return { id: unit.id, code, name, kind, level, parentId };
      }
      throw forbidden(`Org unit ${id} is outside your jurisdiction`);
    }
    return { ...view(unit), staffHistory: await this.repo.staffHistory(reader, id) };
  }

  async create(actor: Actor, dto: CreateOrgUnitDto): Promise<OrgUnitView> {
    return this.tx.run(async (tx) => {
      const parent = dto.parentId === undefined ? null : await this.repo.findParentForUpdate(tx, dto.parentId);
      if (dto.parentId !== undefined && !parent) throw invalid('parentId', `org unit ${dto.parentId} does not exist`);
      const problem = placementProblem(dto, parent);
      if (problem) throw invalid(problem.field, problem.message);
      if (await this.repo.findByCode(tx, dto.code)) throw conflict(`An org unit with code ${dto.code} already exists`, 'code');
      const at = nowIso();
      const unit = {
        code: dto.code,
        name: dto.name,
        kind: dto.kind,
        level: dto.level,
        parentId: parent?.id ?? null,
        path: childPath(parent?.path ?? null, dto.code),
        depth: (parent?.depth ?? -1) + 1,
        staffCount: dto.staffCount ?? 0,
        at,
      };
      let id: number;
      try {
        id = await this.repo.insert(tx, unit);
      } catch (error) {
        if (isUniqueViolation(error)) throw conflict(`An org unit with code ${dto.code} already exists`, 'code');
        throw error;
      }
      if (dto.staffCount !== undefined) await this.repo.upsertStaff(tx, id, dto.staffCount, todayInChina(), at);
      const created = (await this.repo.findById(tx, id))!;
      await this.audit.append(tx, {
        actor,
        action: 'org-unit.create',
        entityType: 'org_unit',
        entityId: id,
        unitPath: created.path,
        after: view(created),
      });
      return view(created);
    }, { resultIsAnswer: true });
  }

  async update(actor: Actor, id: number, dto: UpdateOrgUnitDto): Promise<OrgUnitView> {
    if (dto.staffEffectiveFrom !== undefined && !isCalendarDate(dto.staffEffectiveFrom)) {
      throw invalid('staffEffectiveFrom', 'is not a calendar date');
    }
    if (dto.staffEffectiveFrom !== undefined && dto.staffCount === undefined) {
      throw invalid('staffEffectiveFrom', 'only makes sense with staffCount');
    }
    return this.tx.run(async (tx) => {
      let before = await this.repo.findById(tx, id);
      if (!before) throw notFound('Org unit', id);
      const at = nowIso();
      if (dto.parentId !== undefined && dto.parentId !== before.parentId) {
        let parent = await this.repo.findById(tx, dto.parentId);
        if (!parent) throw invalid('parentId', `org unit ${dto.parentId} does not exist`);
        ({ unit: before, parent } = await this.lockForMove(tx, before, parent));
        if (parent.path.startsWith(before.path)) {
          throw invalid('parentId', 'a unit cannot move under itself or its own subtree (that would make a cycle)');
        }
        // Code, kind and level cannot change here: whatever does not fit is the new parent's fault.
        const problem = placementProblem(before, parent);
        if (problem) throw invalid('parentId', problem.message);
        await this.repo.moveSubtree(tx, before, parent.id, childPath(parent.path, before.code), parent.depth + 1, at);
      }
      let staffCount: number | undefined;
      if (dto.staffCount !== undefined) {
        const effectiveFrom = dto.staffEffectiveFrom ?? todayInChina();
        await this.repo.upsertStaff(tx, id, dto.staffCount, effectiveFrom, at);
        staffCount = (await this.repo.staffInForce(tx, id, todayInChina())) ?? before.staffCount;
      }
      await this.repo.updateFields(tx, id, { name: dto.name, staffCount }, at);
      const after = (await this.repo.findById(tx, id))!;
      await this.audit.append(tx, {
        actor,
        action: 'org-unit.update',
        entityType: 'org_unit',
        entityId: id,
        unitPath: after.path,
        before: view(before),
        after: { ...view(after), ...(dto.staffCount !== undefined ? { staffChange: { staffCount: dto.staffCount, effectiveFrom: dto.staffEffectiveFrom ?? todayInChina() } } : {}) },
      });
      return view(after);
    });
  }

  /**
   * Locks the subtree about to move and its new parent, then reads both again: a concurrent move
   * committed in between may have changed their paths, and then the lock is taken again.
   */
  private async lockForMove(tx: Tx, unit: OrgUnit, parent: OrgUnit): Promise<{ unit: OrgUnit; parent: OrgUnit }> {
    for (let attempt = 0; attempt < 5; attempt++) {
      await this.repo.lockForMove(tx, unit.path, parent.id);
      const [unitNow, parentNow] = [await this.repo.findById(tx, unit.id), await this.repo.findById(tx, parent.id)];
      // Units are never deleted, so both are still there.
      if (!unitNow || !parentNow) throw new DomainError(ErrorCode.Conflict, 'The tree changed during the move; try again');
      const stable = unitNow.path === unit.path;
      [unit, parent] = [unitNow, parentNow];
      if (stable) return { unit, parent };
    }
    throw new DomainError(ErrorCode.Conflict, 'The tree kept changing during the move; try again');
  }

  private jurisdiction(actor: Actor): string {
    if (actor.jurisdictionPath === null) throw new DomainError(ErrorCode.Forbidden, 'No jurisdiction');
    return actor.jurisdictionPath;
  }

  private async requireVisible(tx: Tx, actor: Actor, id: number): Promise<OrgUnit> {
    const unit = await this.repo.findById(tx, id);
    if (!unit) throw invalid('underId', `org unit ${id} does not exist`);
    if (!withinJurisdiction(actor, unit.path)) throw forbidden(`Org unit ${id} is outside your jurisdiction`);
    return unit;
  }
}
