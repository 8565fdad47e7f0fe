// DeadCoMaster through a 3-node daemon cluster on a real active/passive co-master pair (the active
// master also replicates from the passive one, which is read-only) plus a replica of the active
// master: kill -9 of the active master promotes the passive co-master (CoMasterRecoveryMustPromoteOtherCoMaster),
// which stops replicating from the dead one, the replica follows it, and a row written on it reaches
// the replica.
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrchestratorCluster, type OrchestratorNode, topologyConfig } from '../src/index.js';
import {
  everyNodeRecords,
  oneSuccessfulRecovery,
  readOnly,
  recoveryOf,
  slaveStatus,
  stepsOf,
  waitForInstances,
  waitReplicatingFrom,
  waitRowCount,
} from '../src/recovery-helpers.js';

describe('a dead co-master (active/passive pair)', () => {
  let topology: Topology;
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;

  beforeAll(async () => {
    topology = await startMariaDBTopology({ replicas: 2, coMaster: true });
    cluster = await OrchestratorCluster.start({ nodes: 3, config: () => topologyConfig(topology, 1) });
    leader = await cluster.waitForLeader();
    await waitForInstances(leader, topology.master, 3);
    await topology.query(topology.master, 'CREATE TABLE test.cm (id INT PRIMARY KEY)');
    await topology.query(topology.master, 'INSERT INTO test.cm VALUES (1)');
    await topology.waitForReplication();
    await new Promise((r) => setTimeout(r, 1500)); // past the recovery warm-up
  });
  afterAll(async () => {
    await cluster?.destroy();
    await topology?.destroy();
  });

  it('promotes the passive co-master; the replica follows it and receives its writes', async () => {
    const passive = topology.coMaster as number;
    const replica = topology.replicas.find((p) => p !== passive) as number;
    await topology.kill9(topology.master);
    const recovery = await recoveryOf(leader, topology.master, (r) => r.IsSuccessful);
    const steps = stepsOf(leader, recovery.UID).join('\n');
    expect(recovery.AnalysisEntry.Analysis, steps).toMatch(/^DeadCoMaster/);
    expect(recovery.SuccessorKey?.Port, steps).toBe(passive);
    expect(recovery.LostReplicas ?? [], steps).toEqual([]);
    expect(await readOnly(topology, passive)).toBe(0);
    expect(await slaveStatus(topology, passive)).toBeUndefined(); // no replication from the dead one
    await waitReplicatingFrom(topology, replica, passive);
    await topology.query(passive, 'INSERT INTO test.cm VALUES (2)');
    await waitRowCount(topology, replica, 'test.cm', 2);
    await everyNodeRecords(cluster.nodes, 'one successful recovery', oneSuccessfulRecovery);
  });
});
