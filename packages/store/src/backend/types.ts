// The backend abstraction: one async interface over SQLite (better-sqlite3, wrapped in promises and
// serialised by a lock) and MySQL (a mysql2 pool). DAO code is shared; the few syntax differences
// live in the `Dialect`, never in regex rewriting of SQL text.

/** A row as returned by either backend: column name → string | number | null. */
export type Row = Record<string, unknown>;
export type Params = readonly unknown[];

export interface ExecResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
  /** Auto-increment id of the last insert (0 when none). */
  lastInsertId: number;
}

/** What can run SQL: the backend itself, or a transaction handle. */
export interface Queryable {
  query<T extends Row = Row>(sql: string, params?: Params): Promise<T[]>;
  exec(sql: string, params?: Params): Promise<ExecResult>;
  /** Runs the same statement once per parameter list (prepared once where the driver allows). */
  execBatch(sql: string, rows: readonly Params[]): Promise<number>;
  /** Streams a SELECT's rows in batches of at most `batchSize`, without loading them all. */
  stream<T extends Row = Row>(sql: string, params: Params, batchSize: number): AsyncIterable<T[]>;
}

export type BackendKind = 'sqlite' | 'mysql';

/** The per-backend bits of SQL syntax DAOs need. */
export interface Dialect {
  readonly kind: BackendKind;
  /** `INSERT IGNORE` / `INSERT OR IGNORE`. */
  readonly insertIgnore: string;
  /** Multi-row upsert: insert `cols` (rows of placeholders), on key conflict update `update`. */
  upsert(
    table: string,
    cols: readonly string[],
    keyCols: readonly string[],
    update: readonly string[],
    rows?: number,
  ): string;
  /** Largest number of rows per multi-row statement worth sending. */
  readonly maxRowsPerStatement: number;
  /** Quotes an identifier. */
  ident(name: string): string;
}

export interface Backend extends Queryable {
  readonly kind: BackendKind;
  readonly dialect: Dialect;
  /** Human-readable target (file path, or user@host:port/db) for messages. */
  readonly target: string;
  /**
   * Runs `fn` in a transaction on one connection; commits when it resolves, rolls back when it
   * rejects. On SQLite other operations wait for it (they would otherwise join the open transaction).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` against a consistent read view that does not block writers where the backend allows
   * (SQLite: a second connection in WAL mode; MySQL: START TRANSACTION WITH CONSISTENT SNAPSHOT).
   */
  readConsistent<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Names of the tables that exist. */
  tableNames(): Promise<string[]>;
  /** Column names of a table, in table order. */
  columnNames(table: string): Promise<string[]>;
  close(): Promise<void>;
}

/** Yields to the event loop, so long loops never block it for long. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
