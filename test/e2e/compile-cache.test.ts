// The `orchestrator` bin runs the daemon through a V8 code cache (apps/orchestrator/src/launcher.ts):
// the first start of a build writes it beside the bundle, later starts use it. Code restored from a
// cache must behave as freshly compiled code, including the modules the daemon loads lazily (the
// web UI's file server here; the KV store clients load the same way).
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, eventually, OrchestratorCluster } from '../src/index.js';

const dist = dirname(CLI);
const caches = () => readdirSync(dist).filter((name) => name.endsWith('.v8-cache'));

describe('the bin started from its code cache', () => {
  let cluster: OrchestratorCluster;

  beforeAll(async () => {
    cluster = await OrchestratorCluster.start({ nodes: 1 });
  });
  afterAll(async () => {
    await cluster?.destroy();
  });

  it('answers the API and serves the web UI (a lazily loaded module) as on a cold start', async () => {
    const node = cluster.node(0);
    await cluster.waitForLeader();
    // Written a few seconds after a start of this build (or already there from an earlier one).
    await eventually(
      'the code cache to be written',
      async () => (caches().length === 1 ? true : undefined),
      20_000,
    );
    await node.restart();
    await cluster.waitForLeader();
    expect((await node.get('raft-health')).status).toBe(200);
    const web = await fetch(`http://${node.address}:${node.httpPort}/web/`);
    // 200 with the built UI, 503 naming the missing build otherwise; never a 500.
    expect([200, 503]).toContain(web.status);
    expect(caches()).toHaveLength(1);
  });
});
