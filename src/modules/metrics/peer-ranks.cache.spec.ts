import { PeerRanks, PeerRanksCache } from './peer-ranks.cache';

const ranks = (among: number): PeerRanks => ({ among, rankById: new Map([[1, 50]]) });

describe('PeerRanksCache', () => {
  it('answers only for the version it was filled at', () => {
    const cache = new PeerRanksCache();
    cache.set('k', 'v1', ranks(3));
    expect(cache.get('k', 'v1')).toEqual(ranks(3));
    expect(cache.get('k', 'v2')).toBeNull();
    // A stale entry is dropped, not kept for a later look-up at the old version.
    expect(cache.get('k', 'v1')).toBeNull();
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry beyond its capacity', () => {
    const cache = new PeerRanksCache(2);
    cache.set('a', 'v', ranks(1));
    cache.set('b', 'v', ranks(2));
    expect(cache.get('a', 'v')).toEqual(ranks(1)); // a is now the most recent
    cache.set('c', 'v', ranks(3));
    expect(cache.get('b', 'v')).toBeNull();
    expect(cache.get('a', 'v')).toEqual(ranks(1));
    expect(cache.get('c', 'v')).toEqual(ranks(3));
  });
});
