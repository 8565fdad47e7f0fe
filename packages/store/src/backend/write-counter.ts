// Counts the writes that went through a backend, so callers can cache what they read from it and
// know when the cache is stale: any change of the counter means "something may have changed".
import type { Backend, Queryable } from './types.js';

export interface CountedBackend {
  readonly backend: Backend;
  /** Increases after every write statement, batch or transaction settles (failed ones too). */
  version(): number;
}

/**
 * Wraps `inner` so every exec, execBatch and transaction bumps a counter when it settles. The bump
 * comes after the write, so a reader that noted the version before reading can never store a result
 * older than the version it noted.
 */
export function countWrites(inner: Backend): CountedBackend {
  let writes = 0;
  const counted = <T>(p: Promise<T>): Promise<T> =>
    p.finally(() => {
      writes++;
    });
  const backend: Backend = {
    get kind() {
      return inner.kind;
    },
    get dialect() {
      return inner.dialect;
    },
    get target() {
      return inner.target;
    },
    query: (sql, params) => inner.query(sql, params),
    exec: (sql, params) => counted(inner.exec(sql, params)),
    execBatch: (sql, rows) => counted(inner.execBatch(sql, rows)),
    stream: (sql, params, batchSize) => inner.stream(sql, params, batchSize),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => counted(inner.transaction(fn)),
    readConsistent: (fn) => inner.readConsistent(fn),
    tableNames: () => inner.tableNames(),
    columnNames: (table) => inner.columnNames(table),
    close: () => inner.close(),
  };
  return { backend, version: () => writes };
}
