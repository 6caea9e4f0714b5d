import { exportTable } from '@/common/export/export-table';
import type { FlagView } from './flags.service';

/** GET /flags?format=csv|xlsx. */
export const FLAG_EXPORT = exportTable<FlagView>({
  name: 'flags',
  title: '预警',
  columns: {
    id: true,
    rule: true,
    ruleTitle: true,
    status: true,
    demandId: true,
    demandTitle: true,
    registrationNo: true,
    reportId: true,
    unitId: true,
    unitName: true,
    issuerId: true,
    issuerName: true,
    period: true,
    landsOn: true,
    explanation: true,
    evidence: true,
    policyVersion: true,
    assigneeId: true,
    dueOn: true,
    overdue: true,
    raisedAt: true,
    updatedAt: true,
    version: true,
  },
});
