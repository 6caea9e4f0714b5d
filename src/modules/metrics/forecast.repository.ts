import { Injectable } from '@nestjs/common';
import type { Level } from '@/common/auth/actor';
import { selectRows, toInt, Tx } from '@/database/dialect';
import { planInForce } from './plan-in-force';

type Num = number | string;

/** An item of an approved plan in force that reaches the unit, with the visits already registered there. */
export interface PlannedItemOnUnit {
  itemId: number;
  itemKey: string;
  title: string;
  topic: string;
  plannedMonth: string;
  onSiteDays: number;
  /** Planned visits to each target unit. */
  visits: number;
  /** Landings on the unit of the issuer's demands linked to this item (any version of it, by key). */
  registeredVisits: number;
  issuer: { id: number; code: string; name: string; path: string };
  planVersion: number;
}

interface ItemRow {
  id: Num;
  item_key: string;
  title: string;
  topic_code: string;
  planned_month: string;
  on_site_days: Num;
  visits: Num;
  carried: Num | null;
  issuer_id: Num;
  issuer_code: string;
  issuer_name: string;
  issuer_path: string;
  version: Num;
}

const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** `/53/5325/532503/` → the paths of the unit and of each ancestor. */
function selfAndAncestors(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  return parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}/`);
}

/** What the forecast of one unit reads besides the rollups: inspection landings and the plan items reaching it. */
@Injectable()
export class ForecastRepository {
  /**
   * Inspections landing on the unit per month (each landing one, as INSPECTION_QUOTA counts them),
   * leaving out an inspection passed on (parentDemandId) from another inspection that reaches the
   * unit too: that is the same visit handed down.
   */
  async inspectionLandings(tx: Tx, unitId: number, months: readonly string[]): Promise<Map<string, number>> {
    if (months.length === 0) return new Map();
    const rows = await selectRows<{ month: string; n: Num }>(
      tx,
      `SELECT o.month, SUM(o.occurrences) AS n
         FROM demand_targets t
         JOIN demands d ON d.id = t.demand_id AND d.kind = 'inspection'
         JOIN demand_occurrences o ON o.demand_id = d.id
        WHERE t.unit_id = ? AND o.month IN (${marks(months.length)})
          AND NOT EXISTS (SELECT 1 FROM demands pd JOIN demand_targets pt ON pt.demand_id = pd.id AND pt.unit_id = t.unit_id
                           WHERE pd.id = d.parent_demand_id AND pd.kind = 'inspection')
        GROUP BY o.month`,
      [unitId, ...months],
    );
    return new Map(rows.map((r) => [r.month, toInt(r.n)]));
  }

  /**
   * Items of the plans in force for `year`, planned in one of `months`, that reach the unit: it
   * is listed in the item's targetUnitIds, or the item names only a target level, the unit's,
   * and the unit lies in the issuer's jurisdiction. Only issuers whose jurisdiction holds the
   * unit can reach it, so the plans read are those of its ancestors and their departments.
   */
  async plannedItemsReaching(
    tx: Tx,
    unit: {
      id: number;
      path: string;
      level: Level;
      kind: 'area' | 'department';
    },
    year: number,
    months: readonly string[],
  ): Promise<PlannedItemOnUnit[]> {
    // Plans target area units only.
    if (unit.kind !== 'area' || months.length === 0) return [];
    const paths = selfAndAncestors(unit.path);
    const rows = await selectRows<ItemRow>(
      tx,
      `SELECT i.id, i.item_key, i.title, i.topic_code, i.planned_month, i.on_site_days, i.visits,
              p.issuer_id, u.code AS issuer_code, u.name AS issuer_name, u.path AS issuer_path, p.version,
              (SELECT SUM(o.occurrences)
                 FROM inspection_plans lp
                 JOIN inspection_plan_items li ON li.plan_id = lp.id AND li.item_key = i.item_key
                 JOIN demands d ON d.plan_item_id = li.id AND d.issuer_id = lp.issuer_id
                 JOIN demand_targets t ON t.demand_id = d.id AND t.unit_id = ?
                 JOIN demand_occurrences o ON o.demand_id = d.id
                WHERE lp.issuer_id = p.issuer_id AND lp.year = p.year) AS carried
         FROM inspection_plans p
         JOIN inspection_plan_items i ON i.plan_id = p.id
         JOIN org_units u ON u.id = p.issuer_id
        WHERE p.year = ? AND ${planInForce('p')}
          AND p.issuer_id IN (SELECT a.id FROM org_units a WHERE a.path IN (${marks(paths.length)})
                              UNION SELECT dep.id FROM org_units dep JOIN org_units a ON a.id = dep.parent_id
                                     WHERE dep.kind = 'department' AND a.path IN (${marks(paths.length)}))
          AND i.planned_month IN (${marks(months.length)})
          AND ((i.target_unit_ids IS NOT NULL AND (',' || REPLACE(REPLACE(i.target_unit_ids, '[', ''), ']', '') || ',') LIKE ?)
               OR (i.target_unit_ids IS NULL AND i.target_level = ?))
        ORDER BY i.planned_month, u.code, i.item_key`,
      // target_unit_ids is a JSON array of ids written by JSON.stringify: "[12,34]" → ",12,34," holds ",12,".
      [unit.id, year, ...paths, ...paths, ...months, `%,${unit.id},%`, unit.level],
    );
    return rows.map((r) => ({
      itemId: toInt(r.id),
      itemKey: r.item_key,
      title: r.title,
      topic: r.topic_code,
      plannedMonth: r.planned_month,
      onSiteDays: toInt(r.on_site_days),
      visits: toInt(r.visits),
      registeredVisits: toInt(r.carried),
      issuer: {
        id: toInt(r.issuer_id),
        code: r.issuer_code,
        name: r.issuer_name,
        path: r.issuer_path,
      },
      planVersion: toInt(r.version),
    }));
  }
}
