import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Level } from '@/common/auth/actor';
import { parseCsv } from '@/common/files/tabular';
import { placementProblem, UnitKind } from '@/modules/org-units/org-unit.model';
import { DEMAND_COLUMNS } from '../../bench/generator/demands';
import { generate, GenerateSummary, ORG_UNIT_COLUMNS } from '../../bench/generator/generate';

/**
 * The benchmark data generator (bench/generator) at county scale: deterministic, in the import
 * formats, and internally consistent. No database: the generator is plain file output.
 */
const LEVELS = ['province', 'prefecture', 'county', 'township', 'village'];
const ROOT = join(__dirname, '..', '..');

describe('bench data generator (county scale)', () => {
  let dir: string;
  let first: GenerateSummary;
  let again: GenerateSummary;
  let other: GenerateSummary;
  const file = (summary: GenerateSummary, name: string) => readFileSync(join(summary.outDir, name));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bench-generator-'));
    first = generate({ scale: 'county', year: 2026, seed: 1, outDir: join(dir, 'a') });
    again = generate({ scale: 'county', year: 2026, seed: 1, outDir: join(dir, 'b') });
    other = generate({ scale: 'county', year: 2026, seed: 2, outDir: join(dir, 'c') });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives byte-identical files for the same seed and different demands for another seed', () => {
    for (const name of ['org-units.csv', 'demands.csv', 'manifest.json']) {
      expect(file(again, name).equals(file(first, name))).toBe(true);
    }
    expect(file(other, 'demands.csv').equals(file(first, 'demands.csv'))).toBe(false);
    expect(other.files['demands.csv'].sha256).not.toBe(first.files['demands.csv'].sha256);
  });

  it('writes demands.csv with exactly the header of data/templates/demands-import.csv', () => {
    const template = readFileSync(join(ROOT, 'data', 'templates', 'demands-import.csv'), 'utf8').split(/\r?\n/)[0];
    const header = file(first, 'demands.csv').toString('utf8').split('\n')[0];
    expect(header).toBe(template);
    expect(DEMAND_COLUMNS.join(',')).toBe(template);
  });

  it('writes the real county: 蒙自市 with its townships and villages, its offices and the ancestors', () => {
    const divisions = readFileSync(join(ROOT, 'data', 'divisions', 'yunnan-divisions.csv'), 'utf8')
      .split(/\r?\n/)
      .slice(1)
      .filter((l) => l.startsWith('532503'));
    const units = parseCsv(file(first, 'org-units.csv'));
    expect(units.columns).toEqual([...ORG_UNIT_COLUMNS]);
    expect(units.rows).toHaveLength(first.files['org-units.csv'].rows);
    const areas = units.rows.filter((r) => r.values.kind === 'area');
    expect(areas.map((r) => r.values.code).filter((c) => c.startsWith('532503')).sort()).toEqual(divisions.map((l) => l.split(',')[0]).sort());
    expect(areas.filter((r) => !r.values.code.startsWith('532503')).map((r) => r.values.code)).toEqual(['53', '5325']);
    const departments = units.rows.filter((r) => r.values.kind === 'department');
    expect(departments.length).toBeGreaterThanOrEqual(34);
    expect(departments.length).toBeLessThanOrEqual(40);
    expect(departments.map((r) => r.values.code)).toContain('532503-JYJ');
    expect(departments.find((r) => r.values.code === '532503-JYJ')?.values.name).toBe('蒙自市教育局');
    for (const r of departments) {
      expect(r.values).toMatchObject({ level: 'county', parentCode: '532503' });
      expect(Number(r.values.staffCount)).toBeGreaterThanOrEqual(10);
      expect(Number(r.values.staffCount)).toBeLessThanOrEqual(80);
    }
    for (const r of units.rows) expect(r.values.staffCount).toMatch(/^\d+$/);
    // Every row fits the tree rules of the org-unit import (parents come first in the file).
    const shape = (v: Record<string, string>) => ({ code: v.code, kind: v.kind as UnitKind, level: v.level as Level });
    const seen = new Map<string, Record<string, string>>();
    for (const { values } of units.rows) {
      const parent = values.parentCode === '' ? null : seen.get(values.parentCode);
      expect(parent).not.toBeUndefined();
      expect(placementProblem(shape(values), parent ? shape(parent) : null)).toBeNull();
      seen.set(values.code, values);
    }
  });

  it('writes ~3k demands whose issuers, targets and joint issuers all exist, with the expected target count', () => {
    const units = new Map(parseCsv(file(first, 'org-units.csv')).rows.map((r) => [r.values.code, r.values]));
    const demands = parseCsv(file(first, 'demands.csv'));
    expect(demands.columns).toEqual([...DEMAND_COLUMNS]);
    expect(demands.rows).toHaveLength(first.demands.total);
    expect(first.demands.total).toBeGreaterThan(2000);
    expect(first.demands.total).toBeLessThan(4000);
    expect(first.demands.averageFieldsPerReport).toBeGreaterThan(12);
    expect(first.demands.averageFieldsPerReport).toBeLessThan(18);

    const areasByLevel = (under: string, level: string) =>
      [...units.values()].filter((u) => u.kind === 'area' && u.level === level && u.code.startsWith(under) && u.code !== under).length;
    let targets = 0;
    const problems: string[] = [];
    for (const { row, values: d } of demands.rows) {
      const issuer = units.get(d.issuerCode);
      if (!issuer || !(issuer.kind === 'department' || issuer.level === 'township')) {
        problems.push(`row ${row}: issuer ${d.issuerCode}`);
        continue;
      }
      const jurisdiction = issuer.kind === 'department' ? issuer.parentCode : issuer.code;
      const below = (level: string) => LEVELS.indexOf(level) > LEVELS.indexOf(issuer.level);
      const codes = d.targetCodes.split(';').filter(Boolean);
      for (const code of codes) {
        const unit = units.get(code);
        if (!unit || unit.kind !== 'area' || !code.startsWith(jurisdiction) || !below(unit.level)) problems.push(`row ${row}: target ${code}`);
      }
      targets += new Set(codes).size;
      for (const scope of d.targetScopes.split(';').filter(Boolean)) {
        const [code, level] = scope.split(':');
        if (!units.has(code) || !code.startsWith(jurisdiction) || !below(level)) problems.push(`row ${row}: scope ${scope}`);
        targets += areasByLevel(code, level);
      }
      if (codes.length === 0 && d.targetScopes === '') problems.push(`row ${row}: no targets`);
      for (const code of d.jointWithCodes.split(';').filter(Boolean)) {
        if (units.get(code)?.kind !== 'department') problems.push(`row ${row}: joint issuer ${code}`);
      }
      if (d.dueOn !== '' && d.dueOn < d.issuedOn) problems.push(`row ${row}: due before issue`);
      if ((d.recurrence === 'once') !== (d.until === '')) problems.push(`row ${row}: recurrence ${d.recurrence} until ${d.until}`);
    }
    expect(problems).toEqual([]);
    expect(targets).toBe(first.expected.targets);
    const issuerLevels = new Set(demands.rows.map((r) => units.get(r.values.issuerCode)?.level));
    expect([...issuerLevels].sort()).toEqual(['county', 'township']);
  });

  it('plants the patterns the rules must find', () => {
    const p = first.planted;
    for (const count of Object.values(p)) expect(count).toBeGreaterThan(0);
    expect(first.demands.byKind.report).toBeGreaterThan(first.demands.byKind.meeting);
    expect(first.demands.byKind.meeting).toBeGreaterThan(first.demands.byKind.inspection);
  });
});
