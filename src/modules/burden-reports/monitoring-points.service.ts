import { Injectable } from '@nestjs/common';
import type { Actor } from '@/common/auth/actor';
import { DomainError, ErrorCode, ErrorDetail, forbidden } from '@/common/errors/domain-error';
import { PageRequest } from '@/common/paging/page';
import { chinaDayEndIso, nowIso, todayInChina } from '@/common/time';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { monthBounds } from '@/modules/demands/calendar/working-days';
import { MonitoringPointRepository, MonitoringPointRow } from './monitoring-point.repository';
import { MonitoringPointsQueryDto, PutMonitoringPointsDto } from './dto/monitoring-point.dto';
import {
  MonthCompleteness,
  MonthInput,
  monthsOfPeriod,
  RateTotals,
  REPORTING_DEADLINE_WORKING_DAYS,
  reportingDeadline,
  totals,
  unitCompleteness,
} from './monitoring/reporting-rates';
import { isCalendarMonth } from './plausibility';

export interface MonitoringPointView {
  unitId: number;
  unitCode: string;
  unitName: string;
  level: string;
  from: string;
  to: string | null;
}

export interface UnitCompletenessView extends MonitoringPointView, RateTotals {
  months: MonthCompleteness[];
}

export interface CompletenessPage {
  period: string;
  months: string[];
  /** The deadline rule: the Nth working day of the following month. */
  deadlineWorkingDays: number;
  /** Over every designated unit of the answer (all pages). */
  overall: RateTotals;
  items: UnitCompletenessView[];
  total: number;
  page: number;
  pageSize: number;
}

const pointView = (p: MonitoringPointRow): MonitoringPointView => ({ unitId: p.unitId, unitCode: p.unitCode, unitName: p.unitName, level: p.unitLevel, from: p.fromMonth, to: p.toMonth });
const unprocessable = (problems: ErrorDetail[]) =>
  new DomainError(ErrorCode.Unprocessable, problems.map((p) => `${p.field ?? ''}: ${p.message}`).join('; '), problems);

@Injectable()
export class MonitoringPointsService {
  constructor(
    private readonly repo: MonitoringPointRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  /**
   * Sets each listed unit's designation window to from..to. Units must be area units strictly
   * below the coordinator's own unit, inside its jurisdiction: a unit outside it is forbidden (403
   * naming `unitIds[i]`, as for a demand's targets: the org tree is no secret, DESIGN §1), an
   * unknown one, a department or the coordinator's own unit is a 422. Each changed unit gets one
   * audit entry with before/after.
   */
  async designate(actor: Actor, dto: PutMonitoringPointsDto): Promise<{ items: MonitoringPointView[] }> {
    const root = actor.jurisdictionPath;
    if (actor.role !== 'coordinator' || root === null) throw forbidden('Only a coordinator designates monitoring points');
    const to = dto.to ?? null;
    const problems: ErrorDetail[] = [];
    if (!isCalendarMonth(dto.from)) problems.push({ field: 'from', message: `${dto.from} is not a month YYYY-MM` });
    if (to !== null && !isCalendarMonth(to)) problems.push({ field: 'to', message: `${to} is not a month YYYY-MM` });
    else if (to !== null && to < dto.from) problems.push({ field: 'to', message: `is before from (${dto.from})` });
    if (problems.length) throw unprocessable(problems);
    return this.tx.run(async (tx) => {
      const units = await this.repo.findUnits(tx, dto.unitIds);
      const outside: ErrorDetail[] = [];
      dto.unitIds.forEach((id, i) => {
        const unit = units.get(id);
        if (unit && !unit.path.startsWith(root)) outside.push({ field: `unitIds[${i}]`, message: `${unit.name} is outside your jurisdiction` });
        else if (!unit || unit.path === root) problems.push({ field: `unitIds[${i}]`, message: `unit ${id} is not a unit below yours in your jurisdiction` });
        else if (unit.kind !== 'area') problems.push({ field: `unitIds[${i}]`, message: `${unit.name} is a department: only area units (townships, villages, …) are monitoring points` });
      });
      if (outside.length) throw new DomainError(ErrorCode.Forbidden, outside.map((d) => `${d.field}: ${d.message}`).join('; '), outside);
      if (problems.length) throw unprocessable(problems);
      const before = await this.repo.findByUnits(tx, dto.unitIds);
      const at = nowIso();
      for (const id of dto.unitIds) {
        const previous = before.get(id);
        if (previous && previous.fromMonth === dto.from && previous.toMonth === to) continue;
        await this.repo.upsert(tx, id, dto.from, to, actor.userId, at);
        await this.audit.append(tx, {
          actor,
          action: 'monitoring-point.set',
          entityType: 'monitoring_point',
          entityId: id,
          unitPath: units.get(id)!.path,
          before: previous ? { from: previous.fromMonth, to: previous.toMonth } : undefined,
          after: { from: dto.from, to },
        });
      }
      const after = await this.repo.findByUnits(tx, dto.unitIds);
      return { items: dto.unitIds.map((id) => pointView(after.get(id)!)) };
    });
  }

  /** Completeness and timeliness of the designated units in the caller's jurisdiction over a period. */
  async completeness(actor: Actor, period: MonitoringPointsQueryDto['period'], unitId: number | undefined, page: PageRequest): Promise<CompletenessPage> {
    const root = actor.jurisdictionPath;
    if ((actor.role !== 'coordinator' && actor.role !== 'inspector') || root === null) throw forbidden('Only coordinators and inspectors read monitoring points');
    const months = monthsOfPeriod(period);
    if (!months) throw new DomainError(ErrorCode.BadRequest, `period: ${period} is not 2026, 2026-Q3 or 2026-07`, [{ field: 'period', message: 'is not a year, quarter or month' }]);
    const first = months[0];
    const last = months[months.length - 1];
    const inputs: MonthInput[] = months.map((month) => {
      const deadline = reportingDeadline(month);
      return { month, monthEndIso: chinaDayEndIso(monthBounds(month).last), deadline, deadlineEndIso: chinaDayEndIso(deadline) };
    });
    const currentMonth = todayInChina().slice(0, 7);
    const { points, reports } = await this.tx.snapshot(async (reader) => {
      const found = await this.repo.overlapping(reader, root, first, last, unitId);
      return { points: found, reports: await this.repo.firstReports(reader, found.map((p) => p.unitId), first, last) };
    });
    const items = points.map((p): UnitCompletenessView => {
      const unitMonths = unitCompleteness({ fromMonth: p.fromMonth, toMonth: p.toMonth }, p.unitCreatedAt, inputs, currentMonth, reports.get(p.unitId) ?? new Map<string, string>());
      return { ...pointView(p), ...totals(unitMonths), months: unitMonths };
    });
    return {
      period,
      months,
      deadlineWorkingDays: REPORTING_DEADLINE_WORKING_DAYS,
      overall: totals(items),
      items: items.slice(page.offset, page.offset + page.pageSize),
      total: items.length,
      page: page.page,
      pageSize: page.pageSize,
    };
  }
}
