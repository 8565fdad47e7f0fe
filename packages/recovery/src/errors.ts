// Error classes with a stable `code`; only the API and the daemon map them to HTTP or exit codes.

export type RecoveryErrorCode =
  | 'NOT_LEADER'
  | 'RECOVERY_REFUSED'
  | 'RECOVERY_BLOCKED'
  | 'HOOK_FAILED'
  | 'NO_CANDIDATE'
  | 'PROMOTION_FAILED'
  | 'STATE_CHANGED'
  | 'MYSQL_ERROR'
  | 'TIMEOUT'
  | 'INVALID_ARGUMENT';

export class RecoveryError extends Error {
  readonly code: RecoveryErrorCode;
  constructor(code: RecoveryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RecoveryError';
    this.code = code;
  }
}

/** Thrown when this node is no longer raft leader with a quorum; the recovery stops before touching MySQL. */
export class LeadershipLostError extends RecoveryError {
  constructor(step: string) {
    super('NOT_LEADER', `leadership lost before step: ${step}`);
    this.name = 'LeadershipLostError';
  }
}

/** Thrown when an instance is no longer in the state the next step assumes. */
export class StateChangedError extends RecoveryError {
  constructor(message: string) {
    super('STATE_CHANGED', message);
    this.name = 'StateChangedError';
  }
}

export class HookFailedError extends RecoveryError {
  constructor(
    readonly hook: string,
    readonly exitCode: number | null,
    message: string,
  ) {
    super('HOOK_FAILED', message);
    this.name = 'HookFailedError';
  }
}

export class TimeoutError extends RecoveryError {
  constructor(message: string) {
    super('TIMEOUT', message);
    this.name = 'TimeoutError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
