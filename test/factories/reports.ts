import { selectRows } from '@/database/dialect';
import type { TestApp } from '../utils/test-app';
import { demandBody } from './demands';
import { bearer, StandardTree, UserRef } from './index';

/** Registers a demand through the API (as an issuer) and returns its id. */
export async function registerDemand(t: TestApp, issuer: UserRef, tree: StandardTree, overrides: Record<string, unknown> = {}, kind: Parameters<typeof demandBody>[0] = 'report'): Promise<number> {
  const res = await t.http.post('/api/v1/demands').set(bearer(issuer)).send(demandBody(kind, tree, overrides));
  if (res.status !== 201) throw new Error(`registerDemand: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { id: number }).id;
}

/** A report on a registered demand's occurrence, to vary per test. */
export function reportBody(demandId: number, month: string, overrides: Record<string, unknown> = {}) {
  return { demandId, month, hoursSpent: 3.5, staffInvolved: 2, overtimeHours: 0.5, pages: 4, photos: 2, note: '按通知要求整理材料', ...overrides };
}

/** A report on a shadow demand (one that arrived without registration). */
export function shadowBody(overrides: Record<string, unknown> = {}, shadow: Record<string, unknown> = {}) {
  return {
    shadow: { issuerName: '县某局', kind: 'report', title: '紧急报送辖区企业名单', receivedOn: '2026-09-03', channel: 'wechat_group', ...shadow },
    hoursSpent: 6,
    staffInvolved: 3,
    ...overrides,
  };
}

/** The registration number of a registered demand, as printed on its notice. */
export async function registrationNoOf(t: TestApp, demandId: number): Promise<string> {
  const [row] = await selectRows<{ registration_no: string }>(t.db, 'SELECT registration_no FROM demands WHERE id = ?', [demandId]);
  return row.registration_no;
}

/** The column order of the burden-report import template (data/templates/burden-reports-import.csv). */
export const REPORT_IMPORT_HEADER = [
  'unitCode', 'registrationNo', 'month', 'shadowIssuerName', 'shadowKind', 'shadowTitle', 'shadowReceivedOn', 'shadowChannel',
  'hoursSpent', 'staffInvolved', 'overtimeHours', 'pages', 'photos', 'note',
];

/** A row of the import template, header-ordered, from a sparse object. */
export function importRow(cells: Record<string, string | number>): string[] {
  return REPORT_IMPORT_HEADER.map((c) => (cells[c] === undefined ? '' : String(cells[c])));
}
