// The only module that performs HTTP. One GET, a timeout, and a classification of failures.
import type { HttpAnswer } from './envelope.js';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** A request that got no HTTP answer at all. */
export class ConnectionFailure extends Error {
  /**
   * True when the request certainly never reached the server (refused, unresolvable, unroutable),
   * so even a write may be retried. False for timeouts and resets, where a write may have run.
   */
  readonly neverSent: boolean;
  constructor(reason: string, neverSent: boolean, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'ConnectionFailure';
    this.neverSent = neverSent;
  }
}

const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The first `code` along the cause chain, and the innermost message (fetch says only "fetch failed"). */
function describe(err: unknown): { code: string | undefined; message: string } {
  let message = err instanceof Error ? err.message : String(err);
  for (let e: unknown = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return { code, message: code };
    if (e instanceof Error) message = e.message;
    e = (e as { cause?: unknown }).cause;
  }
  return { code: undefined, message };
}

/** Builds the auth headers: basic auth and/or one `Name: value` header (ORCHESTRATOR_AUTH_USER_HEADER). */
export function authHeaders(
  auth?: { user: string; password: string },
  authHeader?: string,
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (auth) {
    headers.authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
  }
  if (authHeader !== undefined && authHeader !== '') {
    const colon = authHeader.indexOf(':');
    if (colon <= 0) throw new TypeError(`auth header "${authHeader}" must look like "Name: value"`);
    headers[authHeader.slice(0, colon).trim().toLowerCase()] = authHeader.slice(colon + 1).trim();
  }
  return headers;
}

/** GETs `url`; resolves with any HTTP answer, rejects with ConnectionFailure when there is none. */
export async function httpGet(
  fetchFn: FetchLike,
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<HttpAnswer> {
  try {
    const res = await fetchFn(url, {
      method: 'GET',
      headers: { accept: 'application/json', ...headers },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
      throw new ConnectionFailure(`no answer within ${timeoutMs} ms`, false, { cause: err });
    }
    const { code, message } = describe(err);
    throw new ConnectionFailure(message, code !== undefined && NEVER_SENT_CODES.has(code), { cause: err });
  }
}
