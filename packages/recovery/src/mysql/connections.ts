// One lazily opened mysql2 connection per instance, with topology credentials. A connection that
// errors is dropped, so the next call reconnects (a failover talks to servers that just restarted).
//
// Every statement is bounded by our own deadline from the moment it is asked for (mysql2 starts a
// statement's timer only when it reaches the head of the connection's queue): a hung server fails
// the statement, its connection is destroyed, and nothing waits forever.
import { createRequire } from 'node:module';
import { withDeadline } from '@orchestrator/prober';
import type * as mysql from 'mysql2/promise';

// Loaded on the first connection (a recovery), not when the daemon starts.
const loadMysql = (): typeof mysql => createRequire(import.meta.url)('mysql2/promise');

import { TimeoutError } from '../errors.js';
import type { InstanceKey } from '../types.js';

export type Row = Record<string, unknown>;

export interface SqlConnector {
  query(key: InstanceKey, sql: string, params?: unknown[], timeoutMs?: number): Promise<Row[]>;
  /**
   * Runs statements, in order, on a connection opened for them alone and closed after: none is
   * sent unless the server completed a fresh handshake within the connect timeout, so a hung server
   * never receives a statement it would execute when it wakes up. The whole call is bounded.
   */
  queryOnNewConnection(key: InstanceKey, statements: readonly string[], timeoutMs: number): Promise<Row[][]>;
  close(): Promise<void>;
}

export interface ConnectorOptions {
  user: string;
  password: string;
  connectTimeoutMs: number;
  /** Per-statement timeout for ordinary statements (waits pass their own). */
  queryTimeoutMs: number;
}

const keyOf = (k: InstanceKey) => `${k.Hostname}:${k.Port}`;

/** mysql2's own timeouts (connect, statement) as our typed TimeoutError; undefined for anything else. */
function asTimeout(error: unknown, key: InstanceKey): TimeoutError | undefined {
  if (error instanceof TimeoutError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'PROTOCOL_SEQUENCE_TIMEOUT' && code !== 'ETIMEDOUT') return undefined;
  const e = new TimeoutError(`${keyOf(key)}: ${(error as Error).message}`);
  e.cause = error;
  return e;
}

export function createSqlConnector(opts: ConnectorOptions): SqlConnector {
  const connections = new Map<string, Promise<mysql.Connection>>();
  const connect = (key: InstanceKey) =>
    loadMysql().createConnection({
      host: key.Hostname,
      port: key.Port,
      user: opts.user,
      password: opts.password,
      connectTimeout: opts.connectTimeoutMs,
      supportBigNumbers: true,
      bigNumberStrings: true,
    });
  const open = (key: InstanceKey) => {
    const id = keyOf(key);
    let conn = connections.get(id);
    if (!conn) {
      conn = connect(key);
      conn.then(
        (c) => c.on('error', () => connections.delete(id)),
        () => connections.delete(id),
      );
      connections.set(id, conn);
    }
    return conn;
  };
  const drop = (key: InstanceKey, conn: Promise<mysql.Connection>) => {
    if (connections.get(keyOf(key)) === conn) connections.delete(keyOf(key));
    conn.then((c) => c.destroy()).catch(() => undefined);
  };
  const rowsOf = (result: unknown): Row[] => (Array.isArray(result) ? (result as Row[]) : []);
  return {
    async query(key, sql, params = [], timeoutMs) {
      const ms = timeoutMs ?? opts.queryTimeoutMs;
      for (let attempt = 0; ; attempt++) {
        const conn = open(key);
        try {
          const run = conn.then((c) => c.query({ sql, values: params, timeout: ms }));
          const [rows] = await withDeadline(run, opts.connectTimeoutMs + ms, () => {
            drop(key, conn);
            return new TimeoutError(
              `${keyOf(key)} did not answer within ${opts.connectTimeoutMs + ms} ms: ${sql}`,
            );
          });
          return rowsOf(rows);
        } catch (error) {
          // A protocol or timeout error leaves the connection unusable; SQL errors do not, but
          // reconnecting is cheap and keeps the rule simple.
          drop(key, conn);
          // A cached connection the server already closed (it restarted) fails before the
          // statement is sent: retrying once on a fresh connection cannot run it twice.
          if (attempt === 0 && /closed state/i.test(String((error as Error)?.message))) continue;
          throw asTimeout(error, key) ?? error;
        }
      }
    },
    queryOnNewConnection(key, statements, timeoutMs) {
      const pending = connect(key);
      const run = pending.then(async (c) => {
        const out: Row[][] = [];
        for (const sql of statements) out.push(rowsOf((await c.query(sql))[0]));
        await c.end();
        return out;
      });
      return withDeadline(run, timeoutMs, () => {
        pending.then((c) => c.destroy()).catch(() => undefined);
        return new TimeoutError(`${keyOf(key)} did not answer on a new connection within ${timeoutMs} ms`);
      }).catch((error: unknown) => {
        pending.then((c) => c.destroy()).catch(() => undefined);
        throw asTimeout(error, key) ?? error;
      });
    },
    async close() {
      const all = [...connections.values()];
      connections.clear();
      await Promise.all(all.map((c) => c.then((x) => x.end().catch(() => x.destroy())).catch(() => {})));
    },
  };
}
