/** The percent ranks of one group of peers (area units of a level under a scope) for a period and view. */
export interface PeerRanks {
  among: number;
  rankById: ReadonlyMap<number, number | null>;
}

/**
 * A small least-recently-used memo of peer ranks, valid for one version of the data. A card's
 * percentile ranks its unit among every peer (a county's hundred-odd villages), which is most of
 * what a card costs; the ranks only change when the data does, so a card asked again before the
 * next commit reuses them. Pure: the caller supplies the version and decides when to ask.
 */
export class PeerRanksCache {
  private readonly entries = new Map<string, { version: string; ranks: PeerRanks }>();

  constructor(private readonly capacity = 256) {}

  get(key: string, version: string): PeerRanks | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    // Refresh its place in the eviction order, or drop it when the data moved on.
    this.entries.delete(key);
    if (entry.version !== version) return null;
    this.entries.set(key, entry);
    return entry.ranks;
  }

  set(key: string, version: string, ranks: PeerRanks): void {
    this.entries.delete(key);
    this.entries.set(key, { version, ranks });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  get size(): number {
    return this.entries.size;
  }
}
