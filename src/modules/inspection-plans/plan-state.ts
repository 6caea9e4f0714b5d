/**
 * The life of one inspection plan version (DESIGN §2): draft → submitted → approved | rejected,
 * rejected → draft. An approved version is frozen; changing it means revising it into a new
 * version, which starts its own life in draft. Pure: no I/O, no framework.
 */
export const PLAN_STATUSES = ['draft', 'submitted', 'approved', 'rejected'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

/** What can be done to a plan version; `edit` and `revise` leave its own status as it is. */
export const PLAN_ACTIONS = ['edit', 'submit', 'approve', 'reject', 'rework', 'revise'] as const;
export type PlanAction = (typeof PLAN_ACTIONS)[number];

interface Transition {
  from: PlanStatus;
  to: PlanStatus;
}

const TRANSITIONS: Record<PlanAction, Transition> = {
  edit: { from: 'draft', to: 'draft' },
  submit: { from: 'draft', to: 'submitted' },
  approve: { from: 'submitted', to: 'approved' },
  reject: { from: 'submitted', to: 'rejected' },
  rework: { from: 'rejected', to: 'draft' },
  // The approved version stays approved; the revision is a new version in draft.
  revise: { from: 'approved', to: 'approved' },
};

/** The only status from which the action is allowed. */
export function requiredStatus(action: PlanAction): PlanStatus {
  return TRANSITIONS[action].from;
}

/** The status after the action, or null when the action is not allowed in this status. */
export function nextStatus(status: PlanStatus, action: PlanAction): PlanStatus | null {
  const t = TRANSITIONS[action];
  return t.from === status ? t.to : null;
}

/** The actions allowed in a status, for clients that show buttons and for 409 answers. */
export function allowedActions(status: PlanStatus): PlanAction[] {
  return PLAN_ACTIONS.filter((action) => TRANSITIONS[action].from === status);
}

export function isPlanStatus(value: string): value is PlanStatus {
  return (PLAN_STATUSES as readonly string[]).includes(value);
}
