// Pure interpretation of one HTTP answer (reference client §7.3): JSON everywhere; an object with
// `Code` is an envelope whose `Details` is the value, and whose ERROR code is an error. What is
// retryable is decided here too, so the retry loop stays free of parsing rules.
import { ApiError, InvalidResponseError } from './errors.js';
import type { ApiResult } from './types.js';

export type Interpretation =
  | { kind: 'ok'; result: ApiResult }
  /** An ERROR envelope: final. */
  | { kind: 'api-error'; error: ApiError }
  /**
   * A follower could not serve the request: a 5xx `Unauthorized` envelope (orchestrator's answer to a
   * write on a non-leader) or a 503 envelope (this daemon's "no raft leader is known"). Neither ran
   * the request; find the leader again and retry.
   */
  | { kind: 'not-leader'; error: ApiError }
  /** HTTP 401: wrong or missing credentials. */
  | { kind: 'unauthorized' }
  /** Not JSON on a 2xx/5xx answer (a proxy error page, a node restarting): worth retrying. */
  | { kind: 'retry'; reason: string; status: number }
  /** Not JSON on a 3xx/4xx answer (unknown route, redirect): retrying cannot help. */
  | { kind: 'invalid'; error: InvalidResponseError };

export interface HttpAnswer {
  status: number;
  body: string;
}

/** Parses JSON, returning `undefined` (never throwing) when the text is not JSON. */
export function parseJson(text: string): { value: unknown } | undefined {
  if (text.trim() === '') return undefined;
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** True when `value` is an object with a `Code` field, i.e. an action envelope. */
export function isEnvelope(value: unknown): value is { Code: unknown; Message?: unknown; Details?: unknown } {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && 'Code' in value;
}

export function interpretAnswer(api: string, path: string, answer: HttpAnswer): Interpretation {
  if (answer.status === 401) return { kind: 'unauthorized' };
  const parsed = parseJson(answer.body);
  if (parsed === undefined) {
    if (answer.status >= 300 && answer.status < 500) {
      return {
        kind: 'invalid',
        error: new InvalidResponseError(`${api}/${path}`, answer.status, answer.body),
      };
    }
    return { kind: 'retry', reason: `HTTP ${answer.status}, body is not JSON`, status: answer.status };
  }
  const value = parsed.value;
  if (!isEnvelope(value)) {
    return { kind: 'ok', result: { raw: value, details: value, message: '', enveloped: false, api } };
  }
  const message = typeof value.Message === 'string' ? value.Message : String(value.Message ?? '');
  const details = value.Details ?? null;
  if (String(value.Code).includes('ERROR')) {
    const error = new ApiError({ message, details, body: value, status: answer.status, path });
    const notLeader = answer.status === 503 || (answer.status >= 500 && message === 'Unauthorized');
    return notLeader ? { kind: 'not-leader', error } : { kind: 'api-error', error };
  }
  return { kind: 'ok', result: { raw: value, details, message, enveloped: true, api } };
}
