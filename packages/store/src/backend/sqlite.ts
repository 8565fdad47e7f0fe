// SQLite backend: better-sqlite3 is synchronous, so every call completes before the promise it
// returns; a FIFO lock keeps an open transaction from absorbing unrelated statements.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { BackendError } from '../errors.js';
import { sqliteDialect } from './dialect.js';
import { Mutex } from './mutex.js';
import type { Backend, ExecResult, Params, Queryable, Row } from './types.js';
import { yieldToLoop } from './types.js';

export interface SqliteOptions {
  /** Path of the database file, or ':memory:'. */
  file: string;
  /** Busy timeout in milliseconds (default 5000). */
  busyTimeoutMillis?: number;
}

type Db = Database.Database;

// Booleans would otherwise be rejected by better-sqlite3; store them as 0/1 like MySQL's TINYINT.
function bind(params: Params | undefined): readonly unknown[] {
  if (!params) return [];
  // Copy only when a value needs converting: batch writes pass thousands of wide rows.
  for (const p of params) {
    if (typeof p === 'boolean' || p === undefined) {
      return params.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v === undefined ? null : v));
    }
  }
  return params;
}

function connectionQueryable(db: Db): Queryable {
  return {
    async query<T extends Row>(sql: string, params?: Params): Promise<T[]> {
      return db.prepare(sql).all(...bind(params)) as T[];
    },
    async exec(sql: string, params?: Params): Promise<ExecResult> {
      const r = db.prepare(sql).run(...bind(params));
      return { changes: r.changes, lastInsertId: Number(r.lastInsertRowid) };
    },
    async execBatch(sql: string, rows: readonly Params[]): Promise<number> {
      const stmt = db.prepare(sql);
      for (const row of rows) stmt.run(bind(row));
      return rows.length;
    },
    async *stream<T extends Row>(sql: string, params: Params, batchSize: number): AsyncIterable<T[]> {
      const it = db.prepare(sql).iterate(...bind(params)) as IterableIterator<T>;
      let batch: T[] = [];
      for (const row of it) {
        batch.push(row);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
          await yieldToLoop();
        }
      }
      if (batch.length) yield batch;
    },
  };
}

function checkWritable(file: string): void {
  const dir = dirname(resolve(file));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new BackendError(
      'BACKEND_DIR_MISSING',
      file,
      `SQLite3DataFile ${file}: directory ${dir} does not exist (create it first)`,
    );
  }
  try {
    accessSync(existsSync(file) ? file : dir, constants.W_OK);
  } catch (cause) {
    throw new BackendError(
      'BACKEND_NOT_WRITABLE',
      file,
      `SQLite3DataFile ${file} is not writable by this process (check its ownership and mode, and its directory's)`,
      { cause },
    );
  }
}

export function openSqlite(options: SqliteOptions): Backend {
  const file = options.file;
  const memory = file === ':memory:';
  if (!memory) checkWritable(file);
  let db: Db;
  try {
    db = new Database(file);
    db.pragma(`busy_timeout = ${options.busyTimeoutMillis ?? 5000}`);
    if (!memory) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = OFF');
    // A write probe: opening a read-only file succeeds, the first write is what fails.
    db.exec(
      'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
  } catch (cause) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    const readonly = /readonly|read-only|unable to open|SQLITE_CANTOPEN|SQLITE_READONLY/i.test(msg);
    throw new BackendError(
      readonly ? 'BACKEND_NOT_WRITABLE' : 'BACKEND_OPEN_FAILED',
      file,
      `SQLite3DataFile ${file}: ${readonly ? 'not writable' : 'cannot open'}: ${msg}`,
      { cause },
    );
  }
  const lock = new Mutex();
  const conn = connectionQueryable(db);
  let closed = false;

  const backend: Backend = {
    kind: 'sqlite',
    dialect: sqliteDialect,
    target: file,
    query: (sql, params) => lock.run(() => conn.query(sql, params)),
    exec: (sql, params) => lock.run(() => conn.exec(sql, params)),
    execBatch: (sql, rows) =>
      lock.run(() => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const stmt = db.prepare(sql);
          for (const row of rows) stmt.run(bind(row));
          db.exec('COMMIT');
        } catch (err) {
          db.exec('ROLLBACK');
          throw err;
        }
        return rows.length;
      }),
    async *stream<T extends Row>(sql: string, params: Params, batchSize: number): AsyncIterable<T[]> {
      // Materialise under the lock (the iterator must not interleave with writes on this connection).
      const rows = await lock.run(() => conn.query<T>(sql, params));
      for (let i = 0; i < rows.length; i += batchSize) {
        yield rows.slice(i, i + batchSize);
        await yieldToLoop();
      }
    },
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return lock.run(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(conn);
          db.exec('COMMIT');
          return result;
        } catch (err) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw err;
        }
      });
    },
    async readConsistent<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      if (memory) return backend.transaction(fn);
      // A second connection reads a WAL snapshot while the first keeps applying writes.
      const reader = new Database(file, { readonly: true });
      try {
        reader.pragma(`busy_timeout = ${options.busyTimeoutMillis ?? 5000}`);
        reader.exec('BEGIN');
        const q = connectionQueryable(reader);
        // The read transaction starts at its first read: take it now so the view is fixed here.
        await q.query('SELECT count(*) AS n FROM schema_version');
        const result = await fn(q);
        reader.exec('COMMIT');
        return result;
      } finally {
        reader.close();
      }
    },
    async tableNames() {
      const rows = await backend.query<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      );
      return rows.map((r) => r.name);
    },
    async columnNames(table: string) {
      const rows = await backend.query<{ name: string }>(`SELECT name FROM pragma_table_info(?)`, [table]);
      return rows.map((r) => r.name);
    },
    async close() {
      if (closed) return;
      closed = true;
      await lock.run(() => db.close());
    },
  };
  return backend;
}
