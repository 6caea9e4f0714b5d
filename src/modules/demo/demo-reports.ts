import { REPORT_IMPORT_COLUMNS } from '@/modules/burden-reports/burden-report-import.service';
import { csvLine } from './generator/csv';
import { Rng } from './generator/prng';
import type { ReportableCell } from './demo.repository';
import type { ShowcaseReport } from './showcase';

type ReportColumn = (typeof REPORT_IMPORT_COLUMNS)[number];

/** Share of (demand, month) cells a unit reports on; the rest stay at their estimate. */
const REPORTED_SHARE = 0.8;
/** Share of reported cells that cost far more than estimated (HIDDEN_BURDEN at 2 ×). */
const HIDDEN_SHARE = 0.03;

/** Hours in quarters of an hour, at least one quarter. */
const quarterHours = (minutes: number) => Math.max(0.25, Math.round(minutes / 15) / 4);

/**
 * The year's routine burden reports of the reporting township and its villages, as the burden
 * report import takes them (data/templates/burden-reports-import.csv): about 80 % of the cells
 * reported, hours around the estimate (0.6–1.5 ×), 3 % far above it (2.2–3.5 ×), then the
 * showcase reports. Pure and deterministic: the same cells and seed give the same bytes.
 */
export function routineReportsCsv(cells: readonly ReportableCell[], showcase: readonly ShowcaseReport[], registrationOf: (key: string) => string, seed: number): string {
  const lines = [REPORT_IMPORT_COLUMNS.join(',')];
  const row = (values: Partial<Record<ReportColumn, string | number>>) => lines.push(csvLine(REPORT_IMPORT_COLUMNS.map((c) => values[c] ?? '')));
  const showcaseCells = new Set(showcase.filter((s) => s.demandKey).map((s) => `${s.unitCode}|${registrationOf(s.demandKey!)}|${s.month}`));
  for (const cell of cells) {
    if (showcaseCells.has(`${cell.unitCode}|${cell.registrationNo}|${cell.month}`)) continue;
    const rng = Rng.derive(seed, `report|${cell.unitCode}|${cell.registrationNo}|${cell.month}`);
    if (!rng.chance(REPORTED_SHARE)) continue;
    const estimate = cell.estimatedMinutes * cell.occurrences;
    const factor = rng.chance(HIDDEN_SHARE) ? 2.2 + rng.next() * 1.3 : 0.6 + rng.next() * 0.9;
    const hours = quarterHours(estimate * factor);
    row({
      unitCode: cell.unitCode,
      registrationNo: cell.registrationNo,
      month: cell.month,
      hoursSpent: hours,
      staffInvolved: rng.int(1, 3),
      overtimeHours: rng.chance(0.2) ? quarterHours(hours * 60 * 0.3) : 0,
      pages: rng.int(0, 12),
      photos: rng.chance(0.3) ? rng.int(1, 20) : 0,
    });
  }
  for (const s of showcase) {
    row({
      unitCode: s.unitCode,
      registrationNo: s.demandKey ? registrationOf(s.demandKey) : '',
      month: s.month,
      shadowIssuerName: s.shadow?.issuerName,
      shadowKind: s.shadow?.kind,
      shadowTitle: s.shadow?.title,
      shadowReceivedOn: s.shadow?.receivedOn,
      shadowChannel: s.shadow?.channel,
      hoursSpent: s.hoursSpent,
      staffInvolved: 2,
      overtimeHours: Math.round(s.hoursSpent / 4),
      pages: 6,
      photos: 0,
      note: s.note,
    });
  }
  return `${lines.join('\n')}\n`;
}
