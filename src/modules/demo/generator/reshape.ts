import { AreaNode, AreaRow, buildDivisions, Divisions, Level } from './divisions';

/**
 * Smaller and larger provinces at the same density, for scaling benchmarks ("doubling means
 * twice the units at the same density", DESIGN §6). Both keep every prefecture's own subtree as
 * it is, so each grassroots unit receives what it receives in the real province:
 *
 * - `fraction` keeps a subset of the prefectures, chosen deterministically so that the numbers of
 *   prefectures, counties, townships and villages are each as close as possible to that share.
 * - `copies` adds copies of every prefecture subtree under the same province, under new codes
 *   (prefecture `53pp` → `53(pp+50)`, its descendants' codes with that prefix; names unchanged),
 *   so their offices and demands are drawn like the originals' (from their own streams).
 *
 * The province's own offices stay as they are (their demands reach the prefectures and counties
 * that exist), so the demand count is the prefectures' share plus a constant ~0.5 %.
 */
export interface Shape {
  /** Share of the prefectures kept (0 < fraction ≤ 1). */
  fraction: number;
  /** 1 = as is; 2 = every prefecture twice. */
  copies: number;
}

export interface ShapeSummary extends Shape {
  /** The original prefectures kept (all of them when fraction is 1). */
  prefectures: string[];
  /** Code of each prefecture copy → the original it copies. */
  copiesOf: Record<string, string>;
  /** The share of each level actually kept (before copies). */
  keptShare: Record<Exclude<Level, 'province'>, number>;
}

export const MAX_COPIES = 2;
const COPY_OFFSET = 50;
const BRUTE_FORCE_LIMIT = 20;
const SHARED_LEVELS = ['prefecture', 'county', 'township', 'village'] as const;

export function isIdentity(shape: Shape): boolean {
  return shape.fraction === 1 && shape.copies === 1;
}

export function checkShape(shape: Shape): void {
  if (!(shape.fraction > 0 && shape.fraction <= 1)) throw new Error(`fraction must be in (0, 1], not ${shape.fraction}`);
  if (!Number.isInteger(shape.copies) || shape.copies < 1 || shape.copies > MAX_COPIES) throw new Error(`copies must be a whole number from 1 to ${MAX_COPIES}, not ${shape.copies}`);
}

function counts(prefecture: AreaNode): Record<(typeof SHARED_LEVELS)[number], number> {
  return { prefecture: 1, county: prefecture.below.county, township: prefecture.below.township, village: prefecture.below.village };
}

/**
 * The subset of `prefectures` whose level counts are closest to `fraction` of the total: the
 * smallest largest relative error over the four levels; ties go to the first subset in bitmask
 * order. Exhaustive up to 20 prefectures (Yunnan has 16), greedy above.
 */
export function choosePrefectures(prefectures: readonly AreaNode[], fraction: number): AreaNode[] {
  if (fraction === 1) return [...prefectures];
  const each = prefectures.map(counts);
  const total = Object.fromEntries(SHARED_LEVELS.map((l) => [l, each.reduce((s, c) => s + c[l], 0)])) as Record<(typeof SHARED_LEVELS)[number], number>;
  const error = (sum: Record<(typeof SHARED_LEVELS)[number], number>) =>
    Math.max(...SHARED_LEVELS.map((l) => (total[l] === 0 ? 0 : Math.abs(sum[l] / total[l] - fraction))));
  const zero = () => ({ prefecture: 0, county: 0, township: 0, village: 0 });
  if (prefectures.length <= BRUTE_FORCE_LIMIT) {
    let best = { mask: 0, error: Infinity };
    for (let mask = 1; mask < 1 << prefectures.length; mask++) {
      const sum = zero();
      for (let i = 0; i < prefectures.length; i++) if (mask & (1 << i)) for (const l of SHARED_LEVELS) sum[l] += each[i][l];
      const e = error(sum);
      if (e < best.error - 1e-12) best = { mask, error: e };
    }
    return prefectures.filter((_, i) => best.mask & (1 << i));
  }
  // Greedy: add the prefecture that lowers the error most until none does.
  const chosen = new Set<number>();
  const sum = zero();
  for (;;) {
    let pick = -1;
    let pickError = error(sum);
    for (let i = 0; i < prefectures.length; i++) {
      if (chosen.has(i)) continue;
      const trial = { ...sum };
      for (const l of SHARED_LEVELS) trial[l] += each[i][l];
      const e = error(trial);
      if (e < pickError - 1e-12) [pick, pickError] = [i, e];
    }
    if (pick < 0) break;
    chosen.add(pick);
    for (const l of SHARED_LEVELS) sum[l] += each[pick][l];
  }
  return prefectures.filter((_, i) => chosen.has(i));
}

function subtreeRows(node: AreaNode, out: AreaRow[]): void {
  out.push({ code: node.code, name: node.name, level: node.level, parentCode: node.parentCode });
  for (const child of node.children) subtreeRows(child, out);
}

/** The code of copy `k` (2…) of a prefecture `<province><pp>`. */
function copyCode(root: AreaNode, prefecture: AreaNode, k: number): string {
  const digits = prefecture.code.slice(root.code.length);
  if (!prefecture.code.startsWith(root.code) || !/^\d{2}$/.test(digits)) throw new Error(`prefecture ${prefecture.code} is not <province code><2 digits>: cannot copy it`);
  const n = Number(digits) + COPY_OFFSET * (k - 1);
  if (n > 99) throw new Error(`prefecture ${prefecture.code}: copy ${k} would need a 3-digit prefecture number`);
  return `${root.code}${String(n).padStart(2, '0')}`;
}

/**
 * The divisions reshaped: the province, the kept prefectures with their subtrees (in file order),
 * then each copy of them. Rows stay parents-first, so the org-unit file imports into an empty tree.
 */
export function reshape(divisions: Divisions, shape: Shape): { divisions: Divisions; summary: ShapeSummary } {
  checkShape(shape);
  const root = divisions.root;
  const prefectures = root.children.filter((c) => c.level === 'prefecture');
  if (prefectures.length !== root.children.length) throw new Error(`${root.code} has children that are not prefectures: cannot reshape`);
  const kept = choosePrefectures(prefectures, shape.fraction);
  const keptCodes = new Set(kept.map((p) => p.code));
  const rows: AreaRow[] = [{ code: root.code, name: root.name, level: root.level, parentCode: root.parentCode }];
  const inKept = new Set<string>();
  for (const p of kept) {
    const sub: AreaRow[] = [];
    subtreeRows(p, sub);
    sub.forEach((r) => inKept.add(r.code));
  }
  // File order for the originals (parents come first in the shipped file).
  for (const node of divisions.all) if (inKept.has(node.code)) rows.push({ code: node.code, name: node.name, level: node.level, parentCode: node.parentCode });
  const copiesOf: Record<string, string> = {};
  for (let k = 2; k <= shape.copies; k++) {
    for (const p of prefectures.filter((x) => keptCodes.has(x.code))) {
      const to = copyCode(root, p, k);
      copiesOf[to] = p.code;
      const sub: AreaRow[] = [];
      subtreeRows(p, sub);
      for (const r of sub) {
        if (!r.code.startsWith(p.code)) throw new Error(`${r.code} does not start with its prefecture's code ${p.code}: cannot copy it`);
        rows.push({ ...r, code: to + r.code.slice(p.code.length), parentCode: r.level === 'prefecture' ? r.parentCode : to + r.parentCode.slice(p.code.length) });
      }
    }
  }
  const total = (l: (typeof SHARED_LEVELS)[number]) => prefectures.reduce((s, p) => s + counts(p)[l], 0);
  const keptOf = (l: (typeof SHARED_LEVELS)[number]) => kept.reduce((s, p) => s + counts(p)[l], 0);
  const keptShare = Object.fromEntries(SHARED_LEVELS.map((l) => [l, Math.round((keptOf(l) / total(l)) * 10_000) / 10_000])) as ShapeSummary['keptShare'];
  return {
    divisions: buildDivisions(rows, `${root.code} reshaped`),
    summary: { fraction: shape.fraction, copies: shape.copies, prefectures: kept.map((p) => p.code), copiesOf, keptShare },
  };
}
