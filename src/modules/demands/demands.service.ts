import { Injectable } from '@nestjs/common';
import { Actor, Level, LEVELS, withinJurisdiction } from '@/common/auth/actor';
import { conflict, DomainError, ErrorCode, forbidden, invalid, notFound } from '@/common/errors/domain-error';
import { Page, PageRequest } from '@/common/paging/page';
import { nowIso, todayInChina } from '@/common/time';
import { Tx, Where } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { DomainEvents } from '@/common/events/domain-events';
import { AuditService } from '@/modules/audit/audit.service';
import { InspectionPlanRepository } from '@/modules/inspection-plans/inspection-plan.repository';
import { PolicyService } from '@/modules/policy/policy.service';
import { daysBetween, isCalendarDate } from './calendar/working-days';
import { DemandForm, formProblems } from './demand-rules-of-form';
import { DemandRepository, DemandRow, DemandWrite, UnitFacts } from './demand.repository';
import { CancelDemandDto, CreateDemandDto, DemandQueryDto, UpdateDemandDto } from './dto/demand.dto';
import { DemandKind, hoursToMinutes, standardMinutes } from './estimate';
import { FieldSynonymIndex, loadFieldSynonyms, normaliseFieldName } from './fields/field-key';
import { landingDate, landingDates, occurrencesByMonth } from './occurrences';

export interface DemandView {
  id: number;
  registrationNo: string;
  issuerId: number;
  issuerName: string;
  kind: DemandKind;
  subtype: string | null;
  title: string;
  topic: string;
  basis: string | null;
  issuedOn: string;
  startsOn: string | null;
  dueOn: string | null;
  landsOn: string;
  recurrence: string;
  until: string | null;
  estimatedHoursPerTarget: number;
  estimateSource: 'issuer' | 'policy';
  policyVersion: number;
  requiresTrace: string[];
  targetScopes: { underId: number; level: Level }[];
  targetCount: number;
  parentDemandId: number | null;
  planItemId: number | null;
  status: 'active' | 'cancelled';
  cancelledOn: string | null;
  cancelReason: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
  [kindSpecific: string]: unknown;
}

export interface DemandDetailView extends DemandView {
  fieldKeys?: string[];
  occurrences: { month: string; occurrences: number }[];
  targets: { id: number; code: string; name: string; level: Level }[];
}

const TARGET_SAMPLE = 1000;
const levelRank = (level: Level) => LEVELS.indexOf(level);

function view(d: DemandRow): DemandView {
  return {
    id: d.id,
    registrationNo: d.registrationNo,
    issuerId: d.issuerId,
    issuerName: d.issuerName,
    kind: d.kind,
    subtype: d.subtype,
    title: d.title,
    topic: d.topic,
    basis: d.basis,
    issuedOn: d.issuedOn,
    startsOn: d.startsOn,
    dueOn: d.dueOn,
    landsOn: d.landsOn,
    recurrence: d.recurrence,
    until: d.until,
    estimatedHoursPerTarget: Math.round((d.estimateMinutes / 60) * 100) / 100,
    estimateSource: d.estimateSource,
    policyVersion: d.policyVersion,
    requiresTrace: d.requiresTrace,
    targetScopes: d.targetScopes,
    targetCount: d.targetCount,
    parentDemandId: d.parentDemandId,
    planItemId: d.planItemId,
    status: d.status,
    cancelledOn: d.cancelledOn,
    cancelReason: d.cancelReason,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    version: d.rowVersion,
    ...d.details,
  };
}

/** The whole of a demand as the issuer describes it, after defaults. */
interface DemandSpec extends Omit<CreateDemandDto, 'recurrence'> {
  recurrence: NonNullable<CreateDemandDto['recurrence']>;
  /** An edit that leaves the targets alone keeps the expanded set as registered. */
  keepTargets?: boolean;
}

@Injectable()
export class DemandsService {
  private synonyms?: FieldSynonymIndex;

  constructor(
    private readonly repo: DemandRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly policy: PolicyService,
    private readonly plans: InspectionPlanRepository,
    private readonly events: DomainEvents,
  ) {}

  async create(actor: Actor, dto: CreateDemandDto): Promise<DemandDetailView> {
    const issuer = this.issuerOf(actor);
    const spec: DemandSpec = { ...dto, recurrence: dto.recurrence ?? 'once' };
    this.checkForm(spec);
    // The answer is the unit of work's result: an Idempotency-Key's record commits with the demand,
    // so a retry after a crash right behind the commit replays it instead of a lasting 409.
    return this.tx.run((tx) => this.register(tx, actor, issuer, spec), { resultIsAnswer: true });
  }

  /**
   * Everything creating `dto` would do — validation, target expansion, estimate, the rules run
   * by the `demand.written` listeners — inside a transaction that is then rolled back, so the
   * preview answers exactly what registering would and writes nothing. `inspect` reads the
   * transaction's state before the rollback.
   */
  async dryRun<T>(actor: Actor, dto: CreateDemandDto, inspect: (tx: Tx, demand: DemandDetailView) => Promise<T>): Promise<T> {
    const issuer = this.issuerOf(actor);
    const spec: DemandSpec = { ...dto, recurrence: dto.recurrence ?? 'once' };
    this.checkForm(spec);
    const rollback = new Error('dry run: roll back');
    let answer: { value: T } | null = null;
    try {
      await this.tx.run(async (tx) => {
        answer = { value: await inspect(tx, await this.register(tx, actor, issuer, spec)) };
        throw rollback;
      });
    } catch (error) {
      if (error !== rollback) throw error;
    }
    if (answer === null) throw new Error('dry run ended without an answer');
    return (answer as { value: T }).value;
  }

  private async register(tx: Tx, actor: Actor, issuer: number, spec: DemandSpec): Promise<DemandDetailView> {
    const { write, unitIds, scopes, jointWith, fields } = await this.resolve(tx, actor, spec);
    const year = Number(spec.issuedOn.slice(0, 4));
    const prefix = this.registrationPrefix(actor);
    const seq = await this.repo.nextRegistrationSeq(tx, prefix, year);
    const registrationNo = `${prefix}-${year}-${String(seq).padStart(6, '0')}`;
    const at = nowIso();
    const id = await this.repo.insert(tx, { ...write, registrationNo, issuerId: issuer, createdBy: actor.userId, at });
    await this.writeParts(tx, id, write, { unitIds, scopes }, jointWith, fields);
    const created = await this.detail(tx, id);
    await this.audit.append(tx, { actor, action: 'demand.create', entityType: 'demand', entityId: id, unitPath: actor.unitPath, after: created });
    await this.events.publish({ type: 'demand.written', tx, actor, demandId: id, change: 'create' });
    await this.events.publish({ type: 'burden.changed', tx, scope: [{ demandIds: [id] }] });
    return created;
  }

  async update(actor: Actor, id: number, dto: UpdateDemandDto): Promise<DemandDetailView> {
    return this.tx.run(async (tx) => {
      const current = await this.repo.findById(tx, id);
      if (!current || !(await this.visible(tx, actor, id))) throw notFound('Demand', id);
      if (current.issuerId !== actor.orgUnitId || actor.role !== 'issuer') throw forbidden('Only the issuing office may edit its demand');
      if (current.status === 'cancelled') throw conflict(`Demand ${id} is cancelled and can no longer change`);
      const before = await this.detail(tx, id);
      const { version, ...changes } = dto;
      const spec = this.specOf(current, changes);
      this.checkForm(spec);
      const { write, unitIds, scopes, jointWith, fields, keepTargets } = await this.resolve(tx, actor, spec);
      const at = nowIso();
      return this.events.aroundBurdenChange(tx, [{ demandIds: [id] }], async () => {
        if (!(await this.repo.update(tx, id, version, write, at))) {
          throw new DomainError(ErrorCode.Conflict, `Demand ${id} was changed since version ${version}; reload it`, [{ field: 'version', message: `current version is ${current.rowVersion}` }]);
        }
        await this.writeParts(tx, id, write, keepTargets ? null : { unitIds, scopes }, jointWith, fields);
        const after = await this.detail(tx, id);
        await this.audit.append(tx, { actor, action: 'demand.update', entityType: 'demand', entityId: id, unitPath: actor.unitPath, before, after });
        await this.events.publish({ type: 'demand.written', tx, actor, demandId: id, change: 'update' });
        return after;
      });
    });
  }

  async cancel(actor: Actor, id: number, dto: CancelDemandDto): Promise<DemandDetailView> {
    const cancelledOn = dto.cancelledOn ?? todayInChina();
    if (!isCalendarDate(cancelledOn)) throw invalid('cancelledOn', 'is not a calendar date');
    return this.tx.run(async (tx) => {
      const current = await this.repo.findById(tx, id);
      if (!current || !(await this.visible(tx, actor, id))) throw notFound('Demand', id);
      if (current.issuerId !== actor.orgUnitId || actor.role !== 'issuer') throw forbidden('Only the issuing office may cancel its demand');
      if (current.status === 'cancelled') {
        throw new DomainError(ErrorCode.Conflict, `Demand ${id} was already cancelled on ${current.cancelledOn}`, { currentStatus: current.status });
      }
      if (daysBetween(current.issuedOn, cancelledOn) < 0) throw invalid('cancelledOn', `cannot be before the issue date ${current.issuedOn}`);
      const schedule = { issuedOn: current.issuedOn, startsOn: current.startsOn, dueOn: current.dueOn, recurrence: current.recurrence as DemandSpec['recurrence'], until: current.until, cancelledOn };
      const dates = landingDates(schedule);
      const before = await this.detail(tx, id);
      return this.events.aroundBurdenChange(tx, [{ demandIds: [id] }], async () => {
        await this.repo.markCancelled(tx, id, cancelledOn, dto.reason, dates.at(-1) ?? null, nowIso());
        await this.repo.replaceOccurrences(tx, id, occurrencesByMonth(schedule));
        const after = await this.detail(tx, id);
        await this.audit.append(tx, { actor, action: 'demand.cancel', entityType: 'demand', entityId: id, unitPath: actor.unitPath, before, after });
        await this.events.publish({ type: 'demand.written', tx, actor, demandId: id, change: 'cancel' });
        return after;
      });
    }, { resultIsAnswer: true });
  }

  async get(actor: Actor, id: number): Promise<DemandDetailView> {
    return this.tx.snapshot(async (reader) => {
      if (!(await this.visible(reader, actor, id))) throw notFound('Demand', id);
      return this.detail(reader, id);
    });
  }

  async list(actor: Actor, query: DemandQueryDto, page: PageRequest): Promise<Page<DemandView>> {
    for (const field of ['from', 'to'] as const) {
      const value = query[field];
      if (value !== undefined && !isCalendarDate(value)) {
        throw new DomainError(ErrorCode.BadRequest, `${field}: ${String(value)} is not a calendar date`, [{ field, message: 'is not a calendar date' }]);
      }
    }
    const { rows, total } = await this.tx.snapshot((reader) => this.repo.list(reader, actor, query, page.offset, page.pageSize));
    return { items: rows.map(view), total, page: page.page, pageSize: page.pageSize };
  }

  /** Is this notice registered? Answered for the demands the caller may see; others look unregistered. */
  async lookup(actor: Actor, registrationNo: string) {
    const found = await this.tx.snapshot((reader) => this.repo.findVisible(reader, actor, new Where().add('d.registration_no = ?', registrationNo.trim())));
    if (!found) return { registrationNo, registered: false as const };
    const v = view(found);
    return {
      registrationNo,
      registered: true as const,
      demand: { id: v.id, title: v.title, kind: v.kind, issuerName: v.issuerName, issuedOn: v.issuedOn, dueOn: v.dueOn, status: v.status },
    };
  }

  // ---------------------------------------------------------------------------------------

  private issuerOf(actor: Actor): number {
    if (actor.role !== 'issuer' || actor.orgUnitId === null || actor.jurisdictionPath === null || actor.level === null) {
      throw forbidden('Only an issuing office registers demands');
    }
    return actor.orgUnitId;
  }

  /** The area code the registration number starts with: the issuer's own area unit. */
  private registrationPrefix(actor: Actor): string {
    const parts = (actor.jurisdictionPath ?? '').split('/').filter(Boolean);
    return parts.at(-1) ?? 'X';
  }

  /** Kind, date and recurrence rules that need no database; every problem at once. */
  private checkForm(spec: DemandSpec): void {
    const problems = formProblems(spec as unknown as DemandForm);
    if (problems.length) throw new DomainError(ErrorCode.Unprocessable, problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems);
  }

  /** Checks everything against the database and computes the stored form. */
  private async resolve(tx: Tx, actor: Actor, spec: DemandSpec) {
    if (!(await this.repo.topicExists(tx, spec.topic))) throw invalid('topic', `no topic with code ${spec.topic}`);
    const issuerLevel = actor.level!;
    const unitIds = spec.targetUnitIds ?? [];
    const scopes: { path: string; level: Level }[] = [];
    if (!spec.keepTargets) await this.checkTargets(tx, actor, issuerLevel, spec, unitIds, scopes);
    let parentDemandId: number | null = null;
    if (spec.parentDemandId !== undefined) {
      const root = actor.jurisdictionPath!.split('/').filter(Boolean).at(-1)!;
      const parent = await this.repo.findById(tx, spec.parentDemandId);
      const issuerArea = parent ? (await this.repo.findUnitByPath(tx, actor.jurisdictionPath!)) : null;
      if (!parent || !issuerArea || !(await this.repo.targetsUnit(tx, parent.id, issuerArea.id))) {
        throw invalid('parentDemandId', `demand ${spec.parentDemandId} did not reach your unit (${root}), so it cannot be passed on from here`);
      }
      parentDemandId = parent.id;
    }
    if (spec.planItemId !== undefined) {
      // The item must be of this issuer's own plan for the year; whether that plan is approved is for the rules to judge.
      const item = await this.plans.findItemWithPlan(tx, spec.planItemId);
      const year = Number(spec.issuedOn.slice(0, 4));
      if (!item || item.issuerId !== actor.orgUnitId || item.year !== year) {
        throw invalid('planItemId', `plan item ${spec.planItemId} is not in your inspection plan for ${year}`);
      }
    }
    const jointWith = spec.jointWith ?? [];
    const joint = new Map((await this.repo.findUnits(tx, jointWith)).map((u) => [u.id, u]));
    jointWith.forEach((jid, i) => {
      if (!joint.has(jid)) throw invalid(`jointWith[${i}]`, `org unit ${jid} does not exist`);
      if (jid === actor.orgUnitId) throw invalid(`jointWith[${i}]`, 'the issuer itself is not a joint inspector');
    });
    const synonyms = (this.synonyms ??= loadFieldSynonyms());
    const fields = (spec.fields ?? []).map((name, i) => {
      const key = normaliseFieldName(name, synonyms);
      if (key === '') throw invalid(`fields[${i}]`, `"${name}" has no name left once punctuation and units are removed`);
      return { name, key };
    });
    const { version, document } = await this.policy.current(tx);
    const issuerEstimate = spec.estimatedHoursPerTarget;
    const estimateMinutes =
      issuerEstimate !== undefined
        ? hoursToMinutes(issuerEstimate)
        : standardMinutes(
            { kind: spec.kind, fieldCount: fields.length, durationMinutes: spec.durationMinutes, attendeesPerTarget: spec.attendeesPerTarget, onSiteDays: spec.onSiteDays, charCount: spec.charCount, subtype: spec.subtype },
            document.standardTimes,
          );
    const schedule = { issuedOn: spec.issuedOn, startsOn: spec.startsOn, dueOn: spec.dueOn, recurrence: spec.recurrence, until: spec.until };
    const dates = landingDates(schedule);
    const details: Record<string, unknown> = {};
    for (const key of ['durationMinutes', 'attendeesPerTarget', 'attendeeLevels', 'onSiteDays', 'charCount', 'special', 'appRequirements'] as const) {
      if (spec[key] !== undefined) details[key] = spec[key];
    }
    // A report's field names are kept in demand_fields only (the repository reads them back into details.fields).
    details.targetUnitIds = unitIds;
    if (spec.kind === 'inspection') details.jointWith = jointWith;
    if (spec.kind === 'document' && details.special === undefined) details.special = false;
    const write: DemandWrite = {
      kind: spec.kind,
      subtype: spec.subtype ?? null,
      title: spec.title,
      topic: spec.topic,
      basis: spec.basis ?? null,
      issuedOn: spec.issuedOn,
      startsOn: spec.startsOn ?? null,
      dueOn: spec.dueOn ?? null,
      landsOn: landingDate(spec),
      lastLandsOn: dates.at(-1) ?? null,
      recurrence: spec.recurrence,
      until: spec.until ?? null,
      estimateMinutes,
      estimateSource: issuerEstimate !== undefined ? 'issuer' : 'policy',
      policyVersion: version,
      requiresTrace: spec.requiresTrace ?? [],
      details,
      targetScopes: (spec.targetScopes ?? []).map((s) => ({ underId: s.underId, level: s.level })),
      parentDemandId,
      planItemId: spec.planItemId ?? null,
    };
    return { write, unitIds, scopes, jointWith, fields, keepTargets: spec.keepTargets === true };
  }

  /** Targets are area units strictly below the issuer's level inside its jurisdiction (403 outside it). */
  private async checkTargets(tx: Tx, actor: Actor, issuerLevel: Level, spec: DemandSpec, unitIds: number[], scopes: { path: string; level: Level }[]): Promise<void> {
    const units = new Map((await this.repo.findUnits(tx, unitIds)).map((u) => [u.id, u]));
    unitIds.forEach((uid, i) => this.checkTarget(actor, issuerLevel, units.get(uid), `targetUnitIds[${i}]`, uid));
    const scopeUnits = new Map((await this.repo.findUnits(tx, (spec.targetScopes ?? []).map((s) => s.underId))).map((u) => [u.id, u]));
    (spec.targetScopes ?? []).forEach((scope, i) => {
      const under = scopeUnits.get(scope.underId);
      const field = `targetScopes[${i}]`;
      if (!under) throw invalid(`${field}.underId`, `org unit ${scope.underId} does not exist`);
      if (!withinJurisdiction(actor, under.path)) throw forbidden(`${field}.underId: org unit ${scope.underId} is outside your jurisdiction`);
      if (levelRank(scope.level) <= levelRank(issuerLevel)) throw invalid(`${field}.level`, `targets must be below your level (${issuerLevel})`);
      if (levelRank(scope.level) < levelRank(under.level)) throw invalid(`${field}.level`, `${under.name} is a ${under.level}: no ${scope.level} lies under it`);
      scopes.push({ path: under.path, level: scope.level });
    });
  }

  private checkTarget(actor: Actor, issuerLevel: Level, unit: UnitFacts | undefined, field: string, id: number): void {
    if (!unit) throw invalid(field, `org unit ${id} does not exist`);
    if (!withinJurisdiction(actor, unit.path)) throw forbidden(`${field}: ${unit.name} is outside your jurisdiction`);
    if (unit.kind !== 'area') throw invalid(field, `${unit.name} is a department; demands go down to area units`);
    if (levelRank(unit.level) <= levelRank(issuerLevel)) throw invalid(field, `${unit.name} is not below your level (${issuerLevel})`);
  }

  private async writeParts(
    tx: Tx,
    id: number,
    write: DemandWrite,
    targets: { unitIds: number[]; scopes: { path: string; level: Level }[] } | null,
    jointWith: number[],
    fields: { name: string; key: string }[],
  ): Promise<void> {
    if (targets) {
      const count = await this.repo.replaceTargets(tx, id, targets.unitIds, targets.scopes, write.estimateMinutes);
      if (count === 0) throw invalid('targetScopes', 'no area unit matches these targets');
    } else {
      await this.repo.setTargetEstimates(tx, id, write.estimateMinutes);
    }
    await this.repo.replaceOccurrences(
      tx,
      id,
      occurrencesByMonth({ issuedOn: write.issuedOn, startsOn: write.startsOn, dueOn: write.dueOn, recurrence: write.recurrence as DemandSpec['recurrence'], until: write.until }),
    );
    await this.repo.replaceFields(tx, id, fields);
    await this.repo.replaceJointIssuers(tx, id, jointWith);
  }

  private async visible(tx: Tx, actor: Actor, id: number): Promise<boolean> {
    return (await this.repo.findVisible(tx, actor, new Where().add('d.id = ?', id))) !== null;
  }

  private async detail(tx: Tx, id: number): Promise<DemandDetailView> {
    const row = await this.repo.findById(tx, id);
    if (!row) throw notFound('Demand', id);
    const base = view(row);
    const extra: Partial<DemandDetailView> = {};
    if (row.kind === 'report') extra.fieldKeys = (await this.repo.fields(tx, id)).map((f) => f.key);
    return { ...base, ...extra, occurrences: await this.repo.occurrences(tx, id), targets: await this.repo.targetSample(tx, id, TARGET_SAMPLE) };
  }

  /** The full description of an existing demand with a PATCH's changes applied. */
  private specOf(current: DemandRow, changes: Omit<UpdateDemandDto, 'version'>): DemandSpec {
    const d = current.details;
    const pick = <T>(changed: T | undefined, existing: unknown): T | undefined => (changed !== undefined ? changed : ((existing ?? undefined) as T | undefined));
    const hasTargetChange = changes.targetUnitIds !== undefined || changes.targetScopes !== undefined;
    return {
      kind: current.kind,
      title: changes.title ?? current.title,
      topic: changes.topic ?? current.topic,
      basis: pick(changes.basis, current.basis),
      issuedOn: current.issuedOn,
      startsOn: pick(changes.startsOn, current.startsOn),
      dueOn: pick(changes.dueOn, current.dueOn),
      recurrence: (changes.recurrence ?? current.recurrence) as DemandSpec['recurrence'],
      until: changes.recurrence === 'once' ? undefined : pick(changes.until, current.until),
      targetUnitIds: hasTargetChange ? (changes.targetUnitIds ?? []) : ((d.targetUnitIds as number[] | undefined) ?? []),
      targetScopes: hasTargetChange ? (changes.targetScopes ?? []) : current.targetScopes,
      keepTargets: !hasTargetChange,
      estimatedHoursPerTarget: changes.estimatedHoursPerTarget ?? (current.estimateSource === 'issuer' ? current.estimateMinutes / 60 : undefined),
      requiresTrace: current.requiresTrace as DemandSpec['requiresTrace'],
      parentDemandId: current.parentDemandId ?? undefined,
      fields: pick(changes.fields, d.fields),
      durationMinutes: pick(changes.durationMinutes, d.durationMinutes),
      attendeesPerTarget: pick(changes.attendeesPerTarget, d.attendeesPerTarget),
      attendeeLevels: pick(undefined, d.attendeeLevels),
      planItemId: current.planItemId ?? undefined,
      onSiteDays: pick(changes.onSiteDays, d.onSiteDays),
      jointWith: current.kind === 'inspection' ? ((d.jointWith as number[] | undefined) ?? []) : undefined,
      charCount: pick(changes.charCount, d.charCount),
      special: pick(undefined, d.special),
      subtype: (current.subtype ?? undefined) as DemandSpec['subtype'],
      appRequirements: pick(undefined, d.appRequirements),
    };
  }
}
