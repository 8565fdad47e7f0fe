// A probe failure reduced to a small fixed set of kinds, for metrics labels (bounded cardinality)
// and alerting: "refused" and "unresolved" point at the fleet or DNS, "access_denied" at the
// topology user's grants, "timeout" at the network or an overloaded server.

export type ProbeErrorKind =
  | 'refused'
  | 'timeout'
  | 'access_denied'
  | 'unresolved'
  | 'connection_lost'
  | 'ignored'
  | 'query'
  | 'other';

export const PROBE_ERROR_KINDS: readonly ProbeErrorKind[] = [
  'refused',
  'timeout',
  'access_denied',
  'unresolved',
  'connection_lost',
  'ignored',
  'query',
  'other',
];

const BY_CODE: Readonly<Record<string, ProbeErrorKind>> = {
  ECONNREFUSED: 'refused',
  PROBE_TIMEOUT: 'timeout',
  ETIMEDOUT: 'timeout',
  ER_ACCESS_DENIED_ERROR: 'access_denied',
  ER_DBACCESS_DENIED_ERROR: 'access_denied',
  ER_SPECIFIC_ACCESS_DENIED_ERROR: 'access_denied',
  ER_TABLEACCESS_DENIED_ERROR: 'access_denied',
  ENOTFOUND: 'unresolved',
  EAI_AGAIN: 'unresolved',
  ECONNRESET: 'connection_lost',
  EPIPE: 'connection_lost',
  PROTOCOL_CONNECTION_LOST: 'connection_lost',
  PROBE_IGNORED: 'ignored',
};

/** The kind of a probe failure: the first known `code` along the error's cause chain. */
export function probeErrorKind(error: unknown): ProbeErrorKind {
  let sawSqlError = false;
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string') {
      const kind = BY_CODE[e.code];
      if (kind) return kind;
      if (e.code.startsWith('ER_')) sawSqlError = true;
    }
    e = e.cause as typeof e;
  }
  return sawSqlError ? 'query' : 'other';
}
