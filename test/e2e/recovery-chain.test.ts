// DeadIntermediateMaster through a 3-node daemon cluster on a real MariaDB chain
// (master → intermediate master → 2 replicas, plus a sibling replica of the intermediate master):
// kill -9 of the intermediate master moves its orphaned replicas under the master, or under a
// sibling registered as a candidate (reference §5.2: a sibling candidate in the same DC first).
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrchestratorCluster, type OrchestratorNode, topologyConfig } from '../src/index.js';
import {
  everyNodeRecords,
  oneSuccessfulRecovery,
  readOnly,
  recoveryOf,
  stepsOf,
  waitForInstances,
  waitReplicatingFrom,
  waitRowCount,
} from '../src/recovery-helpers.js';

async function startChain(): Promise<{
  topology: Topology;
  cluster: OrchestratorCluster;
  leader: OrchestratorNode;
}> {
  const topology = await startMariaDBTopology({ replicas: 1, chain: { intermediateReplicas: 2 } });
  const cluster = await OrchestratorCluster.start({
    nodes: 3,
    config: () => ({ ...topologyConfig(topology, 1), RecoverIntermediateMasterClusterFilters: ['*'] }),
  });
  const leader = await cluster.waitForLeader();
  await waitForInstances(leader, topology.master, 5);
  await topology.query(topology.master, 'CREATE TABLE test.chain (id INT PRIMARY KEY)');
  await topology.query(topology.master, 'INSERT INTO test.chain VALUES (1)');
  await topology.waitForReplication();
  return { topology, cluster, leader };
}

/** Kills the intermediate master; returns the successful recovery every node recorded. */
async function killIntermediate(topology: Topology, cluster: OrchestratorCluster, leader: OrchestratorNode) {
  const im = topology.intermediate!;
  await topology.kill9(im);
  const recovery = await recoveryOf(leader, im, (r) => r.IsSuccessful);
  expect(recovery.AnalysisEntry.Analysis).toBe('DeadIntermediateMaster');
  expect(recovery.LostReplicas ?? [], stepsOf(leader, recovery.UID).join('\n')).toEqual([]);
  const perNode = await everyNodeRecords(cluster.nodes, 'one successful recovery', oneSuccessfulRecovery);
  for (const rows of perNode)
    expect(rows.find((r) => r.successful)).toMatchObject({
      uid: recovery.UID,
      analysis: 'DeadIntermediateMaster',
      analyzedPort: im,
      successorPort: recovery.SuccessorKey?.Port,
    });
  return recovery;
}

describe('dead intermediate master: its replicas move up under the master', () => {
  let topology: Topology;
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;

  beforeAll(async () => {
    ({ topology, cluster, leader } = await startChain());
  });

  afterAll(async () => {
    await cluster?.destroy();
    await topology?.destroy();
  });

  it('relocates both orphaned replicas under the master; rows written on the master reach them', async () => {
    const recovery = await killIntermediate(topology, cluster, leader);
    expect(recovery.SuccessorKey?.Port).toBe(topology.master);
    for (const port of topology.intermediateReplicas) {
      await waitReplicatingFrom(topology, port, topology.master);
      expect(await readOnly(topology, port)).toBe(1);
    }
    await topology.query(topology.master, 'INSERT INTO test.chain VALUES (2)');
    for (const port of [...topology.intermediateReplicas, ...topology.replicas])
      await waitRowCount(topology, port, 'test.chain', 2);

    // The API shows them under the master.
    const r = await leader.get<{ Key: { Port: number }; MasterKey: { Port: number } }[]>(
      `cluster/127.0.0.1:${topology.master}`,
    );
    for (const port of topology.intermediateReplicas)
      expect(r.body.find((i) => i.Key.Port === port)?.MasterKey.Port).toBe(topology.master);
  });
});

describe('dead intermediate master with a sibling registered as prefer', () => {
  let topology: Topology;
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;

  beforeAll(async () => {
    ({ topology, cluster, leader } = await startChain());
  });

  afterAll(async () => {
    await cluster?.destroy();
    await topology?.destroy();
  });

  it('relocates the orphaned replicas under the sibling candidate; rows flow master → sibling → them', async () => {
    const sibling = topology.replicas[0]!;
    const registered = await leader.get<{ Code: string }>(`register-candidate/127.0.0.1/${sibling}/prefer`);
    expect(registered.body.Code, registered.text).toBe('OK');

    const recovery = await killIntermediate(topology, cluster, leader);
    expect(recovery.SuccessorKey?.Port).toBe(sibling);
    for (const port of topology.intermediateReplicas) await waitReplicatingFrom(topology, port, sibling);
    await waitReplicatingFrom(topology, sibling, topology.master);
    await topology.query(topology.master, 'INSERT INTO test.chain VALUES (3)');
    // rows 1 and 3
    for (const port of topology.intermediateReplicas) await waitRowCount(topology, port, 'test.chain', 2);
  });
});
