import { Injectable } from '@nestjs/common';
import type { Actor } from '@/common/auth/actor';
import { DomainError, ErrorCode } from '@/common/errors/domain-error';
import { PageRequest } from '@/common/paging/page';
import { TransactionRunner } from '@/database/transaction-runner';
import { daysBetween, isCalendarDate } from '@/modules/demands/calendar/working-days';
import { PolicyService } from '@/modules/policy/policy.service';
import { InspectionOfUnit, JointInspectionRepository, SuggestionScope } from './joint-inspection.repository';
import { JointVisitGroup, landingsInPeriod, proposeJointVisits, UnitInspection } from './joint-visits';

/** The longest period one request may group, counting both ends (a leap year fits). */
export const MAX_PERIOD_DAYS = 366;

export interface SuggestedInspection {
  demandId: number;
  registrationNo: string;
  title: string;
  issuerId: number;
  issuerName: string;
  /** The landing date grouped (for a recurring inspection, this occurrence's, not its first). */
  landsOn: string;
  topic: string;
  /** Issuers the demand records as inspecting in the same visit; such landings save nothing more. */
  jointWith: number[];
}

export interface JointInspectionSuggestion {
  unitId: number;
  unitName: string;
  unitCode: string;
  from: string;
  to: string;
  topics: string[];
  inspections: SuggestedInspection[];
  visitsSaved: number;
}

export interface JointInspectionSuggestions {
  from: string;
  to: string;
  windowDays: number;
  items: JointInspectionSuggestion[];
  totalVisitsSaved: number;
  total: number;
  page: number;
  pageSize: number;
}

type Inspection = UnitInspection & { row: InspectionOfUnit };

const badRequest = (field: string, message: string) => new DomainError(ErrorCode.BadRequest, `${field}: ${message}`, [{ field, message }]);

/**
 * 综合查一次 suggestions (DESIGN §4): per unit, inspections by different issuers landing within
 * the policy's window are grouped greedily into proposed joint visits (see joint-visits.ts).
 */
@Injectable()
export class JointInspectionsService {
  constructor(
    private readonly repo: JointInspectionRepository,
    private readonly tx: TransactionRunner,
    private readonly policy: PolicyService,
  ) {}

  async suggestions(actor: Actor, period: { from: string; to: string }, page: PageRequest): Promise<JointInspectionSuggestions> {
    const { from, to } = period;
    this.checkPeriod(from, to);
    const scope = this.scopeOf(actor);
    const { windowDays, rows } = await this.tx.snapshot(async (reader) => {
      const { document } = await this.policy.current(reader);
      return { windowDays: document.thresholds.jointInspectionWindowDays.value, rows: scope ? await this.repo.findInspectionsOfSharedUnits(reader, scope, from, to) : [] };
    });
    const all: JointInspectionSuggestion[] = [];
    for (const unitRows of byUnit(rows)) {
      const inspections: Inspection[] = unitRows.map((row) => ({
        demandId: row.demandId,
        issuerId: row.issuerId,
        status: row.status,
        jointWith: row.jointWith,
        schedule: { issuedOn: row.issuedOn, startsOn: row.startsOn, dueOn: row.dueOn, recurrence: row.recurrence, until: row.until, cancelledOn: row.cancelledOn },
        row,
      }));
      for (const group of proposeJointVisits(landingsInPeriod(inspections, from, to), windowDays)) {
        // An issuer sees the groups it can coordinate: those holding one of its own inspections.
        if (actor.role === 'issuer' && !group.landings.some((l) => l.inspection.issuerId === actor.orgUnitId)) continue;
        all.push(suggestion(unitRows[0], group));
      }
    }
    // Sorted here, by code units, so the order never depends on the database's collation.
    all.sort((a, b) => compare(a.unitCode, b.unitCode) || compare(a.from, b.from) || a.inspections[0].demandId - b.inspections[0].demandId);
    return {
      from,
      to,
      windowDays,
      items: all.slice(page.offset, page.offset + page.pageSize),
      totalVisitsSaved: all.reduce((sum, s) => sum + s.visitsSaved, 0),
      total: all.length,
      page: page.page,
      pageSize: page.pageSize,
    };
  }

  private checkPeriod(from: string, to: string): void {
    for (const [field, value] of [['from', from], ['to', to]] as const) {
      if (!isCalendarDate(value)) throw badRequest(field, `${String(value)} is not a calendar date`);
    }
    const days = daysBetween(from, to) + 1;
    if (days < 1) throw badRequest('to', `must not be before from (${from})`);
    if (days > MAX_PERIOD_DAYS) throw badRequest('to', `the period may cover at most ${MAX_PERIOD_DAYS} days; ${from} to ${to} covers ${days}`);
  }

  /** Coordinators: units in their jurisdiction. Issuers: units their own inspections reach. */
  private scopeOf(actor: Actor): SuggestionScope | null {
    if (actor.role === 'coordinator') return actor.jurisdictionPath === null ? null : { kind: 'jurisdiction', path: actor.jurisdictionPath };
    if (actor.role === 'issuer') return actor.orgUnitId === null ? null : { kind: 'issuer', issuerId: actor.orgUnitId };
    return null;
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Consecutive rows of the same unit (the repository orders them by unit). */
function* byUnit(rows: InspectionOfUnit[]): Generator<InspectionOfUnit[]> {
  let start = 0;
  for (let i = 1; i <= rows.length; i++) {
    if (i === rows.length || rows[i].unitId !== rows[start].unitId) {
      if (i > start) yield rows.slice(start, i);
      start = i;
    }
  }
}

function suggestion(unit: InspectionOfUnit, group: JointVisitGroup<Inspection>): JointInspectionSuggestion {
  return {
    unitId: unit.unitId,
    unitName: unit.unitName,
    unitCode: unit.unitCode,
    from: group.from,
    to: group.to,
    topics: [...new Set(group.landings.map((l) => l.inspection.row.topic))].sort(),
    inspections: group.landings.map(({ inspection: { row }, date }) => ({
      demandId: row.demandId,
      registrationNo: row.registrationNo,
      title: row.title,
      issuerId: row.issuerId,
      issuerName: row.issuerName,
      landsOn: date,
      topic: row.topic,
      jointWith: row.jointWith,
    })),
    visitsSaved: group.visitsSaved,
  };
}
