import { Actor, Level, LEVELS } from '@/common/auth/actor';
import { DomainError, ErrorCode, ErrorDetail } from '@/common/errors/domain-error';
import type { DomainEvents } from '@/common/events/domain-events';
import { FreshBurdenTally } from '@/common/events/fresh-burden';
import { requireColumns } from '@/common/files/tabular';
import { openTabular, sha256Of, TabularInput, TabularRecord } from '@/common/files/tabular-stream';
import { nowIso } from '@/common/time';
import { BulkInserter, insertSourcedRows, SourcedRow } from '@/database/bulk-insert';
import { execute, selectRows, subtreeCondition, subtreeParams, toInt, Tx } from '@/database/dialect';
import { appendAuditEntry } from '@/modules/audit/audit.service';
import { AuditRepository } from '@/modules/audit/audit.repository';
import { APP_REQUIREMENTS, OTHER_SUBTYPES, PolicyDocument, RECURRENCES, Recurrence, TRACE_KINDS } from '@/modules/policy/policy-document';
import { fieldKeyIds } from './demand.repository';
import { DemandForm, formProblems } from './demand-rules-of-form';
import { DEMAND_KINDS, hoursToMinutes, standardMinutes } from './estimate';
import { FieldSynonymIndex, normaliseFieldName } from './fields/field-key';
import { landingDate, landingDates } from './occurrences';

export const DEMAND_IMPORT_COLUMNS = [
  'issuerCode', 'kind', 'subtype', 'title', 'topic', 'basis', 'issuedOn', 'startsOn', 'dueOn', 'recurrence', 'until', 'targetCodes',
  'targetScopes', 'estimatedHours', 'fields', 'durationMinutes', 'attendeesPerTarget', 'attendeeLevels', 'onSiteDays', 'jointWithCodes',
  'charCount', 'special', 'appRequirements', 'requiresTrace',
] as const;
const REQUIRED_COLUMNS = ['kind', 'title', 'topic', 'issuedOn'];
const MAX_REPORTED_ERRORS = 1000;
/**
 * Rows checked and written together. The file is read, checked and written a batch at a time
 * inside the one transaction, so the memory an import needs does not grow with the file; the
 * first wrong row stops the writing (the rest is still checked, every problem is reported, and
 * the transaction is rolled back).
 */
export const IMPORT_BATCH_ROWS = 2000;

/** Where a form field's problem is reported in the file. */
const COLUMN_OF: Record<string, string> = {
  targetUnitIds: 'targetCodes',
  targetScopes: 'targetScopes',
  jointWith: 'jointWithCodes',
  estimatedHoursPerTarget: 'estimatedHours',
};

interface Unit {
  id: number;
  code: string;
  path: string;
  kind: 'area' | 'department';
  level: Level;
  parentPath: string | null;
}

/** One demand ready to write, with the file row it came from. */
interface PreparedDemand {
  row: number;
  issuer: Unit;
  prefix: string;
  year: number;
  form: DemandForm & { title: string; topic: string };
  subtype: string | null;
  basis: string | null;
  estimateMinutes: number;
  estimateSource: 'issuer' | 'policy';
  details: Record<string, unknown>;
  requiresTrace: string[];
  scopes: { underId: number; level: Level }[];
  targets: number[];
  joint: number[];
  fields: { name: string; key: string }[];
  occurrences: Map<string, number>;
  landsOn: string;
  lastLandsOn: string | null;
}

export interface DemandImportContext {
  actor: Actor;
  policy: { version: number; document: PolicyDocument };
  synonyms: FieldSynonymIndex;
  /** The imported demands are announced (`burden.changed`) so the burden rollups count them in this transaction. */
  events: DomainEvents;
  /** Bytes of the file read so far, of its size (the rows are counted as they are read). */
  progress?: (done: number, total: number, message: string) => void;
  /** Filled with where the time went, in milliseconds (for benchmarks). */
  timings?: DemandImportTimings;
}

/** Milliseconds spent, summed over the batches of one import. */
export interface DemandImportTimings {
  /** Reading and parsing the file (and its hash). */
  read: number;
  /** Checking rows into demands (targets, dates, estimates). */
  check: number;
  /** Registration numbers, demands written, their ids read back. */
  demands: number;
  /** Targets, occurrences, fields and joint issuers written. */
  parts: number;
  /** The `burden.changed` listeners (rollups) and the audit entry. */
  after: number;
}

export interface DemandImportResult {
  imported: number;
  targets: number;
  sha256: string;
}

const levelRank = (level: Level) => LEVELS.indexOf(level);
const list = (cell: string) => cell.split(/[;；]/).map((s) => s.trim()).filter((s) => s !== '');

/**
 * The bulk import of demands (POST /demands/import): all-or-nothing, every wrong row and column
 * reported, set-based writes. Plain code over a transaction handle, so it runs the same on the
 * request thread and in a job's worker thread.
 */
export class DemandImporter {
  private readonly audit = new AuditRepository();
  /** Field names repeat across thousands of rows: normalise each distinct name once. */
  private readonly fieldKeys = new Map<string, string>();

  private fieldKey(name: string, synonyms: FieldSynonymIndex): string {
    let key = this.fieldKeys.get(name);
    if (key === undefined) {
      key = normaliseFieldName(name, synonyms);
      this.fieldKeys.set(name, key);
    }
    return key;
  }

  async run(tx: Tx, input: TabularInput, fileName: string, ctx: DemandImportContext): Promise<DemandImportResult> {
    const timings = ctx.timings;
    let clock = performance.now();
    const lap = (phase: keyof DemandImportTimings) => {
      const now = performance.now();
      if (timings) timings[phase] += now - clock;
      clock = now;
    };
    const sha256 = await sha256Of(input);
    const file = await openTabular(input, fileName, IMPORT_BATCH_ROWS);
    requireColumns({ columns: file.columns, rows: [] }, REQUIRED_COLUMNS);
    const unknown = file.columns.filter((c) => c !== '' && !(DEMAND_IMPORT_COLUMNS as readonly string[]).includes(c));
    if (unknown.length) {
      throw new DomainError(ErrorCode.Unprocessable, `Unknown column(s) ${unknown.join(', ')}`, unknown.map((column) => ({ row: 1, column, message: 'not a column of the template' })));
    }
    // A column's cells by name; with a name given twice, the later column counts (as parseTabular's rows).
    const columnIndex = new Map<string, number>();
    file.columns.forEach((c, i) => columnIndex.set(c, i));
    ctx.progress?.(0, file.position().total, 'checking rows');

    const scopeRoot = ctx.actor.jurisdictionPath;
    if (scopeRoot === null || (ctx.actor.role !== 'coordinator' && ctx.actor.role !== 'issuer')) {
      throw new DomainError(ErrorCode.Forbidden, 'Only issuers (their own demands) and coordinators (for issuers in their jurisdiction) import demands');
    }
    const units = await this.loadUnits(tx, scopeRoot);
    const topics = new Set((await selectRows<{ code: string }>(tx, 'SELECT code FROM topics')).map((t) => t.code));
    const errors: ErrorDetail[] = [];
    const scopeCache = new Map<string, number[]>();
    const writer = new DemandWriter(tx, ctx);
    let rows = 0;
    let imported = 0;
    /** The database refused a row: nothing more is written, the rest of the file is still checked. */
    let rejected: DomainError | null = null;
    lap('read');
    for await (const batch of file.batches()) {
      lap('read');
      const prepared: PreparedDemand[] = [];
      for (const record of batch) {
        const before = errors.length;
        const demand = this.prepare(record, columnIndex, ctx, units, topics, scopeCache, errors);
        if (demand && errors.length === before) prepared.push(demand);
      }
      rows += batch.length;
      lap('check');
      if (!errors.length && !rejected) {
        try {
          await writer.write(prepared, lap);
          imported += prepared.length;
        } catch (error) {
          if (!(error instanceof DomainError) || error.code !== ErrorCode.Unprocessable) throw error;
          rejected = error;
        }
      }
      const { done, total } = file.position();
      ctx.progress?.(done, total, `${errors.length ? 'checking' : 'importing'} rows: ${rows} read`);
    }
    lap('read');
    if (!rows) throw new DomainError(ErrorCode.Unprocessable, 'The file has a header but no rows', [{ row: 1, message: 'no data rows' }]);
    if (errors.length) {
      throw new DomainError(
        ErrorCode.Unprocessable,
        `${errors.length} problem(s) in the file; nothing was imported`,
        errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0)).slice(0, MAX_REPORTED_ERRORS),
      );
    }
    if (rejected) throw rejected;
    const targets = await writer.finish();
    lap('parts');
    await ctx.events.publish({ type: 'burden.changed', tx, scope: [{ demandIds: writer.demandIds, fresh: writer.tally }] });
    await appendAuditEntry(tx, this.audit, {
      actor: ctx.actor,
      action: 'demand.import',
      entityType: 'demand_import',
      entityId: sha256,
      unitPath: ctx.actor.unitPath,
      after: { sha256, rows: imported, targets, fileName },
    });
    lap('after');
    return { imported, targets, sha256 };
  }

  /** Every unit of the caller's jurisdiction, by code and id: the targets are resolved in memory. */
  private async loadUnits(tx: Tx, root: string) {
    const rows = await selectRows<{ id: number | string; code: string; path: string; kind: 'area' | 'department'; level: Level; parent_path: string | null }>(
      tx,
      `SELECT u.id, u.code, u.path, u.kind, u.level, p.path AS parent_path FROM org_units u LEFT JOIN org_units p ON p.id = u.parent_id
       WHERE ${subtreeCondition('u.path')} ORDER BY u.path`,
      subtreeParams(root),
    );
    const all: Unit[] = rows.map((r) => ({ id: toInt(r.id), code: r.code, path: r.path, kind: r.kind, level: r.level, parentPath: r.parent_path }));
    // Area units per level in path order: a subtree is one contiguous run, found by binary search.
    const areasByLevel = new Map<Level, Unit[]>();
    for (const u of all) {
      if (u.kind !== 'area') continue;
      const list = areasByLevel.get(u.level);
      if (list) list.push(u);
      else areasByLevel.set(u.level, [u]);
    }
    for (const list of areasByLevel.values()) list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { all, byCode: new Map(all.map((u) => [u.code, u])), byId: new Map(all.map((u) => [u.id, u])), areasByLevel };
  }

  private prepare(
    { row, cells }: TabularRecord,
    columnIndex: Map<string, number>,
    ctx: DemandImportContext,
    units: { all: Unit[]; byCode: Map<string, Unit>; byId: Map<number, Unit>; areasByLevel: Map<Level, Unit[]> },
    topics: Set<string>,
    scopeCache: Map<string, number[]>,
    errors: ErrorDetail[],
  ): PreparedDemand | null {
    const err = (column: string, message: string) => errors.push({ row, column, message });
    const fail = (column: string, message: string): null => {
      err(column, message);
      return null;
    };
    const cell = (c: string) => {
      const i = columnIndex.get(c);
      return i === undefined ? '' : (cells[i] ?? '').trim();
    };
    const int = (c: string, min: number, max: number): number | undefined => {
      const v = cell(c);
      if (v === '') return undefined;
      if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) return void err(c, `must be a whole number from ${min} to ${max}`);
      return Number(v);
    };
    const num = (c: string, max: number): number | undefined => {
      const v = cell(c);
      if (v === '') return undefined;
      if (!/^\d+(\.\d{1,2})?$/.test(v) || Number(v) > max) return void err(c, `must be a number from 0 to ${max} (two decimals at most)`);
      return Number(v);
    };
    const oneOf = <T extends string>(c: string, allowed: readonly T[], fallback?: T): T | undefined => {
      const v = cell(c);
      if (v === '') return fallback;
      if (!allowed.includes(v as T)) return void err(c, `must be one of ${allowed.join(', ')}`);
      return v as T;
    };
    const manyOf = <T extends string>(c: string, allowed: readonly T[]): T[] | undefined => {
      const items = list(cell(c));
      if (!items.length) return undefined;
      const bad = items.filter((i) => !allowed.includes(i as T));
      if (bad.length) return void err(c, `${bad.join(', ')} not among ${allowed.join(', ')}`);
      return [...new Set(items)] as T[];
    };

    // The issuer: the caller's own unit for an issuer; for a coordinator any office in its jurisdiction.
    const actor = ctx.actor;
    const issuerCode = cell('issuerCode');
    let issuer: Unit | undefined;
    if (actor.role === 'issuer') {
      issuer = actor.orgUnitId === null ? undefined : units.byId.get(actor.orgUnitId);
      if (issuerCode !== '' && issuer?.code !== issuerCode) return fail('issuerCode', 'an issuer imports only its own demands: leave it blank or give your own code');
    } else {
      issuer = units.byCode.get(issuerCode);
      if (issuerCode === '') return fail('issuerCode', 'required when a coordinator imports for issuers');
      if (!issuer) return fail('issuerCode', `no org unit ${issuerCode} in your jurisdiction`);
    }
    if (!issuer) return fail('issuerCode', 'the issuer cannot be found');
    const issuerLevel = issuer.level;
    const issuerRoot = issuer.kind === 'department' ? (issuer.parentPath ?? issuer.path) : issuer.path;

    const kind = oneOf('kind', DEMAND_KINDS);
    const title = cell('title');
    if (title === '' || title.length > 300) err('title', 'required, at most 300 characters');
    const topic = cell('topic');
    if (!topics.has(topic)) err('topic', `no topic with code ${topic || '(blank)'}`);
    const recurrence = oneOf<Recurrence>('recurrence', RECURRENCES, 'once');
    const subtype = oneOf('subtype', OTHER_SUBTYPES);
    const basis = cell('basis');
    if (basis.length > 1000) err('basis', 'at most 1000 characters');
    const estimatedHours = num('estimatedHours', 10_000);
    const durationMinutes = int('durationMinutes', 1, 7 * 24 * 60);
    const attendeesPerTarget = int('attendeesPerTarget', 1, 10_000);
    const attendeeLevels = manyOf('attendeeLevels', LEVELS);
    const onSiteDaysRaw = cell('onSiteDays');
    let onSiteDays: number | undefined;
    if (onSiteDaysRaw !== '') {
      if (!/^\d+(\.\d)?$/.test(onSiteDaysRaw) || Number(onSiteDaysRaw) > 365) err('onSiteDays', 'must be days from 0 to 365 (one decimal at most)');
      else onSiteDays = Number(onSiteDaysRaw);
    }
    const charCount = int('charCount', 1, 10_000_000);
    const specialRaw = cell('special');
    if (specialRaw !== '' && specialRaw !== 'true' && specialRaw !== 'false') err('special', 'must be true or false');
    const appRequirements = manyOf('appRequirements', APP_REQUIREMENTS);
    const requiresTrace = manyOf('requiresTrace', TRACE_KINDS) ?? [];
    const fieldNames = list(cell('fields'));
    if (fieldNames.some((f) => f.length > 200)) err('fields', 'a field name has at most 200 characters');

    // Targets: explicit codes and scopes, resolved and checked in memory.
    const targetIds = new Set<number>();
    // The units named one by one, kept as the API keeps them; scope expansions are not repeated there.
    const explicitIds: number[] = [];
    for (const code of list(cell('targetCodes'))) {
      const unit = units.byCode.get(code);
      if (!unit || !unit.path.startsWith(issuerRoot)) err('targetCodes', `${code} is not a unit in the issuer's jurisdiction`);
      else if (unit.kind !== 'area') err('targetCodes', `${code} is a department; demands go down to area units`);
      else if (levelRank(unit.level) <= levelRank(issuerLevel)) err('targetCodes', `${code} is not below the issuer's level (${issuerLevel})`);
      else {
        targetIds.add(unit.id);
        explicitIds.push(unit.id);
      }
    }
    const scopes: { underId: number; level: Level }[] = [];
    for (const spec of list(cell('targetScopes'))) {
      const [code, level] = spec.split(':').map((s) => s.trim());
      const under = units.byCode.get(code ?? '');
      if (!under || !under.path.startsWith(issuerRoot)) err('targetScopes', `${code} is not a unit in the issuer's jurisdiction`);
      else if (!LEVELS.includes(level as Level)) err('targetScopes', `"${spec}" needs code:level, the level one of ${LEVELS.join(', ')}`);
      else if (levelRank(level as Level) <= levelRank(issuerLevel)) err('targetScopes', `${level} is not below the issuer's level (${issuerLevel})`);
      else {
        const key = `${under.path}|${level}`;
        let ids = scopeCache.get(key);
        if (!ids) {
          ids = areasUnder(units.areasByLevel.get(level as Level) ?? [], under.path);
          scopeCache.set(key, ids);
        }
        for (const id of ids) targetIds.add(id);
        scopes.push({ underId: under.id, level: level as Level });
      }
    }
    const joint: number[] = [];
    for (const code of list(cell('jointWithCodes'))) {
      const unit = units.byCode.get(code);
      if (!unit) err('jointWithCodes', `no org unit ${code} in your jurisdiction`);
      else if (unit.id !== issuer.id) joint.push(unit.id);
    }
    if (!kind || !recurrence) return null;

    const form: DemandForm & { title: string; topic: string } = {
      kind,
      title,
      topic,
      issuedOn: cell('issuedOn'),
      startsOn: cell('startsOn') || undefined,
      dueOn: cell('dueOn') || undefined,
      recurrence,
      until: cell('until') || undefined,
      targetUnitIds: explicitIds,
      targetScopes: scopes,
      fields: fieldNames.length ? fieldNames : undefined,
      durationMinutes,
      attendeesPerTarget,
      attendeeLevels,
      onSiteDays,
      jointWith: joint.length ? joint : undefined,
      charCount,
      special: specialRaw === '' ? undefined : specialRaw === 'true',
      subtype,
      appRequirements,
    };
    if (!targetIds.size && (cell('targetCodes') !== '' || cell('targetScopes') !== '')) err('targetScopes', 'no area unit matches these targets');
    for (const p of formProblems(form)) err(COLUMN_OF[p.field ?? ''] ?? p.field ?? 'row', p.message);
    if (errors.some((e) => e.row === row)) return null;

    const fields = fieldNames.map((name) => ({ name, key: this.fieldKey(name, ctx.synonyms) }));
    if (fields.some((f) => f.key === '')) return fail('fields', 'a field name has nothing left once punctuation and units are removed');
    const estimateMinutes =
      estimatedHours !== undefined
        ? hoursToMinutes(estimatedHours)
        : standardMinutes({ kind, fieldCount: fields.length, durationMinutes, attendeesPerTarget, onSiteDays, charCount, subtype }, ctx.policy.document.standardTimes);
    const details: Record<string, unknown> = { targetUnitIds: explicitIds };
    for (const [key, value] of Object.entries({ durationMinutes, attendeesPerTarget, attendeeLevels, onSiteDays, charCount, appRequirements })) {
      if (value !== undefined) details[key] = value;
    }
    // A report's field names go to demand_fields only (read back into details.fields by the repository).
    if (kind === 'inspection') details.jointWith = joint;
    if (kind === 'document') details.special = specialRaw === 'true';
    const schedule = { issuedOn: form.issuedOn, startsOn: form.startsOn, dueOn: form.dueOn, recurrence, until: form.until };
    // One pass over the landings: the months are counted from the same dates (already checked, so
    // the month is their first seven characters) instead of computing them again.
    const dates = landingDates(schedule);
    const occurrences = new Map<string, number>();
    for (const date of dates) {
      const month = date.slice(0, 7);
      occurrences.set(month, (occurrences.get(month) ?? 0) + 1);
    }
    return {
      row,
      issuer,
      prefix: issuerRoot.split('/').filter(Boolean).at(-1)!,
      year: Number(form.issuedOn.slice(0, 4)),
      form,
      subtype: subtype ?? null,
      basis: basis || null,
      estimateMinutes,
      estimateSource: estimatedHours !== undefined ? 'issuer' : 'policy',
      details,
      requiresTrace,
      scopes,
      targets: [...targetIds],
      joint: kind === 'inspection' ? joint : [],
      fields,
      occurrences,
      landsOn: landingDate(schedule),
      lastLandsOn: dates.at(-1) ?? null,
    };
  }
}

/**
 * Writes checked demands a batch at a time inside the import's transaction: registration
 * numbers (a range per prefix and year, in file order), the demands, their ids read back, then
 * their part rows (targets, occurrences, fields, joint issuers) into inserters that write full
 * multi-row statements across batches. A database refusal is a 422 naming the file's row.
 */
class DemandWriter {
  private readonly at = nowIso();
  readonly demandIds: number[] = [];
  /** What the written demands add to the burden rollups, summed as they are written (no report or finding can exist yet). */
  readonly tally = new FreshBurdenTally();
  private readonly targets: BulkInserter;
  private readonly occurrences: BulkInserter;
  private readonly fields: BulkInserter;
  private readonly joint: BulkInserter;
  /** The `field_keys` ids of the keys met so far (a province year has ≈ 9,000 distinct keys). */
  private readonly keyIds = new Map<string, number>();

  constructor(
    private readonly tx: Tx,
    private readonly ctx: DemandImportContext,
  ) {
    this.targets = new BulkInserter(tx, 'demand_targets', ['demand_id', 'unit_id', 'estimated_minutes']);
    this.occurrences = new BulkInserter(tx, 'demand_occurrences', ['demand_id', 'month', 'occurrences']);
    this.fields = new BulkInserter(tx, 'demand_fields', ['demand_id', 'position', 'name', 'key_id']);
    this.joint = new BulkInserter(tx, 'demand_joint_issuers', ['demand_id', 'issuer_id']);
  }

  async write(demands: PreparedDemand[], lap: (phase: keyof DemandImportTimings) => void): Promise<void> {
    if (!demands.length) return;
    const { tx, ctx } = this;
    const counters = new Map<string, PreparedDemand[]>();
    for (const d of demands) {
      const key = `${d.prefix}|${d.year}`;
      const group = counters.get(key);
      if (group) group.push(d);
      else counters.set(key, [d]);
    }
    const numbers = new Map<PreparedDemand, string>();
    for (const [key, group] of counters) {
      const [prefix, yearText] = key.split('|');
      const year = Number(yearText);
      await execute(tx, 'INSERT INTO registration_counters (prefix, year, last_seq) VALUES (?, ?, 0) ON CONFLICT DO NOTHING', [prefix, year]);
      await execute(tx, 'UPDATE registration_counters SET last_seq = last_seq + ? WHERE prefix = ? AND year = ?', [group.length, prefix, year]);
      const [row] = await selectRows<{ last_seq: number | string }>(tx, 'SELECT last_seq FROM registration_counters WHERE prefix = ? AND year = ?', [prefix, year]);
      const first = toInt(row.last_seq) - group.length + 1;
      group.forEach((d, i) => numbers.set(d, `${prefix}-${year}-${String(first + i).padStart(6, '0')}`));
    }
    const at = this.at;
    await insertSourcedRows(
      tx,
      'demands',
      [
        'registration_no', 'issuer_id', 'kind', 'subtype', 'title', 'topic_code', 'basis', 'issued_on', 'starts_on', 'due_on', 'lands_on', 'last_lands_on',
        'recurrence', 'recurrence_until', 'estimate_minutes', 'estimate_source', 'policy_version', 'requires_trace', 'details', 'target_scopes',
        'parent_demand_id', 'plan_item_id', 'status', 'target_count', 'created_by', 'created_at', 'updated_at', 'row_version',
      ],
      demands.map((d): SourcedRow => ({
        sourceRow: d.row,
        values: [
          numbers.get(d), d.issuer.id, d.form.kind, d.subtype, d.form.title, d.form.topic, d.basis, d.form.issuedOn, d.form.startsOn ?? null, d.form.dueOn ?? null,
          d.landsOn, d.lastLandsOn, d.form.recurrence, d.form.until ?? null, d.estimateMinutes, d.estimateSource, ctx.policy.version,
          JSON.stringify(d.requiresTrace), JSON.stringify(d.details), JSON.stringify(d.scopes), null, null, 'active', d.targets.length, ctx.actor.userId, at, at, 1,
        ],
      })),
    );
    const ids = await this.idsByRegistration([...numbers.values()]);
    const newKeys = new Set<string>();
    for (const d of demands) for (const f of d.fields) if (!this.keyIds.has(f.key)) newKeys.add(f.key);
    if (newKeys.size) for (const [key, keyId] of await fieldKeyIds(tx, newKeys)) this.keyIds.set(key, keyId);
    lap('demands');
    // Millions of part rows: straight into the statements' parameters, an await only when one is written.
    for (const d of demands) {
      const id = ids.get(numbers.get(d)!)!;
      this.demandIds.push(id);
      const sourceRow = d.row;
      let written: Promise<void> | null;
      for (const unit of d.targets) if ((written = this.targets.addValues(sourceRow, [id, unit, d.estimateMinutes]))) await written;
      for (const [month, n] of d.occurrences) if ((written = this.occurrences.addValues(sourceRow, [id, month, n]))) await written;
      for (let i = 0; i < d.fields.length; i++) if ((written = this.fields.addValues(sourceRow, [id, i + 1, d.fields[i].name, this.keyIds.get(d.fields[i].key)!]))) await written;
      for (const j of d.joint) if ((written = this.joint.addValues(sourceRow, [id, j]))) await written;
      this.tally.add({
        issuerId: d.issuer.id,
        landsMonth: d.landsOn.slice(0, 7),
        inspection: d.form.kind === 'inspection',
        estimateMinutes: d.estimateMinutes,
        targets: d.targets,
        occurrences: d.occurrences,
      });
    }
    lap('parts');
  }

  /** Writes the part rows still waiting; returns the number of targets written. */
  async finish(): Promise<number> {
    await this.occurrences.finish();
    await this.fields.finish();
    await this.joint.finish();
    return this.targets.finish();
  }

  private async idsByRegistration(numbers: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (let i = 0; i < numbers.length; i += 1000) {
      const chunk = numbers.slice(i, i + 1000);
      const rows = await selectRows<{ id: number | string; registration_no: string }>(
        this.tx,
        `SELECT id, registration_no FROM demands WHERE registration_no IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      for (const r of rows) out.set(r.registration_no, toInt(r.id));
    }
    return out;
  }
}

/** The ids of the units (sorted by path) whose path starts with `path`: the contiguous run from its lower bound. */
function areasUnder(sorted: Unit[], path: string): number[] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid].path < path) lo = mid + 1;
    else hi = mid;
  }
  const ids: number[] = [];
  for (let i = lo; i < sorted.length && sorted[i].path.startsWith(path); i++) ids.push(sorted[i].id);
  return ids;
}
