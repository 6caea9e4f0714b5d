import { exportTable } from '@/common/export/export-table';
import type { DemandView } from './demands.service';

/** GET /demands?format=csv|xlsx. */
export const DEMAND_EXPORT = exportTable<DemandView>({
  name: 'demands',
  title: '事项登记',
  columns: {
    id: true,
    registrationNo: true,
    issuerId: true,
    issuerName: true,
    kind: true,
    subtype: true,
    title: true,
    topic: true,
    basis: true,
    issuedOn: true,
    startsOn: true,
    dueOn: true,
    landsOn: true,
    recurrence: true,
    until: true,
    estimatedHoursPerTarget: true,
    estimateSource: true,
    policyVersion: true,
    requiresTrace: true,
    targetScopes: true,
    targetCount: true,
    parentDemandId: true,
    planItemId: true,
    status: true,
    cancelledOn: true,
    cancelReason: true,
    createdAt: true,
    updatedAt: true,
    version: true,
  },
  // The kind-specific fields a demand keeps in its details (demands.service.ts, demand-importer.ts).
  extraFields: ['targetUnitIds', 'fields', 'durationMinutes', 'attendeesPerTarget', 'attendeeLevels', 'onSiteDays', 'jointWith', 'charCount', 'special', 'appRequirements'],
});
