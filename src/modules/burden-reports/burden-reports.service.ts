import { Injectable } from '@nestjs/common';
import type { Actor } from '@/common/auth/actor';
import { DomainError, ErrorCode, ErrorDetail, forbidden, notFound } from '@/common/errors/domain-error';
import { Page, PageRequest } from '@/common/paging/page';
import { isCalendarDate, nowIso, todayInChina } from '@/common/time';
import { isUniqueViolation, Tx } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { BurdenScope, DomainEvents } from '@/common/events/domain-events';
import { AuditService } from '@/modules/audit/audit.service';
import { daysInMonth, monthBounds, workingDaysInMonth } from '@/modules/demands/calendar/working-days';
import { OrgUnitRepository } from '@/modules/org-units/org-unit.repository';
import { BurdenReportRepository, BurdenReportRow, ReportUnit, ReportVersionRow, StoredFigures, TargetInMonth } from './burden-report.repository';
import { AmendBurdenReportDto, BurdenReportQueryDto, ConfirmBurdenReportsDto, CreateBurdenReportDto, LinkBurdenReportDto } from './dto/burden-report.dto';
import { figureProblems, hoursToMinutes, isCalendarMonth, isFutureDate, isFutureMonth, MonthCapacity, minutesToHours, ReportFigures } from './plausibility';
import { SHADOW_CHANNEL_LABELS } from './shadow-channel';

/** A report as its unit, the units above and coordinators/inspectors see it. */
export interface BurdenReportView {
  id: number;
  unitId: number;
  unitName: string;
  unitCode: string;
  demandId: number | null;
  demandTitle: string | null;
  registrationNo: string | null;
  month: string;
  shadow: (BurdenReportRow['shadow'] & { channelLabel: string }) | null;
  linkedAt: string | null;
  hoursSpent: number;
  staffInvolved: number | null;
  overtimeHours: number;
  pages: number;
  photos: number;
  note: string | null;
  source: 'report' | 'confirm';
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface ReportVersionView {
  version: number;
  change: ReportVersionRow['change'];
  demandId: number | null;
  month: string;
  hoursSpent: number;
  staffInvolved: number | null;
  overtimeHours: number;
  pages: number;
  photos: number;
  note: string | null;
  createdBy: string;
  createdAt: string;
}

export interface BurdenReportDetailView extends BurdenReportView {
  history: ReportVersionView[];
}

/**
 * What the issuer of a registered demand sees of a report on it: the unit and the figures, never
 * whether it was first filed as a shadow demand (no shadow block, link time, note, history or
 * timestamps), so a report linked from a shadow demand looks like any other (issue 4 point 8).
 */
export interface IssuerReportView {
  id: number;
  unitId: number;
  unitName: string;
  demandId: number;
  demandTitle: string | null;
  registrationNo: string | null;
  month: string;
  hoursSpent: number;
  staffInvolved: number | null;
  overtimeHours: number;
  pages: number;
  photos: number;
  source: 'report' | 'confirm';
}

export interface ConfirmResult {
  unitId: number;
  month: string;
  items: BurdenReportView[];
}

function view(r: BurdenReportRow): BurdenReportView {
  return {
    id: r.id,
    unitId: r.unitId,
    unitName: r.unitName,
    unitCode: r.unitCode,
    demandId: r.demandId,
    demandTitle: r.demandTitle,
    registrationNo: r.registrationNo,
    month: r.month,
    shadow: r.shadow === null ? null : { ...r.shadow, channelLabel: SHADOW_CHANNEL_LABELS[r.shadow.channel] },
    linkedAt: r.linkedAt,
    hoursSpent: minutesToHours(r.minutesSpent),
    staffInvolved: r.staffInvolved,
    overtimeHours: minutesToHours(r.overtimeMinutes),
    pages: r.pages,
    photos: r.photos,
    note: r.note,
    source: r.source,
    version: r.version,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function issuerView(r: BurdenReportRow): IssuerReportView {
  return {
    id: r.id,
    unitId: r.unitId,
    unitName: r.unitName,
    demandId: r.demandId!,
    demandTitle: r.demandTitle,
    registrationNo: r.registrationNo,
    month: r.month,
    hoursSpent: minutesToHours(r.minutesSpent),
    staffInvolved: r.staffInvolved,
    overtimeHours: minutesToHours(r.overtimeMinutes),
    pages: r.pages,
    photos: r.photos,
    source: r.source,
  };
}

function versionView(v: ReportVersionRow): ReportVersionView {
  return {
    version: v.version,
    change: v.change,
    demandId: v.demandId,
    month: v.month,
    hoursSpent: minutesToHours(v.minutesSpent),
    staffInvolved: v.staffInvolved,
    overtimeHours: minutesToHours(v.overtimeMinutes),
    pages: v.pages,
    photos: v.photos,
    note: v.note,
    createdBy: v.createdByName,
    createdAt: v.createdAt,
  };
}

const unprocessable = (problems: ErrorDetail[]) =>
  new DomainError(ErrorCode.Unprocessable, problems.map((p) => `${p.field ?? ''}: ${p.message}`).join('; '), problems);
const one = (field: string, message: string) => unprocessable([{ field, message }]);

/** 409 for a (unit, demand, month) that already has its report: point to it and to amend. */
function alreadyReported(reportId: number, field: string, what: string): DomainError {
  const message = `${what} already has report ${reportId}: amend it instead (POST /api/v1/burden-reports/${reportId}/amend)`;
  return new DomainError(ErrorCode.Conflict, message, [{ field, message, existingReportId: reportId, amend: `/api/v1/burden-reports/${reportId}/amend` }]);
}

@Injectable()
export class BurdenReportsService {
  constructor(
    private readonly repo: BurdenReportRepository,
    private readonly units: OrgUnitRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
  ) {}

  async create(actor: Actor, dto: CreateBurdenReportDto): Promise<BurdenReportView> {
    const today = todayInChina();
    const subject = this.subjectOf(dto, today);
    const unitId = dto.unitId ?? actor.orgUnitId;
    // The answer is the unit of work's result: an Idempotency-Key's record commits with the report.
    const write = () =>
      this.tx.run(
        async (tx) => {
          const unit = await this.reportingUnit(tx, actor, unitId);
          let demand: TargetInMonth | null = null;
          if (subject.demandId !== null) {
            demand = await this.checkDemandReachesUnit(tx, subject.demandId, unit, subject.month, 'demandId', 'month');
            const existing = await this.repo.findCurrentId(tx, unit.id, subject.demandId, subject.month);
            if (existing !== null) throw alreadyReported(existing, 'demandId', `Unit ${unit.id}, demand ${subject.demandId}, month ${subject.month}`);
          }
          const figures = await this.checkedFigures(tx, unit, subject.month, {
            hoursSpent: dto.hoursSpent,
            overtimeHours: dto.overtimeHours ?? 0,
            staffInvolved: dto.staffInvolved ?? null,
            pages: dto.pages ?? 0,
            photos: dto.photos ?? 0,
            note: dto.note ?? null,
          });
          const report = { ...figures, unitId: unit.id, demandId: subject.demandId, month: subject.month, shadow: subject.shadow, source: 'report' as const, by: actor.userId, at: nowIso() };
          const cell: BurdenScope[] = subject.demandId === null ? [] : [{ demandIds: [subject.demandId], unitId: unit.id }];
          const created = view(await this.events.aroundBurdenChange(tx, cell, () => this.repo.insertRow(tx, report, unit, demand)));
          if (subject.demandId === null) await this.events.publish({ type: 'burden.changed', tx, scope: [{ shadowReportIds: [created.id] }] });
          await this.audit.append(tx, { actor, action: 'burden-report.create', entityType: 'burden_report', entityId: created.id, unitPath: unit.path, after: created });
          return created;
        },
        { resultIsAnswer: true },
      );
    return this.conflictOnRace(write, async () => {
      if (subject.demandId === null || unitId === null) return null;
      const existing = await this.repo.findCurrentId(this.tx.reader, unitId, subject.demandId, subject.month);
      return existing === null ? null : alreadyReported(existing, 'demandId', `Unit ${unitId}, demand ${subject.demandId}, month ${subject.month}`);
    });
  }

  /**
   * Many demands at their estimate in one request: reported = the target's estimated minutes ×
   * occurrences in the month. All or nothing: a demand that does not reach the unit that month
   * (422) or already has a report (409) fails the whole request, naming each such `demandIds[i]`.
   * The capacity check does not apply: the figure is the issuer's own estimate, which the rules judge.
   */
  async confirm(actor: Actor, dto: ConfirmBurdenReportsDto): Promise<ConfirmResult> {
    const today = todayInChina();
    this.checkMonth(dto.month, today, 'month');
    const unitId = dto.unitId ?? actor.orgUnitId;
    const write = () =>
      this.tx.run(async (tx) => {
        const unit = await this.reportingUnit(tx, actor, unitId);
        const targets = await this.repo.targetsInMonth(tx, unit.id, dto.month, dto.demandIds);
        const missing: ErrorDetail[] = [];
        dto.demandIds.forEach((demandId, i) => {
          const target = targets.get(demandId);
          if (!target) missing.push({ field: `demandIds[${i}]`, message: `demand ${demandId} does not target unit ${unit.id}` });
          else if (target.occurrences === 0) missing.push({ field: `demandIds[${i}]`, message: `demand ${demandId} does not land on unit ${unit.id} in ${dto.month}` });
        });
        if (missing.length) throw unprocessable(missing);
        const existing = await this.repo.existingForDemands(tx, unit.id, dto.month, dto.demandIds);
        if (existing.size) {
          const details = dto.demandIds.flatMap((demandId, i) => {
            const reportId = existing.get(demandId);
            if (reportId === undefined) return [];
            const message = `demand ${demandId} already has report ${reportId} for ${dto.month}: amend it instead`;
            return [{ field: `demandIds[${i}]`, message, existingReportId: reportId, amend: `/api/v1/burden-reports/${reportId}/amend` }];
          });
          throw new DomainError(ErrorCode.Conflict, details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
        }
        const at = nowIso();
        const items: BurdenReportView[] = [];
        await this.events.aroundBurdenChange(tx, [{ demandIds: dto.demandIds, unitId: unit.id }], async () => {
        for (const demandId of dto.demandIds) {
          const target = targets.get(demandId)!;
          const minutes = target.estimatedMinutes * target.occurrences;
          const row = await this.repo.insertRow(
            tx,
            { unitId: unit.id, demandId, month: dto.month, shadow: null, source: 'confirm', minutesSpent: minutes, staffInvolved: null, overtimeMinutes: 0, pages: 0, photos: 0, note: null, by: actor.userId, at },
            unit,
            target,
          );
          const created = view(row);
          await this.audit.append(tx, { actor, action: 'burden-report.confirm', entityType: 'burden_report', entityId: row.id, unitPath: unit.path, after: created });
          items.push(created);
        }
        });
        return { unitId: unit.id, month: dto.month, items };
      }, { resultIsAnswer: true });
    return this.conflictOnRace(write, async () => {
      if (unitId === null) return null;
      const existing = await this.repo.existingForDemands(this.tx.reader, unitId, dto.month, dto.demandIds);
      const [demandId, reportId] = [...existing.entries()][0] ?? [];
      if (demandId === undefined || reportId === undefined) return null;
      return alreadyReported(reportId, `demandIds[${dto.demandIds.indexOf(demandId)}]`, `Demand ${demandId} in ${dto.month}`);
    });
  }

  async amend(actor: Actor, id: number, dto: AmendBurdenReportDto): Promise<BurdenReportDetailView> {
    return this.tx.run(async (tx) => {
      const current = await this.repo.findVisible(tx, actor, id);
      if (!current) throw notFound('Burden report', id);
      if (actor.role !== 'reporter') throw forbidden('Only a reporter of the unit or a unit above it amends a report');
      if (dto.version !== current.version) throw this.stale(id, dto.version, current.version);
      const unit = (await this.repo.findUnit(tx, current.unitId))!;
      const figures = await this.checkedFigures(tx, unit, current.month, {
        hoursSpent: dto.hoursSpent ?? minutesToHours(current.minutesSpent),
        overtimeHours: dto.overtimeHours ?? minutesToHours(current.overtimeMinutes),
        staffInvolved: dto.staffInvolved ?? current.staffInvolved,
        pages: dto.pages ?? current.pages,
        photos: dto.photos ?? current.photos,
        note: dto.note ?? current.note,
      });
      // Unchanged figures keep their exact minutes rather than a round trip through hours.
      if (dto.hoursSpent === undefined) figures.minutesSpent = current.minutesSpent;
      if (dto.overtimeHours === undefined) figures.overtimeMinutes = current.overtimeMinutes;
      const cell: BurdenScope[] = current.demandId === null ? [{ shadowReportIds: [id] }] : [{ demandIds: [current.demandId], unitId: current.unitId }];
      const written = await this.events.aroundBurdenChange(tx, cell, () =>
        this.repo.writeVersion(tx, id, current.version, 'amend', { ...figures, demandId: current.demandId, month: current.month }, actor.userId, nowIso()),
      );
      if (!written) throw this.stale(id, dto.version, current.version + 1);
      const after = await this.detail(tx, id);
      await this.audit.append(tx, { actor, action: 'burden-report.amend', entityType: 'burden_report', entityId: id, unitPath: unit.path, before: view(current), after: view(await this.row(tx, id)) });
      return after;
    }, { resultIsAnswer: true });
  }

  /**
   * A coordinator links a shadow report to the registered demand it turned out to be: the report
   * (and its hours) now counts on that demand. The shadow details stay on the report for its unit
   * and coordinators; issuers never see them. 409 when the unit already reported that demand and month.
   */
  async link(actor: Actor, id: number, dto: LinkBurdenReportDto): Promise<BurdenReportDetailView> {
    const write = () =>
      this.tx.run(async (tx) => {
        const current = await this.repo.findVisible(tx, actor, id);
        if (!current) throw notFound('Burden report', id);
        if (actor.role !== 'coordinator') throw forbidden('Only a coordinator links a shadow report to a registered demand');
        if (current.demandId !== null) {
          throw new DomainError(ErrorCode.Conflict, `Burden report ${id} already covers registered demand ${current.demandId}`, [{ field: 'demandId', message: 'the report is not a shadow-demand report' }]);
        }
        const month = dto.month ?? current.month;
        if (!isCalendarMonth(month)) throw one('month', `${month} is not a month`);
        const unit = (await this.repo.findUnit(tx, current.unitId))!;
        await this.checkDemandReachesUnit(tx, dto.demandId, unit, month, 'demandId', 'month');
        const existing = await this.repo.findCurrentId(tx, unit.id, dto.demandId, month);
        if (existing !== null) throw alreadyReported(existing, 'demandId', `Unit ${unit.id}, demand ${dto.demandId}, month ${month}`);
        const figures: StoredFigures = { minutesSpent: current.minutesSpent, staffInvolved: current.staffInvolved, overtimeMinutes: current.overtimeMinutes, pages: current.pages, photos: current.photos, note: current.note };
        // The hours leave the shadow report's cell and join the demand's.
        const cells: BurdenScope[] = [{ shadowReportIds: [id] }, { demandIds: [dto.demandId], unitId: unit.id }];
        const written = await this.events.aroundBurdenChange(tx, cells, () =>
          this.repo.writeVersion(tx, id, current.version, 'link', { ...figures, demandId: dto.demandId, month }, actor.userId, nowIso()),
        );
        if (!written) throw this.stale(id, current.version, current.version + 1);
        const after = await this.detail(tx, id);
        await this.audit.append(tx, { actor, action: 'burden-report.link', entityType: 'burden_report', entityId: id, unitPath: unit.path, before: view(current), after: view(await this.row(tx, id)) });
        // Its hours now count on the demand; the flag that counted it as a shadow demand is withdrawn in this transaction.
        await this.events.publish({ type: 'report.linked', tx, actor, reportId: id, demandId: dto.demandId });
        return after;
      }, { resultIsAnswer: true });
    return this.conflictOnRace(write, async () => {
      const report = await this.repo.findById(this.tx.reader, id);
      const existing = report ? await this.repo.findCurrentId(this.tx.reader, report.unitId, dto.demandId, dto.month ?? report.month) : null;
      return existing === null ? null : alreadyReported(existing, 'demandId', `Demand ${dto.demandId}`);
    });
  }

  async get(actor: Actor, id: number): Promise<BurdenReportDetailView | IssuerReportView> {
    return this.tx.snapshot(async (reader) => {
      const found = await this.repo.findVisible(reader, actor, id);
      if (!found) throw notFound('Burden report', id);
      if (actor.role === 'issuer') return issuerView(found);
      return this.detail(reader, id);
    });
  }

  async list(actor: Actor, query: BurdenReportQueryDto, page: PageRequest): Promise<Page<BurdenReportView | IssuerReportView>> {
    for (const field of ['month', 'from', 'to'] as const) {
      const value = query[field];
      if (value !== undefined && !isCalendarMonth(value)) {
        throw new DomainError(ErrorCode.BadRequest, `${field}: ${value} is not a month`, [{ field, message: 'is not a month YYYY-MM' }]);
      }
    }
    const filter = { unitId: query.unitId, demandId: query.demandId, month: query.month, from: query.from, to: query.to, shadow: query.shadow === undefined ? undefined : query.shadow === 'true' };
    const { rows, total } = await this.tx.snapshot((reader) => this.repo.list(reader, actor, filter, page.offset, page.pageSize));
    const toView: (r: BurdenReportRow) => BurdenReportView | IssuerReportView = actor.role === 'issuer' ? issuerView : view;
    return { items: rows.map(toView), total, page: page.page, pageSize: page.pageSize };
  }

  // ---------------------------------------------------------------------------------------

  /** A registered demand and its month, or a shadow demand (month defaults to the day it arrived). */
  private subjectOf(dto: CreateBurdenReportDto, today: string) {
    if (dto.demandId !== undefined && dto.shadow !== undefined) throw one('shadow', 'send either demandId (a registered demand) or shadow (an unregistered one), not both');
    if (dto.demandId === undefined && dto.shadow === undefined) throw one('demandId', 'send demandId and month for a registered demand, or shadow for one that arrived without registration');
    if (dto.shadow) {
      const { receivedOn } = dto.shadow;
      if (!isCalendarDate(receivedOn)) throw one('shadow.receivedOn', `${receivedOn} is not a calendar date`);
      if (isFutureDate(receivedOn, today)) throw one('shadow.receivedOn', `${receivedOn} is in the future (today is ${today} in China)`);
      const month = dto.month ?? receivedOn.slice(0, 7);
      this.checkMonth(month, today, 'month');
      if (month < receivedOn.slice(0, 7)) throw one('month', `is before the month the demand arrived (${receivedOn})`);
      return { demandId: null, month, shadow: { ...dto.shadow } };
    }
    if (dto.month === undefined) throw one('month', 'is required with demandId: the month of the occurrence reported');
    this.checkMonth(dto.month, today, 'month');
    return { demandId: dto.demandId!, month: dto.month, shadow: null };
  }

  private checkMonth(month: string, today: string, field: string): void {
    if (!isCalendarMonth(month)) throw one(field, `${month} is not a month YYYY-MM`);
    if (isFutureMonth(month, today)) throw one(field, `${month} is in the future (today is ${today} in China)`);
  }

  /** The unit reported for: the caller's own or one in its subtree. Unknown and outside answer alike (403). */
  private async reportingUnit(tx: Tx, actor: Actor, unitId: number | null): Promise<ReportUnit> {
    if (actor.role !== 'reporter' || actor.unitPath === null || unitId === null) throw forbidden('Only a reporter files burden reports');
    const unit = await this.repo.findUnit(tx, unitId);
    if (!unit || !unit.path.startsWith(actor.unitPath)) {
      throw new DomainError(ErrorCode.Forbidden, `unitId: unit ${unitId} is not your unit or one below it`, [{ field: 'unitId', message: 'not your unit or one below it' }]);
    }
    return unit;
  }

  /** 422 unless the demand targets the unit (naming `demandField`) and lands on it in the month (naming `monthField`). */
  private async checkDemandReachesUnit(tx: Tx, demandId: number, unit: ReportUnit, month: string, demandField: string, monthField: string): Promise<TargetInMonth> {
    const target = (await this.repo.targetsInMonth(tx, unit.id, month, [demandId])).get(demandId);
    // An unknown demand and one that does not reach this unit answer alike: no guessing what exists.
    if (!target) throw one(demandField, `demand ${demandId} does not target ${unit.name}`);
    if (target.occurrences === 0) {
      const months = await this.repo.occurrenceMonths(tx, demandId);
      throw unprocessable([{ field: monthField, message: `demand ${demandId} does not land on ${unit.name} in ${month}; it lands in ${months.join(', ') || 'no month'}`, months }]);
    }
    return target;
  }

  /** Plausibility against the unit's staff in force and the month's working days; stored units out. */
  private async checkedFigures(tx: Tx, unit: ReportUnit, month: string, f: ReportFigures & { note: string | null }): Promise<StoredFigures> {
    const { last } = monthBounds(month);
    const staffInForce = (await this.units.staffInForce(tx, unit.id, last)) ?? unit.staffCount;
    const capacity: MonthCapacity = { staffInForce, workingDays: workingDaysInMonth(month), calendarDays: daysInMonth(Number(month.slice(0, 4)), Number(month.slice(5, 7))) };
    const problems = figureProblems(f, month, capacity);
    if (problems.length) throw unprocessable(problems);
    return { minutesSpent: hoursToMinutes(f.hoursSpent), overtimeMinutes: hoursToMinutes(f.overtimeHours), staffInvolved: f.staffInvolved, pages: f.pages, photos: f.photos, note: f.note };
  }

  private stale(id: number, sent: number, current: number): DomainError {
    return new DomainError(ErrorCode.Conflict, `Burden report ${id} is at version ${current}, not ${sent}: reload it and amend the current version`, [
      { field: 'version', message: `current version is ${current}`, currentVersion: current },
    ]);
  }

  /**
   * Two writers racing for the same (unit, demand, month) on PostgreSQL: the loser's INSERT or
   * UPDATE hits the unique index and its transaction is aborted. It gets the 409 it would have
   * had a moment later, pointing at the winner's report.
   */
  private async conflictOnRace<T>(write: () => Promise<T>, explain: () => Promise<DomainError | null>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw (await explain()) ?? new DomainError(ErrorCode.Conflict, 'A report for this unit, demand and month already exists: amend it instead');
    }
  }

  private async row(tx: Tx, id: number): Promise<BurdenReportRow> {
    const found = await this.repo.findById(tx, id);
    if (!found) throw notFound('Burden report', id);
    return found;
  }

  private async detail(tx: Tx, id: number): Promise<BurdenReportDetailView> {
    return { ...view(await this.row(tx, id)), history: (await this.repo.versions(tx, id)).map(versionView) };
  }
}
