import { exportTable } from '@/common/export/export-table';
import type { PolicyVersionSummary } from './policy.service';

/** GET /policy/versions?format=csv|xlsx. */
export const POLICY_VERSION_EXPORT = exportTable<PolicyVersionSummary>({
  name: 'policy-versions',
  title: '政策参数版本',
  columns: { version: true, effectiveFrom: true, note: true, createdAt: true, createdBy: true },
});
