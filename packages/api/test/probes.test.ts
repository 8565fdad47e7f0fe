// /health/live, /health/ready, /health/leader: plain paths outside /api, no credentials, never proxied.
import { afterEach, describe, expect, it } from 'vitest';
import type { RaftProgress } from '../src/deps.js';
import { probeOf } from '../src/index.js';
import { type Fake, get, makeFake, type Served, serve } from './fakes.js';

let server: Served | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function withProgress(fake: Fake, progress: () => RaftProgress): Fake {
  fake.deps.raft.progress = progress;
  return fake;
}

describe('health probes', () => {
  it('a healthy leader passes all three', async () => {
    const fake = withProgress(makeFake(), () => ({
      Term: 2,
      CommitIndex: 10,
      AppliedIndex: 10,
      LastIndex: 10,
    }));
    server = await serve(fake.deps);
    const live = await get(`${server.url}/health/live`);
    expect(live).toMatchObject({ status: 200, body: { status: 'alive' } });
    expect(live.headers.get('cache-control')).toBe('no-store');
    expect(await get(`${server.url}/health/ready`)).toMatchObject({
      status: 200,
      body: { status: 'ready', checks: { raftQuorum: true, backendWritable: true, appliedCaughtUp: true } },
    });
    expect(await get(`${server.url}/health/leader`)).toMatchObject({
      status: 200,
      body: { status: 'leader' },
    });
  });

  it('a follower of a known leader is ready but not the leader', async () => {
    const fake = makeFake();
    fake.s.state = 'Follower';
    fake.s.leaderURI = 'http://127.0.0.1:1'; // never proxied to: it would fail
    server = await serve(fake.deps);
    expect((await get(`${server.url}/health/ready`)).status).toBe(200);
    expect(await get(`${server.url}/health/leader`)).toMatchObject({
      status: 503,
      body: { status: 'not leader', state: 'Follower', leader: '127.0.0.1:10008' },
    });
  });

  it('not ready: outside a quorum, a failing backend, an applied index that does not catch up — each named', async () => {
    const fake = withProgress(makeFake(), () => ({
      Term: 2,
      CommitIndex: 12,
      AppliedIndex: 9,
      LastIndex: 12,
    }));
    fake.s.state = 'Candidate';
    fake.s.leader = '';
    fake.s.healthy = false;
    server = await serve(fake.deps, { probeAppliedWaitMs: 20 });
    const r = await get(`${server.url}/health/ready`);
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({
      status: 'not ready',
      checks: { raftQuorum: false, backendWritable: false, appliedCaughtUp: false },
    });
    const reasons = (r.body as { reasons: string[] }).reasons;
    expect(reasons[0]).toMatch(/not part of a raft quorum \(state Candidate, no known leader\)/);
    expect(reasons[1]).toMatch(/backend not writable: cannot write node_health/);
    expect(reasons[2]).toMatch(/applied index 9 has not reached commit index 12/);
  });

  it('ready waits for the applied index to reach the commit index seen when asked', async () => {
    let applied = 7;
    const fake = withProgress(makeFake(), () => ({
      Term: 2,
      CommitIndex: 9,
      AppliedIndex: applied++,
      LastIndex: 9,
    }));
    server = await serve(fake.deps, { probeAppliedWaitMs: 5000 });
    expect(await get(`${server.url}/health/ready`)).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('a leader without a quorum is not the leader', async () => {
    const fake = makeFake();
    fake.s.hasQuorum = false;
    server = await serve(fake.deps);
    expect((await get(`${server.url}/health/leader`)).status).toBe(503);
  });

  it('need no credentials even when the API does, answer HEAD, refuse other methods', async () => {
    server = await serve(makeFake().deps, {
      authenticationMethod: 'basic',
      httpAuthUser: 'u',
      httpAuthPassword: 'p',
    });
    expect((await get(`${server.url}/api/clusters`)).status).toBe(401);
    expect((await get(`${server.url}/health/ready`)).status).toBe(200);
    expect((await get(`${server.url}/health/live/`)).status).toBe(200);
    expect((await get(`${server.url}/health/leader`, { method: 'HEAD' })).status).toBe(200);
    expect((await get(`${server.url}/health/live`, { method: 'POST' })).status).toBe(405);
    // anything else under /health is an ordinary unknown path (credentials first, then 404)
    const auth = { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` };
    expect((await get(`${server.url}/health/other`, { headers: auth })).status).toBe(404);
  });

  it('live under URLPrefix (and only there), through the listener too', async () => {
    server = await serve(makeFake().deps, { urlPrefix: '/orc' }, 'listener');
    expect((await get(`${server.url}/orc/health/live`)).status).toBe(200);
    expect((await get(`${server.url}/orc/health/leader`)).status).toBe(200);
    expect((await get(`${server.url}/health/live`)).status).toBe(404);
  });

  it('probeOf', () => {
    expect(probeOf('/health/ready', '')).toBe('ready');
    expect(probeOf('/x/health/live', '/x')).toBe('live');
    expect(probeOf('/health/ready', '/x')).toBeUndefined();
    expect(probeOf('/health/readyz', '')).toBeUndefined();
  });
});
