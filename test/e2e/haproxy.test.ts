// The load balancer setup of the seed: HAProxy (deploy/haproxy.cfg) sends traffic only to the node
// passing /api/leader-check; after kill -9 of the leader, requests through it fail only briefly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  type HAProxy,
  OrchestratorCluster,
  type OrchestratorNode,
  startHAProxy,
} from '../src/index.js';

async function through(proxy: HAProxy, path: string): Promise<{ status: number; body: string } | undefined> {
  try {
    const r = await fetch(`${proxy.url}/api/${path}`, { signal: AbortSignal.timeout(1000) });
    return { status: r.status, body: await r.text() };
  } catch {
    return undefined;
  }
}

describe('HAProxy in front of a 3-node cluster', () => {
  let cluster: OrchestratorCluster;
  let proxy: HAProxy;
  let leader: OrchestratorNode;

  beforeAll(async () => {
    cluster = await OrchestratorCluster.start({ nodes: 3 });
    leader = await cluster.waitForLeader();
    proxy = await startHAProxy(cluster);
  });

  afterAll(async () => {
    await proxy?.stop();
    await cluster?.destroy();
  });

  it('routes to the leader only', async () => {
    // HAProxy starts with every server up until its first health check (250 ms): wait until the
    // followers have been taken out, i.e. ten answers in a row come from the leader.
    const check = await eventually('haproxy to route to the leader only', async () => {
      const answers = [];
      for (let i = 0; i < 10; i++) answers.push(await through(proxy, 'leader-check'));
      return answers.every((a) => a?.status === 200) ? answers[0] : undefined;
    });
    expect(JSON.parse(check!.body)).toBe('OK');
    for (let i = 0; i < 20; i++) expect((await through(proxy, 'leader-check'))?.status).toBe(200);
  });

  it('after kill -9 of the leader, requests through it succeed again within a few seconds', async () => {
    await leader.process.kill9();
    const killedAt = Date.now();
    let firstFailure: number | undefined;
    let recoveredAt: number | undefined;
    while (Date.now() - killedAt < 15_000) {
      const r = await through(proxy, 'leader-check');
      if (r?.status === 200) {
        if (firstFailure !== undefined || Date.now() - killedAt > 100) {
          recoveredAt = Date.now();
          break;
        }
      } else firstFailure ??= Date.now();
      await new Promise((res) => setTimeout(res, 20));
    }
    expect(recoveredAt).toBeDefined();
    console.log(
      `through HAProxy: first failure ${(firstFailure ?? killedAt) - killedAt} ms after the kill -9, ` +
        `answered by the new leader ${recoveredAt! - killedAt} ms after it`,
    );
    const newLeader = await cluster.waitForLeader();
    expect(newLeader).not.toBe(leader);
  });
});
