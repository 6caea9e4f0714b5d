/**
 * The rollup contribution of demands created in one transaction that have no burden report and
 * no finding yet, summed by their writer as it writes them (the bulk import: hundreds of thousands
 * of targets a file). Such a demand adds, for every target and month it lands in, its occurrences
 * and occurrences × the target's estimate, counted as burden too (nothing reported, no flag); its
 * issuer gets occurrences × the estimates of all its targets per month, and a count row on its
 * landing month. That is exactly what the rollups' set-based contribution (`RollupRepository`)
 * reads back from the rows for such a demand; summing it here spares reading millions of target ×
 * month cells back from the database in the same transaction. Tests compare both.
 */
export class FreshBurdenTally {
  /** month → unit → [occurrences, estimated minutes] */
  private readonly units = new Map<string, Map<number, [number, number]>>();
  /** `issuer|landsMonth|month` → [minutes, demands, inspections] */
  private readonly issuers = new Map<string, [number, number, number]>();

  /**
   * Adds one demand: all its targets have the same estimate (`estimateMinutes` per occurrence),
   * `occurrences` counts its landings per month, `landsMonth` is the month of its first landing.
   */
  add(demand: {
    issuerId: number;
    landsMonth: string;
    inspection: boolean;
    estimateMinutes: number;
    targets: readonly number[];
    occurrences: ReadonlyMap<string, number>;
  }): void {
    const { issuerId, landsMonth, estimateMinutes, targets } = demand;
    for (const [month, n] of demand.occurrences) {
      let cells = this.units.get(month);
      if (!cells) this.units.set(month, (cells = new Map<number, [number, number]>()));
      const minutes = n * estimateMinutes;
      for (const unit of targets) {
        const cell = cells.get(unit);
        if (cell) {
          cell[0] += n;
          cell[1] += minutes;
        } else cells.set(unit, [n, minutes]);
      }
      this.issuerRow(issuerId, landsMonth, month)[0] += minutes * targets.length;
    }
    const landing = this.issuerRow(issuerId, landsMonth, landsMonth);
    landing[1] += 1;
    if (demand.inspection) landing[2] += 1;
  }

  /** (unit, month, occurrences, estimated minutes) for every cell with an occurrence. */
  *unitCells(): IterableIterator<{ unitId: number; month: string; occurrences: number; estimatedMinutes: number }> {
    for (const [month, cells] of this.units) for (const [unitId, [occurrences, estimatedMinutes]] of cells) yield { unitId, month, occurrences, estimatedMinutes };
  }

  /** (issuer, landing month, month, minutes, demands, inspections); none is cancelled. */
  *issuerCells(): IterableIterator<{ issuerId: number; landsMonth: string; month: string; minutes: number; demands: number; inspections: number }> {
    for (const [key, [minutes, demands, inspections]] of this.issuers) {
      const [issuer, landsMonth, month] = key.split('|');
      yield { issuerId: Number(issuer), landsMonth, month, minutes, demands, inspections };
    }
  }

  private issuerRow(issuerId: number, landsMonth: string, month: string): [number, number, number] {
    const key = `${issuerId}|${landsMonth}|${month}`;
    let row = this.issuers.get(key);
    if (!row) this.issuers.set(key, (row = [0, 0, 0]));
    return row;
  }
}
