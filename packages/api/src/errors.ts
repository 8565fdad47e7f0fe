// Errors the API renders. Handlers throw; one middleware turns every error into the JSON envelope.

/** Stable machine-readable codes. */
export type ApiErrorCode =
  | 'BAD_PARAMETER'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_LEADER'
  | 'NO_LEADER'
  | 'LEADER_UNREACHABLE'
  | 'NOT_READY'
  | 'URI_TOO_LONG'
  | 'OPERATION_FAILED';

/** An error with an HTTP status and orchestrator's envelope fields. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly details: unknown;
  /** Seconds for a Retry-After header: a temporary refusal the client should simply retry. */
  readonly retryAfterSeconds: number | undefined;
  constructor(
    code: ApiErrorCode,
    status: number,
    message: string,
    details: unknown = null,
    cause?: unknown,
    retryAfterSeconds?: number,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds ?? (status === 503 ? 1 : undefined);
  }
}

/**
 * Dependencies signal "cannot run this yet, retry shortly" (a node between winning an election and
 * being ready for a command) with `code: 'NOT_READY'`: that becomes a 503 with Retry-After, never
 * a 500.
 */
export function isNotReady(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'NOT_READY';
}

/** A bad path or query parameter: 400, the message names the parameter. */
export function badParameter(param: string, problem: string, value?: string): ApiError {
  const shown = value === undefined ? '' : ` (got ${JSON.stringify(clip(value))})`;
  return new ApiError('BAD_PARAMETER', 400, `invalid parameter ${param}: ${problem}${shown}`, {
    Parameter: param,
  });
}

/** The reference's answer to a write this node may not apply (not the leader, or not allowed). */
export function unauthorized(): ApiError {
  return new ApiError('NOT_LEADER', 500, 'Unauthorized');
}

/** A failed operation the reference reports as a 500 envelope (e.g. "Cannot read instance"). */
export function failed(message: string, details: unknown = null, cause?: unknown): ApiError {
  return new ApiError('OPERATION_FAILED', 500, message, details, cause);
}

/** Values echoed in messages are clipped so a huge parameter cannot make a huge response. */
export function clip(value: string, max = 200): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/**
 * Maps any thrown value to an ApiError. Dependencies signal "not leader" with `code: 'NOT_LEADER'`
 * (or a name/message saying so); that becomes the reference's 500 "Unauthorized".
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const name = typeof e?.name === 'string' ? e.name : '';
  if (code === 'NOT_LEADER' || name === 'NotLeaderError') return unauthorized();
  if (code === 'NOT_READY') {
    const message = typeof e?.message === 'string' ? e.message : String(err);
    return new ApiError('NOT_READY', 503, clip(message, 2000), null, err);
  }
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : String(err);
  // A replicated command its state machine refused: the reference's 500 envelope with the
  // message, and the state machine's code for scripts.
  const fsmCode = (err as { fsmCode?: unknown } | null)?.fsmCode;
  if (typeof fsmCode === 'string') return failed(clip(message, 2000), { FsmError: fsmCode }, err);
  return failed(clip(message, 2000), null, err);
}
