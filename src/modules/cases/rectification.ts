import type { LiveFlag } from './case.model';

export type RectificationStatus = 'not_ordered' | 'rectifying' | 'rectified' | 'verified';

const LABELS: Record<RectificationStatus, string> = {
  not_ordered: '待部署整改',
  rectifying: '整改中',
  rectified: '已整改待验收',
  verified: '整改已验收',
};

export interface Rectification {
  status: RectificationStatus;
  label: string;
  /** Flags of the case per current status. */
  counts: Record<string, number>;
  /** Flags being rectified past their due date. */
  overdue: number;
  flags: (LiveFlag & { overdue: boolean })[];
}

/**
 * Where the rectification of a case stands, from its flags as they are now: verified when every
 * flag is, rectified when every flag is at least rectified, rectifying while any is, and not yet
 * ordered otherwise (some flag is only confirmed).
 */
export function rectificationOf(flags: readonly LiveFlag[], today: string): Rectification {
  const counts: Record<string, number> = {};
  for (const f of flags) counts[f.status] = (counts[f.status] ?? 0) + 1;
  const all = (ok: (s: LiveFlag['status']) => boolean) => flags.length > 0 && flags.every((f) => ok(f.status));
  const status: RectificationStatus = all((s) => s === 'verified')
    ? 'verified'
    : all((s) => s === 'rectified' || s === 'verified')
      ? 'rectified'
      : flags.some((f) => f.status === 'rectifying')
        ? 'rectifying'
        : 'not_ordered';
  const live = flags.map((f) => ({ ...f, overdue: f.status === 'rectifying' && f.dueOn !== null && f.dueOn < today }));
  return { status, label: LABELS[status], counts, overdue: live.filter((f) => f.overdue).length, flags: live };
}
