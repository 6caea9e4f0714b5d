import { Injectable } from '@nestjs/common';
import { FieldKeyNames } from '@/modules/demands/fields/field-key-names';
import type { Level } from '@/common/auth/actor';
import { selectRows, toInt, Tx } from '@/database/dialect';
import type { DutyKind, Recurrence } from '@/modules/policy/policy-document';
import type { DemandFacts, DemandKind } from './rules/rule';

type Num = number | string;
interface RawFacts {
  id: Num;
  issuer_id: Num;
  issuer_level: Level;
  kind: DemandKind;
  subtype: string | null;
  title: string;
  topic_code: string;
  basis: string | null;
  issued_on: string;
  starts_on: string | null;
  due_on: string | null;
  lands_on: string;
  recurrence: Recurrence;
  recurrence_until: string | null;
  status: 'active' | 'cancelled';
  requires_trace: string;
  details: string;
  parent_demand_id: Num | null;
  plan_item_id: Num | null;
  target_count: Num;
}

export interface ApprovedPlanFacts {
  planId: number;
  year: number;
}

const inList = (n: number) => Array.from({ length: n }, () => '?').join(', ');
const CHUNK = 500;

/**
 * Reads what the rules judge, in batches (IN lists of at most 500 ids), so a write-time check
 * costs a handful of indexed reads and the evaluation job reads each demand once.
 */
@Injectable()
export class RuleFactsRepository {
  /** Field key texts met so far: kept by an evaluation's instance (`forEvaluation`), none on the request path. */
  private keyNames: FieldKeyNames | null = null;

  /** An instance for one evaluation, which keeps the field keys it has met. */
  static forEvaluation(keyNames: FieldKeyNames): RuleFactsRepository {
    const facts = new RuleFactsRepository();
    facts.keyNames = keyNames;
    return facts;
  }

  async demandFacts(tx: Tx, ids: readonly number[]): Promise<Map<number, DemandFacts>> {
    const facts = new Map<number, DemandFacts>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const rows = await selectRows<RawFacts>(
        tx,
        `SELECT d.id, d.issuer_id, iu.level AS issuer_level, d.kind, d.subtype, d.title, d.topic_code, d.basis, d.issued_on, d.starts_on, d.due_on,
           d.lands_on, d.recurrence, d.recurrence_until, d.status, d.requires_trace, d.details, d.parent_demand_id, d.plan_item_id, d.target_count
         FROM demands d JOIN org_units iu ON iu.id = d.issuer_id WHERE d.id IN (${inList(chunk.length)})`,
        chunk,
      );
      const keys = await this.fieldKeys(tx, chunk);
      for (const r of rows) {
        const id = toInt(r.id);
        const details = JSON.parse(r.details) as Record<string, unknown>;
        const num = (v: unknown) => (typeof v === 'number' ? v : null);
        facts.set(id, {
          id,
          issuerId: toInt(r.issuer_id),
          issuerLevel: r.issuer_level,
          kind: r.kind,
          subtype: r.subtype,
          title: r.title,
          topic: r.topic_code,
          basis: r.basis,
          issuedOn: r.issued_on,
          startsOn: r.starts_on,
          dueOn: r.due_on,
          landsOn: r.lands_on,
          recurrence: r.recurrence,
          until: r.recurrence_until,
          status: r.status,
          requiresTrace: JSON.parse(r.requires_trace) as string[],
          fieldKeys: keys.get(id) ?? [],
          durationMinutes: num(details.durationMinutes),
          attendeesPerTarget: num(details.attendeesPerTarget),
          attendeeLevels: Array.isArray(details.attendeeLevels) ? (details.attendeeLevels as Level[]) : [],
          charCount: num(details.charCount),
          special: details.special === true,
          appRequirements: Array.isArray(details.appRequirements) ? (details.appRequirements as string[]) : [],
          parentDemandId: r.parent_demand_id === null ? null : toInt(r.parent_demand_id),
          planItemId: r.plan_item_id === null ? null : toInt(r.plan_item_id),
          targetCount: toInt(r.target_count),
          targetLevels: [],
        });
      }
    }
    return facts;
  }

  private async fieldKeys(tx: Tx, ids: readonly number[]): Promise<Map<number, string[]>> {
    const rows = await selectRows<{ demand_id: Num; key_id: Num }>(
      tx,
      `SELECT demand_id, key_id FROM demand_fields WHERE demand_id IN (${inList(ids.length)}) ORDER BY demand_id, position`,
      [...ids],
    );
    const names = await (this.keyNames ?? new FieldKeyNames()).resolve(tx, rows.map((r) => toInt(r.key_id)));
    const keys = new Map<number, string[]>();
    for (const r of rows) {
      const id = toInt(r.demand_id);
      const key = names.get(toInt(r.key_id))!;
      const list = keys.get(id) ?? [];
      if (!list.includes(key)) list.push(key);
      keys.set(id, list);
    }
    return keys;
  }

  /**
   * Fills `targetLevels` of these demands. Reading a demand's targets is the costly part of
   * judging it (a provincial demand reaches 15,000 villages), so the judge asks only for demands
   * whose topic has duty-list entries: without them the levels decide nothing.
   */
  async fillTargetLevels(tx: Tx, demands: readonly DemandFacts[]): Promise<void> {
    for (let i = 0; i < demands.length; i += CHUNK) {
      const chunk = demands.slice(i, i + CHUNK);
      const levels = await this.targetLevels(tx, chunk.map((d) => d.id));
      for (const d of chunk) d.targetLevels = levels.get(d.id) ?? [];
    }
  }

  private async targetLevels(tx: Tx, ids: readonly number[]): Promise<Map<number, Level[]>> {
    const rows = await selectRows<{ demand_id: Num; level: Level }>(
      tx,
      `SELECT DISTINCT t.demand_id, u.level FROM demand_targets t JOIN org_units u ON u.id = t.unit_id WHERE t.demand_id IN (${inList(ids.length)})`,
      [...ids],
    );
    const levels = new Map<number, Level[]>();
    for (const r of rows) {
      const id = toInt(r.demand_id);
      levels.set(id, [...(levels.get(id) ?? []), r.level]);
    }
    return levels;
  }

  /** The latest approved version of the issuer's inspection plan for the year, or null. */
  async approvedPlan(tx: Tx, issuerId: number, year: number): Promise<ApprovedPlanFacts | null> {
    const rows = await selectRows<{ id: Num; year: Num }>(
      tx,
      `SELECT id, year FROM inspection_plans WHERE issuer_id = ? AND year = ? AND status = 'approved' ORDER BY version DESC LIMIT 1`,
      [issuerId, year],
    );
    return rows.length ? { planId: toInt(rows[0].id), year: toInt(rows[0].year) } : null;
  }

  /**
   * The item of an approved plan that a demand's linked item stands for: item keys are stable
   * across plan versions, so a demand linked to an item of an earlier version still counts as
   * planned when the approved version keeps that key.
   */
  async planItemIn(tx: Tx, planId: number, linkedItemId: number): Promise<{ id: number; topic: string } | null> {
    const rows = await selectRows<{ id: Num; topic_code: string }>(
      tx,
      `SELECT i.id, i.topic_code FROM inspection_plan_items i
       WHERE i.plan_id = ? AND i.item_key = (SELECT l.item_key FROM inspection_plan_items l WHERE l.id = ?)`,
      [planId, linkedItemId],
    );
    return rows.length ? { id: toInt(rows[0].id), topic: rows[0].topic_code } : null;
  }

  /** Planned visits of plan items (for SPLIT_INSPECTION). */
  async plannedVisits(tx: Tx, itemIds: readonly number[]): Promise<Map<number, number>> {
    const visits = new Map<number, number>();
    for (let i = 0; i < itemIds.length; i += CHUNK) {
      const chunk = itemIds.slice(i, i + CHUNK);
      const rows = await selectRows<{ id: Num; visits: Num }>(tx, `SELECT id, visits FROM inspection_plan_items WHERE id IN (${inList(chunk.length)})`, chunk);
      for (const r of rows) visits.set(toInt(r.id), toInt(r.visits));
    }
    return visits;
  }

  /** Duty-list kinds of these topics, per level. */
  async dutyKinds(tx: Tx, topics: readonly string[]): Promise<Map<string, Partial<Record<Level, DutyKind[]>>>> {
    if (!topics.length) return new Map();
    const rows = await selectRows<{ topic_code: string; level: Level; category: DutyKind }>(
      tx,
      `SELECT DISTINCT topic_code, level, category FROM duty_items WHERE topic_code IN (${inList(topics.length)})`,
      [...topics],
    );
    const byTopic = new Map<string, Partial<Record<Level, DutyKind[]>>>();
    for (const r of rows) {
      const levels = byTopic.get(r.topic_code) ?? {};
      levels[r.level] = [...(levels[r.level] ?? []), r.category];
      byTopic.set(r.topic_code, levels);
    }
    return byTopic;
  }

  /** The target units of a demand at one level (OUT_OF_SCOPE attaches one flag to each). */
  async targetsAtLevel(tx: Tx, demandId: number, level: Level): Promise<number[]> {
    const rows = await selectRows<{ unit_id: Num }>(
      tx,
      'SELECT t.unit_id FROM demand_targets t JOIN org_units u ON u.id = t.unit_id WHERE t.demand_id = ? AND u.level = ? ORDER BY t.unit_id',
      [demandId, level],
    );
    return rows.map((r) => toInt(r.unit_id));
  }
}
