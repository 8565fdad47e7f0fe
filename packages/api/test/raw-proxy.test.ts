import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { get, makeFake, serve } from './fakes.js';

async function listen(server: http.Server | net.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: http.Server | net.Server): Promise<void> {
  if (server instanceof http.Server) server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A follower whose leader is whatever answers at `leaderURI`. */
async function followerOf(leaderURI: string, via: 'koa' | 'listener') {
  const f = makeFake();
  f.s.state = 'Follower';
  f.s.leaderURI = leaderURI;
  return serve(f.deps, { proxyTimeoutMs: 1000 }, via);
}

for (const via of ['koa', 'listener'] as const) {
  describe(`forwarding over the raw keep-alive client (${via})`, () => {
    it('decodes chunked answers and passes large Content-Length answers whole', async () => {
      const big = JSON.stringify({ blob: 'x'.repeat(300_000) });
      const leader = http.createServer((req, res) => {
        res.setHeader('content-type', 'application/json');
        if (req.url?.includes('chunked')) {
          res.write('{"a":');
          setTimeout(() => res.end('[1,2,3]}'), 5);
        } else {
          res.end(big);
        }
      });
      const url = await listen(leader);
      const F = await followerOf(url, via);
      try {
        const chunked = await get(`${F.url}/api/search?s=chunked`);
        expect(chunked.body).toEqual({ a: [1, 2, 3] });
        expect(chunked.headers.get('content-length')).toBe(String('{"a":[1,2,3]}'.length));
        const large = await get(`${F.url}/api/all-instances`);
        expect(large.text).toBe(big);
      } finally {
        await F.close();
        await closeServer(leader);
      }
    });

    it('survives the leader closing idle keep-alive connections', async () => {
      const leader = http.createServer((_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end('"fine"');
      });
      leader.keepAliveTimeout = 30;
      const url = await listen(leader);
      const F = await followerOf(url, via);
      try {
        for (let i = 0; i < 3; i++) {
          expect((await get(`${F.url}/api/clusters`)).body).toBe('fine');
          await new Promise((r) => setTimeout(r, 80));
        }
      } finally {
        await F.close();
        await closeServer(leader);
      }
    });

    it('never sends a state-changing request twice: a kept connection that drops it is an error, not a retry', async () => {
      // A leader that answers the first request on each connection, then takes the next one and
      // drops the connection without a word (it may have acted on it: a takeover, a downtime).
      const seen: string[] = [];
      const raw = net.createServer((socket) => {
        let served = 0;
        let buf = '';
        socket.on('data', (chunk) => {
          buf += chunk.toString('latin1');
          for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
            const line = buf.slice(0, buf.indexOf('\r\n'));
            buf = buf.slice(end + 4);
            seen.push(line.split(' ')[1] ?? '');
            if (served++ === 0) {
              socket.write(
                'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 6\r\n\r\n"fine"',
              );
            } else {
              socket.destroy();
              return;
            }
          }
        });
        socket.on('error', () => undefined);
      });
      const url = await listen(raw);
      const F = await followerOf(url, via);
      try {
        expect((await get(`${F.url}/api/search/db`)).body).toBe('fine'); // opens a kept raw connection
        const write = await get(`${F.url}/api/begin-downtime/db1/3306/ops/maintenance/1h`);
        // Writes go out on a connection of their own: the leader answered it.
        expect(write.status).toBe(200);
        expect(seen.filter((p) => p.startsWith('/api/begin-downtime')).length).toBe(1);
        // A read dropped on a kept connection is simply sent again on a new one.
        seen.length = 0;
        expect((await get(`${F.url}/api/search/db2`)).body).toBe('fine');
        expect(seen.filter((p) => p.startsWith('/api/search/db2')).length).toBe(2);
      } finally {
        await F.close();
        await closeServer(raw);
      }
    });

    it('reads a body that runs to the end of the connection; refuses malformed answers with JSON 503', async () => {
      const raw = net.createServer((socket) => {
        socket.once('data', (d) => {
          if (d.toString().includes('garbage')) socket.end('NOT HTTP AT ALL\r\n\r\n');
          else
            socket.end(
              'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"closed":true}',
            );
        });
      });
      const url = await listen(raw);
      const F = await followerOf(url, via);
      try {
        expect((await get(`${F.url}/api/clusters`)).body).toEqual({ closed: true });
        const bad = await get(`${F.url}/api/search?s=garbage`);
        expect(bad.status).toBe(503);
        expect((bad.body as { Message: string }).Message).toContain('malformed response');
      } finally {
        await F.close();
        await closeServer(raw);
      }
    });

    it('handles many concurrent forwarded requests', async () => {
      const leaderFake = makeFake();
      const L = await serve(leaderFake.deps, {}, via);
      const F = await followerOf(L.url, via);
      try {
        const answers = await Promise.all(Array.from({ length: 60 }, () => get(`${F.url}/api/clusters`)));
        for (const a of answers) expect(a.body).toEqual(['db1:3306', 'other:3307']);
        // HEAD keeps the leader's Content-Length (Koa sets it for HEAD too).
        const head = await fetch(`${F.url}/api/clusters`, { method: 'HEAD' });
        expect(head.status).toBe(200);
        expect(head.headers.get('content-length')).toBe(String(answers[0]?.text.length));
      } finally {
        await F.close();
        await L.close();
      }
    });
  });

  describe(`RawHttpPool limits (${via})`, () => {
    it('queues requests beyond maxActive and still answers all of them', async () => {
      const { RawHttpPool } = await import('../src/raw-client.js');
      let inFlight = 0;
      let peak = 0;
      const leader = http.createServer((_req, res) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        setTimeout(() => {
          inFlight--;
          res.end('"ok"');
        }, 5);
      });
      const url = new URL(await listen(leader));
      const pool = new RawHttpPool(2000, 3);
      try {
        const head = `GET / HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`;
        const answers = await Promise.all(
          Array.from({ length: 12 }, () =>
            pool.request({ host: '127.0.0.1', port: Number(url.port), secure: false }, head, false),
          ),
        );
        expect(answers.map((a) => a.body.toString())).toEqual(Array(12).fill('"ok"'));
        expect(peak).toBeLessThanOrEqual(3);
      } finally {
        pool.close();
        await closeServer(leader);
      }
    });
  });
}
