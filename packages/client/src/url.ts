// ORCHESTRATOR_API handling: one URL or a space-separated list, each normalised to end in /api.

export const DEFAULT_API = 'http://localhost:3000';

/** Strips trailing slashes and appends `/api` unless the URL already ends with it. */
export function normalizeApiUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  return trimmed.endsWith('/api') ? trimmed : `${trimmed}/api`;
}

/** Splits a space-separated list (or takes an array) and normalises each URL; never empty. */
export function parseApiList(api: string | string[] | undefined): string[] {
  const parts = (Array.isArray(api) ? api : (api ?? '').split(/\s+/)).map((s) => s.trim()).filter(Boolean);
  return (parts.length > 0 ? parts : [DEFAULT_API]).map(normalizeApiUrl);
}
