import { Injectable } from '@nestjs/common';
import type { Level } from '@/common/auth/actor';
import { databaseKind, selectRows, toInt, Tx } from '@/database/dialect';
import type { IssuerSort } from './issuer-metrics.service';
import type { Period } from './calculators';
import { planInForce } from './plan-in-force';
import { FLAGGED, RollupRepository } from './rollup.repository';

type Num = number | string;

/** What an issuing office's registered demands landing in a period add up to: the figures a list sorts on. */
export interface IssuerTally {
  issuer: { id: number; code: string; name: string; kind: 'area' | 'department'; level: Level };
  /** Every registered demand landing in the period, cancelled ones included. */
  demands: number;
  cancelled: number;
  inspections: number;
  /** Σ over the demands' targets of occurrences in the period × the estimate per target and occurrence. */
  imposedMinutes: number;
  /** Demands with a standing flag, as the issuer rollups count them (`demand_flagged`). */
  flagged: number;
}

/** What is read for the offices shown only: it needs every target row or flag of their demands. */
export interface IssuerDetail {
  /** Demands with a standing flag (not dismissed or withdrawn) of any rule but OBJECTION. */
  flagged: number;
  /** Inspections done jointly with other issuers in one visit (`jointWith`). */
  jointInspections: number;
  /** Distinct units the demands target. */
  targetsReached: number;
}

/** An issuer's approved plan for a year against the demands that carried it out. */
export interface PlanExecution {
  /** The version in force (the latest approved one). */
  version: number;
  /** Items planned in the period's months. */
  planned: number;
  /** Of those, items some landing demand of the issuer carried out (through plan_item_id, any version of the item). */
  carriedOut: number;
}

interface TallyRow {
  issuer_id: Num;
  code: string;
  name: string;
  kind: 'area' | 'department';
  level: Level;
  demands: Num;
  cancelled: Num;
  inspections: Num;
  minutes: Num;
  flagged: Num;
}

const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
const CHUNK = 400;

/**
 * Issuer metrics (DESIGN §5 "Issuer metrics"), set-based. Every read is bounded by the period's
 * landing dates and by the issuing units: the jurisdiction's subtree for what a list sorts on,
 * the offices shown for the rest (ix_demands_issuer (issuer_id, lands_on) both times).
 * Shadow-demand reports are never read: they have no issuer.
 */
@Injectable()
export class IssuerMetricsRepository {
  constructor(private readonly rollups: RollupRepository) {}

  /** The unit at a materialised path (the top of a caller's jurisdiction). */
  async unitAtPath(tx: Tx, path: string): Promise<(IssuerTally['issuer'] & { path: string }) | null> {
    const rows = await selectRows<{
      id: Num;
      code: string;
      name: string;
      kind: 'area' | 'department';
      level: Level;
      path: string;
    }>(tx, 'SELECT id, code, name, kind, level, path FROM org_units WHERE path = ?', [path]);
    return rows.length ? { ...rows[0], id: toInt(rows[0].id) } : null;
  }

  /**
   * One page of the issuing offices under `path` with demands landing in the period, sorted and
   * cut in SQL, with the total: only the page crosses the driver. The counts and minutes come
   * from the issuer rollups (kept current with each demand write, rebuilt with the unit rollups),
   * summed per year and quarter already, so a province-wide year reads one row per office. The sort keys are
   * those of DESIGN §5 as the answer shows them: the minutes imposed, the demands issued, the
   * flagged share (flagged ÷ issued as a double, the division the answer's share is; the flagged
   * demands are counted in the same rows, on each demand's landing month like the demands issued,
   * so they are the demands `details` finds flagged among those landing in the period) or the
   * code (byte order on both databases). Ties fall back to the code, ascending, whichever the order.
   */
  async tallyPage(tx: Tx, path: string, period: Pick<Period, 'period' | 'granularity' | 'from' | 'to' | 'months'>, sort: IssuerSort, order: 'asc' | 'desc', offset: number, limit: number): Promise<{ tallies: IssuerTally[]; total: number }> {
    if (period.months.length === 0) return { tallies: [], total: 0 };
    const pg = databaseKind(tx) === 'postgres';
    const sums = this.rollups.issuerSumsSql(path, period);
    const params: unknown[] = [...sums.params];
    const code = pg ? 'n.code COLLATE "C"' : 'n.code';
    const real = pg ? 'DOUBLE PRECISION' : 'REAL';
    const key: Record<IssuerSort, string> = {
      hoursImposed: 'g.minutes',
      demandsIssued: 'g.demands',
      flaggedShare: `CAST(g.flagged AS ${real}) / CAST(g.demands AS ${real})`,
      code,
    };
    const rows = await selectRows<TallyRow & { total: Num }>(
      tx,
      `SELECT g.issuer_id, n.code, n.name, n.kind, n.level, g.demands, g.cancelled, g.inspections, g.minutes, g.flagged, COUNT(*) OVER () AS total
         FROM (${sums.sql}) g JOIN org_units n ON n.id = g.issuer_id
        ORDER BY ${key[sort]} ${order === 'asc' ? 'ASC' : 'DESC'}${sort === 'code' ? '' : `, ${code} ASC`}
        LIMIT ? OFFSET ?`,
      [...params, limit, offset],
    );
    let total = rows.length ? toInt(rows[0].total) : 0;
    if (rows.length === 0 && offset > 0) {
      // A page past the end has no row to carry the total.
      const [count] = await selectRows<{ n: Num }>(tx, `SELECT COUNT(*) AS n FROM (${sums.sql}) g`, sums.params);
      total = toInt(count?.n);
    }
    return {
      total,
      tallies: rows.map((r) => ({
        issuer: { id: toInt(r.issuer_id), code: r.code, name: r.name, kind: r.kind, level: r.level },
        demands: toInt(r.demands),
        cancelled: toInt(r.cancelled),
        inspections: toInt(r.inspections),
        imposedMinutes: toInt(r.minutes),
        flagged: toInt(r.flagged),
      })),
    };
  }

  async details(tx: Tx, issuerIds: readonly number[], from: string, to: string): Promise<Map<number, IssuerDetail>> {
    const out = new Map<number, IssuerDetail>();
    for (let i = 0; i < issuerIds.length; i += CHUNK) {
      const ids = issuerIds.slice(i, i + CHUNK);
      const counts = await selectRows<{ issuer_id: Num; flagged: Num; joint: Num }>(
        tx,
        `SELECT d.issuer_id,
                SUM(CASE WHEN ${FLAGGED('d')} THEN 1 ELSE 0 END) AS flagged,
                SUM(CASE WHEN d.kind = 'inspection' AND EXISTS (SELECT 1 FROM demand_joint_issuers j WHERE j.demand_id = d.id) THEN 1 ELSE 0 END) AS joint
           FROM demands d
          WHERE d.issuer_id IN (${marks(ids.length)}) AND d.lands_on >= ? AND d.lands_on <= ?
          GROUP BY d.issuer_id`,
        [...ids, from, to],
      );
      const reached = await selectRows<{ issuer_id: Num; n: Num }>(
        tx,
        `SELECT d.issuer_id, COUNT(DISTINCT t.unit_id) AS n
           FROM demands d JOIN demand_targets t ON t.demand_id = d.id
          WHERE d.issuer_id IN (${marks(ids.length)}) AND d.lands_on >= ? AND d.lands_on <= ?
          GROUP BY d.issuer_id`,
        [...ids, from, to],
      );
      const targets = new Map(reached.map((r) => [toInt(r.issuer_id), toInt(r.n)]));
      for (const r of counts) {
        const id = toInt(r.issuer_id);
        out.set(id, { flagged: toInt(r.flagged), jointInspections: toInt(r.joint), targetsReached: targets.get(id) ?? 0 });
      }
    }
    return out;
  }

  /**
   * Plan execution of these issuers for a year and months: the items of the version in force
   * planned in those months, and how many of them a demand of the issuer carried out — a demand
   * linked (plan_item_id) to a row of any version of the plan with the same item key, that landed
   * at least once (one cancelled before landing carried nothing out). Issuers without an
   * approved plan are absent.
   */
  async planExecution(tx: Tx, issuerIds: readonly number[], year: number, firstMonth: string, lastMonth: string): Promise<Map<number, PlanExecution>> {
    const out = new Map<number, PlanExecution>();
    for (let i = 0; i < issuerIds.length; i += CHUNK) {
      const ids = issuerIds.slice(i, i + CHUNK);
      const rows = await selectRows<{
        issuer_id: Num;
        version: Num;
        planned: Num;
        carried: Num;
      }>(
        tx,
        `SELECT p.issuer_id, p.version,
                SUM(CASE WHEN i.planned_month >= ? AND i.planned_month <= ? THEN 1 ELSE 0 END) AS planned,
                SUM(CASE WHEN i.planned_month >= ? AND i.planned_month <= ? AND EXISTS (
                      SELECT 1 FROM inspection_plans lp
                        JOIN inspection_plan_items li ON li.plan_id = lp.id AND li.item_key = i.item_key
                        JOIN demands d ON d.plan_item_id = li.id AND d.issuer_id = lp.issuer_id
                       WHERE lp.issuer_id = p.issuer_id AND lp.year = p.year
                         AND EXISTS (SELECT 1 FROM demand_occurrences o WHERE o.demand_id = d.id))
                    THEN 1 ELSE 0 END) AS carried
           FROM inspection_plans p LEFT JOIN inspection_plan_items i ON i.plan_id = p.id
          WHERE p.year = ? AND p.issuer_id IN (${marks(ids.length)}) AND ${planInForce('p')}
          GROUP BY p.issuer_id, p.version`,
        [firstMonth, lastMonth, firstMonth, lastMonth, year, ...ids],
      );
      for (const r of rows)
        out.set(toInt(r.issuer_id), {
          version: toInt(r.version),
          planned: toInt(r.planned),
          carriedOut: toInt(r.carried),
        });
    }
    return out;
  }
}
