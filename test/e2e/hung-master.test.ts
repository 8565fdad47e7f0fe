// A hung master (SIGSTOP of mariadbd: a frozen host, a stalled disk), as an operator runs the
// daemon: 3 nodes, the reference's recommended replica settings (slave_net_timeout=4,
// MASTER_CONNECT_RETRY=1 in the test kit) and the field report's timeouts. Its sockets stay open
// and nothing answers, so no connection loss ever reports it. It must be recovered like a dead one;
// and once it wakes up, orchestrator must never have written to it, and show it apart from the
// new cluster.
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster, type OrchestratorNode, topologyConfig } from '../src/index.js';
import {
  readOnly,
  recoveryOf,
  waitForInstances,
  waitReplicatingFrom,
  waitRowCount,
} from '../src/recovery-helpers.js';

interface ClusterInfo {
  ClusterName: string;
  CountInstances: number;
}

describe('a hung master (SIGSTOP) on a real MariaDB topology', () => {
  let topology: Topology;
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;
  let successor = 0;
  let before = { gtid: '', readOnly: -1 };

  beforeAll(async () => {
    topology = await startMariaDBTopology({ replicas: 2 });
    await topology.query(topology.master, 'CREATE TABLE test.hung (id INT PRIMARY KEY)');
    await topology.query(topology.master, 'INSERT INTO test.hung VALUES (1)');
    await topology.waitForReplication();
    cluster = await OrchestratorCluster.start({
      nodes: 3,
      config: () => ({
        ...topologyConfig(topology, 5),
        MySQLConnectTimeoutSeconds: 1,
        MySQLDiscoveryReadTimeoutSeconds: 3,
        MySQLTopologyReadTimeoutSeconds: 3,
      }),
    });
    leader = await cluster.waitForLeader();
    await waitForInstances(leader, topology.master, 3);
  });

  afterAll(async () => {
    await cluster?.destroy();
    await topology?.destroy();
  });

  it('is recovered: a replica promoted, the other replicating from it, a new row reaches it', async () => {
    await new Promise((r) => setTimeout(r, 1500)); // past the recovery warm-up, pings running
    const [pos] = await topology.query<{ gtid: string }>(topology.master, 'SELECT @@gtid_binlog_pos AS gtid');
    before = { gtid: pos?.gtid ?? '', readOnly: await readOnly(topology, topology.master) };
    const hungAt = Date.now();
    await topology.hang(topology.master);

    const recovery = await recoveryOf(leader, topology.master, (r) => r.IsSuccessful, 60_000);
    console.log(`SIGSTOP → successful recovery visible in audit-recovery: ${Date.now() - hungAt} ms`);
    expect(recovery.AnalysisEntry.Analysis).toMatch(/^DeadMaster/);
    successor = recovery.SuccessorKey?.Port ?? 0;
    expect(topology.replicas).toContain(successor);
    const other = topology.replicas.find((p) => p !== successor) as number;
    expect(await readOnly(topology, successor)).toBe(0);
    await waitReplicatingFrom(topology, other, successor);
    await topology.query(successor, 'INSERT INTO test.hung VALUES (2)');
    await waitRowCount(topology, other, 'test.hung', 2);
  });

  it('after SIGCONT the old master was never written to, and is shown apart from the new cluster', async () => {
    expect(successor).not.toBe(0);
    // Longer than any bounded attempt on the old master (OldMasterReadOnlyTimeoutSeconds 3 + connect 1).
    await new Promise((r) => setTimeout(r, 5000));
    await topology.resume(topology.master);

    // Untouched: same binlog position, same read_only, no replication configured on it.
    const [pos] = await topology.query<{ gtid: string }>(topology.master, 'SELECT @@gtid_binlog_pos AS gtid');
    expect(pos?.gtid).toBe(before.gtid);
    expect(await readOnly(topology, topology.master)).toBe(before.readOnly);
    expect(await topology.query(topology.master, 'SHOW SLAVE STATUS')).toEqual([]);

    // The API shows two clusters: the new one under the promoted replica, and the old master alone.
    const oldId = `127.0.0.1:${topology.master}`;
    const newId = `127.0.0.1:${successor}`;
    const clusters = await eventually(
      'the old master to be probed again and shown as its own cluster',
      async () => {
        const r = await leader.get<ClusterInfo[]>('clusters-info');
        if (!Array.isArray(r.body)) return undefined;
        const old = r.body.find((c) => c.ClusterName === oldId);
        const fresh = r.body.find((c) => c.ClusterName === newId);
        const instance = await leader.get<{ IsLastCheckValid: boolean }>(
          `instance/127.0.0.1/${topology.master}`,
        );
        return old?.CountInstances === 1 && fresh?.CountInstances === 2 && instance.body.IsLastCheckValid
          ? r.body
          : undefined;
      },
      30_000,
    );
    expect(clusters.map((c) => c.ClusterName).sort()).toEqual([newId, oldId].sort());

    // …and a few seconds later still nothing was written to it.
    await new Promise((r) => setTimeout(r, 3000));
    const [later] = await topology.query<{ gtid: string }>(
      topology.master,
      'SELECT @@gtid_binlog_pos AS gtid',
    );
    expect(later?.gtid).toBe(before.gtid);
    expect(await readOnly(topology, topology.master)).toBe(before.readOnly);
  });
});
