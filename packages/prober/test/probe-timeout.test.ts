// The probe against servers that stop answering: one that accepts TCP and never greets, one that
// stalls the batch, one that stalls halfway through a reply, and one that answered before and then
// hangs with a ping queued ahead of the probe (the hung-master field bug). Every one of them must
// fail within the configured timeouts, drop the connection, and not count as a lost healthy one.

import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import mysql from 'mysql2';
import { afterEach, describe, expect, it } from 'vitest';
import { proberConfig } from '../src/config.js';
import { MySQLProber } from '../src/probe/probe.js';

type Stall = 'batch' | 'mid-reply' | 'everything-after-first-probe';

let server: ReturnType<typeof mysql.createServer> | undefined;
let silent: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise<void>((r) => (silent ? silent.close(() => r()) : r()));
  silent = undefined;
});

const COLUMN = {
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
};

/** A MySQL server (mysql2's server side) that logs in anyone, answers the version query, then stalls as told. */
function stallingServer(stall: Stall): Promise<number> {
  const s = mysql.createServer(() => undefined);
  server = s;
  let hung = false;
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
    conn.on('ping', () => {
      if (hung) return; // a hung server answers nothing, pings included
      conn.writeOk();
    });
    conn.on('query', (sql: string) => {
      if (hung) return;
      if (sql.startsWith('SELECT @@global.version')) {
        conn.writeColumns([COLUMN] as never);
        conn.writeTextRow(['10.11.19-MariaDB'] as never);
        conn.writeEof(0, 2);
        conn.sequenceId = 0;
        return;
      }
      if (stall === 'batch') return;
      if (stall === 'mid-reply') {
        conn.writeColumns([COLUMN] as never); // the column definitions, then nothing more
        return;
      }
      // 'everything-after-first-probe': answer this batch with an error (a partial probe), then hang.
      conn.writeError({ message: 'probe refused', code: 1105 } as never);
      conn.sequenceId = 0;
      hung = true;
    });
  });
  return new Promise((resolve) => {
    const listen = s.listen.bind(s) as unknown as (port: number, host: string, cb: () => void) => void;
    listen(0, '127.0.0.1', () =>
      resolve((s as unknown as { _server: { address(): AddressInfo } })._server.address().port),
    );
  });
}

/** Accepts TCP connections and never sends a byte: the greeting never comes. */
function silentServer(): Promise<number> {
  const s = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
  });
  silent = s;
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));
}

const request = (port: number) => ({
  key: { Hostname: '127.0.0.1', Port: port },
  address: { host: '127.0.0.1', port },
});

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work;
  return { value, ms: Date.now() - started };
}

describe('MySQLProber against servers that stop answering', () => {
  const config = proberConfig({ MySQLConnectTimeoutSeconds: 0.4, MySQLDiscoveryReadTimeoutSeconds: 0.3 });

  it('a server that accepts TCP and never greets fails the probe within connect + read timeout', async () => {
    const port = await silentServer();
    const prober = new MySQLProber(config);
    const lost: unknown[] = [];
    prober.onConnectionLost((k) => lost.push(k));
    const { value: r, ms } = await timed(prober.probe(request(port)));
    expect(r.ok).toBe(false);
    expect(ms).toBeLessThan(700 + 2000);
    const { value: pinged, ms: pingMs } = await timed(prober.ping(request(port)));
    expect(pinged).toBe(false);
    expect(pingMs).toBeLessThan(1100 + 2000);
    expect(lost).toEqual([]);
    await prober.closeAll();
  });

  it('a server that stalls the batch fails the probe after MySQLDiscoveryReadTimeoutSeconds', async () => {
    const port = await stallingServer('batch');
    const prober = new MySQLProber(config);
    const lost: unknown[] = [];
    prober.onConnectionLost((k) => lost.push(k));
    const { value: r, ms } = await timed(prober.probe(request(port)));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/127\.0\.0\.1/);
    expect(ms).toBeLessThan(1000 + 2000);
    expect(lost).toEqual([]);
    await prober.closeAll();
  });

  it('a server that completes the handshake and stalls mid-reply fails the probe, and the next probe reconnects', async () => {
    const port = await stallingServer('mid-reply');
    const prober = new MySQLProber(config);
    const first = await timed(prober.probe(request(port)));
    expect(first.value.ok).toBe(false);
    expect(first.ms).toBeLessThan(1000 + 2000);
    // The stalled connection was dropped: a second probe connects anew and is bounded the same way.
    const second = await timed(prober.probe(request(port)));
    expect(second.value.ok).toBe(false);
    expect(second.ms).toBeLessThan(1000 + 2000);
    await prober.closeAll();
  });

  it('a server that answered before and then hangs: a ping queued ahead of the probe holds neither', async () => {
    const port = await stallingServer('everything-after-first-probe');
    const prober = new MySQLProber(config);
    const first = await prober.probe(request(port));
    expect(first.ok).toBe(false); // the batch was refused; the connection is kept and now hangs
    // The loop pings masters every 500 ms; the ping is queued first, the probe right behind it.
    const started = Date.now();
    const [pinged, probed] = await Promise.all([prober.ping(request(port)), prober.probe(request(port))]);
    const ms = Date.now() - started;
    expect(pinged).toBe(false);
    expect(probed.ok).toBe(false);
    expect(ms).toBeLessThan(1100 + 2000);
    // A second ping while one is in flight shares it instead of queueing another.
    const a = prober.ping(request(port));
    const b = prober.ping(request(port));
    expect(a).toBe(b);
    expect(await a).toBe(false);
    await prober.closeAll();
  });

  it('a refused connection fails within the connect timeout', async () => {
    const prober = new MySQLProber(proberConfig({ MySQLConnectTimeoutSeconds: 1 }));
    const r = await prober.probe(request(1));
    expect(r.ok).toBe(false);
    await prober.closeAll();
  });
});
