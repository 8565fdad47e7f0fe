// Which backend failures mean "this node cannot write now" (a full or read-only disk, an I/O error,
// a lost or refused MySQL connection, revoked privileges) rather than "this command is invalid".
// The first kind must never be skipped — the node would silently miss a replicated change — so the
// state machine throws StateMachineUnavailableError and raft retries the entry (the node takes no
// part meanwhile). The second kind is deterministic (every node fails the same way) and is the
// entry's result.

/** SQLite result codes (better-sqlite3 `code`, extended codes included by prefix). */
const SQLITE_UNAVAILABLE = [
  'SQLITE_READONLY',
  'SQLITE_FULL',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_NOMEM',
  'SQLITE_PERM',
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
];

/** Node system and mysql2 client error codes. */
const NODE_UNAVAILABLE = new Set([
  'ENOSPC',
  'EROFS',
  'EIO',
  'EACCES',
  'EPERM',
  'EDQUOT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'POOL_CLOSED',
]);

/**
 * MySQL server errors: 3 EE_WRITE, 1021 disk full, 1030 storage engine error, 1040 too many
 * connections, 1044/1045/1142 access denied, 1053 shutdown, 1114 table full, 1205 lock wait
 * timeout, 1213 deadlock, 1290 --read-only, 1792 read-only transaction, 1927 connection killed,
 * 2002/2003/2006/2013 connection (client side).
 */
const MYSQL_UNAVAILABLE = new Set([
  3, 1021, 1030, 1040, 1044, 1045, 1053, 1114, 1142, 1205, 1213, 1290, 1792, 1927, 2002, 2003, 2006, 2013,
]);

/** True when `err` (or any error in its `cause` chain) says the backend cannot be written now. */
export function isBackendUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    const { code, errno } = e as { code?: unknown; errno?: unknown };
    if (typeof code === 'string') {
      if (SQLITE_UNAVAILABLE.some((c) => code.startsWith(c))) return true;
      if (NODE_UNAVAILABLE.has(code)) return true;
    }
    if (typeof errno === 'number' && MYSQL_UNAVAILABLE.has(errno)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
