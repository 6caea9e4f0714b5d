import type { StandardTree } from './index';

/** A valid demand body of each kind from 蒙自市教育局 to 文澜街道, to vary per test. */
export function demandBody(kind: 'inspection' | 'report' | 'meeting' | 'document' | 'other', tree: StandardTree, overrides: Record<string, unknown> = {}) {
  const common = { title: `测试事项-${kind}`, topic: 'education', issuedOn: '2026-09-01', dueOn: '2026-09-15', targetUnitIds: [tree.wenlan.id] };
  const specific: Record<string, Record<string, unknown>> = {
    report: { fields: ['户籍人口（人）', '在校学生数', '教师总数'] },
    meeting: { durationMinutes: 120, attendeesPerTarget: 2 },
    inspection: { onSiteDays: 1 },
    document: { charCount: 3200 },
    other: { subtype: 'app_task', appRequirements: ['clock_in'] },
  };
  return { kind, ...common, ...specific[kind], ...overrides };
}
