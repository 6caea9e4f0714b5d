import { exportTable } from '@/common/export/export-table';
import type { UserView } from './identity.service';

/** GET /users?format=csv|xlsx. */
export const USER_EXPORT = exportTable<UserView>({
  name: 'users',
  title: '用户',
  columns: { id: true, username: true, displayName: true, role: true, orgUnitId: true, disabled: true, createdAt: true, updatedAt: true },
});
