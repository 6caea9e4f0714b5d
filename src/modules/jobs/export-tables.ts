import { exportTable } from '@/common/export/export-table';
import type { JobView } from './jobs.service';

/** GET /jobs?format=csv|xlsx. */
export const JOB_EXPORT = exportTable<JobView>({
  name: 'jobs',
  title: '后台任务',
  columns: {
    id: true,
    kind: true,
    status: true,
    progress: ['done', 'total'],
    message: true,
    input: true,
    result: true,
    error: ['message', 'code', 'details'],
    createdBy: true,
    createdAt: true,
    startedAt: true,
    finishedAt: true,
  },
});
