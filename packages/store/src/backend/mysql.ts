// MySQL/MariaDB backend: a mysql2 promise pool. DATETIME values come back as strings
// (dateStrings) so both backends return identical rows; tables use utf8mb4_bin so comparisons and
// uniqueness are byte-wise, as on SQLite.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as mysql from 'mysql2/promise';

// mysql2 is loaded when a MySQL backend is opened, not at import: a SQLite node never pays for it.
const loadMysql = (): typeof mysql => createRequire(import.meta.url)('mysql2/promise');

import { BackendError } from '../errors.js';
import { mysqlDialect } from './dialect.js';
import type { Backend, ExecResult, Params, Queryable, Row } from './types.js';
import { yieldToLoop } from './types.js';

export interface MysqlOptions {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  maxConnections: number;
  connectTimeoutSeconds: number;
  readTimeoutSeconds: number;
  createDatabase: boolean;
  /** MySQLOrchestratorRejectReadOnly: refuse a server with @@global.read_only = 1. */
  rejectReadOnly?: boolean;
  ssl?: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
}

interface MysqlErr {
  errno?: number;
  code?: string;
  sqlMessage?: string;
  message?: string;
}

/** Maps access-denied errors to a BackendError naming the missing privilege; others pass through. */
export function mapMysqlError(err: unknown, target: string, database: string): unknown {
  const e = err as MysqlErr;
  const msg = e?.sqlMessage ?? e?.message ?? String(err);
  if (e?.errno === 1142 || e?.errno === 1143) {
    const privilege = /^(\w+(?: \w+)?) command denied/i.exec(msg)?.[1]?.toUpperCase() ?? 'UNKNOWN';
    return new BackendError(
      'BACKEND_PRIVILEGE',
      target,
      `backend ${target}: missing privilege ${privilege} on \`${database}\`.* (${msg}); ` +
        `grant it, e.g. GRANT ALL PRIVILEGES ON \`${database}\`.* TO the orchestrator user`,
      { cause: err, privilege },
    );
  }
  if (e?.errno === 1044) {
    return new BackendError(
      'BACKEND_PRIVILEGE',
      target,
      `backend ${target}: missing privileges on database \`${database}\` (${msg}); ` +
        `grant e.g. GRANT ALL PRIVILEGES ON \`${database}\`.* TO the orchestrator user`,
      { cause: err, privilege: 'ALL PRIVILEGES' },
    );
  }
  if (e?.errno === 1227) {
    const privilege = /need (?:at least one of )?the (.+?) privilege/i.exec(msg)?.[1] ?? 'UNKNOWN';
    return new BackendError(
      'BACKEND_PRIVILEGE',
      target,
      `backend ${target}: missing privilege ${privilege} (${msg})`,
      {
        cause: err,
        privilege,
      },
    );
  }
  if (e?.errno === 1045) {
    return new BackendError('BACKEND_OPEN_FAILED', target, `backend ${target}: access denied (${msg})`, {
      cause: err,
    });
  }
  return err;
}

function bind(params: Params | undefined): unknown[] {
  return params ? params.map((p) => (p === undefined ? null : p)) : [];
}

type Conn = mysql.Pool | mysql.PoolConnection;

/** The callback-style connection under a promise PoolConnection: the one that can stream. */
interface CoreConnection {
  query(
    options: { sql: string; timeout: number },
    values: unknown[],
  ): { stream(options: { highWaterMark: number }): AsyncIterable<unknown> };
}

function queryable(conn: Conn, timeoutMs: number, map: (err: unknown) => unknown): Queryable {
  const run = async (sql: string, params?: Params) => {
    try {
      const [result] = await conn.query({ sql, timeout: timeoutMs }, bind(params));
      return result;
    } catch (err) {
      throw map(err);
    }
  };
  return {
    async query<T extends Row>(sql: string, params?: Params): Promise<T[]> {
      return (await run(sql, params)) as T[];
    },
    async exec(sql: string, params?: Params): Promise<ExecResult> {
      const r = (await run(sql, params)) as mysql.ResultSetHeader;
      return { changes: r.affectedRows, lastInsertId: Number(r.insertId ?? 0) };
    },
    async execBatch(sql: string, rows: readonly Params[]): Promise<number> {
      for (const row of rows) await run(sql, row);
      return rows.length;
    },
    async *stream<T extends Row>(sql: string, params: Params, batchSize: number): AsyncIterable<T[]> {
      const core = (conn as unknown as { connection?: CoreConnection }).connection;
      if (core && typeof core.query === 'function' && !('getConnection' in conn)) {
        // A dedicated connection (a transaction or a consistent read): stream rows off the wire
        // with backpressure, never holding more than about one batch.
        let batch: T[] = [];
        try {
          for await (const row of core
            .query({ sql, timeout: timeoutMs }, bind(params))
            .stream({ highWaterMark: batchSize })) {
            batch.push(row as T);
            if (batch.length >= batchSize) {
              yield batch;
              batch = [];
              await yieldToLoop();
            }
          }
        } catch (err) {
          throw map(err);
        }
        if (batch.length) yield batch;
        return;
      }
      // On the pool, page with LIMIT/OFFSET (each page may use another connection).
      for (let offset = 0; ; offset += batchSize) {
        const rows = (await run(`${sql} LIMIT ${batchSize} OFFSET ${offset}`, params)) as T[];
        if (rows.length) yield rows;
        if (rows.length < batchSize) return;
        await yieldToLoop();
      }
    },
  };
}

function readIf(file: string | undefined): string | undefined {
  return file ? readFileSync(file, 'utf8') : undefined;
}

export function sslFromConfig(c: {
  MySQLOrchestratorSSLCAFile?: string;
  MySQLOrchestratorSSLCertFile?: string;
  MySQLOrchestratorSSLPrivateKeyFile?: string;
  MySQLOrchestratorSSLSkipVerify?: boolean;
  MySQLOrchestratorUseMutualTLS?: boolean;
}): MysqlOptions['ssl'] {
  if (!c.MySQLOrchestratorUseMutualTLS && !c.MySQLOrchestratorSSLCAFile) return undefined;
  const ssl: NonNullable<MysqlOptions['ssl']> = { rejectUnauthorized: !c.MySQLOrchestratorSSLSkipVerify };
  const ca = readIf(c.MySQLOrchestratorSSLCAFile);
  if (ca) ssl.ca = ca;
  if (c.MySQLOrchestratorUseMutualTLS) {
    const cert = readIf(c.MySQLOrchestratorSSLCertFile);
    const key = readIf(c.MySQLOrchestratorSSLPrivateKeyFile);
    if (cert) ssl.cert = cert;
    if (key) ssl.key = key;
  }
  return ssl;
}

export async function openMysql(o: MysqlOptions): Promise<Backend> {
  const target = `${o.user}@${o.host}:${o.port}/${o.database}`;
  const map = (err: unknown) => mapMysqlError(err, target, o.database);
  if (!/^[\w$]+$/.test(o.database)) {
    throw new BackendError(
      'BACKEND_CONFIG',
      target,
      `MySQLOrchestratorDatabase "${o.database}" is not a plain identifier`,
    );
  }
  const common = {
    host: o.host,
    port: o.port,
    user: o.user,
    password: o.password,
    connectTimeout: o.connectTimeoutSeconds * 1000,
    dateStrings: true as const,
    timezone: 'Z',
    charset: 'utf8mb4_bin',
    ...(o.ssl ? { ssl: o.ssl } : {}),
  };
  // Create the database first, over a connection that does not select it.
  let boot: mysql.Connection;
  try {
    boot = await loadMysql().createConnection(common);
  } catch (err) {
    const mapped = map(err);
    if (mapped instanceof BackendError) throw mapped;
    throw new BackendError(
      'BACKEND_OPEN_FAILED',
      target,
      `backend ${target}: cannot connect: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  try {
    if (o.rejectReadOnly) {
      const [rows] = await boot.query('SELECT @@global.read_only AS ro');
      if (Number((rows as { ro: unknown }[])[0]?.ro) === 1) {
        throw new BackendError(
          'BACKEND_NOT_WRITABLE',
          target,
          `backend ${target} is read-only (@@global.read_only=1) and MySQLOrchestratorRejectReadOnly is set: point MySQLOrchestratorHost at the writable server`,
        );
      }
    }
    const [found] = await boot.query('SHOW DATABASES LIKE ?', [o.database]);
    if ((found as unknown[]).length === 0) {
      if (!o.createDatabase) {
        throw new BackendError(
          'BACKEND_CONFIG',
          target,
          `backend ${target}: database \`${o.database}\` does not exist`,
        );
      }
      try {
        await boot.query(
          `CREATE DATABASE IF NOT EXISTS \`${o.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
        );
      } catch (err) {
        const e = err as MysqlErr;
        if (e.errno === 1044) {
          throw new BackendError(
            'BACKEND_PRIVILEGE',
            target,
            `backend ${target}: database \`${o.database}\` does not exist and the user lacks the CREATE privilege to create it (${e.sqlMessage})`,
            { cause: err, privilege: 'CREATE' },
          );
        }
        throw map(err);
      }
    }
  } finally {
    await boot.end();
  }
  const pool = loadMysql().createPool({
    ...common,
    database: o.database,
    connectionLimit: o.maxConnections,
    waitForConnections: true,
  });
  const timeoutMs = o.readTimeoutSeconds * 1000;
  const base = queryable(pool, timeoutMs, map);

  const withConnection = async <T>(begin: string, fn: (tx: Queryable) => Promise<T>): Promise<T> => {
    const conn = await pool.getConnection();
    try {
      await conn.query(begin);
      try {
        const result = await fn(queryable(conn, timeoutMs, map));
        await conn.query('COMMIT');
        return result;
      } catch (err) {
        await conn.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    } finally {
      conn.release();
    }
  };

  const backend: Backend = {
    kind: 'mysql',
    dialect: mysqlDialect,
    target,
    query: base.query,
    exec: base.exec,
    execBatch: (sql, rows) => withConnection('START TRANSACTION', (tx) => tx.execBatch(sql, rows)),
    stream: (sql, params, batchSize) => base.stream(sql, params, batchSize),
    transaction: (fn) => withConnection('START TRANSACTION', fn),
    readConsistent: (fn) => withConnection('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY', fn),
    async tableNames() {
      const rows = await base.query<{ name: string }>(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name",
      );
      return rows.map((r) => r.name);
    },
    async columnNames(table: string) {
      const rows = await base.query<{ name: string }>(
        'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position',
        [table],
      );
      return rows.map((r) => r.name);
    },
    async close() {
      await pool.end();
    },
  };
  return backend;
}
