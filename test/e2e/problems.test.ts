// /api/problems against a real daemon and MariaDB topology: a replica whose replication is stopped
// is listed with not_replicating (computed when the daemon reads the instance, as the reference's
// readInstanceRow does), and drops off the list once replication runs again.
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster, type OrchestratorNode, topologyConfig } from '../src/index.js';

interface ProblemInstance {
  Key: { Hostname: string; Port: number };
  Problems: string[];
}

describe('/api/problems', () => {
  let topology: Topology;
  let cluster: OrchestratorCluster;
  let node: OrchestratorNode;
  let replica: number;

  const problemsOf = async (path: string, port: number) => {
    const r = await node.get<ProblemInstance[]>(path);
    if (!Array.isArray(r.body)) throw new Error(`${path}: ${r.text}`);
    return r.body.find((i) => i.Key.Port === port)?.Problems;
  };

  beforeAll(async () => {
    topology = await startMariaDBTopology({ replicas: 2 });
    replica = topology.replicas[0] as number;
    cluster = await OrchestratorCluster.start({ nodes: 1, config: () => topologyConfig(topology, 1) });
    node = await cluster.waitForLeader();
    await eventually('the daemon to discover 3 instances', async () => {
      const r = await node.get<unknown[]>(`cluster/127.0.0.1:${topology.master}`);
      return Array.isArray(r.body) && r.body.length === 3 ? true : undefined;
    });
  });

  afterAll(async () => {
    await cluster?.destroy();
    await topology?.destroy();
  });

  it('lists a stopped replica with not_replicating until replication runs again', async () => {
    expect(await node.get<unknown[]>('problems').then((r) => r.body)).toEqual([]);

    await topology.query(replica, 'STOP SLAVE');
    const problems = await eventually('the stopped replica in /api/problems', () =>
      problemsOf('problems', replica),
    );
    expect(problems).toEqual(['not_replicating']);
    expect(await problemsOf(`problems/127.0.0.1:${topology.master}`, replica)).toEqual(['not_replicating']);
    // the master and the other replica are fine
    expect((await node.get<ProblemInstance[]>('problems')).body.map((i) => i.Key.Port)).toEqual([replica]);

    await topology.query(replica, 'START SLAVE');
    await eventually('the replica to leave /api/problems', async () =>
      (await problemsOf('problems', replica)) === undefined ? true : undefined,
    );
  });
});
