import { exportTable } from '@/common/export/export-table';
import type { OrgUnitView } from './org-units.service';

/** GET /org-units?format=csv|xlsx. */
export const ORG_UNIT_EXPORT = exportTable<OrgUnitView>({
  name: 'org-units',
  title: '组织机构',
  columns: { id: true, code: true, name: true, kind: true, level: true, parentId: true, path: true, staffCount: true, createdAt: true, updatedAt: true },
});
