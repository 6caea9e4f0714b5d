import { Injectable } from '@nestjs/common';
import { selectRows, subtreeCondition, subtreeParams, toInt, Tx } from '@/database/dialect';
import type { Level } from '@/common/auth/actor';
import type { DemandKind } from '@/modules/demands/estimate';
import type { CountedDemand, StaffChange } from './calculators';

export interface MetricsUnit {
  id: number;
  code: string;
  name: string;
  kind: 'area' | 'department';
  level: Level;
  path: string;
}

interface RawUnit {
  id: number | string;
  code: string;
  name: string;
  kind: 'area' | 'department';
  level: Level;
  path: string;
}

const unitOf = (r: RawUnit): MetricsUnit => ({ id: toInt(r.id), code: r.code, name: r.name, kind: r.kind, level: r.level, path: r.path });
const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
const CHUNK = 400;

/** Statuses whose findings still stand (DESIGN §5: any state but dismissed and withdrawn). */
const STANDING = `status NOT IN ('dismissed', 'withdrawn')`;

export interface FlagTally {
  open: number;
  underReview: number;
  confirmed: number;
  rectifying: number;
  rectified: number;
  verified: number;
}

/** What the burden endpoints read besides the rollups: units, staff histories, the demands landing, flags. */
@Injectable()
export class MetricsRepository {
  async findUnit(tx: Tx, id: number): Promise<MetricsUnit | null> {
    const rows = await selectRows<RawUnit>(tx, 'SELECT id, code, name, kind, level, path FROM org_units WHERE id = ?', [id]);
    return rows.length ? unitOf(rows[0]) : null;
  }

  /** The area unit of this level among the ancestors of `path` (or the unit itself). */
  async areaAncestorAtLevel(tx: Tx, path: string, level: Level): Promise<MetricsUnit | null> {
    const parts = path.split('/').filter(Boolean);
    const paths = parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}/`);
    const rows = await selectRows<RawUnit>(
      tx,
      `SELECT id, code, name, kind, level, path FROM org_units WHERE path IN (${marks(paths.length)}) AND kind = 'area' AND level = ?`,
      [...paths, level],
    );
    return rows.length ? unitOf(rows[0]) : null;
  }

  /** Area units of a level inside a subtree, by path. */
  async areaUnitsUnder(tx: Tx, path: string, level: Level): Promise<MetricsUnit[]> {
    const rows = await selectRows<RawUnit>(
      tx,
      `SELECT id, code, name, kind, level, path FROM org_units WHERE ${subtreeCondition('path')} AND kind = 'area' AND level = ? ORDER BY path`,
      [...subtreeParams(path), level],
    );
    return rows.map(unitOf);
  }

  /** Staff histories of these units (an empty history for a unit without one). */
  async staffHistories(tx: Tx, unitIds: readonly number[]): Promise<Map<number, StaffChange[]>> {
    const out = new Map<number, StaffChange[]>(unitIds.map((id) => [id, []]));
    for (let i = 0; i < unitIds.length; i += CHUNK) {
      const ids = unitIds.slice(i, i + CHUNK);
      const rows = await selectRows<{ org_unit_id: number | string; staff_count: number | string; effective_from: string }>(
        tx,
        `SELECT org_unit_id, staff_count, effective_from FROM org_unit_staff WHERE org_unit_id IN (${marks(ids.length)}) ORDER BY org_unit_id, effective_from`,
        ids,
      );
      for (const r of rows) out.get(toInt(r.org_unit_id))?.push({ effectiveFrom: r.effective_from, staffCount: toInt(r.staff_count) });
    }
    return out;
  }

  /**
   * Registered demands that land on the unit in the months `first`..`last` (YYYY-MM, inclusive;
   * a period's months are contiguous), each once, in no particular order. One range probe of the
   * occurrences per target instead of one per month.
   */
  async demandsLandingOn(tx: Tx, unitId: number, first: string, last: string): Promise<CountedDemand[]> {
    const rows = await selectRows<{ id: number | string; kind: string; topic_code: string; issuer_id: number | string }>(
      tx,
      `SELECT d.id, d.kind, d.topic_code, d.issuer_id FROM demand_targets t JOIN demands d ON d.id = t.demand_id
        WHERE t.unit_id = ? AND EXISTS (SELECT 1 FROM demand_occurrences o WHERE o.demand_id = t.demand_id AND o.month BETWEEN ? AND ?)`,
      [unitId, first, last],
    );
    return rows.map((r) => ({ demandId: toInt(r.id), kind: r.kind as DemandKind, topic: r.topic_code, issuerId: toInt(r.issuer_id) }));
  }

  /**
   * Standing flags about the unit's burden: those on the unit itself and those on these demands as
   * a whole. With `issuerId` (an issuing office reads the card) only flags on that office's own
   * demands count, as everywhere an issuer reads flags: never a shadow demand's HIDDEN_BURDEN.
   */
  async flagTally(tx: Tx, unitId: number, demandIds: readonly number[], from: string, to: string, issuerId: number | null): Promise<FlagTally> {
    const tally: FlagTally = { open: 0, underReview: 0, confirmed: 0, rectifying: 0, rectified: 0, verified: 0 };
    const add = (rows: { status: string; n: number | string }[]) => {
      for (const r of rows) {
        const key = r.status === 'under_review' ? 'underReview' : (r.status as keyof FlagTally);
        if (key in tally) tally[key] += toInt(r.n);
      }
    };
    // An issuer never learns which unit objected (as GET /flags hides it): OBJECTION flags are left out.
    const own = issuerId === null ? '' : " AND demand_id IS NOT NULL AND issuer_id = ? AND rule_code <> 'OBJECTION'";
    const ownParams = issuerId === null ? [] : [issuerId];
    add(
      await selectRows(tx, `SELECT status, COUNT(*) AS n FROM flags WHERE unit_id = ? AND lands_on BETWEEN ? AND ? AND ${STANDING}${own} GROUP BY status`, [unitId, from, to, ...ownParams]),
    );
    for (let i = 0; i < demandIds.length; i += CHUNK) {
      const ids = demandIds.slice(i, i + CHUNK);
      add(await selectRows(tx, `SELECT status, COUNT(*) AS n FROM flags WHERE demand_id IN (${marks(ids.length)}) AND unit_id IS NULL AND ${STANDING}${own} GROUP BY status`, [...ids, ...ownParams]));
    }
    return tally;
  }
}
