// Typed errors of the durable storage. Each has a stable `code` so callers (the driver, the daemon's
// exit path) can tell corruption apart from ordinary failures without parsing messages.

/** Thrown when a log entry read from disk fails its checksum or cannot be decoded. Never handed out. */
export class CorruptLogError extends Error {
  readonly code = 'CORRUPT_LOG';
  constructor(
    /** The database file holding the entry. */
    readonly file: string,
    /** The raft log index of the bad entry (0 for a bad metadata row). */
    readonly index: number,
    readonly detail: string,
  ) {
    super(`corrupt raft log entry at index ${index} in ${file}: ${detail}`);
    this.name = 'CorruptLogError';
  }
}

/** Thrown when stored metadata (hard state, compaction point, a stable value) fails its checksum. */
export class CorruptStateError extends Error {
  readonly code = 'CORRUPT_STATE';
  constructor(
    readonly file: string,
    readonly key: string,
    readonly detail: string,
  ) {
    super(`corrupt raft state "${key}" in ${file}: ${detail}`);
    this.name = 'CorruptStateError';
  }
}

/** Thrown when a caller breaks the log's contiguity (e.g. appends past the end). A bug, not corruption. */
export class LogContiguityError extends Error {
  readonly code = 'LOG_CONTIGUITY';
  constructor(message: string) {
    super(message);
    this.name = 'LogContiguityError';
  }
}
