// Finding the leader and sending one request with the reference client's retry rules.
//   - One API URL: used directly, no leader check (the proxy setup).
//   - Several: leader detection (leader.ts), cached until a request fails in a way that suggests a
//     failover: no connection, a body that is not JSON, or a follower's 5xx "Unauthorized".
//   - After such a failure the leader is detected again and the request retried: reads with the
//     backoff delays (0.1, 0.2, 0.5, 1, 2, 2.5, 5 s by default), writes once, and only when the
//     write cannot have run (connection refused, unresolvable host, a refusal by a follower, a
//     non-JSON 5xx from a proxy). A write that timed out is never retried.
import { interpretAnswer } from './envelope.js';
import { UnauthorizedError, UnreachableError } from './errors.js';
import { detectLeader } from './leader.js';
import { isIdempotentRoute } from './routes.js';
import { authHeaders, ConnectionFailure, type FetchLike, httpGet } from './transport.js';
import type { ApiResult } from './types.js';
import { parseApiList } from './url.js';

export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [100, 200, 500, 1000, 2000, 2500, 5000];

export interface ClientOptions {
  /** One API URL (proxy setup) or several (leader detection): an array or a space-separated list. */
  api: string | string[];
  /** HTTP basic auth. */
  auth?: { user: string; password: string };
  /** One extra header, `"Name: value"` (for `proxy` auth, like ORCHESTRATOR_AUTH_USER_HEADER). */
  authHeader?: string;
  /** Per-request timeout in ms for API calls. Default 120000 (takeovers can take a while). */
  timeoutMs?: number;
  /** Timeout in ms of each leader-check probe. Default 1000, like the reference client. */
  leaderCheckTimeoutMs?: number;
  /** Sleeps between retries of reads, in ms; writes use only the first. */
  retryDelaysMs?: readonly number[];
  /** Used instead of node:http when given (e.g. globalThis.fetch, or a test double). */
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  /** Observes every JSON answer (OK or ERROR), e.g. to print the raw body. */
  onResponse?: (event: { api: string; path: string; status: number; body: unknown }) => void;
}

export interface CallOptions {
  /** Overrides the route-based guess (see isIdempotentRoute). */
  idempotent?: boolean;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ApiConnection {
  /** Normalised API URLs, each ending in /api. */
  readonly apis: readonly string[];
  private readonly headers: Record<string, string>;
  private readonly fetchFn: FetchLike | undefined;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly timeoutMs: number;
  private readonly leaderCheckTimeoutMs: number;
  private readonly retryDelaysMs: readonly number[];
  private readonly onResponse: ClientOptions['onResponse'];
  private leaderApi: string | undefined;
  private detecting: Promise<string> | undefined;

  constructor(options: ClientOptions) {
    this.apis = parseApiList(options.api);
    this.headers = authHeaders(options.auth, options.authHeader);
    for (const api of this.apis) {
      if (!URL.canParse(api) || !/^https?:$/.test(new URL(api).protocol)) {
        throw new TypeError(`invalid API URL "${api}": expected http(s)://host[:port][/path]`);
      }
    }
    this.fetchFn = options.fetch;
    this.sleep = options.sleep ?? realSleep;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.leaderCheckTimeoutMs = options.leaderCheckTimeoutMs ?? 1000;
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.onResponse = options.onResponse;
  }

  /** The API URL requests go to: the single URL, or the detected leader. */
  async leader(): Promise<string> {
    if (this.apis.length === 1) return this.apis[0]!;
    if (this.leaderApi !== undefined) return this.leaderApi;
    this.detecting ??= detectLeader([...this.apis], (api, check) => this.probe(api, check)).then(
      (api) => {
        this.leaderApi = api;
        this.detecting = undefined;
        return api;
      },
      (err: unknown) => {
        this.detecting = undefined;
        throw err;
      },
    );
    return this.detecting;
  }

  /** Forgets the cached leader if it is still `api`, so the next request detects it again. */
  private forgetLeader(api: string): void {
    if (this.leaderApi === api) this.leaderApi = undefined;
  }

  private async probe(api: string, check: 'leader-check' | 'routed-leader-check'): Promise<string> {
    try {
      const answer = await httpGet(this.fetchFn, `${api}/${check}`, this.headers, this.leaderCheckTimeoutMs);
      return String(answer.status);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  /** GETs `<leader>/<path>` and interprets the answer; see the module comment for retries. */
  async call<T = unknown>(path: string, options: CallOptions = {}): Promise<ApiResult<T>> {
    const relative = path.replace(/^\/+/, '');
    const idempotent = options.idempotent ?? isIdempotentRoute(relative);
    const delays = idempotent ? this.retryDelaysMs : this.retryDelaysMs.slice(0, 1);
    let lastError: Error | undefined;
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (attempt > 0) await this.sleep(delays[attempt - 1]!);
      let api: string;
      try {
        api = await this.leader();
      } catch (err) {
        if (err instanceof UnauthorizedError) throw err;
        lastError = err as Error;
        continue;
      }
      const failure = await this.attempt<T>(api, relative);
      if (!(failure instanceof Error)) return failure;
      if (!(failure instanceof Retryable) || (!idempotent && !failure.writeSafe)) {
        throw failure instanceof Retryable ? failure.error : failure;
      }
      lastError = failure.error;
      this.forgetLeader(api);
    }
    throw lastError ?? new UnreachableError(this.apis.join(' '), 'no attempt made');
  }

  private async attempt<T>(api: string, path: string): Promise<ApiResult<T> | Error> {
    let answer: Awaited<ReturnType<typeof httpGet>>;
    try {
      answer = await httpGet(this.fetchFn, `${api}/${path}`, this.headers, this.timeoutMs);
    } catch (err) {
      if (!(err instanceof ConnectionFailure)) throw err;
      return new Retryable(new UnreachableError(api, err.message, { cause: err }), err.neverSent);
    }
    const outcome = interpretAnswer(api, path, answer);
    switch (outcome.kind) {
      case 'ok':
        this.onResponse?.({ api, path, status: answer.status, body: outcome.result.raw });
        return outcome.result as ApiResult<T>;
      case 'api-error':
        this.onResponse?.({ api, path, status: answer.status, body: outcome.error.body });
        return outcome.error;
      case 'not-leader':
        return new Retryable(outcome.error, true);
      case 'unauthorized':
        return new UnauthorizedError(api, path);
      case 'invalid':
        return outcome.error;
      case 'retry':
        // A proxy's 502/503 means no backend took the request; other statuses may hide a write.
        return new Retryable(
          new UnreachableError(api, outcome.reason),
          outcome.status === 502 || outcome.status === 503,
        );
    }
  }
}

/** A failed attempt that may be retried; `writeSafe` when a write certainly did not run. */
class Retryable extends Error {
  readonly error: Error;
  readonly writeSafe: boolean;
  constructor(error: Error, writeSafe: boolean) {
    super(error.message);
    this.error = error;
    this.writeSafe = writeSafe;
  }
}
