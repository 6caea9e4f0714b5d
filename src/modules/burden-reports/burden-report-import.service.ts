import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import ExcelJS from 'exceljs';
import type { Actor } from '@/common/auth/actor';
import { DomainError, ErrorCode, ErrorDetail, forbidden } from '@/common/errors/domain-error';
import { BurdenScope, DomainEvents } from '@/common/events/domain-events';
import { parseTabular, requireColumns, TabularRow } from '@/common/files/tabular';
import { isCalendarDate, nowIso, todayInChina } from '@/common/time';
import { driverMessage, isUniqueViolation, Tx } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { daysInMonth, monthBounds, workingDaysInMonth } from '@/modules/demands/calendar/working-days';
import { DEMAND_KINDS, DemandKind } from '@/modules/demands/estimate';
import { OrgUnitRepository } from '@/modules/org-units/org-unit.repository';
import { BurdenReportRepository, ShadowFields, StoredFigures, TargetInMonth } from './burden-report.repository';
import { figureProblems, hoursToMinutes, isCalendarMonth, isFutureDate, isFutureMonth, ReportFigures } from './plausibility';
import { ImportUnit, ReportImportRepository } from './report-import.repository';
import { SHADOW_CHANNELS, ShadowChannel } from './shadow-channel';

/** The template's columns, in order (data/templates/burden-reports-import.csv). */
export const REPORT_IMPORT_COLUMNS = [
  'unitCode', 'registrationNo', 'month', 'shadowIssuerName', 'shadowKind', 'shadowTitle', 'shadowReceivedOn', 'shadowChannel',
  'hoursSpent', 'staffInvolved', 'overtimeHours', 'pages', 'photos', 'note',
] as const;
type Column = (typeof REPORT_IMPORT_COLUMNS)[number];

/** What a person filling the template reads above each column (the XLSX's second row is not data: it is a separate sheet). */
export const REPORT_IMPORT_LABELS: Record<Column, string> = {
  unitCode: '填报单位代码（本单位或下级单位）',
  registrationNo: '事项登记编号（已登记事项填写；未登记事项留空）',
  month: '所属月份 YYYY-MM（已登记事项必填；未登记事项默认收到月份）',
  shadowIssuerName: '未登记事项：下达单位名称',
  shadowKind: '未登记事项：类型 inspection/report/meeting/document/other',
  shadowTitle: '未登记事项：标题',
  shadowReceivedOn: '未登记事项：收到日期 YYYY-MM-DD',
  shadowChannel: '未登记事项：渠道 wechat_group/phone/app/paper_notice/other',
  hoursSpent: '耗费工时（小时，含加班，最多两位小数）',
  staffInvolved: '参与人数',
  overtimeHours: '其中加班工时（小时）',
  pages: '材料页数',
  photos: '拍照留痕张数',
  note: '备注',
};

const SHADOW_COLUMNS: Column[] = ['shadowIssuerName', 'shadowKind', 'shadowTitle', 'shadowReceivedOn', 'shadowChannel'];
const MAX_REPORTED_ERRORS = 1000;

export interface ReportImportResult {
  sha256: string;
  fileName: string;
  imported: number;
  reportIds: number[];
  importedAt: string;
  /** True when this answer is the stored result of an earlier upload of the same file. */
  replayed: boolean;
}

interface PreparedRow {
  row: number;
  unit: ImportUnit;
  registrationNo: string | null;
  demandId: number | null;
  month: string;
  shadow: ShadowFields | null;
  figures: ReportFigures & { note: string | null };
}

const amendLink = (id: number) => `/api/v1/burden-reports/${id}/amend`;

/**
 * POST /burden-reports/import: a township that collects on paper uploads a sheet of reports.
 * All or nothing, every wrong row and column reported with the same plausibility checks as a
 * single report; the same file (same SHA-256) uploaded again by the same unit answers with the
 * first import's result and writes nothing. Files are township-sized (hundreds of rows), so the
 * import runs inline, one report (and its first version) per row.
 */
@Injectable()
export class BurdenReportImportService {
  constructor(
    private readonly reports: BurdenReportRepository,
    private readonly imports: ReportImportRepository,
    private readonly units: OrgUnitRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
  ) {}

  async import(actor: Actor, bytes: Buffer, fileName: string): Promise<ReportImportResult> {
    const root = actor.unitPath;
    const uploader = actor.orgUnitId;
    if (actor.role !== 'reporter' || root === null || uploader === null) throw forbidden('Only a reporter imports burden reports');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const replay = async (): Promise<ReportImportResult | null> => {
      const stored = await this.imports.findImport(this.tx.reader, uploader, sha256);
      return stored === null ? null : { ...(JSON.parse(stored) as ReportImportResult), replayed: true };
    };
    const earlier = await replay();
    if (earlier) return earlier;
    const file = await parseTabular(bytes, fileName);
    requireColumns(file, ['unitCode', 'hoursSpent']);
    const unknown = file.columns.filter((c) => c !== '' && !(REPORT_IMPORT_COLUMNS as readonly string[]).includes(c));
    if (unknown.length) throw new DomainError(ErrorCode.Unprocessable, `Unknown column(s) ${unknown.join(', ')}`, unknown.map((column) => ({ row: 1, column, message: 'not a column of the template' })));
    if (!file.rows.length) throw new DomainError(ErrorCode.Unprocessable, 'The file has a header but no rows', [{ row: 1, message: 'no data rows' }]);
    try {
      return await this.tx.run(async (tx) => {
        const again = await this.imports.findImport(tx, uploader, sha256);
        if (again !== null) return { ...(JSON.parse(again) as ReportImportResult), replayed: true };
        const prepared = await this.check(tx, root, file.rows);
        const at = nowIso();
        const reportIds: number[] = [];
        const shadowIds: number[] = [];
        await this.events.aroundBurdenChange(tx, registeredCells(prepared), async () => {
        for (const r of prepared) {
          const figures: StoredFigures = {
            minutesSpent: hoursToMinutes(r.figures.hoursSpent),
            overtimeMinutes: hoursToMinutes(r.figures.overtimeHours),
            staffInvolved: r.figures.staffInvolved,
            pages: r.figures.pages,
            photos: r.figures.photos,
            note: r.figures.note,
          };
          try {
            const id = await this.reports.insert(tx, { ...figures, unitId: r.unit.id, demandId: r.demandId, month: r.month, shadow: r.shadow, source: 'report', by: actor.userId, at });
            reportIds.push(id);
            if (r.demandId === null) shadowIds.push(id);
          } catch (error) {
            // The transaction is rolled back whole: nothing of the file is stored.
            const message = isUniqueViolation(error) ? 'this unit, demand and month was reported meanwhile: amend that report instead' : driverMessage(error);
            throw new DomainError(ErrorCode.Unprocessable, `The database rejected row ${r.row}; nothing was imported`, [{ row: r.row, column: r.registrationNo ? 'registrationNo' : 'row', message }]);
          }
        }
        });
        if (shadowIds.length) await this.events.publish({ type: 'burden.changed', tx, scope: [{ shadowReportIds: shadowIds }] });
        const result: ReportImportResult = { sha256, fileName, imported: reportIds.length, reportIds, importedAt: at, replayed: false };
        await this.imports.insertImport(tx, { unitId: uploader, sha256, fileName, rowCount: reportIds.length, resultJson: JSON.stringify(result), by: actor.userId, at });
        await this.audit.append(tx, {
          actor,
          action: 'burden-report.import',
          entityType: 'burden_report_import',
          entityId: sha256,
          unitPath: root,
          after: { sha256, fileName, rows: reportIds.length, firstReportId: reportIds[0], lastReportId: reportIds[reportIds.length - 1] },
        });
        return result;
        // The answer: an Idempotency-Key's record commits with the reports (as for a single report).
      }, { resultIsAnswer: true });
    } catch (error) {
      // The same file uploaded twice at the same moment: the loser answers with the winner's result.
      if (isUniqueViolation(error)) {
        const winner = await replay();
        if (winner) return winner;
      }
      throw error;
    }
  }

  /** The template as an XLSX workbook: the header row and an example, and a sheet explaining each column. */
  async templateXlsx(): Promise<Buffer> {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('填报');
    sheet.addRow([...REPORT_IMPORT_COLUMNS]);
    sheet.addRow(['532503001', '532503-2026-000001', '2026-09', '', '', '', '', '', 3.5, 2, 0.5, 4, 2, '按通知要求整理材料']);
    sheet.getRow(1).font = { bold: true };
    const help = workbook.addWorksheet('说明');
    help.addRow(['列名', '含义']);
    for (const c of REPORT_IMPORT_COLUMNS) help.addRow([c, REPORT_IMPORT_LABELS[c]]);
    help.addRow([]);
    help.addRow(['说明', '第一张表的第一行为列名，请勿修改；示例行可删除。同一文件重复上传不会重复入库；已填报的（单位、事项、月份）请在系统中修改（amend）。']);
    return Buffer.from(await workbook.xlsx.writeBuffer());
  }

  /** Every problem of every row, or the rows ready to write. */
  private async check(tx: Tx, root: string, rows: TabularRow[]): Promise<PreparedRow[]> {
    const today = todayInChina();
    const errors: ErrorDetail[] = [];
    const cellOf = (r: TabularRow, c: Column) => (r.values[c] ?? '').trim();
    const codes = [...new Set(rows.map((r) => cellOf(r, 'unitCode')).filter((c) => c !== ''))];
    const numbers = [...new Set(rows.map((r) => cellOf(r, 'registrationNo')).filter((c) => c !== ''))];
    const unitByCode = await this.imports.unitsByCode(tx, root, codes);
    const demandByNo = await this.imports.demandsByRegistration(tx, numbers);

    const parsed: PreparedRow[] = [];
    for (const r of rows) {
      const before = errors.length;
      const err = (column: string, message: string) => errors.push({ row: r.row, column, message });
      const cell = (c: Column) => cellOf(r, c);
      const decimal = (c: Column, required: boolean): number => {
        const v = cell(c);
        if (v === '') {
          if (required) err(c, '必填 (required)');
          return 0;
        }
        if (!/^-?\d+(\.\d{1,2})?$/.test(v)) err(c, 'must be a number of hours with two decimals at most');
        return Number(v);
      };
      const whole = (c: Column): number | null => {
        const v = cell(c);
        if (v === '') return null;
        if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) err(c, 'must be a whole number');
        return Number(v);
      };
      const unit = unitByCode.get(cell('unitCode'));
      if (cell('unitCode') === '') err('unitCode', '必填 (required)');
      else if (!unit) err('unitCode', `${cell('unitCode')} is not your unit or one below it`);

      const registrationNo = cell('registrationNo') || null;
      const shadowGiven = SHADOW_COLUMNS.some((c) => cell(c) !== '');
      let demandId: number | null = null;
      let shadow: ShadowFields | null = null;
      let month = cell('month');
      if (registrationNo !== null && shadowGiven) err('registrationNo', 'give either a registration number (a registered demand) or the shadow columns (an unregistered one), not both');
      else if (registrationNo !== null) {
        const demand = demandByNo.get(registrationNo);
        if (!demand) err('registrationNo', `${registrationNo} is not a registered demand reaching this unit`);
        else demandId = demand.id;
        if (month === '') err('month', '必填 (required) with a registration number: the month of the occurrence');
        else if (!isCalendarMonth(month)) err('month', `${month} is not a month YYYY-MM`);
        else if (isFutureMonth(month, today)) err('month', `${month} is in the future (today is ${today} in China)`);
      } else if (!shadowGiven) err('registrationNo', 'give a registration number, or the shadow columns for a demand that arrived without one');
      else {
        const issuerName = cell('shadowIssuerName');
        const title = cell('shadowTitle');
        const kind = cell('shadowKind');
        const channel = cell('shadowChannel');
        const receivedOn = cell('shadowReceivedOn');
        if (issuerName === '' || issuerName.length > 200) err('shadowIssuerName', 'required, at most 200 characters');
        if (title === '' || title.length > 300) err('shadowTitle', 'required, at most 300 characters');
        if (!(DEMAND_KINDS as readonly string[]).includes(kind)) err('shadowKind', `must be one of ${DEMAND_KINDS.join(', ')}`);
        if (!(SHADOW_CHANNELS as readonly string[]).includes(channel)) err('shadowChannel', `must be one of ${SHADOW_CHANNELS.join(', ')}`);
        if (!isCalendarDate(receivedOn)) err('shadowReceivedOn', `${receivedOn || '(blank)'} is not a date YYYY-MM-DD`);
        else if (isFutureDate(receivedOn, today)) err('shadowReceivedOn', `${receivedOn} is in the future (today is ${today} in China)`);
        else {
          if (month === '') month = receivedOn.slice(0, 7);
          if (!isCalendarMonth(month)) err('month', `${month} is not a month YYYY-MM`);
          else if (isFutureMonth(month, today)) err('month', `${month} is in the future (today is ${today} in China)`);
          else if (month < receivedOn.slice(0, 7)) err('month', `is before the month the demand arrived (${receivedOn})`);
        }
        shadow = { issuerName, title, kind: kind as DemandKind, channel: channel as ShadowChannel, receivedOn };
      }
      const note = cell('note');
      if (note.length > 2000) err('note', 'at most 2000 characters');
      const figures = {
        hoursSpent: decimal('hoursSpent', true),
        overtimeHours: decimal('overtimeHours', false),
        staffInvolved: whole('staffInvolved'),
        pages: whole('pages') ?? 0,
        photos: whole('photos') ?? 0,
        note: note || null,
      };
      if (errors.length === before && unit) parsed.push({ row: r.row, unit, registrationNo, demandId, month, shadow, figures });
    }

    // Registered demands: each must target the unit and land in the month; one report per (unit, demand, month).
    const groups = new Map<string, PreparedRow[]>();
    for (const p of parsed) {
      const key = `${p.unit.id}|${p.month}`;
      const group = groups.get(key);
      if (group) group.push(p);
      else groups.set(key, [p]);
    }
    const seen = new Map<string, number>();
    const capacityCache = new Map<string, number>();
    for (const group of groups.values()) {
      const { unit, month } = group[0];
      const demandIds = [...new Set(group.flatMap((p) => (p.demandId === null ? [] : [p.demandId])))];
      const targets = demandIds.length ? await this.reports.targetsInMonth(tx, unit.id, month, demandIds) : new Map<number, TargetInMonth>();
      const existing = demandIds.length ? await this.reports.existingForDemands(tx, unit.id, month, demandIds) : new Map<number, number>();
      const capKey = `${unit.id}|${month}`;
      let staffInForce = capacityCache.get(capKey);
      if (staffInForce === undefined) {
        staffInForce = (await this.units.staffInForce(tx, unit.id, monthBounds(month).last)) ?? unit.staffCount;
        capacityCache.set(capKey, staffInForce);
      }
      const capacity = { staffInForce, workingDays: workingDaysInMonth(month), calendarDays: daysInMonth(Number(month.slice(0, 4)), Number(month.slice(5, 7))) };
      for (const p of group) {
        const err = (column: string, message: string, extra: Record<string, unknown> = {}) => errors.push({ row: p.row, column, message, ...extra });
        if (p.demandId !== null) {
          const target = targets.get(p.demandId);
          const reportId = existing.get(p.demandId);
          const key = `${unit.id}|${p.demandId}|${month}`;
          if (!target) err('registrationNo', `${p.registrationNo} is not a registered demand reaching this unit`);
          else if (target.occurrences === 0) err('month', `demand ${p.registrationNo} does not land on ${unit.name} in ${month}`);
          else if (reportId !== undefined) err('registrationNo', `${unit.name} already reported ${p.registrationNo} for ${month} (report ${reportId}): amend it instead`, { existingReportId: reportId, amend: amendLink(reportId) });
          else if (seen.has(key)) err('registrationNo', `the same unit, demand and month as row ${seen.get(key)}`);
          else seen.set(key, p.row);
        }
        for (const problem of figureProblems(p.figures, month, capacity)) err(problem.field ?? 'hoursSpent', problem.message);
      }
    }
    if (errors.length) {
      throw new DomainError(
        ErrorCode.Unprocessable,
        `${errors.length} problem(s) in the file; nothing was imported`,
        errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0)).slice(0, MAX_REPORTED_ERRORS),
      );
    }
    return parsed.sort((a, b) => a.row - b.row);
  }
}

/** The (unit, demands) cells an import's registered reports fall in, one scope per unit. */
function registeredCells(rows: readonly { unit: { id: number }; demandId: number | null }[]): BurdenScope[] {
  const byUnit = new Map<number, Set<number>>();
  for (const r of rows) {
    if (r.demandId === null) continue;
    const demands = byUnit.get(r.unit.id) ?? new Set<number>();
    demands.add(r.demandId);
    byUnit.set(r.unit.id, demands);
  }
  return [...byUnit].map(([unitId, demands]) => ({ demandIds: [...demands], unitId }));
}
