import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Actor, withinJurisdiction } from '@/common/auth/actor';
import { canonicalJson } from '@/common/canonical-json';
import { DomainError, ErrorCode, ErrorDetail, forbidden, invalid, notFound } from '@/common/errors/domain-error';
import { Page, PageRequest } from '@/common/paging/page';
import { isCalendarDate, nowIso, todayInChina } from '@/common/time';
import { Tx } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { FlagRepository, FlagRow } from '@/modules/flags/flag.repository';
import type { FlagStatus } from '@/modules/flags/flag-state';
import { RULE_TITLES } from '@/modules/flags/rules/rule';
import { categoryFromRules } from './case-category';
import { CaseContent, CaseEvidence, CaseRow, FrozenFlag, UnitRef } from './case.model';
import { CaseFilter, CaseRepository, DemandScope } from './case.repository';
import { CaseQueryDto, CreateCaseDto, UpdateCaseDto } from './dto/case.dto';
import { Rectification, rectificationOf } from './rectification';

/** A finding a coordinator has confirmed, whatever its rectification has reached since. */
export const CONFIRMED_STATUSES: readonly FlagStatus[] = ['confirmed', 'rectifying', 'rectified', 'verified'];

export interface CaseView extends CaseContent {
  id: number;
  status: CaseRow['status'];
  issuer: UnitRef | null;
  unit: UnitRef | null;
  flagIds: number[];
  /** Live: where the rectification of the case's flags stands now. */
  rectification: Rectification;
  /** Frozen at creation. */
  totals: CaseEvidence['totals'];
  evidenceHash: string;
  createdBy: number;
  createdAt: string;
  updatedAt: string;
  finalisedAt: string | null;
  version: number;
}

export interface CaseDetailView extends CaseView {
  evidence: CaseEvidence;
}

const ref = (u: CaseRow['issuer']): UnitRef | null => (u === null ? null : { id: u.id, code: u.code, name: u.name });

function view(c: CaseRow, rectification: Rectification): CaseView {
  return {
    id: c.id,
    status: c.status,
    title: c.title,
    category: c.category,
    categorySource: c.categorySource,
    issuer: ref(c.issuer),
    unit: ref(c.unit),
    persons: c.persons,
    conductFrom: c.conductFrom,
    conductTo: c.conductTo,
    facts: c.facts,
    provision: c.provision,
    handlingType: c.handlingType,
    handlingOn: c.handlingOn,
    handlingNote: c.handlingNote,
    flagIds: c.flagIds,
    rectification,
    totals: c.evidence.totals,
    evidenceHash: c.evidenceHash,
    createdBy: c.createdBy,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    finalisedAt: c.finalisedAt,
    version: c.rowVersion,
  };
}

/** The single value every flag shares, or null when they differ or have none. */
function shared<T>(values: readonly (T | null)[]): T | null {
  const first = values[0] ?? null;
  return first !== null && values.every((v) => v === first) ? first : null;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Typical cases (典型案例), for discipline inspectors only (admin included out: separation of
 * duties). An inspector builds a case from confirmed flags in its jurisdiction; the evidence is
 * frozen then, so later edits to the ledger cannot change what a bulletin says. Reading a case
 * is audited like writing one. A case outside the caller's reach answers 404: that a case exists
 * about an office or a person is itself a secret.
 */
@Injectable()
export class CasesService {
  constructor(
    private readonly repo: CaseRepository,
    private readonly flags: FlagRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  list(actor: Actor, query: CaseQueryDto, page: PageRequest): Promise<Page<CaseView>> {
    const under = this.jurisdiction(actor);
    for (const field of ['from', 'to'] as const) {
      const value = query[field];
      if (value !== undefined && !isCalendarDate(value)) throw new DomainError(ErrorCode.BadRequest, `${field}: ${value} is not a calendar date`, [{ field, message: 'is not a calendar date' }]);
    }
    const filter: CaseFilter = { under, status: query.status, category: query.category, issuerId: query.issuerId, unitId: query.unitId, from: query.from, to: query.to };
    return this.tx.run(async (tx) => {
      const { rows, total } = await this.repo.listCases(tx, filter, page.offset, page.pageSize);
      const items = await this.views(tx, rows);
      await this.audit.append(tx, {
        actor,
        action: 'case.list',
        entityType: 'case',
        entityId: null,
        unitPath: under,
        after: { filter: { ...filter, under: undefined }, page: page.page, caseIds: rows.map((r) => r.id) },
      });
      return { items, total, page: page.page, pageSize: page.pageSize };
    });
  }

  get(actor: Actor, id: number): Promise<CaseDetailView> {
    return this.tx.run(async (tx) => {
      const c = await this.reachable(tx, actor, id);
      await this.audit.append(tx, { actor, action: 'case.read', entityType: 'case', entityId: id, unitPath: this.pathOf(c), after: { evidenceHash: c.evidenceHash, version: c.rowVersion } });
      return this.detail(tx, c);
    });
  }

  create(actor: Actor, dto: CreateCaseDto): Promise<CaseDetailView> {
    this.jurisdiction(actor);
    return this.tx.run(async (tx) => {
      const flags = await this.confirmedFlags(tx, actor, dto.flagIds);
      const issuer = await this.unitOf(tx, 'issuerId', dto.issuerId ?? shared(flags.map((f) => f.issuerId)));
      const unit = await this.unitOf(tx, 'unitId', dto.unitId ?? shared(flags.map((f) => f.unitId)));
      if (!issuer && !unit) throw invalid('issuerId', 'the flags have different issuers and units: name the issuer or the unit the case is about');
      // DESIGN §1: a case is the inspectors' whose jurisdiction holds its issuer or its unit (a
      // provincial office's demand on one of the county's townships is the county's case too).
      if (!withinJurisdiction(actor, issuer?.path) && !withinJurisdiction(actor, unit?.path)) {
        throw forbidden('The case’s issuer and unit both lie outside your jurisdiction');
      }
      const derived = categoryFromRules(flags.map((f) => f.rule));
      const category = dto.category ?? derived;
      if (category === null) throw invalid('category', 'no rule of these flags maps to a category: choose one');
      const evidence = await this.freeze(tx, flags);
      const content: CaseContent = {
        title: dto.title,
        persons: dto.persons ?? [],
        conductFrom: dto.conductFrom ?? evidence.totals.earliestDay,
        conductTo: dto.conductTo ?? evidence.totals.latestDay,
        facts: dto.facts ?? '',
        provision: dto.provision ?? '',
        handlingType: dto.handlingType ?? null,
        handlingOn: dto.handlingOn ?? null,
        handlingNote: dto.handlingNote ?? null,
        category,
        categorySource: dto.category === undefined || dto.category === derived ? 'rule' : 'manual',
      };
      checkContent(content, false);
      const frozen = canonicalJson(evidence);
      const at = nowIso();
      const id = await this.repo.insertCase(
        tx,
        { ...content, issuerId: issuer?.id ?? null, unitId: unit?.id ?? null, evidence: frozen, evidenceHash: sha256(frozen), userId: actor.userId, at },
        flags.map((f) => f.id),
      );
      const created = (await this.repo.findCase(tx, id))!;
      await this.audit.append(tx, {
        actor,
        action: 'case.create',
        entityType: 'case',
        entityId: id,
        unitPath: this.pathOf(created),
        after: { ...content, issuerId: issuer?.id ?? null, unitId: unit?.id ?? null, flagIds: created.flagIds, evidenceHash: created.evidenceHash },
      });
      return this.detail(tx, created);
    }, { resultIsAnswer: true });
  }

  update(actor: Actor, id: number, dto: UpdateCaseDto): Promise<CaseDetailView> {
    return this.tx.run(async (tx) => {
      await this.repo.lockCase(tx, id);
      const c = await this.reachable(tx, actor, id);
      if (c.status === 'final') throw new DomainError(ErrorCode.Conflict, `Case ${id} is final and no longer changes`, { currentStatus: c.status, version: c.rowVersion });
      if (dto.version !== c.rowVersion) throw new DomainError(ErrorCode.Conflict, `Case ${id} was changed since version ${dto.version}; reload it`, { currentStatus: c.status, version: c.rowVersion });
      const before: CaseContent = {
        title: c.title,
        persons: c.persons,
        conductFrom: c.conductFrom,
        conductTo: c.conductTo,
        facts: c.facts,
        provision: c.provision,
        handlingType: c.handlingType,
        handlingOn: c.handlingOn,
        handlingNote: c.handlingNote,
        category: c.category,
        categorySource: c.categorySource,
      };
      const after: CaseContent = {
        title: dto.title ?? before.title,
        persons: dto.persons ?? before.persons,
        conductFrom: dto.conductFrom ?? before.conductFrom,
        conductTo: dto.conductTo ?? before.conductTo,
        facts: dto.facts ?? before.facts,
        provision: dto.provision ?? before.provision,
        handlingType: dto.handlingType ?? before.handlingType,
        handlingOn: dto.handlingOn ?? before.handlingOn,
        handlingNote: dto.handlingNote ?? before.handlingNote,
        category: dto.category ?? before.category,
        categorySource: dto.category === undefined || dto.category === before.category ? before.categorySource : 'manual',
      };
      const status = dto.status ?? c.status;
      checkContent(after, status === 'final');
      if (!(await this.repo.updateCase(tx, id, c.rowVersion, after, status, actor.userId, nowIso()))) {
        throw new DomainError(ErrorCode.Conflict, `Case ${id} was changed meanwhile; reload it`, { version: c.rowVersion });
      }
      const updated = (await this.repo.findCase(tx, id))!;
      await this.audit.append(tx, {
        actor,
        action: status === 'final' ? 'case.finalise' : 'case.update',
        entityType: 'case',
        entityId: id,
        unitPath: this.pathOf(updated),
        before: { ...before, status: c.status, version: c.rowVersion },
        after: { ...after, status, version: updated.rowVersion },
      });
      return this.detail(tx, updated);
    });
  }

  // -- helpers ---------------------------------------------------------------------------------

  /** Only inspectors reach cases; an inspector always has a jurisdiction (DESIGN §1). */
  private jurisdiction(actor: Actor): string {
    if (actor.role !== 'inspector' || actor.jurisdictionPath === null) throw forbidden('Only discipline inspectors work with cases');
    return actor.jurisdictionPath;
  }

  private async reachable(tx: Tx, actor: Actor, id: number): Promise<CaseRow> {
    this.jurisdiction(actor);
    const c = await this.repo.findCase(tx, id);
    if (!c || !(withinJurisdiction(actor, c.issuer?.path) || withinJurisdiction(actor, c.unit?.path))) throw notFound('Case', id);
    return c;
  }

  private pathOf(c: CaseRow): string | null {
    return c.unit?.path ?? c.issuer?.path ?? null;
  }

  private async views(tx: Tx, rows: readonly CaseRow[]): Promise<CaseView[]> {
    const live = await this.repo.liveFlags(
      tx,
      rows.map((r) => r.id),
    );
    const today = todayInChina();
    return rows.map((r) => view(r, rectificationOf(live.get(r.id) ?? [], today)));
  }

  private async detail(tx: Tx, c: CaseRow): Promise<CaseDetailView> {
    const [v] = await this.views(tx, [c]);
    return { ...v, evidence: c.evidence };
  }

  /** Every flag must be one the inspector reads and a coordinator has confirmed; all problems at once. */
  private async confirmedFlags(tx: Tx, actor: Actor, ids: readonly number[]): Promise<FlagRow[]> {
    const problems: ErrorDetail[] = [];
    const flags: FlagRow[] = [];
    for (const [i, id] of ids.entries()) {
      const flag = await this.flags.findVisible(tx, actor, id);
      if (!flag) problems.push({ field: `flagIds[${i}]`, message: `flag ${id} does not exist in your jurisdiction` });
      else if (!CONFIRMED_STATUSES.includes(flag.status)) problems.push({ field: `flagIds[${i}]`, message: `flag ${id} is ${flag.status}: only confirmed findings make a case` });
      else flags.push(flag);
    }
    if (problems.length) throw new DomainError(ErrorCode.Unprocessable, problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems);
    return flags;
  }

  private async unitOf(tx: Tx, field: 'issuerId' | 'unitId', id: number | null): Promise<(UnitRef & { path: string }) | null> {
    if (id === null) return null;
    const unit = await this.repo.findUnit(tx, id);
    if (!unit) throw invalid(field, `org unit ${id} does not exist`);
    return unit;
  }

  /** The copy of the evidence a case keeps: the flags with their review, the demands with their hours. */
  private async freeze(tx: Tx, flags: readonly FlagRow[]): Promise<CaseEvidence> {
    const frozenFlags: FrozenFlag[] = [];
    for (const f of flags) {
      const transitions = await this.flags.transitions(tx, f.id);
      frozenFlags.push({
        id: f.id,
        rule: f.rule,
        ruleTitle: RULE_TITLES[f.rule],
        status: f.status,
        demandId: f.demandId,
        reportId: f.reportId,
        unit: f.unitId === null ? null : { id: f.unitId, name: f.unitName ?? '' },
        issuer: f.issuerId === null ? null : { id: f.issuerId, name: f.issuerName ?? '' },
        period: f.period,
        landsOn: f.landsOn,
        explanation: f.explanation,
        evidence: f.evidence,
        policyVersion: f.policyVersion,
        raisedAt: f.raisedAt,
        transitions: transitions.map((t) => ({ from: t.from, to: t.to, actor: t.actorName, at: t.at, comment: t.comment, dueOn: t.dueOn })),
      });
    }
    const scopes = new Map<number, DemandScope>();
    for (const f of flags) {
      if (f.demandId === null) continue;
      const scope = scopes.get(f.demandId) ?? { demandId: f.demandId, unitIds: [] };
      // A flag on the whole demand counts every target; unit flags count their units.
      if (f.unitId === null) scope.unitIds = null;
      else if (scope.unitIds !== null && !scope.unitIds.includes(f.unitId)) scope.unitIds.push(f.unitId);
      scopes.set(f.demandId, scope);
    }
    const { demands, affectedUnitIds } = await this.repo.freezeDemands(tx, [...scopes.values()]);
    const days = [...flags.map((f) => f.landsOn), ...demands.map((d) => d.issuedOn)].sort();
    const sum = (pick: (d: (typeof demands)[number]) => number) => demands.reduce((s, d) => s + pick(d), 0);
    return {
      frozenAt: nowIso(),
      flags: frozenFlags,
      demands,
      affectedUnitIds,
      totals: {
        flags: flags.length,
        demands: demands.length,
        affectedUnits: affectedUnitIds.length,
        estimatedMinutes: sum((d) => d.estimatedMinutes),
        reportedMinutes: sum((d) => d.reportedMinutes),
        burdenMinutes: sum((d) => d.burdenMinutes),
        earliestDay: days[0] ?? null,
        latestDay: days[days.length - 1] ?? null,
      },
    };
  }
}

/** Dates are real and in order; a final case has what a bulletin prints. */
function checkContent(c: CaseContent, final: boolean): void {
  for (const field of ['conductFrom', 'conductTo', 'handlingOn'] as const) {
    const value = c[field];
    if (value !== null && !isCalendarDate(value)) throw invalid(field, `${value} is not a calendar date`);
  }
  if (c.conductFrom && c.conductTo && c.conductFrom > c.conductTo) throw invalid('conductTo', 'is before conductFrom');
  if (!final) return;
  const missing: ErrorDetail[] = [];
  if (!c.facts.trim()) missing.push({ field: 'facts', message: 'is required for a final case' });
  if (!c.provision.trim()) missing.push({ field: 'provision', message: 'is required for a final case' });
  if (c.handlingType === null) missing.push({ field: 'handlingType', message: 'is required for a final case' });
  if (c.handlingOn === null) missing.push({ field: 'handlingOn', message: 'is required for a final case' });
  if (missing.length) throw new DomainError(ErrorCode.Unprocessable, `A final case needs ${missing.map((m) => m.field).join(', ')}`, missing);
}

