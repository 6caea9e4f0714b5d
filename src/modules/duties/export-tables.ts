import { exportTable } from '@/common/export/export-table';
import type { DutyItem, Topic } from './duty.repository';

/** GET /topics?format=csv|xlsx. */
export const TOPIC_EXPORT = exportTable<Topic>({
  name: 'topics',
  title: '领域',
  columns: { code: true, name: true },
});

/** GET /duty-items?format=csv|xlsx. */
export const DUTY_ITEM_EXPORT = exportTable<DutyItem>({
  name: 'duty-items',
  title: '职责清单',
  columns: { id: true, level: true, topic: true, category: true, title: true, basis: true, createdAt: true },
});
