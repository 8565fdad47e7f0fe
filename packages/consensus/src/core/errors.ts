// Errors the core throws, each with a stable `code` for callers to branch on.
import type { NodeId } from '../types.js';

/** Returned when a proposal, conf change, read or transfer reaches a node that is not the leader. */
export class NotLeaderError extends Error {
  readonly code = 'NOT_LEADER' as const;
  /** The leader this node knows of in its current term, or '' when it knows none. */
  readonly leader: NodeId;

  constructor(leader: NodeId) {
    super(leader === '' ? 'not the leader; no leader known' : `not the leader; the leader is ${leader}`);
    this.name = 'NotLeaderError';
    this.leader = leader;
  }
}

/** Returned when the leader refuses a proposal: a transfer is in progress or the uncommitted queue is full. */
export class ProposalDroppedError extends Error {
  readonly code = 'PROPOSAL_DROPPED' as const;

  constructor(reason: string) {
    super(`proposal dropped: ${reason}`);
    this.name = 'ProposalDroppedError';
  }
}

/** Returned when a membership change is proposed while an earlier one is not yet committed. */
export class ConfChangeInProgressError extends Error {
  readonly code = 'CONF_CHANGE_IN_PROGRESS' as const;

  constructor(reason: string) {
    super(`membership change refused: ${reason}`);
    this.name = 'ConfChangeInProgressError';
  }
}
