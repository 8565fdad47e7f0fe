// Strict reconfiguration: raft-add-peer and raft-remove-peer refuse a change after which fewer
// voters than a quorum would be reachable — e.g. adding a voter while one of three is down (4
// voters need 3), or removing a healthy voter while another is down (2 voters need both). The
// decision is pure; RaftService gathers what the leader knows and `?force` skips the check.

/** Thrown when a membership change would cost the quorum; `details` goes into the JSON answer. */
export class MembershipChangeRefusedError extends Error {
  readonly code = 'MEMBERSHIP_CHANGE_REFUSED';

  constructor(
    message: string,
    readonly details: MembershipCheck,
  ) {
    super(message);
    this.name = 'MembershipChangeRefusedError';
  }
}

/** The leader's view: the voters, and those it heard from recently that count toward a quorum. */
export interface MembershipView {
  readonly voters: readonly string[];
  /** Voters the leader heard from within the reachability window (the leader itself included). */
  readonly reachable: readonly string[];
}

export interface MembershipChange {
  readonly type: 'add' | 'remove';
  readonly node: string;
  /** `add` only: the new peer's raft port answered. */
  readonly nodeReachable?: boolean;
}

/** The membership a change leads to and whether enough of it is reachable. */
export interface MembershipCheck {
  readonly Voters: string[];
  readonly ReachableVoters: string[];
  readonly UnreachableVoters: string[];
  readonly Quorum: number;
  readonly Safe: boolean;
}

export const quorumOf = (voters: number): number => Math.floor(voters / 2) + 1;

/** What the change leads to; `Safe` when at least a quorum of the resulting voters is reachable. */
export function checkMembershipChange(view: MembershipView, change: MembershipChange): MembershipCheck {
  const voters =
    change.type === 'add'
      ? view.voters.includes(change.node)
        ? [...view.voters]
        : [...view.voters, change.node]
      : view.voters.filter((v) => v !== change.node);
  const reachable = new Set(view.reachable);
  if (change.type === 'add' && change.nodeReachable === true) reachable.add(change.node);
  if (change.type === 'remove') reachable.delete(change.node);
  const ReachableVoters = voters.filter((v) => reachable.has(v)).sort();
  const UnreachableVoters = voters.filter((v) => !reachable.has(v)).sort();
  const Quorum = quorumOf(voters.length);
  return {
    Voters: [...voters].sort(),
    ReachableVoters,
    UnreachableVoters,
    Quorum,
    Safe: voters.length > 0 && ReachableVoters.length >= Quorum,
  };
}

/** The sentence the API answers with when `check` is not safe. */
export function refusalMessage(route: string, node: string, check: MembershipCheck): string {
  const n = check.Voters.length;
  const unreachable =
    check.UnreachableVoters.length > 0 ? ` (not reachable: ${check.UnreachableVoters.join(', ')})` : '';
  return (
    `${route} ${node} refused: the membership would have ${n} voter${n === 1 ? '' : 's'}, ` +
    `which need${n === 1 ? 's' : ''} ${check.Quorum} for a quorum, but only ${check.ReachableVoters.length} ` +
    `${check.ReachableVoters.length === 1 ? 'is' : 'are'} reachable${unreachable}. Bring the missing ` +
    'voters back first, or add ?force in an emergency (the cluster may then stop committing until ' +
    'enough voters are reachable).'
  );
}
