// NoWriteableMaster through a 3-node daemon cluster (RecoverNonWriteableMaster): a master left
// read_only while its replicas replicate is made writable again, and a row written on it reaches
// every replica.
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrchestratorCluster, type OrchestratorNode, topologyConfig } from '../src/index.js';
import {
  everyNodeRecords,
  oneSuccessfulRecovery,
  readOnly,
  recoveryOf,
  waitForInstances,
  waitRowCount,
} from '../src/recovery-helpers.js';

describe('a non-writable master (RecoverNonWriteableMaster)', () => {
  let topology: Topology;
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;

  beforeAll(async () => {
    topology = await startMariaDBTopology({ replicas: 2 });
    cluster = await OrchestratorCluster.start({
      nodes: 3,
      config: () => ({ ...topologyConfig(topology, 1), RecoverNonWriteableMaster: true }),
    });
    leader = await cluster.waitForLeader();
    await waitForInstances(leader, topology.master, 3);
    await topology.query(topology.master, 'CREATE TABLE test.nw (id INT PRIMARY KEY)');
    await topology.waitForReplication();
  });
  afterAll(async () => {
    await cluster?.destroy();
    await topology?.destroy();
  });

  it('is made writable; a row written on it reaches every replica', async () => {
    await topology.query(topology.master, 'SET GLOBAL read_only = 1');
    const recovery = await recoveryOf(leader, topology.master, (r) => r.IsSuccessful);
    expect(recovery.AnalysisEntry.Analysis).toBe('NoWriteableMasterStructureWarning');
    expect(recovery.SuccessorKey?.Port).toBe(topology.master);
    expect(await readOnly(topology, topology.master)).toBe(0);
    await topology.query(topology.master, 'INSERT INTO test.nw VALUES (1)');
    for (const r of topology.replicas) await waitRowCount(topology, r, 'test.nw', 1);
    await everyNodeRecords(cluster.nodes, 'one successful recovery', oneSuccessfulRecovery);
  });
});
