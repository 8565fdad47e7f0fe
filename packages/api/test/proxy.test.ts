import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROXIED_HEADER } from '../src/index.js';
import { type Fake, get, makeFake, type Served, serve } from './fakes.js';

/** A raw HTTP server standing in for the leader; answers with what it received. */
async function echoServer(hang = false): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (hang) return;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

for (const via of ['koa', 'listener'] as const) {
  describe(`follower → leader proxy (two apps on loopback) (${via})`, () => {
    let leader: Fake;
    let follower: Fake;
    let L: Served;
    let F: Served;
    beforeAll(async () => {
      leader = makeFake();
      follower = makeFake();
      follower.instances.splice(0, 3); // the follower's stale DB knows only `other`
      follower.s.state = 'Follower';
      L = await serve(leader.deps, {}, via);
      follower.s.leaderURI = L.url;
      F = await serve(follower.deps, { ownURL: 'http://127.0.0.1:1' }, via);
    });
    afterAll(async () => {
      await F.close();
      await L.close();
    });

    it('reads are answered by the leader', async () => {
      expect((await get(`${F.url}/api/clusters`)).body).toEqual(['db1:3306', 'other:3307']);
      expect((await get(`${F.url}/api/tagged/?tag=role`)).body).toEqual([{ Hostname: 'db1', Port: 3306 }]);
      const head = await get(`${F.url}/api/clusters`, { method: 'HEAD' });
      expect(head.status).toBe(200);
    });

    it('errors keep the leader status and body', async () => {
      const res = await get(`${F.url}/api/instance/nope/3306`);
      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({ Message: 'Cannot read instance: nope:3306' });
    });

    it('writes are applied by the leader only', async () => {
      leader.s.proposals.length = 0;
      const res = await get(`${F.url}/api/register-candidate/db2/3306/prefer`);
      expect(res.body).toMatchObject({ Code: 'OK' });
      expect(leader.s.proposals.map((p) => p.op)).toEqual(['register-candidate']);
      expect(follower.s.proposals).toEqual([]);
    });

    it('local routes are answered by the follower itself', async () => {
      expect((await get(`${F.url}/api/raft-state`)).body).toBe('Follower');
      expect((await get(`${F.url}/api/leader-check`)).status).toBe(404);
      // routed-leader-check is proxied: the leader answers 200.
      expect((await get(`${F.url}/api/routed-leader-check`)).body).toBe('OK');
    });

    it('a request already forwarded once is never forwarded again', async () => {
      const write = await get(`${F.url}/api/end-downtime/db1/3306`, { headers: { [PROXIED_HEADER]: 'x' } });
      expect(write).toMatchObject({ status: 500, body: { Code: 'ERROR', Message: 'Unauthorized' } });
      const read = await get(`${F.url}/api/clusters`, { headers: { [PROXIED_HEADER]: 'x' } });
      expect(read.body).toEqual(['other:3307']);
    });
  });

  describe(`proxy edge cases (${via})`, () => {
    it('keeps method, path, query and headers; drops Accept-Encoding and hop-by-hop headers', async () => {
      const echo = await echoServer();
      const f = makeFake();
      f.s.state = 'Follower';
      f.s.leaderURI = `${echo.url}/`;
      const F = await serve(f.deps, { urlPrefix: '/orc', ownURL: 'http://me:3000' }, via);
      try {
        const res = await get(`${F.url}/orc/api/search?s=db&x=%20y`, {
          headers: { 'accept-encoding': 'gzip', authorization: 'Basic abc', 'x-custom': 'v', te: 'trailers' },
        });
        const seen = res.body as { method: string; url: string; headers: Record<string, string> };
        expect(seen.method).toBe('GET');
        expect(seen.url).toBe('/orc/api/search?s=db&x=%20y');
        expect(seen.headers.authorization).toBe('Basic abc');
        expect(seen.headers['x-custom']).toBe('v');
        expect(seen.headers['accept-encoding']).toBeUndefined();
        expect(seen.headers.te).toBeUndefined();
        expect(seen.headers[PROXIED_HEADER]).toBe('http://me:3000');
        expect(seen.headers.host).toBe(new URL(echo.url).host);
      } finally {
        await F.close();
        await echo.close();
      }
    });

    it('no leader known → JSON 503 for reads and writes (or local reads when configured)', async () => {
      const f = makeFake();
      f.s.state = 'Candidate';
      f.s.leaderURI = '';
      const F = await serve(f.deps, {}, via);
      try {
        for (const path of ['/api/clusters', '/api/forget/db1/3306']) {
          const res = await get(`${F.url}${path}`);
          expect(res.status, path).toBe(503);
          expect((res.body as { Message: string }).Message).toMatch(/^no raft leader is known/);
        }
        expect((await get(`${F.url}/api/raft-status`)).body).toMatchObject({
          State: 'Candidate',
          IsPartOfQuorum: false,
        });
      } finally {
        await F.close();
      }
      const local = await serve(f.deps, { noLeaderReads: 'local' }, via);
      try {
        expect((await get(`${local.url}/api/clusters`)).status).toBe(200);
        expect((await get(`${local.url}/api/forget/db1/3306`)).status).toBe(503);
      } finally {
        await local.close();
      }
    });

    it('leader down → JSON 503 naming the leader', async () => {
      const echo = await echoServer();
      const deadURL = echo.url;
      await echo.close();
      const f = makeFake();
      f.s.state = 'Follower';
      f.s.leaderURI = deadURL;
      const F = await serve(f.deps, {}, via);
      try {
        const res = await get(`${F.url}/api/clusters`);
        expect(res.status).toBe(503);
        expect((res.body as { Message: string }).Message).toContain(
          `raft leader at ${deadURL} is unreachable`,
        );
      } finally {
        await F.close();
      }
    });

    it('a leader that does not answer in time → JSON 503', async () => {
      const hang = await echoServer(true);
      const f = makeFake();
      f.s.state = 'Follower';
      f.s.leaderURI = hang.url;
      const F = await serve(f.deps, { proxyTimeoutMs: 150 }, via);
      try {
        const res = await get(`${F.url}/api/clusters`);
        expect(res.status).toBe(503);
        expect((res.body as { Message: string }).Message).toContain('no answer within 150 ms');
      } finally {
        await F.close();
        await hang.close();
      }
    });

    it('a stale LeaderURI naming this node: reads local, writes Unauthorized', async () => {
      const f = makeFake();
      f.s.state = 'Follower';
      f.s.leaderURI = 'http://node1:3000/';
      const F = await serve(f.deps, { ownURL: 'http://node1:3000' }, via);
      try {
        expect((await get(`${F.url}/api/clusters`)).status).toBe(200);
        const w = await get(`${F.url}/api/disable-global-recoveries`);
        expect(w).toMatchObject({ status: 500, body: { Code: 'ERROR', Message: 'Unauthorized' } });
        expect(f.s.proposals).toEqual([]);
      } finally {
        await F.close();
      }
    });

    it('a leader that lost leadership mid-request answers Unauthorized', async () => {
      const f = makeFake();
      const L = await serve(f.deps, {}, via);
      f.deps.raft.state = () => 'Leader';
      f.deps.commands.propose = async () => {
        throw Object.assign(new Error('node is not the leader'), { code: 'NOT_LEADER' });
      };
      try {
        expect(await get(`${L.url}/api/forget/db1/3306`)).toMatchObject({
          status: 500,
          body: { Code: 'ERROR', Message: 'Unauthorized' },
        });
      } finally {
        await L.close();
      }
    });
  });
}
