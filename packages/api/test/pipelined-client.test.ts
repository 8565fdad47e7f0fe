import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PipelinedHttpPool } from '../src/pipelined-client.js';

const servers: (http.Server | net.Server)[] = [];
const pools: PipelinedHttpPool[] = [];

afterEach(async () => {
  for (const p of pools.splice(0)) p.close();
  for (const s of servers.splice(0)) {
    if (s instanceof http.Server) s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

async function listen(server: http.Server | net.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function pool(timeoutMs = 2000, depth = 8): PipelinedHttpPool {
  const p = new PipelinedHttpPool(timeoutMs, depth);
  pools.push(p);
  return p;
}

const head = (path: string, method = 'GET') => `${method} ${path} HTTP/1.1\r\nHost: leader\r\n\r\n`;

describe('PipelinedHttpPool', () => {
  it('sends the requests of one turn in one write on one connection and matches answers in order', async () => {
    const writes: number[] = [];
    let connections = 0;
    const server = http.createServer((req, res) => {
      // Answer out of order in time: the later request finishes first, the answers stay in order.
      const n = Number(req.url?.slice(1));
      setTimeout(() => res.end(JSON.stringify({ n })), n === 0 ? 20 : 0);
    });
    server.on('connection', (socket: net.Socket) => {
      connections++;
      socket.on('data', (chunk) => writes.push(chunk.toString('latin1').split('GET ').length - 1));
    });
    const port = await listen(server);
    const p = pool();
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        p.request({ host: '127.0.0.1', port: port, secure: false }, head(`/${i}`), false),
      ),
    );
    expect(answers.map((a) => JSON.parse(a.body.toString()).n)).toEqual([0, 1, 2, 3, 4]);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(connections).toBe(1);
    expect(writes).toEqual([5]);
  });

  it('opens another connection once one has `depth` requests waiting', async () => {
    let connections = 0;
    const server = http.createServer((_req, res) => res.end('{}'));
    server.on('connection', () => connections++);
    const port = await listen(server);
    const p = pool(2000, 2);
    await Promise.all(
      Array.from({ length: 6 }, () =>
        p.request({ host: '127.0.0.1', port: port, secure: false }, head('/'), false),
      ),
    );
    expect(connections).toBe(3);
  });

  it('reads chunked bodies and HEAD answers without a body', async () => {
    const server = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'HEAD') return res.end();
      res.write('{"a":');
      setTimeout(() => res.end('[1,2]}'), 5);
    });
    const port = await listen(server);
    const p = pool();
    const [chunked, headOnly, again] = await Promise.all([
      p.request({ host: '127.0.0.1', port: port, secure: false }, head('/c'), false),
      p.request({ host: '127.0.0.1', port: port, secure: false }, head('/h', 'HEAD'), true),
      p.request({ host: '127.0.0.1', port: port, secure: false }, head('/c2'), false),
    ]);
    expect(JSON.parse(chunked.body.toString())).toEqual({ a: [1, 2] });
    expect(headOnly.status).toBe(200);
    expect(headOnly.body.length).toBe(0);
    expect(JSON.parse(again.body.toString())).toEqual({ a: [1, 2] });
  });

  it('sends again, once, the requests waiting on a connection the leader closed', async () => {
    let served = 0;
    let first = true;
    // The first connection answers one request and then drops; the rest must arrive on a new one.
    const server = net.createServer((socket) => {
      socket.on('data', (chunk) => {
        const count = chunk.toString('latin1').split('GET ').length - 1;
        for (let i = 0; i < count; i++) {
          served++;
          socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}');
          if (first) {
            first = false;
            socket.destroy();
            return;
          }
        }
      });
    });
    const port = await listen(server);
    const p = pool();
    const answers = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        p.request({ host: '127.0.0.1', port: port, secure: false }, head(`/${i}`), false),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(served).toBe(4);
  });

  it('fails every waiting request when the leader does not answer in time, and when it is down', async () => {
    const silent = net.createServer((socket) => socket.resume()); // reads, never answers
    const port = await listen(silent);
    const p = pool(200);
    const results = await Promise.allSettled([
      p.request({ host: '127.0.0.1', port: port, secure: false }, head('/a'), false),
      p.request({ host: '127.0.0.1', port: port, secure: false }, head('/b'), false),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/no answer within 200 ms/);

    const closed = net.createServer();
    const deadPort = await listen(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    servers.splice(servers.indexOf(closed), 1);
    await expect(
      p.request({ host: '127.0.0.1', port: deadPort, secure: false }, head('/'), false),
    ).rejects.toThrow(/ECONNREFUSED/);
  });

  it('rejects a malformed answer instead of guessing', async () => {
    const server = net.createServer((socket) => socket.on('data', () => socket.write('NOT HTTP\r\n\r\n')));
    const port = await listen(server);
    await expect(
      pool().request({ host: '127.0.0.1', port: port, secure: false }, head('/'), false),
    ).rejects.toThrow(/malformed/);
  });
});
