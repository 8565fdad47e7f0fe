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
