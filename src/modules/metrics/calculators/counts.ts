import { DEMAND_KINDS, type DemandKind } from '@/modules/demands/estimate';

/** A demand landing on the unit in the period, as the counts need it. */
export interface CountedDemand {
  demandId: number;
  kind: DemandKind;
  topic: string;
  issuerId: number;
}

export interface DemandCounts {
  demands: number;
  /** Every kind, 0 included, so a card always shows the same rows. */
  byKind: Record<DemandKind, number>;
  /** Only topics with at least one demand. */
  byTopic: Record<string, number>;
  distinctIssuers: number;
}

/** Counts by kind and topic and distinct issuers; a demand listed more than once (several months) counts once. */
export function countDemands(demands: readonly CountedDemand[]): DemandCounts {
  const unique = new Map<number, CountedDemand>();
  for (const demand of demands) if (!unique.has(demand.demandId)) unique.set(demand.demandId, demand);
  const byKind = Object.fromEntries(DEMAND_KINDS.map((kind) => [kind, 0])) as Record<DemandKind, number>;
  const byTopic = new Map<string, number>();
  const issuers = new Set<number>();
  for (const demand of unique.values()) {
    byKind[demand.kind] += 1;
    byTopic.set(demand.topic, (byTopic.get(demand.topic) ?? 0) + 1);
    issuers.add(demand.issuerId);
  }
  // fromEntries defines own properties, so a topic can never reach Object.prototype.
  return { demands: unique.size, byKind, byTopic: Object.fromEntries(byTopic), distinctIssuers: issuers.size };
}
