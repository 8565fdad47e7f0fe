// One lazily opened mysql2 connection per instance, with topology credentials. A connection that
// errors is dropped, so the next call reconnects (a failover talks to servers that just restarted).
import { createRequire } from 'node:module';
import type * as mysql from 'mysql2/promise';

// Loaded on the first connection (a recovery), not when the daemon starts.
const loadMysql = (): typeof mysql => createRequire(import.meta.url)('mysql2/promise');

import type { InstanceKey } from '../types.js';

export type Row = Record<string, unknown>;

export interface SqlConnector {
  query(key: InstanceKey, sql: string, params?: unknown[], timeoutMs?: number): Promise<Row[]>;
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

export function createSqlConnector(opts: ConnectorOptions): SqlConnector {
  const connections = new Map<string, Promise<mysql.Connection>>();
  const open = (key: InstanceKey) => {
    const id = keyOf(key);
    let conn = connections.get(id);
    if (!conn) {
      conn = loadMysql().createConnection({
        host: key.Hostname,
        port: key.Port,
        user: opts.user,
        password: opts.password,
        connectTimeout: opts.connectTimeoutMs,
        supportBigNumbers: true,
        bigNumberStrings: true,
      });
      conn.then(
        (c) => c.on('error', () => connections.delete(id)),
        () => connections.delete(id),
      );
      connections.set(id, conn);
    }
    return conn;
  };
  return {
    async query(key, sql, params = [], timeoutMs) {
      for (let attempt = 0; ; attempt++) {
        const conn = await open(key);
        try {
          const [rows] = await conn.query({ sql, values: params, timeout: timeoutMs ?? opts.queryTimeoutMs });
          return Array.isArray(rows) ? (rows as Row[]) : [];
        } catch (error) {
          // A protocol or timeout error leaves the connection unusable; SQL errors do not, but
          // reconnecting is cheap and keeps the rule simple.
          connections.delete(keyOf(key));
          conn.destroy();
          // A cached connection the server already closed (it restarted) fails before the
          // statement is sent: retrying once on a fresh connection cannot run it twice.
          if (attempt === 0 && /closed state/i.test(String((error as Error)?.message))) continue;
          throw error;
        }
      }
    },
    async close() {
      const all = [...connections.values()];
      connections.clear();
      await Promise.all(all.map((c) => c.then((x) => x.end().catch(() => x.destroy())).catch(() => {})));
    },
  };
}
