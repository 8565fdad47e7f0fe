// Leader detection (reference §7.2) against the fake cluster, and the pure ordering rule.
import { afterEach, describe, expect, it } from 'vitest';
import { NoLeaderError, OrchestratorClient, UnreachableError } from '../src/index.js';
import { detectLeader } from '../src/leader.js';
import { FakeOrchestratorCluster } from '../src/testing/index.js';

let cluster: FakeOrchestratorCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const noSleep = async () => {};

describe('detectLeader (ordering rule)', () => {
  it('takes the first URL, in the given order, that answers 200 to leader-check', async () => {
    const probe = async (api: string, check: string) =>
      check === 'leader-check' && api !== 'a' ? '200' : '404';
    expect(await detectLeader(['a', 'b', 'c'], probe)).toBe('b');
  });

  it('falls back to routed-leader-check only when no URL passes leader-check', async () => {
    const asked: string[] = [];
    const probe = async (api: string, check: string) => {
      asked.push(`${api} ${check}`);
      return check === 'routed-leader-check' && api === 'c' ? '200' : '404';
    };
    expect(await detectLeader(['a', 'b', 'c'], probe)).toBe('c');
    expect(asked.filter((q) => q.endsWith(' leader-check'))).toHaveLength(3);
  });

  it('fails with every answer listed', async () => {
    const probe = async (api: string) => (api === 'a' ? 'ECONNREFUSED' : '404');
    const err = await detectLeader(['a', 'b'], probe).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoLeaderError);
    expect((err as NoLeaderError).code).toBe('NO_LEADER');
    expect((err as NoLeaderError).message).toContain('Cannot determine leader from a b');
    expect((err as NoLeaderError).answers).toEqual([
      { api: 'a', leaderCheck: 'ECONNREFUSED', routedLeaderCheck: 'ECONNREFUSED' },
      { api: 'b', leaderCheck: '404', routedLeaderCheck: '404' },
    ]);
  });
});

describe('OrchestratorClient leader detection', () => {
  it('uses a single URL directly, without any leader check (proxy setup)', async () => {
    cluster = await FakeOrchestratorCluster.start({ leader: 2 });
    const client = new OrchestratorClient({ api: cluster.urls[0]! });
    expect(await client.leader()).toBe(cluster.apiUrls[0]);
    expect(cluster.requests).toEqual([]);
  });

  it('appends /api when missing and strips trailing slashes', async () => {
    const client = new OrchestratorClient({ api: 'http://a:3000/ http://b:3000/api/ http://c:3000/api' });
    expect(client.apis).toEqual(['http://a:3000/api', 'http://b:3000/api', 'http://c:3000/api']);
  });

  it('finds the leader among several URLs and sends requests there', async () => {
    cluster = await FakeOrchestratorCluster.start({ leader: 2 });
    cluster.routes([{ path: 'clusters', response: { body: ['db-1:3306'] } }]);
    const client = new OrchestratorClient({ api: cluster.apiUrls });
    expect(await client.leader()).toBe(cluster.apiUrls[2]);
    expect(await client.clusters()).toEqual(['db-1:3306']);
    expect(cluster.apiRequests().map((r) => r.node)).toEqual([2]);
  });

  it('falls back to routed-leader-check when the leader is not in the list', async () => {
    cluster = await FakeOrchestratorCluster.start({ leader: 2 });
    cluster.routes([{ path: 'clusters', response: { body: ['db-1:3306'] } }]);
    const client = new OrchestratorClient({ api: cluster.apiUrls.slice(0, 2) });
    expect(await client.leader()).toBe(cluster.apiUrls[0]);
    expect(await client.clusters()).toEqual(['db-1:3306']);
    const [made] = cluster.apiRequests();
    expect(made).toMatchObject({ node: 0, servedBy: 2 });
  });

  it('skips a node that does not answer leader-check within the probe timeout', async () => {
    cluster = await FakeOrchestratorCluster.start({ leader: 1 });
    cluster.hanging.add(0);
    const client = new OrchestratorClient({ api: cluster.apiUrls, leaderCheckTimeoutMs: 200 });
    expect(await client.leader()).toBe(cluster.apiUrls[1]);
  });

  it('throws NoLeaderError naming each answer when there is no leader', async () => {
    cluster = await FakeOrchestratorCluster.start({ leader: null });
    const client = new OrchestratorClient({ api: cluster.apiUrls, sleep: noSleep });
    const err = await client.leader().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoLeaderError);
    expect((err as NoLeaderError).answers.map((a) => [a.leaderCheck, a.routedLeaderCheck])).toEqual([
      ['404', '404'],
      ['404', '404'],
      ['404', '404'],
    ]);
  });

  it('throws NoLeaderError when all nodes are down, after the read retries', async () => {
    cluster = await FakeOrchestratorCluster.start({ leader: 0 });
    const apis = cluster.apiUrls;
    await cluster.close();
    const sleeps: number[] = [];
    const client = new OrchestratorClient({ api: apis, sleep: async (ms) => void sleeps.push(ms) });
    const err = await client.clusters().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoLeaderError);
    expect((err as NoLeaderError).answers.every((a) => a.leaderCheck === 'ECONNREFUSED')).toBe(true);
    expect(sleeps).toEqual([100, 200, 500, 1000, 2000, 2500, 5000]);
  });

  it('with a single URL that is down, fails with UnreachableError', async () => {
    cluster = await FakeOrchestratorCluster.start({ nodes: 1 });
    const api = cluster.apiUrls[0]!;
    await cluster.close();
    const client = new OrchestratorClient({ api, sleep: noSleep });
    const err = await client.clusters().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as UnreachableError).message).toContain(
      `Cannot access orchestrator at ${api} (ECONNREFUSED)`,
    );
  });

  it('detects once for concurrent calls', async () => {
    cluster = await FakeOrchestratorCluster.start({ leader: 1 });
    cluster.routes([{ path: 'clusters', response: { body: [] } }]);
    const client = new OrchestratorClient({ api: cluster.apiUrls });
    await Promise.all([client.clusters(), client.clusters(), client.clusters()]);
    expect(cluster.requests.filter((r) => r.path === 'leader-check')).toHaveLength(3);
  });
});

describe('with an injected fetch instead of node:http', () => {
  it('detects the leader, calls it, and classifies refused connections and timeouts', async () => {
    cluster = await FakeOrchestratorCluster.start({ leader: 1 });
    cluster.routes([{ path: 'clusters', response: { body: ['db-1:3306'] } }]);
    const calls: string[] = [];
    const fetchFn = (url: string, init: RequestInit) => {
      calls.push(url);
      return fetch(url, init);
    };
    const client = new OrchestratorClient({ api: cluster.apiUrls, fetch: fetchFn, sleep: noSleep });
    expect(await client.clusters()).toEqual(['db-1:3306']);
    expect(calls).toContain(`${cluster.apiUrls[1]}/clusters`);

    cluster.hanging.add(1);
    const slow = new OrchestratorClient({ api: cluster.apiUrls[1]!, fetch: fetchFn, timeoutMs: 150 });
    await expect(slow.discover({ Hostname: 'db-2', Port: 3306 })).rejects.toThrow(/no answer within 150 ms/);

    const apis = cluster.apiUrls;
    await cluster.close();
    const down = new OrchestratorClient({ api: apis, fetch: fetchFn, sleep: noSleep });
    const err = await down.leader().catch((e: unknown) => e);
    // fetch pools sockets: one the server closed reports UND_ERR_SOCKET rather than a refusal.
    for (const a of (err as NoLeaderError).answers)
      expect(a.leaderCheck).toMatch(/^(ECONNREFUSED|UND_ERR_SOCKET)$/);
  });

  it('refuses an API URL that is not http(s)', () => {
    expect(() => new OrchestratorClient({ api: 'ftp://x/api' })).toThrow(/invalid API URL/);
    expect(() => new OrchestratorClient({ api: 'not a url' })).toThrow(/invalid API URL/);
  });
});
