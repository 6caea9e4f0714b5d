import { Injectable } from '@nestjs/common';
import { execute, selectRows, toInt, Tx } from '@/database/dialect';

type Num = number | string;

export interface IssuerBudgetRow {
  issuerId: number;
  year: number;
  budgetMinutes: number;
  setBy: number;
  setAt: string;
}

@Injectable()
export class IssuerBudgetRepository {
  async find(tx: Tx, issuerId: number, year: number): Promise<IssuerBudgetRow | null> {
    const rows = await selectRows<{ issuer_id: Num; year: Num; budget_minutes: Num; set_by: Num; set_at: string }>(
      tx,
      'SELECT issuer_id, year, budget_minutes, set_by, set_at FROM issuer_budgets WHERE issuer_id = ? AND year = ?',
      [issuerId, year],
    );
    if (!rows.length) return null;
    const r = rows[0];
    return { issuerId: toInt(r.issuer_id), year: toInt(r.year), budgetMinutes: toInt(r.budget_minutes), setBy: toInt(r.set_by), setAt: r.set_at };
  }

  async upsert(tx: Tx, issuerId: number, year: number, minutes: number, by: number, at: string): Promise<void> {
    await execute(
      tx,
      `INSERT INTO issuer_budgets (issuer_id, year, budget_minutes, set_by, set_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (issuer_id, year) DO UPDATE SET budget_minutes = excluded.budget_minutes, set_by = excluded.set_by, set_at = excluded.set_at`,
      [issuerId, year, minutes, by, at],
    );
  }

  /** Budgets set for a year, after an issuer id (keyset batches for the evaluation). */
  async budgetsOfYear(tx: Tx, year: number): Promise<{ issuerId: number; issuerName: string; budgetMinutes: number }[]> {
    const rows = await selectRows<{ issuer_id: Num; name: string; budget_minutes: Num }>(
      tx,
      'SELECT b.issuer_id, u.name, b.budget_minutes FROM issuer_budgets b JOIN org_units u ON u.id = b.issuer_id WHERE b.year = ? ORDER BY b.issuer_id',
      [year],
    );
    return rows.map((r) => ({ issuerId: toInt(r.issuer_id), issuerName: r.name, budgetMinutes: toInt(r.budget_minutes) }));
  }

  /**
   * Hours (as minutes) an issuer's registered demands impose in a year: the estimate per target
   * and occurrence × targets × occurrences landing in the year (cancelled demands keep the
   * occurrences before their cancellation, which demand_occurrences already holds).
   */
  async imposedMinutes(tx: Tx, issuerId: number, year: number): Promise<number> {
    const [row] = await selectRows<{ m: Num | null }>(
      tx,
      `SELECT SUM(d.estimate_minutes * d.target_count * o.occurrences) AS m FROM demands d JOIN demand_occurrences o ON o.demand_id = d.id
       WHERE d.issuer_id = ? AND o.month >= ? AND o.month <= ?`,
      [issuerId, `${year}-01`, `${year}-12`],
    );
    return row.m === null ? 0 : toInt(row.m);
  }

  async findUnit(tx: Tx, id: number): Promise<{ id: number; name: string; path: string; kind: string } | null> {
    const rows = await selectRows<{ id: Num; name: string; path: string; kind: string }>(tx, 'SELECT id, name, path, kind FROM org_units WHERE id = ?', [id]);
    return rows.length ? { ...rows[0], id: toInt(rows[0].id) } : null;
  }
}
