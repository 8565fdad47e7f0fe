// The only module that performs HTTP. One GET, a timeout, and a classification of failures.
// By default node:http/https with no keep-alive agent, so a short-lived command exits as soon as
// it is done (fetch's pooled sockets would hold the process open); a `fetch` can be injected.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
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
export function httpGet(
  fetchFn: FetchLike | undefined,
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<HttpAnswer> {
  return fetchFn ? fetchGet(fetchFn, url, headers, timeoutMs) : nodeGet(url, headers, timeoutMs);
}

function failure(err: unknown): ConnectionFailure {
  const { code, message } = describe(err);
  return new ConnectionFailure(message, code !== undefined && NEVER_SENT_CODES.has(code), { cause: err });
}

function nodeGet(url: string, headers: Record<string, string>, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    let timedOut = false;
    const req = send(target, {
      method: 'GET',
      agent: false,
      headers: { accept: 'application/json', ...headers },
    });
    // A deadline for the whole exchange, not an idle timeout: a trickling server still fails.
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy();
    }, timeoutMs);
    const fail = (err: unknown) => {
      clearTimeout(timer);
      reject(
        timedOut
          ? new ConnectionFailure(`no answer within ${timeoutMs} ms`, false, { cause: err })
          : failure(err),
      );
    };
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('close', () => {
        if (!res.complete) return fail(new Error('connection closed before the answer was complete'));
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end();
  });
}

async function fetchGet(
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
    throw failure(err);
  }
}
