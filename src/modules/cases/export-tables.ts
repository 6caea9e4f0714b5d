import { exportTable } from '@/common/export/export-table';
import type { CaseView } from './cases.service';

/** GET /cases?format=csv|xlsx: one row per case (its evidence stays in GET /cases/:id). */
export const CASE_EXPORT = exportTable<CaseView>({
  name: 'cases',
  title: '典型案例',
  columns: {
    id: true,
    status: true,
    title: true,
    category: true,
    categorySource: true,
    issuer: ['code', 'name'],
    unit: ['code', 'name'],
    persons: true,
    conductFrom: true,
    conductTo: true,
    facts: true,
    provision: true,
    handlingType: true,
    handlingOn: true,
    handlingNote: true,
    flagIds: true,
    rectification: ['status', 'label', 'overdue'],
    totals: ['flags', 'demands', 'affectedUnits', 'burdenMinutes'],
    evidenceHash: true,
    createdBy: true,
    createdAt: true,
    updatedAt: true,
    finalisedAt: true,
    version: true,
  },
});
