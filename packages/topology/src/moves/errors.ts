// Error classes of the moves, each with a stable code; only the daemon maps them to HTTP answers.
import type { RefusalCode } from './types.js';

export type MoveErrorCode = 'REFUSED' | 'NOT_LEADER' | 'LOCKED' | 'FAILED';

export class MoveError extends Error {
  readonly code: MoveErrorCode;
  constructor(code: MoveErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MoveError';
    this.code = code;
  }
}

/** Returned when the planner refuses: nothing was changed. */
export class MoveRefusedError extends MoveError {
  constructor(
    readonly refusal: RefusalCode,
    message: string,
  ) {
    super('REFUSED', message);
    this.name = 'MoveRefusedError';
  }
}

/** Returned when a step failed; the steps before it ran, replication was restarted where it was stopped. */
export class MoveFailedError extends MoveError {
  constructor(
    message: string,
    readonly completedSteps: number,
    options?: { cause?: unknown },
  ) {
    super('FAILED', message, options);
    this.name = 'MoveFailedError';
  }
}
