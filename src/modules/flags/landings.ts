import type { Tx } from '@/database/dialect';
import { toEpochDay } from '@/modules/demands/calendar/working-days';
import { landingDates } from '@/modules/demands/occurrences';
import { EvaluationScanRepository, ScannedDemand } from './evaluation-scan.repository';
import type { Landing } from './rules/unit-rule';

/**
 * Turns scanned demands into the `Landing`s the unit rules compare: every landing day inside a
 * window, report field keys interned as small integers (so the rules' sliding windows compare
 * numbers, not strings), joint issuers and the parentDemandId chain. Shared by the full
 * evaluation and the preview of one demand.
 */
export class LandingBuilder {
  private readonly keyIds = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly parents = new Map<number, number | null>();
  private readonly titles = new Map<number, string>();

  constructor(private readonly scan: EvaluationScanRepository) {}

  /** The field name behind an interned key. */
  keyName(key: number): string {
    return this.names[key] ?? String(key);
  }

  /** Drops what was kept for a demand's explanations once no unit ahead can need it. */
  forget(demandId: number): void {
    this.titles.delete(demandId);
  }

  /** The title of a demand added here (for the explanations of unit rules). */
  title(demandId: number): string | undefined {
    return this.titles.get(demandId);
  }

  private intern(key: string): number {
    let id = this.keyIds.get(key);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(key);
      this.keyIds.set(key, id);
    }
    return id;
  }

  /** Landings of a batch of demands with at least one landing day in [from, to]; ancestors are filled by `complete`. */
  async add(tx: Tx, batch: readonly ScannedDemand[], from: string, to: string, into: Map<number, Landing>): Promise<void> {
    if (!batch.length) return;
    const ids = batch.map((d) => d.id);
    const keysOf = new Map<number, Set<number>>();
    for (const k of await this.scan.fieldKeys(tx, ids)) keysOf.set(k.demandId, (keysOf.get(k.demandId) ?? new Set()).add(this.intern(k.key)));
    const jointOf = new Map<number, number[]>();
    for (const j of await this.scan.jointIssuers(tx, ids)) jointOf.set(j.demandId, [...(jointOf.get(j.demandId) ?? []), j.issuerId]);
    const fromDay = toEpochDay(from);
    const toDay = toEpochDay(to);
    for (const d of batch) {
      this.parents.set(d.id, d.parentDemandId);
      const days = landingDates({ issuedOn: d.issuedOn, startsOn: d.startsOn, dueOn: d.dueOn, recurrence: d.recurrence, until: d.until, cancelledOn: d.cancelledOn })
        .map((day) => toEpochDay(day))
        .filter((day) => day >= fromDay && day <= toDay);
      if (!days.length) continue;
      this.titles.set(d.id, d.title);
      into.set(d.id, {
        demandId: d.id,
        issuerId: d.issuerId,
        kind: d.kind,
        topic: d.topic,
        days,
        keys: [...(keysOf.get(d.id) ?? [])].sort((a, b) => a - b),
        ancestors: [],
        jointIssuerIds: jointOf.get(d.id) ?? [],
        planItemId: d.planItemId,
      });
    }
  }

  /** Fills each landing's parentDemandId chain (parents outside the window are read in batches). */
  async complete(tx: Tx, landings: Map<number, Landing>): Promise<void> {
    for (;;) {
      const missing = new Set<number>();
      for (const parent of this.parents.values()) if (parent !== null && !this.parents.has(parent)) missing.add(parent);
      if (!missing.size) break;
      const found = await this.scan.parentsOf(tx, [...missing]);
      for (const id of missing) this.parents.set(id, found.get(id) ?? null);
    }
    for (const landing of landings.values()) {
      const chain: number[] = [];
      const seen = new Set<number>([landing.demandId]);
      for (let p = this.parents.get(landing.demandId) ?? null; p !== null && !seen.has(p); p = this.parents.get(p) ?? null) {
        chain.push(p);
        seen.add(p);
      }
      if (chain.length) landing.ancestors = chain;
    }
  }
}
