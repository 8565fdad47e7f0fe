// Errors of replication control, each with a stable `code`; only the API maps them to envelopes.

export type ControlErrorCode =
  /** Refused before any change: the operation would be unsafe or makes no sense in this state. */
  | 'REFUSED'
  /** A statement failed or the result is not what was asked (the instance may have changed). */
  | 'FAILED'
  /** The server does not support the operation (e.g. no semi-sync variables). */
  | 'UNSUPPORTED';

export class ControlError extends Error {
  readonly code: ControlErrorCode;
  constructor(code: ControlErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ControlError';
    this.code = code;
  }
}

/** A refusal: nothing was changed. */
export function refused(message: string): ControlError {
  return new ControlError('REFUSED', message);
}
