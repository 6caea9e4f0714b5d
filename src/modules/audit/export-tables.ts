import { exportTable } from '@/common/export/export-table';
import type { AuditEntryView } from './audit.service';

/** GET /audit?format=csv|xlsx. */
export const AUDIT_EXPORT = exportTable<AuditEntryView>({
  name: 'audit',
  title: '审计日志',
  columns: {
    id: true,
    at: true,
    actorId: true,
    actor: true,
    action: true,
    entityType: true,
    entityId: true,
    unitPath: true,
    before: true,
    after: true,
    prevHash: true,
    hash: true,
  },
});
