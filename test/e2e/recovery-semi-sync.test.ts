// A locked semi-sync master through a 3-node daemon cluster (MariaDB's built-in semi-sync,
// RecoverLockedSemiSyncMaster): the master waits for an acknowledgement no replica sends, so a
// commit blocks; LockedSemiSyncMaster makes a replica acknowledge, the commit completes, and a row
// written afterwards reaches every replica.
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrchestratorCluster, type OrchestratorNode, topologyConfig } from '../src/index.js';
import { recoveryOf, stepsOf, waitForInstances, waitRowCount } from '../src/recovery-helpers.js';

const semiSyncVariable = async (t: Topology, port: number, name: string) =>
  (await t.query<{ Value: string }>(port, `SHOW GLOBAL VARIABLES LIKE '${name}'`))[0]?.Value;

describe('a locked semi-sync master (RecoverLockedSemiSyncMaster)', () => {
  let topology: Topology;
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;
  let blocked: Promise<string>;

  beforeAll(async () => {
    // Semi-sync master with an hour's timeout and no acknowledging replica.
    topology = await startMariaDBTopology({ replicas: 2, semiSync: { replicas: 0, timeoutMs: 3_600_000 } });
    for (const port of topology.ports) {
      const c = await topology.server(port).connect();
      await c.query('SET SESSION sql_log_bin = 0'); // not replicated: it would block too
      await c.query('CREATE TABLE test.ss (id INT PRIMARY KEY)');
      await c.end();
    }
    blocked = topology.query(topology.master, 'INSERT INTO test.ss VALUES (1)').then(() => 'committed');
    const early = await Promise.race([
      blocked,
      new Promise<string>((r) => setTimeout(() => r('blocked'), 500)),
    ]);
    expect(early).toBe('blocked');
    cluster = await OrchestratorCluster.start({
      nodes: 3,
      config: () => ({
        ...topologyConfig(topology, 1),
        RecoverLockedSemiSyncMaster: true,
        ReasonableLockedSemiSyncMasterSeconds: 1,
      }),
    });
    leader = await cluster.waitForLeader();
    await waitForInstances(leader, topology.master, 3);
  });
  afterAll(async () => {
    await cluster?.destroy();
    await topology?.destroy();
  });

  it('makes a replica acknowledge: the blocked commit completes and new rows reach every replica', async () => {
    const recovery = await recoveryOf(leader, topology.master, (r) => r.IsSuccessful);
    expect(recovery.AnalysisEntry.Analysis, stepsOf(leader, recovery.UID).join('\n')).toBe(
      'LockedSemiSyncMaster',
    );
    expect(recovery.SuccessorKey?.Port).toBe(topology.master);
    expect(await blocked).toBe('committed');
    const enabled = await Promise.all(
      topology.replicas.map((r) => semiSyncVariable(topology, r, 'rpl_semi_sync_slave_enabled')),
    );
    expect(enabled.filter((v) => v === 'ON')).toHaveLength(1);
    await topology.query(topology.master, 'INSERT INTO test.ss VALUES (2)');
    for (const r of topology.replicas) await waitRowCount(topology, r, 'test.ss', 2);
  });
});
