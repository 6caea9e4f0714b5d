import { Injectable } from '@nestjs/common';
import type { BurdenScope } from '@/common/events/domain-events';
import type { FreshBurdenTally } from '@/common/events/fresh-burden';
import { DatabaseKind, databaseKind, execute, lockWriters, selectRows, subtreeCondition, subtreeParams, toInt, Tx } from '@/database/dialect';
import { addBurdenSums, BurdenSums, DUPLICATE_SHARE_RULES, EXCESS_SHARE_RULES, NO_BURDEN, Period } from './calculators';

/** The Standard Cost Model sums of a unit over months (integer minutes), as stored, with the occurrences counted. */
export interface RollupSums extends BurdenSums {
  occurrences: number;
  /** Minutes of shadow-demand reports (already inside reported, burden and hidden). */
  shadowMinutes: number;
}

export interface UnitMonthBurden extends RollupSums {
  unitId: number;
  month: string;
}

interface SumsRow {
  unit_id: number | string;
  month: string;
  occurrences: number | string;
  estimated_minutes: number | string;
  reported_minutes: number | string;
  burden_minutes: number | string;
  hidden_minutes: number | string;
  duplicate_minutes: number | string;
  excess_minutes: number | string;
  shadow_minutes: number | string;
}

export interface IssuerMonthRow {
  issuerId: number;
  landsMonth: string;
  month: string;
  minutes: number;
  demands: number;
  cancelled: number;
  inspections: number;
  /** Demands with a standing flag (on the count row: landing month = month), as `demand_flagged` counts them. */
  flagged: number;
}

/** An issuer's sums over a year (`2026`) or a quarter (`2026-Q3`): its month rows with both months inside it. */
export interface IssuerPeriodRow {
  issuerId: number;
  period: string;
  minutes: number;
  demands: number;
  cancelled: number;
  inspections: number;
  flagged: number;
}

const ISSUER_COLUMNS = ['minutes', 'demands', 'cancelled', 'inspections', 'flagged'] as const;

/** SQL: the demand carries a flag that still stands (DESIGN §5: any state but dismissed and withdrawn), OBJECTION aside. */
export const FLAGGED = (demand: string): string =>
  `EXISTS (SELECT 1 FROM flags f WHERE f.demand_id = ${demand}.id AND f.rule_code <> 'OBJECTION' AND f.status NOT IN ('dismissed', 'withdrawn'))`;

/** SQL: the `demand_flagged` row `s` says what its demand is now: flagged, of that issuer, landing in that month. */
const countedAsNow = (s: string): string =>
  `EXISTS (SELECT 1 FROM demands cd WHERE cd.id = ${s}.demand_id AND cd.issuer_id = ${s}.issuer_id AND substr(cd.lands_on, 1, 7) = ${s}.lands_month AND ${FLAGGED('cd')})`;

/** Demands whose `demand_flagged` row to reconcile: an id list, or an IN (SELECT …) of a rebuild's months. */
interface FlaggedSelection {
  /** What goes inside `IN (…)`. */
  ids: string;
  params: readonly unknown[];
}

/** SQL: the quarter (`2026-Q3`) of a `YYYY-MM` column, on both databases. */
const quarterSql = (month: string): string => `substr(${month}, 1, 4) || '-Q' || CAST((CAST(substr(${month}, 6, 2) AS INTEGER) + 2) / 3 AS VARCHAR(1))`;

/**
 * `SELECT issuer_id, period, sums` of issuer month rows (a table, or a parenthesised SELECT of
 * its columns) summed into years and quarters: a row counts in the year and the quarter that hold
 * both its landing month and its month.
 */
function issuerPeriodsSql(rows: string): string {
  const sums = ISSUER_COLUMNS.map((c) => `SUM(${c})`).join(', ');
  const columns = ISSUER_COLUMNS.join(', ');
  return `SELECT issuer_id, period, ${sums} FROM (
      SELECT issuer_id, substr(lands_month, 1, 4) AS period, ${columns} FROM ${rows} y WHERE substr(lands_month, 1, 4) = substr(month, 1, 4)
      UNION ALL
      SELECT issuer_id, ${quarterSql('lands_month')} AS period, ${columns} FROM ${rows} q WHERE ${quarterSql('lands_month')} = ${quarterSql('month')}) p
    WHERE true GROUP BY issuer_id, period`;
}

const COLUMNS = ['occurrences', 'estimated_minutes', 'reported_minutes', 'burden_minutes', 'hidden_minutes', 'duplicate_minutes', 'excess_minutes', 'shadow_minutes'] as const;

/** Statuses whose findings count in the duplicate and excess shares (DESIGN §5). */
const COUNTED = `f.status NOT IN ('dismissed', 'withdrawn')`;
const quoted = (codes: readonly string[]): string => codes.map((c) => `'${c.replace(/'/g, '')}'`).join(', ');

/** Which cells a contribution covers: demands (by id list or all), shadow reports, months. */
interface Selection {
  demands: { ids: readonly number[] } | 'all' | 'none';
  unitId?: number;
  shadow: { ids: readonly number[] } | 'all' | 'none';
  months?: readonly string[];
}

const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
const CHUNK = 400;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/**
 * The rollups of metrics: one row per unit and month (DESIGN §5), changed by adding and taking out
 * contributions set-based. A contribution of a demand is, for every target and month it lands in,
 * occurrences × the target's estimate, the unit's current report of that month (reported, and
 * burden = reported if reported else estimated, hidden = the excess of reported over estimated),
 * and the burden again under duplicate or excess flags; a report of a month the demand no longer
 * lands in counts as reported, burden and hidden; a shadow report counts as all three.
 */
@Injectable()
export class RollupRepository {
  /** Adds (sign 1) or takes out (sign −1) the contribution of a scope, inside the caller's transaction. */
  async apply(tx: Tx, scope: readonly BurdenScope[], sign: 1 | -1): Promise<void> {
    // PostgreSQL: every write appends to the audit chain, whose head it locks. Taking that lock
    // before any rollup or flag row (even with nothing to adjust: a flag review then locks in the
    // same order as a demand edit) keeps one lock order for all writers, so a write that adjusts
    // rollups before its audit entry cannot deadlock with one that audited first.
    await lockWriters(tx);
    if (scope.length === 0) return;
    for (const part of scope) {
      if ('shadowReportIds' in part) {
        for (const ids of chunks(part.shadowReportIds)) await this.upsert(tx, { demands: 'none', shadow: { ids } }, sign);
      } else if (part.fresh && sign === 1 && part.unitId === undefined) {
        await this.addFresh(tx, part.fresh);
      } else {
        for (const ids of chunks(part.demandIds)) {
          await this.upsert(tx, { demands: { ids }, unitId: part.unitId, shadow: 'none' }, sign);
          // What the issuer imposes changes only with the demand itself (its targets, occurrences, status).
          if (part.unitId === undefined) await this.upsertIssuers(tx, { ids }, sign);
        }
      }
    }
  }

  private async upsertIssuers(tx: Tx, demands: { ids: readonly number[] }, sign: 1 | -1): Promise<void> {
    const { sql, params } = issuerContributionSql(demands, sign);
    const set = (table: string) => ISSUER_COLUMNS.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(', ');
    await execute(tx, `INSERT INTO issuer_month_burden (issuer_id, lands_month, month, ${ISSUER_COLUMNS.join(', ')}) ${sql} ON CONFLICT (issuer_id, lands_month, month) DO UPDATE SET ${set('issuer_month_burden')}`, params);
    // The same contribution summed into the year and quarter rows.
    await execute(
      tx,
      `INSERT INTO issuer_period_burden (issuer_id, period, ${ISSUER_COLUMNS.join(', ')}) ${issuerPeriodsSql(`(${sql})`)} ON CONFLICT (issuer_id, period) DO UPDATE SET ${set('issuer_period_burden')}`,
      [...params, ...params], // the contribution appears twice: once for its years, once for its quarters
    );
  }

  /**
   * Adds the contribution of fresh demands as their writer summed it (see FreshBurdenTally): the
   * unit cells, the issuer month rows, and those summed into the issuer's years and quarters (a
   * row counts in the year and the quarter that hold both its landing month and its month, as
   * `issuerPeriodsSql` sums them), each in multi-row upserts.
   */
  private async addFresh(tx: Tx, fresh: FreshBurdenTally): Promise<void> {
    const units = new Upserts(tx, 'unit_month_burden', ['unit_id', 'month'], COLUMNS);
    for (const c of fresh.unitCells()) await units.add([c.unitId, c.month, c.occurrences, c.estimatedMinutes, 0, c.estimatedMinutes, 0, 0, 0, 0]);
    await units.finish();
    const issuers = new Upserts(tx, 'issuer_month_burden', ['issuer_id', 'lands_month', 'month'], ISSUER_COLUMNS);
    const periods = new Map<string, [number, number, number]>();
    for (const c of fresh.issuerCells()) {
      // A fresh demand has no finding: nothing flagged (flags.changed moves it once the rules raise one).
      await issuers.add([c.issuerId, c.landsMonth, c.month, c.minutes, c.demands, 0, c.inspections, 0]);
      const year = c.month.slice(0, 4);
      const quarter = quarterOf(c.month);
      const inPeriods = [c.landsMonth.slice(0, 4) === year ? year : null, quarterOf(c.landsMonth) === quarter ? quarter : null];
      for (const period of inPeriods) {
        if (period === null) continue;
        const key = `${c.issuerId}|${period}`;
        const sums = periods.get(key) ?? [0, 0, 0];
        sums[0] += c.minutes;
        sums[1] += c.demands;
        sums[2] += c.inspections;
        periods.set(key, sums);
      }
    }
    await issuers.finish();
    const issuerPeriods = new Upserts(tx, 'issuer_period_burden', ['issuer_id', 'period'], ISSUER_COLUMNS);
    for (const [key, [minutes, demands, inspections]] of periods) {
      const [issuer, period] = key.split('|');
      await issuerPeriods.add([Number(issuer), period, minutes, demands, 0, inspections, 0]);
    }
    await issuerPeriods.finish();
  }

  /**
   * Brings the issuers' flagged counts in line with the flags of these demands (and of the demands
   * of these flags), inside the caller's transaction, after its flag writes: called for every
   * write that raises a flag or moves one in or out of the standing states, and for a demand whose
   * landing moved. Each demand's `demand_flagged` row says where it was counted; a row that no
   * longer says what the demand is now comes out there, a flagged demand without one goes in
   * where it lands now, and the month count rows, years and quarters move by the difference.
   * Idempotent (a second call finds nothing to move); set-based, per chunk of 400 demands.
   */
  async refreshFlagged(tx: Tx, demandIds: readonly number[], flagIds: readonly number[] = []): Promise<void> {
    const ids = new Set(demandIds);
    for (const chunk of chunks(flagIds)) {
      const rows = await selectRows<{ demand_id: number | string }>(tx, `SELECT DISTINCT demand_id FROM flags WHERE id IN (${marks(chunk.length)}) AND demand_id IS NOT NULL`, chunk);
      for (const r of rows) ids.add(toInt(r.demand_id));
    }
    if (ids.size === 0) return;
    // The writers' lock, as every writer takes it (see apply). Writers that move existing flags take
    // it before (an edit, cancel, review or link through its burden bracket, an evaluation batch
    // through its stale mark); a batch whose flags have no demand (budgets, shadow reports) takes
    // none, and must not take it here, after its flag rows: it returned above.
    await lockWriters(tx);
    for (const chunk of chunks([...ids].sort((a, b) => a - b))) await this.reconcileFlagged(tx, { ids: marks(chunk.length), params: chunk });
  }

  /**
   * See refreshFlagged. The demands whose row does not say what they are now are found first, in
   * one statement (usually none: a write that changed no finding, most demands of a rebuilt
   * month), and only theirs are moved.
   */
  private async reconcileFlagged(tx: Tx, selection: FlaggedSelection): Promise<void> {
    const p = selection.params;
    const changed = await selectRows<{ id: number | string }>(
      tx,
      `SELECT s.demand_id AS id FROM demand_flagged s WHERE s.demand_id IN (${selection.ids}) AND NOT ${countedAsNow('s')}
       UNION
       SELECT d.id FROM demands d
        WHERE d.id IN (${selection.ids}) AND ${FLAGGED('d')}
          AND NOT EXISTS (SELECT 1 FROM demand_flagged s WHERE s.demand_id = d.id AND s.issuer_id = d.issuer_id AND s.lands_month = substr(d.lands_on, 1, 7))`,
      [...p, ...p],
    );
    for (const ids of chunks(changed.map((r) => toInt(r.id)))) await this.moveFlagged(tx, ids);
  }

  /** The counts move by the difference first (month rows, then years and quarters), then the `demand_flagged` rows of these demands follow. */
  private async moveFlagged(tx: Tx, ids: readonly number[]): Promise<void> {
    const list = marks(ids.length);
    const delta = `(SELECT issuer_id, lands_month, lands_month AS month, 0 AS minutes, 0 AS demands, 0 AS cancelled, 0 AS inspections, SUM(n) AS flagged FROM (
        SELECT s.issuer_id AS issuer_id, s.lands_month AS lands_month, -1 AS n FROM demand_flagged s WHERE s.demand_id IN (${list}) AND NOT ${countedAsNow('s')}
        UNION ALL
        SELECT d.issuer_id, substr(d.lands_on, 1, 7), 1 FROM demands d
         WHERE d.id IN (${list}) AND ${FLAGGED('d')}
           AND NOT EXISTS (SELECT 1 FROM demand_flagged s WHERE s.demand_id = d.id AND s.issuer_id = d.issuer_id AND s.lands_month = substr(d.lands_on, 1, 7))) x
      WHERE true GROUP BY issuer_id, lands_month HAVING SUM(n) <> 0)`;
    const columns = ISSUER_COLUMNS.join(', ');
    const set = (table: string) => ISSUER_COLUMNS.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(', ');
    await execute(tx, `INSERT INTO issuer_month_burden (issuer_id, lands_month, month, ${columns}) SELECT * FROM ${delta} m WHERE true ON CONFLICT (issuer_id, lands_month, month) DO UPDATE SET ${set('issuer_month_burden')}`, [...ids, ...ids]);
    await execute(tx, `INSERT INTO issuer_period_burden (issuer_id, period, ${columns}) ${issuerPeriodsSql(delta)} ON CONFLICT (issuer_id, period) DO UPDATE SET ${set('issuer_period_burden')}`, [...ids, ...ids, ...ids, ...ids]);
    await execute(tx, `DELETE FROM demand_flagged WHERE demand_id IN (${list}) AND NOT ${countedAsNow('demand_flagged')}`, [...ids]);
    await execute(
      tx,
      `INSERT INTO demand_flagged (demand_id, issuer_id, lands_month)
       SELECT d.id, d.issuer_id, substr(d.lands_on, 1, 7) FROM demands d
        WHERE d.id IN (${list}) AND ${FLAGGED('d')} AND NOT EXISTS (SELECT 1 FROM demand_flagged s WHERE s.demand_id = d.id)`,
      [...ids],
    );
  }

  /** Rebuilds the rows of these months (all months when none given) from the ledger, set-based. */
  async recompute(tx: Tx, months?: readonly string[]): Promise<number> {
    if (months?.length === 0) return 0;
    // The writers' lock first (see apply): a write cannot slip a row in between the delete and the
    // insert, and two rebuilds of one month run one after the other.
    await lockWriters(tx);
    // The flagged demands first, set-based. Only a demand crossing the border of these months
    // (counted outside them and landing in them now, or the other way round) moves a count that
    // lies outside them; the rows of the demands counted in these months are then dropped and
    // refilled from the flags, and the count rows of these months rebuilt from them with the rest
    // (moving every changed demand in chunks instead made a province rebuild after an evaluation
    // 2.35 × the GROUP BY, bench/README).
    if (months) {
      const landsIn = (d: string) => months.map(() => `(${d}.lands_on >= ? AND ${d}.lands_on <= ?)`).join(' OR ');
      const bounds = months.flatMap((m) => [`${m}-01`, `${m}-31`]);
      const inMonths = marks(months.length);
      await this.reconcileFlagged(tx, {
        ids: `SELECT ls.demand_id FROM demand_flagged ls JOIN demands lo ON lo.id = ls.demand_id WHERE ls.lands_month IN (${inMonths}) AND NOT (${landsIn('lo')})
              UNION SELECT li.id FROM demands li JOIN demand_flagged lx ON lx.demand_id = li.id WHERE (${landsIn('li')}) AND lx.lands_month NOT IN (${inMonths})`,
        params: [...months, ...bounds, ...bounds, ...months],
      });
      await execute(tx, `DELETE FROM demand_flagged WHERE lands_month IN (${inMonths})`, [...months]);
      await execute(
        tx,
        `INSERT INTO demand_flagged (demand_id, issuer_id, lands_month)
         SELECT d.id, d.issuer_id, substr(d.lands_on, 1, 7) FROM demands d
          WHERE (${landsIn('d')}) AND ${FLAGGED('d')} AND NOT EXISTS (SELECT 1 FROM demand_flagged s WHERE s.demand_id = d.id)`,
        bounds,
      );
    } else {
      await execute(tx, 'DELETE FROM demand_flagged');
      await execute(tx, `INSERT INTO demand_flagged (demand_id, issuer_id, lands_month) SELECT d.id, d.issuer_id, substr(d.lands_on, 1, 7) FROM demands d WHERE ${FLAGGED('d')}`);
    }
    const where = months ? `WHERE month IN (${marks(months.length)})` : '';
    await execute(tx, `DELETE FROM unit_month_burden ${where}`, months ? [...months] : []);
    await this.insertMonthRows(tx, months);
    // The year and quarter rows follow the month rows: the old rows of these months out, the new ones in.
    if (months) await this.addToIssuerPeriods(tx, months, -1);
    await execute(tx, `DELETE FROM issuer_month_burden ${where}`, months ? [...months] : []);
    const issuers = issuerContributionSql({ months }, 1);
    await execute(tx, `INSERT INTO issuer_month_burden (issuer_id, lands_month, month, ${ISSUER_COLUMNS.join(', ')}) ${issuers.sql}`, issuers.params);
    if (months) await this.addToIssuerPeriods(tx, months, 1);
    else {
      await execute(tx, 'DELETE FROM issuer_period_burden');
      await execute(tx, `INSERT INTO issuer_period_burden (issuer_id, period, ${ISSUER_COLUMNS.join(', ')}) ${issuerPeriodsSql('issuer_month_burden')}`);
    }
    const [row] = await selectRows<{ n: number | string }>(tx, `SELECT COUNT(*) AS n FROM unit_month_burden ${where}`, months ? [...months] : []);
    return toInt(row?.n);
  }

  /**
   * The unit × month rows of these months (all when none given) from the ledger. On SQLite the
   * standing flags go to a temporary table keyed by (demand, unit) first: joined as a CTE, SQLite
   * builds a throwaway index over them for each of its four joins, which made a province month's
   * insert take a quarter longer. The table lives in this transaction only.
   */
  private async insertMonthRows(tx: Tx, months: readonly string[] | undefined): Promise<void> {
    const insert = `INSERT INTO unit_month_burden (unit_id, month, ${COLUMNS.join(', ')})`;
    if (databaseKind(tx) !== 'sqlite') {
      const contribution = contributionSql({ demands: 'all', shadow: 'all', months }, 1, 'postgres');
      const { prefix, params } = withStandingCte(contribution);
      await execute(tx, `${prefix}${insert} ${contribution.sql}`, params);
      return;
    }
    const contribution = contributionSql({ demands: 'all', shadow: 'all', months }, 1, 'sqlite', 'temp.rollup_standing');
    await execute(tx, 'CREATE TEMP TABLE rollup_standing (demand_id INTEGER NOT NULL, unit_id INTEGER NOT NULL, dup INTEGER NOT NULL, exc INTEGER NOT NULL, PRIMARY KEY (demand_id, unit_id)) WITHOUT ROWID');
    // No finally: a failure rolls the transaction back, and the table's creation with it.
    if (contribution.standing) await execute(tx, `INSERT INTO temp.rollup_standing (demand_id, unit_id, dup, exc) ${contribution.standing.select}`, contribution.standing.params);
    await execute(tx, `${insert} ${contribution.sql}`, contribution.params);
    await execute(tx, 'DROP TABLE temp.rollup_standing');
  }

  /**
   * Adds (1) or takes out (−1) the issuer month rows of these months from the year and quarter
   * rows: set-based over those months' rows only (a province month: ~16k rows), not the year's.
   * The period rows equal the sums of the month rows before and after every transaction (the
   * migration filled them so, every write and rebuild moves both), so a rebuild of one month keeps
   * them equal by taking its old rows out before it deletes them and putting its new rows in.
   */
  private async addToIssuerPeriods(tx: Tx, months: readonly string[], sign: 1 | -1): Promise<void> {
    const k = sign === 1 ? '' : '-';
    const rows = `(SELECT issuer_id, lands_month, month, ${ISSUER_COLUMNS.map((c) => `${k}${c} AS ${c}`).join(', ')} FROM issuer_month_burden WHERE month IN (${marks(months.length)}))`;
    const set = ISSUER_COLUMNS.map((c) => `${c} = issuer_period_burden.${c} + excluded.${c}`).join(', ');
    await execute(
      tx,
      `INSERT INTO issuer_period_burden (issuer_id, period, ${ISSUER_COLUMNS.join(', ')}) ${issuerPeriodsSql(rows)} ON CONFLICT (issuer_id, period) DO UPDATE SET ${set}`,
      [...months, ...months],
    );
  }

  /** Every non-empty year and quarter row in key order: what the incremental and full paths are compared on. */
  async allIssuerPeriodRows(tx: Tx): Promise<IssuerPeriodRow[]> {
    const rows = await selectRows<{ issuer_id: number | string; period: string; minutes: number | string; demands: number | string; cancelled: number | string; inspections: number | string; flagged: number | string }>(
      tx,
      `SELECT issuer_id, period, ${ISSUER_COLUMNS.join(', ')} FROM issuer_period_burden
        WHERE ${ISSUER_COLUMNS.map((c) => `${c} <> 0`).join(' OR ')} ORDER BY issuer_id, period`,
    );
    return rows.map((r) => ({
      issuerId: toInt(r.issuer_id),
      period: r.period,
      minutes: toInt(r.minutes),
      demands: toInt(r.demands),
      cancelled: toInt(r.cancelled),
      inspections: toInt(r.inspections),
      flagged: toInt(r.flagged),
    }));
  }

  /**
   * SQL of the sums per issuing office under `path` with demands landing in the period (columns
   * issuer_id, demands, cancelled, inspections, minutes, flagged): the demands landing in it (all,
   * cancelled since, inspections, with a standing flag) and the minutes they impose on their
   * targets in it. For a caller to sort, page or join around.
   */
  issuerSumsSql(path: string, period: Pick<Period, 'period' | 'granularity' | 'months'>): { sql: string; params: unknown[] } {
    if (period.granularity !== 'month') {
      // A year or a quarter: one row per office, summed as the writes went (issuer_period_burden).
      return {
        sql: `SELECT b.issuer_id, b.demands, b.cancelled, b.inspections, b.minutes, b.flagged
                FROM org_units u CROSS JOIN issuer_period_burden b
               WHERE b.issuer_id = u.id AND b.period = ? AND ${subtreeCondition('u.path')} AND b.demands > 0`,
        params: [period.period, ...subtreeParams(path)],
      };
    }
    const [month] = period.months;
    return {
      // From the subtree's units (CROSS JOIN keeps that order on SQLite), then each one's rows by
      // key; the count rows sit on the landing month, inside the period whenever the landing is.
      sql: `SELECT b.issuer_id, SUM(b.demands) AS demands, SUM(b.cancelled) AS cancelled, SUM(b.inspections) AS inspections, SUM(b.minutes) AS minutes, SUM(b.flagged) AS flagged
              FROM org_units u CROSS JOIN issuer_month_burden b
             WHERE b.issuer_id = u.id AND b.lands_month = ? AND b.month = ? AND ${subtreeCondition('u.path')}
             GROUP BY b.issuer_id
            HAVING SUM(b.demands) > 0`,
      params: [month, month, ...subtreeParams(path)],
    };
  }

  /** Every non-empty issuer row in key order: what the incremental and full paths are compared on. */
  async allIssuerRows(tx: Tx): Promise<IssuerMonthRow[]> {
    const rows = await selectRows<{ issuer_id: number | string; lands_month: string; month: string; minutes: number | string; demands: number | string; cancelled: number | string; inspections: number | string; flagged: number | string }>(
      tx,
      `SELECT issuer_id, lands_month, month, ${ISSUER_COLUMNS.join(', ')} FROM issuer_month_burden
        WHERE ${ISSUER_COLUMNS.map((c) => `${c} <> 0`).join(' OR ')} ORDER BY issuer_id, lands_month, month`,
    );
    return rows.map((r) => ({
      issuerId: toInt(r.issuer_id),
      landsMonth: r.lands_month,
      month: r.month,
      minutes: toInt(r.minutes),
      demands: toInt(r.demands),
      cancelled: toInt(r.cancelled),
      inspections: toInt(r.inspections),
      flagged: toInt(r.flagged),
    }));
  }

  /** Every month the ledger or the rollups hold, in order (what a full rebuild covers). */
  async monthsInLedger(tx: Tx): Promise<string[]> {
    const rows = await selectRows<{ month: string }>(
      tx,
      `SELECT DISTINCT month FROM demand_occurrences UNION SELECT DISTINCT month FROM burden_reports UNION SELECT DISTINCT month FROM unit_month_burden
       UNION SELECT DISTINCT substr(lands_on, 1, 7) AS month FROM demands UNION SELECT DISTINCT month FROM issuer_month_burden ORDER BY month`,
    );
    return rows.map((r) => r.month);
  }

  /** The sums of one unit over these months (zeros when it has no row). */
  async sumsOfUnit(tx: Tx, unitId: number, months: readonly string[]): Promise<RollupSums> {
    const rows = await this.sumsOfUnits(tx, [unitId], months);
    return rows.get(unitId) ?? zeroSums();
  }

  /** The sums of each unit over these months; units without rows are absent. */
  async sumsOfUnits(tx: Tx, unitIds: readonly number[], months: readonly string[]): Promise<Map<number, RollupSums>> {
    const out = new Map<number, RollupSums>();
    if (months.length === 0) return out;
    for (const ids of chunks(unitIds)) {
      const rows = await selectRows<SumsRow>(
        tx,
        `SELECT unit_id, '' AS month, ${COLUMNS.map((c) => `SUM(${c}) AS ${c}`).join(', ')} FROM unit_month_burden
          WHERE unit_id IN (${marks(ids.length)}) AND month IN (${marks(months.length)}) GROUP BY unit_id`,
        [...ids, ...months],
      );
      for (const row of rows) out.set(toInt(row.unit_id), sumsOf(row));
    }
    return out;
  }

  /** One unit's rows month by month (months without a row are absent). */
  async monthsOfUnit(tx: Tx, unitId: number, months: readonly string[]): Promise<UnitMonthBurden[]> {
    if (months.length === 0) return [];
    const rows = await selectRows<SumsRow>(
      tx,
      `SELECT unit_id, month, ${COLUMNS.join(', ')} FROM unit_month_burden WHERE unit_id = ? AND month IN (${marks(months.length)}) ORDER BY month`,
      [unitId, ...months],
    );
    return rows.map(rowOf);
  }

  /** Every non-empty row in (unit, month) order: what the incremental and full paths are compared on. */
  async allRows(tx: Tx): Promise<UnitMonthBurden[]> {
    const rows = await selectRows<SumsRow>(
      tx,
      `SELECT unit_id, month, ${COLUMNS.join(', ')} FROM unit_month_burden WHERE ${COLUMNS.map((c) => `${c} <> 0`).join(' OR ')} ORDER BY unit_id, month`,
    );
    return rows.map(rowOf);
  }

  private async upsert(tx: Tx, selection: Selection, sign: 1 | -1): Promise<void> {
    const contribution = contributionSql(selection, sign, databaseKind(tx));
    const { prefix, params } = withStandingCte(contribution);
    const set = COLUMNS.map((c) => `${c} = unit_month_burden.${c} + excluded.${c}`).join(', ');
    await execute(tx, `${prefix}INSERT INTO unit_month_burden (unit_id, month, ${COLUMNS.join(', ')}) ${contribution.sql} ON CONFLICT (unit_id, month) DO UPDATE SET ${set}`, params);
  }
}

/**
 * A contribution: the standing flags of the demands concerned (a SELECT, joined as `standing` or
 * the table given), then the sums over them. `params` are those of `sql`, after the standing's.
 */
interface Contribution {
  standing: { select: string; params: unknown[] } | null;
  sql: string;
  params: unknown[];
}

/** The contribution in one statement: the standing flags as a materialised CTE (`prefix`, put before the INSERT), then `c.sql`; all its parameters. */
function withStandingCte(c: Contribution): { prefix: string; params: unknown[] } {
  return c.standing ? { prefix: `WITH standing AS MATERIALIZED (${c.standing.select}) `, params: [...c.standing.params, ...c.params] } : { prefix: '', params: c.params };
}

/** `SELECT unit_id, month, <sums × sign> … WHERE true` over the selection, grouped by unit and month. */
function contributionSql(s: Selection, sign: 1 | -1, kind: DatabaseKind, standingTable = 'standing'): Contribution {
  const parts: string[] = [];
  const params: unknown[] = [];
  const months = (column: string): string => {
    if (!s.months) return '';
    params.push(...s.months);
    return ` AND ${column} IN (${marks(s.months.length)})`;
  };
  const demandFilter = (column: string, unitColumn: string): string => {
    let sql: string;
    if (s.demands === 'all') sql = `${column} IS NOT NULL`;
    else if (s.demands === 'none') sql = '1 = 0';
    else {
      sql = `${column} IN (${marks(s.demands.ids.length)})`;
      params.push(...s.demands.ids);
    }
    if (s.unitId !== undefined) {
      sql += ` AND ${unitColumn} = ?`;
      params.push(s.unitId);
    }
    return sql;
  };
  // The standing flags of the demands concerned, one row per (demand, unit; 0 = the demand as a
  // whole) saying whether any of them is a duplicate or another form finding: built once and
  // joined, rather than looked up rule by rule for every cell.
  let standing: Contribution['standing'] = null;
  if (s.demands !== 'none') {
    let which: string;
    const standingParams: unknown[] = [];
    if (s.demands !== 'all') {
      which = `f.demand_id IN (${marks(s.demands.ids.length)})`;
      standingParams.push(...s.demands.ids);
    } else if (s.months) {
      which = `f.demand_id IN (SELECT o.demand_id FROM demand_occurrences o WHERE o.month IN (${marks(s.months.length)}) UNION SELECT r.demand_id FROM burden_reports r WHERE r.month IN (${marks(s.months.length)}))`;
      standingParams.push(...s.months, ...s.months);
    } else which = 'f.demand_id IS NOT NULL';
    // On SQLite the rule filter must not drive the index (demand_id, rule_code): probing it once per
    // demand and rule code took half as long again as reading each demand's few flags (a province month).
    const rule = kind === 'sqlite' ? '+f.rule_code' : 'f.rule_code';
    standing = {
      select: `SELECT f.demand_id AS demand_id, COALESCE(f.unit_id, 0) AS unit_id,
          MAX(CASE WHEN f.rule_code IN (${quoted(DUPLICATE_SHARE_RULES)}) THEN 1 ELSE 0 END) AS dup,
          MAX(CASE WHEN f.rule_code IN (${quoted(EXCESS_SHARE_RULES)}) THEN 1 ELSE 0 END) AS exc
        FROM flags f
        WHERE ${which} AND ${rule} IN (${quoted([...DUPLICATE_SHARE_RULES, ...EXCESS_SHARE_RULES])}) AND ${COUNTED}
        GROUP BY f.demand_id, COALESCE(f.unit_id, 0)`,
      params: standingParams,
    };
    const flag = (kind: 'dup' | 'exc') => `CASE WHEN COALESCE(su.${kind}, 0) = 1 OR COALESCE(sd.${kind}, 0) = 1 THEN 1 ELSE 0 END`;
    const flagsOf = (demand: string, unit: string) =>
      `LEFT JOIN ${standingTable} su ON su.demand_id = ${demand} AND su.unit_id = ${unit} LEFT JOIN ${standingTable} sd ON sd.demand_id = ${demand} AND sd.unit_id = 0`;
    // Every target and month the demand lands in, with the unit's current report of that month.
    parts.push(
      `SELECT t.unit_id AS unit_id, o.month AS month, o.occurrences AS occ, o.occurrences * t.estimated_minutes AS est, r.minutes_spent AS rep,
         ${flag('dup')} AS dup, ${flag('exc')} AS exc, 0 AS sh
       FROM demand_targets t
       JOIN demand_occurrences o ON o.demand_id = t.demand_id
       LEFT JOIN burden_reports r ON r.unit_id = t.unit_id AND r.demand_id = t.demand_id AND r.month = o.month
       ${flagsOf('t.demand_id', 't.unit_id')}
       WHERE ${demandFilter('t.demand_id', 't.unit_id')}${months('o.month')}`,
    );
    // Reports of a month the demand no longer lands in (edited or cancelled since): all reported, nothing estimated.
    parts.push(
      `SELECT r.unit_id AS unit_id, r.month AS month, 0 AS occ, 0 AS est, r.minutes_spent AS rep, ${flag('dup')} AS dup, ${flag('exc')} AS exc, 0 AS sh
       FROM burden_reports r
       ${flagsOf('r.demand_id', 'r.unit_id')}
       WHERE ${demandFilter('r.demand_id', 'r.unit_id')}${months('r.month')}
         AND NOT EXISTS (SELECT 1 FROM demand_targets t JOIN demand_occurrences o ON o.demand_id = t.demand_id AND o.month = r.month
                         WHERE t.demand_id = r.demand_id AND t.unit_id = r.unit_id)`,
    );
  }
  if (s.shadow !== 'none') {
    let filter = 'r.demand_id IS NULL';
    if (s.shadow !== 'all') {
      filter += ` AND r.id IN (${marks(s.shadow.ids.length)})`;
      params.push(...s.shadow.ids);
    }
    parts.push(`SELECT r.unit_id AS unit_id, r.month AS month, 0 AS occ, 0 AS est, r.minutes_spent AS rep, 0 AS dup, 0 AS exc, r.minutes_spent AS sh FROM burden_reports r WHERE ${filter}${months('r.month')}`);
  }
  const k = sign === 1 ? '' : '-';
  const burden = 'COALESCE(rep, est)';
  const sql = `SELECT unit_id, month, ${k}SUM(occ), ${k}SUM(est), ${k}SUM(COALESCE(rep, 0)), ${k}SUM(${burden}),
      ${k}SUM(CASE WHEN rep > est THEN rep - est ELSE 0 END), ${k}SUM(dup * ${burden}), ${k}SUM(exc * ${burden}), ${k}SUM(sh)
    FROM (${parts.join(' UNION ALL ')}) c WHERE true GROUP BY unit_id, month`;
  return { standing, sql, params };
}

/**
 * A demand's contribution to its issuer's rows: the minutes of each occurrence month on all its
 * targets, and a count row on its landing month (there even when it no longer lands at all).
 * Either for these demands, or for every demand with the rows of these months (a rebuild).
 * The flagged count of a rebuild is that of `demand_flagged` (reconciled with the flags first);
 * the contribution of a demand write leaves it alone (0): `refreshFlagged` moves it, whenever
 * a demand's flags or landing change, by what its row there says it counted.
 */
function issuerContributionSql(s: { ids: readonly number[] } | { months?: readonly string[] }, sign: 1 | -1): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  let occurrenceFilter: string;
  let landingFilter: string;
  let flaggedFilter: string | null;
  if ('ids' in s) {
    occurrenceFilter = `d.id IN (${marks(s.ids.length)})`;
    landingFilter = occurrenceFilter;
    flaggedFilter = null;
    params.push(...s.ids, ...s.ids);
  } else if (s.months) {
    occurrenceFilter = `o.month IN (${marks(s.months.length)})`;
    landingFilter = `substr(d.lands_on, 1, 7) IN (${marks(s.months.length)})`;
    flaggedFilter = `s.lands_month IN (${marks(s.months.length)})`;
    params.push(...s.months, ...s.months, ...s.months);
  } else {
    occurrenceFilter = '1 = 1';
    landingFilter = '1 = 1';
    flaggedFilter = '1 = 1';
  }
  const k = sign === 1 ? '' : '-';
  const flagged =
    flaggedFilter === null
      ? ''
      : `UNION ALL
      SELECT s.issuer_id, s.lands_month, s.lands_month, 0, 0, 0, 0, 1 FROM demand_flagged s WHERE ${flaggedFilter}`;
  const sql = `SELECT issuer_id, lands_month, month, ${k}SUM(minutes) AS minutes, ${k}SUM(demands) AS demands, ${k}SUM(cancelled) AS cancelled, ${k}SUM(inspections) AS inspections, ${k}SUM(flagged) AS flagged FROM (
      SELECT d.issuer_id AS issuer_id, substr(d.lands_on, 1, 7) AS lands_month, o.month AS month,
             o.occurrences * (SELECT COALESCE(SUM(t.estimated_minutes), 0) FROM demand_targets t WHERE t.demand_id = d.id) AS minutes,
             0 AS demands, 0 AS cancelled, 0 AS inspections, 0 AS flagged
        FROM demands d JOIN demand_occurrences o ON o.demand_id = d.id
       WHERE ${occurrenceFilter}
      UNION ALL
      SELECT d.issuer_id, substr(d.lands_on, 1, 7), substr(d.lands_on, 1, 7), 0, 1,
             CASE WHEN d.status = 'cancelled' THEN 1 ELSE 0 END, CASE WHEN d.kind = 'inspection' THEN 1 ELSE 0 END, 0
        FROM demands d
       WHERE ${landingFilter}
      ${flagged}) c WHERE true GROUP BY issuer_id, lands_month, month`;
  return { sql, params };
}

/** `2026-Q3` of `2026-07` (what `quarterSql` computes in SQL). */
function quarterOf(month: string): string {
  return `${month.slice(0, 4)}-Q${Math.floor((Number(month.slice(5, 7)) + 2) / 3)}`;
}

/** Rows added to a rollup table in multi-row upserts: a row already there gets the values added to its own. */
class Upserts {
  private readonly perStatement: number;
  private readonly width: number;
  private params: unknown[] = [];
  private rows = 0;

  constructor(
    private readonly tx: Tx,
    private readonly table: string,
    private readonly keys: readonly string[],
    private readonly sums: readonly string[],
  ) {
    this.width = keys.length + sums.length;
    this.perStatement = Math.floor(UPSERT_PARAMS / this.width);
  }

  async add(values: readonly unknown[]): Promise<void> {
    for (const v of values) this.params.push(v);
    if (++this.rows === this.perStatement) await this.finish();
  }

  async finish(): Promise<void> {
    if (!this.rows) return;
    const { params, rows } = this;
    this.params = [];
    this.rows = 0;
    const tuple = `(${Array.from({ length: this.width }, () => '?').join(', ')})`;
    const set = this.sums.map((c) => `${c} = ${this.table}.${c} + excluded.${c}`).join(', ');
    await execute(
      this.tx,
      `INSERT INTO ${this.table} (${[...this.keys, ...this.sums].join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}
       ON CONFLICT (${this.keys.join(', ')}) DO UPDATE SET ${set}`,
      params,
    );
  }
}

/** Bound parameters per upsert statement (under SQLite's 32,766 and PostgreSQL's 65,535). */
const UPSERT_PARAMS = 30_000;


/** Nothing counted: a unit or month without a row. */
export function zeroSums(): RollupSums {
  return { ...NO_BURDEN, occurrences: 0, shadowMinutes: 0 };
}

/** a + b, field by field (quarters and years from their months). */
export function addRollupSums(a: RollupSums, b: RollupSums): RollupSums {
  return { ...addBurdenSums(a, b), occurrences: a.occurrences + b.occurrences, shadowMinutes: a.shadowMinutes + b.shadowMinutes };
}

function sumsOf(row: SumsRow): RollupSums {
  return {
    occurrences: toInt(row.occurrences),
    estimatedMinutes: toInt(row.estimated_minutes),
    reportedMinutes: toInt(row.reported_minutes),
    burdenMinutes: toInt(row.burden_minutes),
    hiddenMinutes: toInt(row.hidden_minutes),
    duplicateMinutes: toInt(row.duplicate_minutes),
    excessMinutes: toInt(row.excess_minutes),
    shadowMinutes: toInt(row.shadow_minutes),
  };
}

function rowOf(row: SumsRow): UnitMonthBurden {
  return { unitId: toInt(row.unit_id), month: row.month, ...sumsOf(row) };
}
