import { exportTable } from '@/common/export/export-table';
import type { JointInspectionSuggestion } from './joint-inspections.service';

/** GET /joint-inspections/suggestions?format=csv|xlsx: one row per proposed joint visit. */
export const JOINT_INSPECTION_EXPORT = exportTable<JointInspectionSuggestion>({
  name: 'joint-inspection-suggestions',
  title: '综合查一次建议',
  columns: { unitId: true, unitCode: true, unitName: true, from: true, to: true, topics: true, visitsSaved: true, inspections: true },
});
