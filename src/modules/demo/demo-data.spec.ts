import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_COUNTY, DEMO_SEED, DEMO_YEAR } from './demo-accounts';
import type { ReportableCell } from './demo.repository';
import { routineReportsCsv } from './demo-reports';
import { demoDivisionsFile } from './demo-steps';
import { generate } from './generator/generate';
import { SHOWCASE_REPORTS } from './showcase';

/** The demo's data is a function of its seed: the same seed gives the same bytes, another seed others. */
describe('demo data generation', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'burden-ledger-demo-spec-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (name: string, seed: number) => {
    const outDir = join(dir, name);
    const summary = generate({ scale: 'county', county: DEMO_COUNTY, year: DEMO_YEAR, seed, outDir, divisionsFile: demoDivisionsFile() });
    return { summary, units: readFileSync(join(outDir, 'org-units.csv')), demands: readFileSync(join(outDir, 'demands.csv')) };
  };

  it('generates the same county and year, byte for byte, from the same seed', () => {
    const a = run('a', DEMO_SEED);
    const b = run('b', DEMO_SEED);
    expect(b.units.equals(a.units)).toBe(true);
    expect(b.demands.equals(a.demands)).toBe(true);
    expect(b.summary.planted).toEqual(a.summary.planted);
    expect(a.summary.demands.total).toBe(2633);
  });

  it('generates another year from another seed, on the same real tree', () => {
    const a = run('c', DEMO_SEED);
    const other = run('d', DEMO_SEED + 1);
    expect(other.demands.equals(a.demands)).toBe(false);
    expect(other.summary.orgUnits.areas).toEqual(a.summary.orgUnits.areas);
  });

  it('the extract in data/demo gives the same county as the full Yunnan divisions file', () => {
    const fromExtract = run('e', DEMO_SEED);
    const fromFull = generate({ scale: 'county', county: DEMO_COUNTY, year: DEMO_YEAR, seed: DEMO_SEED, outDir: join(dir, 'f') });
    expect(readFileSync(join(dir, 'f', 'demands.csv')).equals(fromExtract.demands)).toBe(true);
    expect(fromFull.orgUnits.areas).toEqual({ province: 1, prefecture: 1, county: 1, township: 13, village: 109 });
  });

  it('draws the routine burden reports deterministically from the cells and the seed', () => {
    const cells: ReportableCell[] = Array.from({ length: 200 }, (_, i) => ({
      unitCode: i % 2 ? '532503102' : '532503102206',
      registrationNo: `532503-2026-${String(i).padStart(6, '0')}`,
      month: `2026-${String((i % 9) + 1).padStart(2, '0')}`,
      estimatedMinutes: 30 + i,
      occurrences: 1 + (i % 3),
    }));
    const registration = () => '532503-2026-999999';
    const a = routineReportsCsv(cells, SHOWCASE_REPORTS, registration, DEMO_SEED);
    expect(routineReportsCsv(cells, SHOWCASE_REPORTS, registration, DEMO_SEED)).toBe(a);
    expect(routineReportsCsv(cells, SHOWCASE_REPORTS, registration, DEMO_SEED + 1)).not.toBe(a);
    const rows = a.trim().split('\n').slice(1);
    // About 80 % of the cells reported, plus the showcase reports.
    expect(rows.length - SHOWCASE_REPORTS.length).toBeGreaterThan(130);
    expect(rows.length - SHOWCASE_REPORTS.length).toBeLessThan(190);
    expect(a).toContain('当天报送辖区养犬登记和犬只免疫情况');
  });
});
