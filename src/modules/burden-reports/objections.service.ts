import { Injectable } from '@nestjs/common';
import type { Actor } from '@/common/auth/actor';
import { DomainError, ErrorCode, forbidden, invalid, notFound } from '@/common/errors/domain-error';
import { Page, PageRequest } from '@/common/paging/page';
import { nowIso } from '@/common/time';
import { isUniqueViolation } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { DomainEvents } from '@/common/events/domain-events';
import { AuditService } from '@/modules/audit/audit.service';
import { BurdenReportRepository } from './burden-report.repository';
import { CreateObjectionDto, ObjectionQueryDto } from './dto/objection.dto';
import { ObjectionRepository, ObjectionRow } from './objection.repository';

export interface ObjectionView {
  id: number;
  demandId: number;
  demandTitle: string;
  registrationNo: string;
  issuerId: number;
  issuerName: string;
  unitId: number;
  unitName: string;
  reason: string;
  dutyItemId: number | null;
  createdAt: string;
}

function view(o: ObjectionRow): ObjectionView {
  return {
    id: o.id,
    demandId: o.demandId,
    demandTitle: o.demandTitle,
    registrationNo: o.registrationNo,
    issuerId: o.issuerId,
    issuerName: o.issuerName,
    unitId: o.unitId,
    unitName: o.unitName,
    reason: o.reason,
    dutyItemId: o.dutyItemId,
    createdAt: o.createdAt,
  };
}

const duplicate = (id: number) =>
  new DomainError(ErrorCode.Conflict, `This unit already objected to the demand (objection ${id})`, [{ field: 'unitId', message: 'already objected to this demand', existingObjectionId: id }]);

/**
 * Objections (双向治理): a reporter of a target unit objects to a demand. Stored, listed for
 * coordinators, and published as `objection.filed` so the flags feature opens an OBJECTION flag
 * in the same transaction (one per demand and unit, which the unique index already holds).
 */
@Injectable()
export class ObjectionsService {
  constructor(
    private readonly repo: ObjectionRepository,
    private readonly reports: BurdenReportRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
  ) {}

  async create(actor: Actor, demandId: number, dto: CreateObjectionDto): Promise<ObjectionView> {
    if (actor.role !== 'reporter' || actor.unitPath === null || actor.orgUnitId === null) throw forbidden('Only a reporter of a target unit objects to a demand');
    const unitPath = actor.unitPath;
    const unitId = dto.unitId ?? actor.orgUnitId;
    try {
      return await this.tx.run(async (tx) => {
        // A demand that reaches nothing in the caller's subtree is not theirs to see: 404 as for GET /demands/:id.
        if (!(await this.repo.demandReachesSubtree(tx, demandId, unitPath))) throw notFound('Demand', demandId);
        const unit = await this.reports.findUnit(tx, unitId);
        if (!unit || !unit.path.startsWith(unitPath)) {
          throw new DomainError(ErrorCode.Forbidden, `unitId: unit ${unitId} is not your unit or one below it`, [{ field: 'unitId', message: 'not your unit or one below it' }]);
        }
        if (!(await this.repo.targetsUnit(tx, demandId, unit.id))) throw invalid('unitId', `demand ${demandId} does not target ${unit.name}`);
        if (dto.dutyItemId !== undefined && !(await this.repo.dutyItemExists(tx, dto.dutyItemId))) throw invalid('dutyItemId', `no duty item ${dto.dutyItemId}`);
        const existing = await this.repo.findExisting(tx, demandId, unit.id);
        if (existing !== null) throw duplicate(existing);
        const id = await this.repo.insert(tx, { demandId, unitId: unit.id, reason: dto.reason, dutyItemId: dto.dutyItemId ?? null, by: actor.userId, at: nowIso() });
        const created = view((await this.repo.findById(tx, id))!);
        await this.audit.append(tx, { actor, action: 'objection.create', entityType: 'objection', entityId: id, unitPath: unit.path, after: created });
        await this.events.publish({ type: 'objection.filed', tx, actor, objectionId: id, demandId, unitId: unit.id });
        return created;
      }, { resultIsAnswer: true });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.repo.findExisting(this.tx.reader, demandId, unitId);
      throw existing === null ? error : duplicate(existing);
    }
  }

  async list(actor: Actor, query: ObjectionQueryDto, page: PageRequest): Promise<Page<ObjectionView>> {
    const { rows, total } = await this.tx.snapshot((reader) => this.repo.list(reader, actor, { demandId: query.demandId, unitId: query.unitId }, page.offset, page.pageSize));
    return { items: rows.map(view), total, page: page.page, pageSize: page.pageSize };
  }
}
