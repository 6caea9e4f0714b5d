/**
 * A seeded pseudo-random sequence (mulberry32) for tests that apply random writes: the same seed
 * gives the same sequence on every run and machine, so a failure can be replayed.
 */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)], int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
}
