// Every error this package throws or returns carries a stable `code`, so callers (the API, the
// daemon) can map them to statuses and exit codes without parsing messages.

export type StoreErrorCode =
  | 'BACKEND_DIR_MISSING'
  | 'BACKEND_NOT_WRITABLE'
  | 'BACKEND_OPEN_FAILED'
  | 'BACKEND_PRIVILEGE'
  | 'BACKEND_CONFIG'
  | 'SCHEMA_TOO_NEW'
  | 'SNAPSHOT_INVALID';

/** Base class of the store's errors; `code` is stable, the message is for humans. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

/** Returned when the backend cannot be opened or written (names the file, host or privilege). */
export class BackendError extends StoreError {
  /** SQLite file, or `user@host:port/database` for MySQL. */
  readonly target: string;
  /** For BACKEND_PRIVILEGE: the privilege that is missing (e.g. "CREATE"). */
  readonly privilege?: string;
  constructor(
    code: StoreErrorCode,
    target: string,
    message: string,
    options?: { cause?: unknown; privilege?: string },
  ) {
    super(code, message, options);
    this.name = 'BackendError';
    this.target = target;
    if (options?.privilege !== undefined) this.privilege = options.privilege;
  }
}

/** Returned when the database's schema was written by a newer version of this package. */
export class SchemaVersionError extends StoreError {
  readonly found: number;
  readonly known: number;
  constructor(found: number, known: number, target: string) {
    super(
      'SCHEMA_TOO_NEW',
      `backend ${target} has schema version ${found}, newer than the ${known} this binary knows; ` +
        'refusing to open it (upgrade the binary or point it at another database)',
    );
    this.name = 'SchemaVersionError';
    this.found = found;
    this.known = known;
  }
}

export type FsmErrorCode = 'UNKNOWN_OP' | 'MALFORMED_ENVELOPE' | 'MALFORMED_PAYLOAD' | 'APPLY_FAILED';

/**
 * The FSM's error: returned (never thrown) by `applyCommand` for an unknown op, a payload that does
 * not decode or validate (nothing is written), or a backend failure while applying (rolled back).
 */
export class FsmError extends Error {
  readonly code: FsmErrorCode;
  readonly op: string;
  constructor(code: FsmErrorCode, op: string, message: string, options?: { cause?: unknown }) {
    super(`${op || '(no op)'}: ${message}`, options);
    this.name = 'FsmError';
    this.code = code;
    this.op = op;
  }
}
