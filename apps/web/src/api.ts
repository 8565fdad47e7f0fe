// The one way the UI talks to the daemon: GET `<URLPrefix>/api/...` with the browser's credentials,
// unwrapping the reference's `{Code, Message, Details}` envelope and turning every failure into an
// ApiError whose message is what the API said.

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** `/orc/web/` → `/orc/api`; `/web/` → `/api`. */
export function apiBaseFor(pathname: string): string {
  const i = pathname.lastIndexOf('/web');
  const prefix = i < 0 ? '' : pathname.slice(0, i);
  return `${prefix}/api`;
}

/** Path segments are percent-encoded one by one: `path('instance', host, port)`. */
export function path(...segments: (string | number)[]): string {
  return segments.map((s) => encodeURIComponent(String(s))).join('/');
}

interface Envelope {
  Code: string;
  Message: string;
  Details?: unknown;
}

function isEnvelope(body: unknown): body is Envelope {
  return typeof body === 'object' && body !== null && 'Code' in body && 'Message' in body;
}

const TIMEOUT_MS = 30_000;

async function request(relative: string): Promise<unknown> {
  const url = `${apiBaseFor(window.location.pathname)}/${relative}`;
  let response: Response;
  try {
    response = await fetch(url, {
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new ApiError(`cannot reach the orchestrator: ${(err as Error).message}`, 0);
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: reported as text below
  }
  if (isEnvelope(body) && body.Code === 'ERROR') {
    throw new ApiError(body.Message || `HTTP ${response.status}`, response.status);
  }
  if (!response.ok) {
    const message = isEnvelope(body) ? body.Message : typeof body === 'string' ? body : '';
    throw new ApiError(message.trim() || `HTTP ${response.status} ${response.statusText}`, response.status);
  }
  return body;
}

/** A read route; envelopes are unwrapped to their Details. */
export async function get<T>(relative: string): Promise<T> {
  const body = await request(relative);
  return (isEnvelope(body) ? body.Details : body) as T;
}

/** A mutating route: resolves with the API's message (and details), throws ApiError otherwise. */
export async function act<T = unknown>(relative: string): Promise<{ message: string; details: T }> {
  const body = await request(relative);
  if (isEnvelope(body)) return { message: body.Message, details: body.Details as T };
  return { message: typeof body === 'string' ? body : 'OK', details: body as T };
}
