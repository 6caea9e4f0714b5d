import { exportTable } from '@/common/export/export-table';
import type { BurdenReportView, IssuerReportView } from './burden-reports.service';
import type { UnitCompletenessView } from './monitoring-points.service';
import type { ObjectionView } from './objections.service';

/**
 * GET /burden-reports?format=csv|xlsx. An issuer's rows are IssuerReportView: the columns it
 * lacks (shadow.*, linkedAt, note, timestamps) stay empty on every row, so they tell nothing.
 */
export const BURDEN_REPORT_EXPORT = exportTable<BurdenReportView | IssuerReportView>({
  name: 'burden-reports',
  title: '负担填报',
  columns: {
    id: true,
    unitId: true,
    unitCode: true,
    unitName: true,
    demandId: true,
    demandTitle: true,
    registrationNo: true,
    month: true,
    shadow: ['issuerName', 'kind', 'title', 'receivedOn', 'channel', 'channelLabel'],
    linkedAt: true,
    hoursSpent: true,
    staffInvolved: true,
    overtimeHours: true,
    pages: true,
    photos: true,
    note: true,
    source: true,
    version: true,
    createdAt: true,
    updatedAt: true,
  },
});

/** GET /objections?format=csv|xlsx. */
export const OBJECTION_EXPORT = exportTable<ObjectionView>({
  name: 'objections',
  title: '异议',
  columns: {
    id: true,
    demandId: true,
    demandTitle: true,
    registrationNo: true,
    issuerId: true,
    issuerName: true,
    unitId: true,
    unitName: true,
    reason: true,
    dutyItemId: true,
    createdAt: true,
  },
});

/** GET /monitoring-points?format=csv|xlsx: one row per designated unit; its months as JSON text. */
export const MONITORING_POINT_EXPORT = exportTable<UnitCompletenessView>({
  name: 'monitoring-points',
  title: '减负监测点',
  columns: {
    unitId: true,
    unitCode: true,
    unitName: true,
    level: true,
    from: true,
    to: true,
    expected: true,
    received: true,
    onTime: true,
    reportingRate: true,
    timelinessRate: true,
    months: true,
  },
});
