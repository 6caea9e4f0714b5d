import { exportTable } from '@/common/export/export-table';
import type { IssuerMetrics } from './issuer-metrics.service';
import type { RankedUnit } from './metrics.service';

const UNIT = ['id', 'code', 'name', 'kind', 'level'] as const;

/** GET /metrics/units?format=csv|xlsx: the ranking, every unit of the level under the unit asked. */
export const RANKING_EXPORT = exportTable<RankedUnit>({
  name: 'unit-burden-ranking',
  title: '基层负担排名',
  columns: {
    unit: UNIT,
    estimatedHours: true,
    reportedHours: true,
    burdenHours: true,
    hiddenHours: true,
    duplicateHours: true,
    excessHours: true,
    capacityHours: true,
    burdenShare: true,
    duplicateShare: true,
    excessShare: true,
    occurrences: true,
    percentile: true,
  },
});

/** GET /metrics/issuers?format=csv|xlsx: every issuing office of the jurisdiction. */
export const ISSUER_METRICS_EXPORT = exportTable<IssuerMetrics>({
  name: 'issuer-burden',
  title: '部门下派负担',
  columns: {
    issuer: UNIT,
    demandsIssued: true,
    demandsCancelled: true,
    targetsReached: true,
    hoursImposed: true,
    flaggedDemands: true,
    flaggedShare: true,
    plan: ['year', 'version', 'plannedItems', 'carriedOut'],
    planExecutionRate: true,
    inspections: true,
    jointInspections: true,
    jointInspectionShare: true,
    budget: ['year', 'budgetHours', 'usedHours', 'usedShare'],
  },
});
