// Error classes of the client. Each has a stable `code`; only the CLI maps them to exit codes and
// stderr text.

/** Base class: every error the client throws on purpose. */
export class ClientError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Returned when the server answered an envelope whose `Code` contains "ERROR". */
export class ApiError extends ClientError {
  /** The envelope's `Message`. */
  readonly apiMessage: string;
  /** The envelope's `Details` (null when absent). */
  readonly details: unknown;
  /** The whole JSON body, for `--json` and `api`. */
  readonly body: unknown;
  readonly status: number;
  readonly path: string;
  constructor(args: { message: string; details: unknown; body: unknown; status: number; path: string }) {
    super('API_ERROR', args.message);
    this.apiMessage = args.message;
    this.details = args.details;
    this.body = args.body;
    this.status = args.status;
    this.path = args.path;
  }
}

/** What one API URL answered during leader detection. */
export interface LeaderProbeAnswer {
  api: string;
  /** `leader-check` / `routed-leader-check` outcome: an HTTP status or a connection error text. */
  leaderCheck: string;
  routedLeaderCheck?: string;
}

/** Returned when several API URLs were given and none answered 200 to either leader check. */
export class NoLeaderError extends ClientError {
  readonly answers: LeaderProbeAnswer[];
  constructor(apis: string[], answers: LeaderProbeAnswer[]) {
    const summary = answers
      .map(
        (a) => `${a.api}: leader-check ${a.leaderCheck}, routed-leader-check ${a.routedLeaderCheck ?? '-'}`,
      )
      .join('; ');
    super('NO_LEADER', `Cannot determine leader from ${apis.join(' ')} (${summary})`);
    this.answers = answers;
  }
}

/** Returned on HTTP 401: the credentials are missing or wrong. Never retried. */
export class UnauthorizedError extends ClientError {
  readonly api: string;
  constructor(api: string, path: string) {
    super(
      'UNAUTHORIZED',
      `401 Unauthorized from ${api}/${path}: check ORCHESTRATOR_AUTH_USER / ORCHESTRATOR_AUTH_PASSWORD (or -b user:password)`,
    );
    this.api = api;
  }
}

/**
 * Returned when the server could not be reached, or kept answering something that is not JSON,
 * after the retries allowed for the request.
 */
export class UnreachableError extends ClientError {
  readonly api: string;
  constructor(api: string, reason: string, options?: { cause?: unknown }) {
    super(
      'UNREACHABLE',
      `Cannot access orchestrator at ${api} (${reason}). Check ORCHESTRATOR_API is configured correctly and orchestrator is running`,
      options,
    );
    this.api = api;
  }
}

/** Returned for a non-JSON 4xx answer (e.g. a plain-text 404 for an unknown route): not retried. */
export class InvalidResponseError extends ClientError {
  readonly status: number;
  readonly body: string;
  constructor(url: string, status: number, body: string) {
    super('INVALID_RESPONSE', `HTTP ${status} from ${url} is not JSON: ${body.slice(0, 200).trim()}`);
    this.status = status;
    this.body = body;
  }
}

/** Returned by the CLI for a bad command line (unknown command, missing flag). No HTTP call is made. */
export class UsageError extends ClientError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** Returned by the CLI when a command cannot go on (e.g. "Cannot determine raft state"). */
export class CommandFailedError extends ClientError {
  constructor(message: string) {
    super('COMMAND_FAILED', message);
  }
}
