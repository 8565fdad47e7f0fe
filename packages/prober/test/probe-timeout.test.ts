// The probe against a server that accepts the connection but never answers the batch: the read
// timeout must fail the probe, drop the connection, and not report it as a lost (healthy) one.
import type { AddressInfo } from 'node:net';
import mysql from 'mysql2';
import { afterEach, describe, expect, it } from 'vitest';
import { proberConfig } from '../src/config.js';
import { MySQLProber } from '../src/probe/probe.js';

let server: ReturnType<typeof mysql.createServer> | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

function stallingServer(): Promise<number> {
  const s = mysql.createServer(() => undefined);
  server = s;
  s.on('connection', (conn) => {
    conn.serverHandshake({
      protocolVersion: 10,
      serverVersion: '10.11.19-MariaDB',
      connectionId: 1,
      statusFlags: 2,
      characterSet: 33,
      capabilityFlags: 0xffffff,
      authCallback: (_p: unknown, cb: (e: null) => void) => {
        cb(null);
        conn.sequenceId = 0;
      },
    } as never);
    conn.on('error', () => undefined);
    conn.on('query', (sql: string) => {
      if (!sql.startsWith('SELECT @@global.version')) return; // stall: never answer the batch
      conn.writeColumns([
        {
          catalog: 'def',
          schema: '',
          table: '',
          orgTable: '',
          name: 'v',
          orgName: 'v',
          characterSet: 33,
          columnLength: 64,
          columnType: 0xfd,
          flags: 0,
          decimals: 0,
        },
      ] as never);
      conn.writeTextRow(['10.11.19-MariaDB'] as never);
      conn.writeEof(0, 2);
      conn.sequenceId = 0;
    });
  });
  return new Promise((resolve) => {
    const listen = s.listen.bind(s) as unknown as (port: number, host: string, cb: () => void) => void;
    listen(0, '127.0.0.1', () =>
      resolve((s as unknown as { _server: { address(): AddressInfo } })._server.address().port),
    );
  });
}

describe('MySQLProber read timeout', () => {
  it('fails the probe after MySQLDiscoveryReadTimeoutSeconds and closes the connection quietly', async () => {
    const port = await stallingServer();
    const prober = new MySQLProber(proberConfig({ MySQLDiscoveryReadTimeoutSeconds: 0.3 }));
    const lost: unknown[] = [];
    prober.onConnectionLost((k) => lost.push(k));
    const started = Date.now();
    const r = await prober.probe({
      key: { Hostname: '127.0.0.1', Port: port },
      address: { host: '127.0.0.1', port },
    });
    expect(r.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(lost).toEqual([]);
    await prober.closeAll();
  });

  it('a refused connection fails within the connect timeout', async () => {
    const prober = new MySQLProber(proberConfig({ MySQLConnectTimeoutSeconds: 1 }));
    const r = await prober.probe({
      key: { Hostname: '127.0.0.1', Port: 1 },
      address: { host: '127.0.0.1', port: 1 },
    });
    expect(r.ok).toBe(false);
    await prober.closeAll();
  });
});
