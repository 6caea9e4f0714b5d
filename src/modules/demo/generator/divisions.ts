import { readFileSync } from 'node:fs';

export const LEVELS = ['province', 'prefecture', 'county', 'township', 'village'] as const;
export type Level = (typeof LEVELS)[number];

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

export interface AreaNode {
  code: string;
  name: string;
  level: Level;
  parentCode: string;
  children: AreaNode[];
  /** Area units of each level in this node's subtree (itself excluded). */
  below: Record<Level, number>;
}

export interface Divisions {
  root: AreaNode;
  byCode: Map<string, AreaNode>;
  /** Every area in file order (parents before children in the shipped file). */
  all: AreaNode[];
}

/** One row of the divisions file. */
export interface AreaRow {
  code: string;
  name: string;
  level: Level;
  parentCode: string;
}

/**
 * Reads data/divisions/yunnan-divisions.csv (`code,name,level,parentCode`, no quoted cells) into
 * a tree. ~16,500 rows: small enough to hold; it is the demands that are streamed.
 */
export function loadDivisions(file: string): Divisions {
  const lines = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = lines[0].split(',');
  if (header.join(',') !== 'code,name,level,parentCode') throw new Error(`${file}: unexpected header ${lines[0]}`);
  const rows: AreaRow[] = [];
  const lineOf: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const [code, name, level, parentCode = ''] = line.split(',');
    if (!(LEVELS as readonly string[]).includes(level)) throw new Error(`${file}:${i + 1}: unknown level ${level}`);
    rows.push({ code, name, level: level as Level, parentCode });
    lineOf.push(i + 1);
  }
  return buildDivisions(rows, file, (index) => `${file}:${lineOf[index]}`);
}

/** The tree of `rows` (parents before children or not), with subtree counts. `where` names a row in errors. */
export function buildDivisions(rows: readonly AreaRow[], source: string, where: (index: number) => string = (index) => `${source}: row ${index + 1}`): Divisions {
  const all: AreaNode[] = [];
  const byCode = new Map<string, AreaNode>();
  for (const [index, { code, name, level, parentCode }] of rows.entries()) {
    const node: AreaNode = {
      code,
      name,
      level,
      parentCode,
      children: [],
      below: { province: 0, prefecture: 0, county: 0, township: 0, village: 0 },
    };
    if (byCode.has(code)) throw new Error(`${where(index)}: duplicate code ${code}`);
    byCode.set(code, node);
    all.push(node);
  }
  let root: AreaNode | undefined;
  for (const node of all) {
    if (node.parentCode === '') {
      root = node;
      continue;
    }
    const parent = byCode.get(node.parentCode);
    if (!parent) throw new Error(`${source}: ${node.code} has unknown parent ${node.parentCode}`);
    parent.children.push(node);
  }
  if (!root) throw new Error(`${source}: no root`);
  // Subtree counts, children before parents: walk the levels from the bottom.
  for (const level of [...LEVELS].reverse()) {
    for (const node of all) {
      if (node.level !== level || node.parentCode === '') continue;
      const parent = byCode.get(node.parentCode);
      if (!parent) continue;
      parent.below[node.level] += 1;
      for (const l of LEVELS) parent.below[l] += node.below[l];
    }
  }
  return { root, byCode, all };
}

/** The chain from the root down to (and including) the node. */
export function ancestry(divisions: Divisions, code: string): AreaNode[] {
  const chain: AreaNode[] = [];
  let node = divisions.byCode.get(code);
  while (node) {
    chain.unshift(node);
    node = node.parentCode === '' ? undefined : divisions.byCode.get(node.parentCode);
  }
  return chain;
}

/** The descendants of a node at one level, in file order. */
export function descendantsAt(node: AreaNode, level: Level): AreaNode[] {
  const out: AreaNode[] = [];
  const walk = (n: AreaNode): void => {
    for (const c of n.children) {
      if (c.level === level) out.push(c);
      else if (levelRank(c.level) < levelRank(level)) walk(c);
    }
  };
  walk(node);
  return out;
}
