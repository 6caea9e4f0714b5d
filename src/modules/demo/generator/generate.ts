import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { YearCalendar } from './calendar';
import { ALWAYS_PRESENT, areaShortName, DEPARTMENTS, departmentName, EXTRA_DRAWN, IssuerLevel, SUBJECTS } from './catalogue';
import { CsvSink } from './csv';
import { DEMAND_COLUMNS, DemandContext, generateIssuerDemands, Issuer, Planted, Totals } from './demands';
import { AreaNode, ancestry, Divisions, Level, loadDivisions } from './divisions';
import { FieldPool } from './fields';
import { dataFiles, projectRoot } from './paths';
import { Rng } from './prng';
import { isIdentity, reshape, ShapeSummary } from './reshape';

export const SCALES = ['county', 'province'] as const;
export type Scale = (typeof SCALES)[number];

/** 蒙自市, the demo county of DESIGN §6. */
export const DEFAULT_COUNTY = '532503';

/**
 * The directory name of a data set under bench/data/ (without `-<year>-<seed>`): the scale,
 * `county<code>` for another county than 532503, `province-fraction0.5` / `province-copies2` when
 * reshaped.
 */
export function datasetName(o: { scale: string; county?: string; fraction?: number; copies?: number }): string {
  if (o.scale === 'county') return o.county !== undefined && o.county !== DEFAULT_COUNTY ? `county${o.county}` : 'county';
  const parts = [o.scale];
  if (o.fraction !== undefined && o.fraction !== 1) parts.push(`fraction${o.fraction}`);
  if (o.copies !== undefined && o.copies !== 1) parts.push(`copies${o.copies}`);
  return parts.join('-');
}

export const ORG_UNIT_COLUMNS = ['code', 'name', 'level', 'parentCode', 'kind', 'staffCount'] as const;

/** Demands a year per unit of department weight (catalogue.ts), by the level of the office. */
const DEMANDS_PER_WEIGHT: Record<IssuerLevel, number> = { county: 75, prefecture: 30, province: 60 };
/** Demands a township government sends its villages in a year (on average). */
const TOWNSHIP_DEMANDS = 30;

export interface GenerateOptions {
  scale: Scale;
  year: number;
  seed: number;
  outDir: string;
  /** The county of the county scale (default 532503 蒙自市). */
  county?: string;
  /** Province scale only: keep this share of the prefectures (reshape.ts; default 1). */
  fraction?: number;
  /** Province scale only: every prefecture this many times, copies under new codes (reshape.ts; default 1). */
  copies?: number;
  /** Repository root holding data/ (default: found from this file). */
  root?: string;
  /** Another divisions file of the same format (the demo reads its extract data/demo/mengzi-divisions.csv). */
  divisionsFile?: string;
  onProgress?: (progress: Progress) => void;
}

export interface Progress {
  phase: 'org-units' | 'demands' | 'done';
  done: number;
  total: number;
}

export interface FileSummary {
  rows: number;
  bytes: number;
  sha256: string;
}

/** What manifest.json holds: deterministic for (scale, year, seed, county). */
export interface Manifest {
  generator: string;
  scale: Scale;
  year: number;
  seed: number;
  county: { code: string; name: string } | null;
  /** False when chinese-days has no holidays for the year (weekends only then). */
  holidaysKnown: boolean;
  files: { 'org-units.csv': FileSummary; 'demands.csv': FileSummary };
  orgUnits: { areas: Record<Level, number>; departments: number; total: number };
  issuers: { departments: number; townships: number };
  demands: { total: number; byKind: Totals['byKind']; byIssuerLevel: Totals['byIssuerLevel']; reports: number; averageFieldsPerReport: number };
  expected: {
    /** Expected targets by the level of the issuing office. */
    targetsByIssuerLevel: Totals['targetsByIssuerLevel'];
    /** Distinct target units summed over demands: the rows an import writes to demand targets. */
    targets: number;
    /** Landing dates summed over demands (recurrences expanded, DESIGN §2). */
    occurrences: number;
    /** Σ targets × occurrences per demand. */
    targetOccurrences: number;
  };
  planted: Planted;
  /** Only with fraction or copies: the prefectures kept and copied (absent otherwise, so the usual manifests are unchanged). */
  shape?: ShapeSummary;
}

export interface GenerateSummary extends Manifest {
  outDir: string;
  elapsedMs: number;
}

interface Topics {
  topics: { code: string; name: string }[];
}

interface Department {
  code: string;
  name: string;
  level: Level;
  parentCode: string;
  staffCount: number;
  issuer: Issuer;
}

function loadTopics(file: string): string[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Topics;
  const codes = parsed.topics.map((t) => t.code);
  for (const d of DEPARTMENTS) {
    for (const t of d.topics) if (!codes.includes(t)) throw new Error(`Department ${d.abbr}: topic ${t} is not in data/topics.json`);
  }
  for (const t of codes) if (!SUBJECTS[t]) throw new Error(`No title subjects for topic ${t}`);
  return codes;
}

/** 云 / 红 / 蒙: the area's character in document numbers. */
function docChar(area: AreaNode): string {
  return areaShortName(area.name).slice(0, 1);
}

/** The offices of one area: those always present at its level plus a seeded draw from the rest. */
function departmentsOf(area: AreaNode, level: IssuerLevel, seed: number): Department[] {
  const rng = Rng.derive(seed, `departments|${area.code}`);
  const fixed = ALWAYS_PRESENT[level];
  const [lo, hi] = EXTRA_DRAWN[level];
  const extra = new Set(rng.sample(DEPARTMENTS.slice(fixed), rng.int(lo, hi)).map((d) => d.abbr));
  const kinds = DEPARTMENTS.filter((d, i) => i < fixed || extra.has(d.abbr));
  return kinds.map((kind) => {
    const code = `${area.code}-${kind.abbr}`;
    const name = departmentName(kind, level, area.name);
    const staffCount = Math.min(80, Math.round(10 + rng.next() * 25 + kind.weight * rng.int(10, 30)));
    const issuer: Issuer = { code, name, area, level, department: kind, docPrefix: `${docChar(area)}${kind.doc}`, demands: 0 };
    return { code, name, level, parentCode: area.code, staffCount, issuer };
  });
}

function areaStaff(area: AreaNode, seed: number): number {
  const rng = Rng.derive(seed, `staff|${area.code}`);
  switch (area.level) {
    case 'province':
      return rng.int(1500, 3000);
    case 'prefecture':
      return rng.int(300, 800);
    case 'county':
      return rng.int(150, 400);
    case 'township':
      return rng.int(20, 60);
    case 'village':
      return rng.int(3, 8);
  }
}

/** One block of demands generated from one random stream: an area's offices (and, for a county, its townships). */
interface Block {
  area: AreaNode;
  issuers: Issuer[];
  /** Areas whose cached lists and memories can be dropped after the block. */
  release: AreaNode[];
}

function plan(divisions: Divisions, scale: Scale, countyCode: string, seed: number): { areas: AreaNode[]; departments: Department[]; blocks: Block[] } {
  const county = divisions.byCode.get(countyCode);
  if (scale === 'county' && (!county || county.level !== 'county')) throw new Error(`${countyCode} is not a county of data/divisions/yunnan-divisions.csv`);
  let areas: AreaNode[];
  if (scale === 'province' || !county) {
    areas = divisions.all;
  } else {
    // The county with its whole subtree, and its ancestors (without their offices) so the file imports into an empty tree.
    const inCounty = new Set<string>();
    const walk = (n: AreaNode): void => {
      inCounty.add(n.code);
      n.children.forEach(walk);
    };
    walk(county);
    const chain = new Set(ancestry(divisions, countyCode).map((n) => n.code));
    areas = divisions.all.filter((n) => inCounty.has(n.code) || chain.has(n.code));
  }
  const departments: Department[] = [];
  const blocks: Block[] = [];
  const countyBlock = (c: AreaNode): Block => {
    const depts = departmentsOf(c, 'county', seed);
    departments.push(...depts);
    const townships = c.children.filter((t) => t.level === 'township' && t.below.village > 0);
    const townIssuers: Issuer[] = townships.map((t) => ({ code: t.code, name: t.name, area: t, level: 'township', docPrefix: t.name, demands: 0 }));
    return { area: c, issuers: [...depts.map((d) => d.issuer), ...townIssuers], release: [c, ...c.children] };
  };
  if (scale === 'county' && county) {
    blocks.push(countyBlock(county));
  } else {
    const root = divisions.root;
    const provinceDepts = departmentsOf(root, 'province', seed);
    departments.push(...provinceDepts);
    blocks.push({ area: root, issuers: provinceDepts.map((d) => d.issuer), release: [] });
    for (const prefecture of root.children) {
      const depts = departmentsOf(prefecture, 'prefecture', seed);
      departments.push(...depts);
      blocks.push({ area: prefecture, issuers: depts.map((d) => d.issuer), release: [] });
      for (const c of prefecture.children) if (c.level === 'county') blocks.push(countyBlock(c));
    }
  }
  // Volumes are drawn on their own streams, so the total is known before any demand is written.
  for (const block of blocks) {
    for (const issuer of block.issuers) {
      const rng = Rng.derive(seed, `volume|${issuer.code}`);
      const kind = issuer.department;
      const base = kind ? kind.weight * DEMANDS_PER_WEIGHT[issuer.level as IssuerLevel] : TOWNSHIP_DEMANDS;
      issuer.demands = Math.max(1, Math.round(base * (0.7 + 0.6 * rng.next())));
    }
  }
  return { areas, departments, blocks };
}

/**
 * Generates org-units.csv, demands.csv and manifest.json into `outDir`. Deterministic: the same
 * options give byte-identical files. Streaming: demands are written as they are drawn; what is
 * held is the division tree (~16,500 areas), the ~5,000 offices and a few bounded memories.
 */
export function generate(options: GenerateOptions): GenerateSummary {
  const started = process.hrtime.bigint();
  const files = dataFiles(options.root ?? projectRoot());
  const topics = loadTopics(files.topics);
  let divisions = loadDivisions(options.divisionsFile ?? files.divisions);
  const wanted = { fraction: options.fraction ?? 1, copies: options.copies ?? 1 };
  let shape: ShapeSummary | null = null;
  if (!isIdentity(wanted)) {
    if (options.scale !== 'province') throw new Error('fraction and copies apply to the province scale only');
    ({ divisions, summary: shape } = reshape(divisions, wanted));
  }
  const fields = new FieldPool(files.fieldSynonyms, topics);
  const calendar = new YearCalendar(options.year);
  const countyCode = options.county ?? DEFAULT_COUNTY;
  const { areas, departments, blocks } = plan(divisions, options.scale, countyCode, options.seed);
  const totalDemands = blocks.reduce((s, b) => s + b.issuers.reduce((t, i) => t + i.demands, 0), 0);
  mkdirSync(options.outDir, { recursive: true });
  const progress = options.onProgress ?? (() => undefined);

  // org-units.csv: areas in file order (parents first), then the offices under their areas.
  const units = new CsvSink(join(options.outDir, 'org-units.csv'), ORG_UNIT_COLUMNS);
  const areaCounts: Record<Level, number> = { province: 0, prefecture: 0, county: 0, township: 0, village: 0 };
  for (const a of areas) {
    units.row([a.code, a.name, a.level, a.parentCode, 'area', areaStaff(a, options.seed)]);
    areaCounts[a.level]++;
  }
  for (const d of departments) units.row([d.code, d.name, d.level, d.parentCode, 'department', d.staffCount]);
  const unitsSha = units.close();
  progress({ phase: 'org-units', done: units.rows, total: units.rows });

  // demands.csv, block by block.
  const ctx = new DemandContext(options.year, calendar, fields, topics);
  const demands = new CsvSink(join(options.outDir, 'demands.csv'), DEMAND_COLUMNS);
  const step = Math.max(1, Math.floor(totalDemands / 100));
  let nextReport = step;
  for (const block of blocks) {
    const rng = Rng.derive(options.seed, `demands|${block.area.code}`);
    const peers = block.issuers.filter((i) => i.department !== undefined);
    for (const issuer of block.issuers) {
      generateIssuerDemands(ctx, issuer, peers, rng, (row) => demands.row(DEMAND_COLUMNS.map((c) => row[c])));
    }
    for (const a of block.release) ctx.release(a);
    ctx.release(block.area);
    if (ctx.totals.demands >= nextReport) {
      progress({ phase: 'demands', done: ctx.totals.demands, total: totalDemands });
      nextReport = ctx.totals.demands + step;
    }
  }
  const demandsSha = demands.close();
  const t = ctx.totals;
  const county = options.scale === 'county' ? (divisions.byCode.get(countyCode) ?? null) : null;
  const manifest: Manifest = {
    generator: 'burden-ledger bench/generator 1',
    scale: options.scale,
    year: options.year,
    seed: options.seed,
    county: county ? { code: county.code, name: county.name } : null,
    holidaysKnown: calendar.covered,
    files: {
      'org-units.csv': { rows: units.rows, bytes: units.bytes, sha256: unitsSha },
      'demands.csv': { rows: demands.rows, bytes: demands.bytes, sha256: demandsSha },
    },
    orgUnits: { areas: areaCounts, departments: departments.length, total: units.rows },
    issuers: {
      departments: departments.length,
      townships: blocks.reduce((s, b) => s + b.issuers.filter((i) => i.department === undefined).length, 0),
    },
    demands: {
      total: t.demands,
      byKind: t.byKind,
      byIssuerLevel: t.byIssuerLevel,
      reports: t.reports,
      averageFieldsPerReport: t.reports === 0 ? 0 : Math.round((t.reportFields / t.reports) * 100) / 100,
    },
    expected: { targetsByIssuerLevel: t.targetsByIssuerLevel, targets: t.targets, occurrences: t.occurrences, targetOccurrences: t.targetOccurrences },
    planted: ctx.planted,
    ...(shape ? { shape } : {}),
  };
  writeFileSync(join(options.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  progress({ phase: 'done', done: t.demands, total: totalDemands });
  const elapsedMs = Number((process.hrtime.bigint() - started) / 1_000_000n);
  return { ...manifest, outDir: options.outDir, elapsedMs };
}
