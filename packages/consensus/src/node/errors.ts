// Errors of the RaftNode driver, each with a stable `code`. The core's own errors (NotLeaderError,
// ProposalDroppedError, ConfChangeInProgressError) pass through unchanged.

/** A proposal's entry was replaced by another leader's entry at the same index: it will never apply. */
export class ProposalLostError extends Error {
  readonly code = 'PROPOSAL_LOST' as const;
  constructor(
    readonly index: number,
    detail: string,
  ) {
    super(`proposal at index ${index} lost: ${detail}`);
    this.name = 'ProposalLostError';
  }
}

/** A proposal, read or transfer did not finish within the request timeout; its outcome is unknown. */
export class RaftTimeoutError extends Error {
  readonly code = 'RAFT_TIMEOUT' as const;
  constructor(what: string, ms: number) {
    super(`${what} did not complete within ${ms} ms (outcome unknown)`);
    this.name = 'RaftTimeoutError';
  }
}

/** The node was stopped (or never started) while the request was pending. */
export class RaftStoppedError extends Error {
  readonly code = 'RAFT_STOPPED' as const;
  constructor() {
    super('the raft node is stopped');
    this.name = 'RaftStoppedError';
  }
}

/** The configuration is invalid; `problems` lists every problem, each naming the key. */
export class RaftConfigError extends Error {
  readonly code = 'RAFT_CONFIG' as const;
  constructor(readonly problems: readonly string[]) {
    super(`invalid raft configuration: ${problems.join('; ')}`);
    this.name = 'RaftConfigError';
  }
}

/** The data dir cannot be used (e.g. the log was compacted past the newest intact snapshot). */
export class RaftStorageError extends Error {
  readonly code = 'RAFT_STORAGE' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RaftStorageError';
  }
}

/**
 * This node cannot write its raft storage (log, hard state, snapshots) or its state machine: it
 * takes no part (no votes, no acknowledgements, no leadership) until a write succeeds again. A
 * request pending when that happened has an unknown outcome.
 */
export class RaftStorageFaultError extends Error {
  readonly code = 'STORAGE_FAULT' as const;
  constructor(detail: string) {
    super(`this raft node cannot write its storage (${detail}); it takes no part until it can`);
    this.name = 'RaftStorageFaultError';
  }
}

/**
 * Thrown by a StateMachine's apply() or restore() when it cannot write now (a full or read-only
 * disk, a lost database connection) — not a deterministic refusal. The entry is retried until it
 * applies, and meanwhile the node takes no part in the cluster.
 */
export class StateMachineUnavailableError extends Error {
  readonly code = 'STATE_MACHINE_UNAVAILABLE' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StateMachineUnavailableError';
  }
}
