// Finding the leader again after a failover, and the retry rules for reads and writes.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, InvalidResponseError, OrchestratorClient, UnreachableError } from '../src/index.js';
import { FakeOrchestratorCluster, type FakeResponse, samples } from '../src/testing/index.js';

let cluster: FakeOrchestratorCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const k2 = samples.key('db-2');
const instanceRoute = { path: 'instance/db-2/3306', response: { body: samples.db2 } };
const discoverRoute = { path: 'discover/db-2/3306', response: samples.ok(samples.db2) };

/** Answers `first` for the first `n` calls, then `then`. */
function sequence(n: number, first: FakeResponse, then: FakeResponse): () => FakeResponse {
  let calls = 0;
  return () => (calls++ < n ? first : then);
}

describe('failover', () => {
  it('re-detects the leader after the old one dies, for reads', async () => {
    cluster = await FakeOrchestratorCluster.start({ leader: 0 });
    cluster.routes([instanceRoute]);
    const client = new OrchestratorClient({ api: cluster.apiUrls, sleep: async () => {} });
    expect((await client.instance(k2)).Key).toEqual(k2);
    await cluster.stopNode(0);
    cluster.leader = 1;
    expect((await client.instance(k2)).Key).toEqual(k2);
    expect(await client.leader()).toBe(cluster.apiUrls[1]);
  });

  it('re-detects and retries a write once when the old leader refuses connections', async () => {
    cluster = await FakeOrchestratorCluster.start({ leader: 0 });
    cluster.routes([discoverRoute]);
    const client = new OrchestratorClient({ api: cluster.apiUrls, sleep: async () => {} });
    await client.leader();
    await cluster.stopNode(0);
    cluster.leader = 2;
    expect((await client.discover(k2)).Key).toEqual(k2);
    expect(cluster.apiRequests().map((r) => [r.node, r.path])).toEqual([[2, 'discover/db-2/3306']]);
  });

  it('retries a write refused by a stale follower ("Unauthorized") on the new leader', async () => {
    cluster = await FakeOrchestratorCluster.start({ leader: 0, followerMode: 'unauthorized' });
    cluster.routes([discoverRoute]);
    const client = new OrchestratorClient({ api: cluster.apiUrls, sleep: async () => {} });
    await client.leader();
    cluster.leader = 1; // node 0 is now a follower that answers writes with 500 Unauthorized
    expect((await client.discover(k2)).Key).toEqual(k2);
    expect(cluster.apiRequests().map((r) => r.node)).toEqual([0, 1]);
  });

  it('retries a write answered 503 "no raft leader is known" once (it did not run)', async () => {
    cluster = await FakeOrchestratorCluster.start({ nodes: 1 });
    const noLeader: FakeResponse = {
      status: 503,
      body: { Code: 'ERROR', Message: 'no raft leader is known', Details: null },
    };
    cluster.routes([
      { path: 'discover/db-2/3306', response: sequence(1, noLeader, samples.ok(samples.db2)) },
    ]);
    const client = new OrchestratorClient({ api: cluster.apiUrls[0]!, sleep: async () => {} });
    expect((await client.discover(k2)).Key).toEqual(k2);
    expect(cluster.apiRequests()).toHaveLength(2);
  });

  it('gives up on a write after one retry, with the ApiError', async () => {
    cluster = await FakeOrchestratorCluster.start({ leader: 1, followerMode: 'unauthorized' });
    const client = new OrchestratorClient({ api: cluster.apiUrls[0]!, sleep: async () => {} });
    const err = await client.discover(k2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).apiMessage).toBe('Unauthorized');
    expect(cluster.apiRequests()).toHaveLength(2);
  });

  it('never retries a write that timed out (it may have run)', async () => {
    cluster = await FakeOrchestratorCluster.start({ leader: 0 });
    const client = new OrchestratorClient({ api: cluster.apiUrls, timeoutMs: 200, sleep: async () => {} });
    await client.leader();
    cluster.hanging.add(0);
    const err = await client.discover(k2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toContain('no answer within 200 ms');
    expect(cluster.apiRequests()).toHaveLength(1);
  });
});

describe('retries of reads', () => {
  it('retries a non-JSON 5xx with the reference backoff until JSON comes', async () => {
    cluster = await FakeOrchestratorCluster.start({ nodes: 1 });
    const bad: FakeResponse = { status: 502, text: '<html>Bad Gateway</html>' };
    cluster.routes([{ path: 'clusters', response: sequence(2, bad, { body: ['db-1:3306'] }) }]);
    const sleeps: number[] = [];
    const client = new OrchestratorClient({
      api: cluster.apiUrls[0]!,
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(await client.clusters()).toEqual(['db-1:3306']);
    expect(sleeps).toEqual([100, 200]);
  });

  it('is bounded: after the last delay it fails with UnreachableError', async () => {
    cluster = await FakeOrchestratorCluster.start({ nodes: 1 });
    cluster.routes([{ path: 'clusters', response: { status: 503, text: 'Service Unavailable' } }]);
    const sleeps: number[] = [];
    const client = new OrchestratorClient({
      api: cluster.apiUrls[0]!,
      sleep: async (ms) => void sleeps.push(ms),
    });
    const err = await client.clusters().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toContain('HTTP 503, body is not JSON');
    expect(sleeps).toEqual([100, 200, 500, 1000, 2000, 2500, 5000]);
    expect(cluster.apiRequests()).toHaveLength(8);
  });

  it('does not retry a non-JSON 404 (unknown route)', async () => {
    cluster = await FakeOrchestratorCluster.start({ nodes: 1 });
    const client = new OrchestratorClient({ api: cluster.apiUrls[0]!, sleep: async () => {} });
    const err = await client.get('no-such-route').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect((err as InvalidResponseError).status).toBe(404);
    expect(cluster.apiRequests()).toHaveLength(1);
  });

  it('does not retry an ERROR envelope: it is an answer', async () => {
    cluster = await FakeOrchestratorCluster.start({ nodes: 1 });
    cluster.routes([
      { path: 'instance/db-7/3306', response: samples.fail('Cannot read instance: db-7:3306') },
    ]);
    const client = new OrchestratorClient({ api: cluster.apiUrls[0]!, sleep: async () => {} });
    const err = await client.instance(samples.key('db-7')).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'API_ERROR',
      apiMessage: 'Cannot read instance: db-7:3306',
      status: 500,
    });
    expect(cluster.apiRequests()).toHaveLength(1);
  });

  it('retries a read after the leader died, with backoff, until a new leader is elected', async () => {
    cluster = await FakeOrchestratorCluster.start({ leader: 0 });
    cluster.routes([instanceRoute]);
    const sleeps: number[] = [];
    const c = cluster;
    const client = new OrchestratorClient({
      api: c.apiUrls,
      sleep: async (ms) => {
        sleeps.push(ms);
        if (sleeps.length === 3) c.leader = 2; // elected while we wait
      },
    });
    await client.leader();
    await c.stopNode(0);
    c.leader = null;
    expect((await client.instance(k2)).Key).toEqual(k2);
    expect(sleeps).toEqual([100, 200, 500]);
    expect(await client.leader()).toBe(c.apiUrls[2]);
  });
});
