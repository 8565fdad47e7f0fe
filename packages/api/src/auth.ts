// HTTP basic authentication as orchestrator's `basic` and `multi` methods do it.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ResolvedApiOptions } from './options.js';

/** The read-only user of `multi`: any password is accepted for it. */
export const READONLY_USER = 'readonly';

export type AuthResult =
  | { ok: true; user: string; canWrite: boolean }
  | { ok: false; reason: 'missing' | 'invalid' };

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

function parseBasic(header: string | undefined): { user: string; password: string } | null {
  if (header === undefined) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Who is asking, and may they write. ReadOnly mode is applied by the caller. */
export function authenticate(header: string | undefined, o: ResolvedApiOptions): AuthResult {
  if (o.authenticationMethod === '') return { ok: true, user: '', canWrite: true };
  const creds = parseBasic(header);
  if (creds === null) return { ok: false, reason: header === undefined ? 'missing' : 'invalid' };
  if (o.authenticationMethod === 'multi' && creds.user === READONLY_USER) {
    return { ok: true, user: READONLY_USER, canWrite: false };
  }
  const userOk = sameSecret(creds.user, o.httpAuthUser);
  const passwordOk = sameSecret(creds.password, o.httpAuthPassword);
  if (userOk && passwordOk) return { ok: true, user: creds.user, canWrite: true };
  return { ok: false, reason: 'invalid' };
}
