/**
 * The review workflow of a flag (DESIGN §2) as a pure state machine: who may move a flag from
 * which state to which, and what the move needs. No I/O; the service supplies the facts.
 */
export const FLAG_STATUSES = ['open', 'under_review', 'confirmed', 'dismissed', 'rectifying', 'rectified', 'verified', 'withdrawn'] as const;
export type FlagStatus = (typeof FLAG_STATUSES)[number];

/** Who is asking: a coordinator whose jurisdiction holds the flag, the issuer of the flagged demand, or the evaluation itself. */
export type FlagParty = 'coordinator' | 'issuer' | 'system';

interface Move {
  by: FlagParty;
  /** The move needs a comment (a reason or a rectification note). */
  comment: boolean;
  /** The move needs a due date (a rectification order). */
  dueOn: 'required' | 'optional' | 'none';
}

const MOVES: Readonly<Record<FlagStatus, Partial<Record<FlagStatus, Move>>>> = {
  open: {
    under_review: { by: 'coordinator', comment: false, dueOn: 'none' },
    withdrawn: { by: 'system', comment: true, dueOn: 'none' },
  },
  under_review: {
    confirmed: { by: 'coordinator', comment: true, dueOn: 'none' },
    dismissed: { by: 'coordinator', comment: true, dueOn: 'none' },
    withdrawn: { by: 'system', comment: true, dueOn: 'none' },
  },
  confirmed: { rectifying: { by: 'coordinator', comment: true, dueOn: 'required' } },
  rectifying: { rectified: { by: 'issuer', comment: true, dueOn: 'none' } },
  rectified: {
    verified: { by: 'coordinator', comment: false, dueOn: 'none' },
    // Verification failed: back to rectifying, with a new due date when the coordinator gives one.
    rectifying: { by: 'coordinator', comment: true, dueOn: 'optional' },
  },
  dismissed: {},
  verified: {},
  // A withdrawn finding that holds again (the demand was edited back) is reopened by the evaluation.
  withdrawn: { open: { by: 'system', comment: true, dueOn: 'none' } },
};

export type TransitionCheck =
  | { ok: true }
  | { ok: false; reason: 'not-allowed'; allowed: FlagStatus[] }
  | { ok: false; reason: 'wrong-party'; party: FlagParty }
  | { ok: false; reason: 'missing'; field: 'comment' | 'dueOn' }
  | { ok: false; reason: 'unexpected'; field: 'dueOn' };

/** The states a party may move a flag to from `from`. */
export function nextStates(from: FlagStatus, party: FlagParty): FlagStatus[] {
  return (Object.entries(MOVES[from]) as [FlagStatus, Move][]).filter(([, m]) => m.by === party).map(([to]) => to);
}

/** Whether `party` may move a flag from `from` to `to` with what it supplied. */
export function checkTransition(from: FlagStatus, to: FlagStatus, party: FlagParty, supplied: { comment?: string | null; dueOn?: string | null }): TransitionCheck {
  const move = MOVES[from][to];
  if (!move) return { ok: false, reason: 'not-allowed', allowed: Object.keys(MOVES[from]) as FlagStatus[] };
  if (move.by !== party) return { ok: false, reason: 'wrong-party', party: move.by };
  if (move.comment && !(supplied.comment ?? '').trim()) return { ok: false, reason: 'missing', field: 'comment' };
  if (move.dueOn === 'required' && !supplied.dueOn) return { ok: false, reason: 'missing', field: 'dueOn' };
  if (move.dueOn === 'none' && supplied.dueOn) return { ok: false, reason: 'unexpected', field: 'dueOn' };
  return { ok: true };
}

/** A finding that no longer holds may be withdrawn only before a coordinator confirmed it. */
export function isWithdrawable(status: FlagStatus): boolean {
  return status === 'open' || status === 'under_review';
}

/** States in which a flag still counts against a demand (DESIGN §5: all but dismissed and withdrawn). */
export function isStanding(status: FlagStatus): boolean {
  return status !== 'dismissed' && status !== 'withdrawn';
}
