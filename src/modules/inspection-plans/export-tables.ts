import { exportTable } from '@/common/export/export-table';
import type { InspectionPlanView } from './inspection-plans.service';

/** GET /inspection-plans?format=csv|xlsx (the plans, not their items: GET /inspection-plans/:id has those). */
export const INSPECTION_PLAN_EXPORT = exportTable<InspectionPlanView>({
  name: 'inspection-plans',
  title: '督查检查考核计划',
  columns: {
    id: true,
    issuerId: true,
    issuer: ['code', 'name'],
    year: true,
    version: true,
    status: true,
    title: true,
    supersedesId: true,
    nextVersionId: true,
    effective: true,
    itemCount: true,
    allowedActions: true,
    createdBy: true,
    createdAt: true,
    updatedAt: true,
    submittedBy: true,
    submittedAt: true,
    decidedBy: true,
    decidedAt: true,
    rejectReason: true,
  },
});
