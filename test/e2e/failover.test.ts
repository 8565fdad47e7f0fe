// The headline scenario: a 3-node orchestrator cluster watches a real MariaDB topology (1 master,
// 2 GTID replicas); kill -9 of the master → the raft leader promotes a replica, re-points the
// other under it, and every orchestrator node records one successful recovery.
import { execFileSync } from 'node:child_process';
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster, type OrchestratorNode, topologyConfig } from '../src/index.js';

interface Recovery {
  IsSuccessful: boolean;
  SuccessorKey: { Hostname: string; Port: number } | null;
  AnalysisEntry: { Analysis: string; AnalyzedInstanceKey: { Port: number } };
  LastDetectionId: number;
}

function sqlite(node: OrchestratorNode, sql: string): string {
  return execFileSync('sqlite3', [`${node.dir}/orchestrator.sqlite3`, sql], { encoding: 'utf8' }).trim();
}

describe('automated master failover on a real MariaDB topology', () => {
  let topology: Topology;
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;
  let firstSuccessor = 0;

  beforeAll(async () => {
    topology = await startMariaDBTopology({ replicas: 2 });
    cluster = await OrchestratorCluster.start({
      nodes: 3,
      config: () => topologyConfig(topology, 5),
    });
    leader = await cluster.waitForLeader();
  });

  afterAll(async () => {
    await cluster?.destroy();
    await topology?.destroy();
  });

  it('discovers the whole topology from the master alone', async () => {
    const instances = await eventually('the cluster to show 3 instances', async () => {
      const r = await leader.get<{ Key: { Port: number }; MasterKey: { Port: number } }[]>(
        `cluster/127.0.0.1:${topology.master}`,
      );
      return Array.isArray(r.body) && r.body.length === 3 ? r.body : undefined;
    });
    const replicas = instances.filter((i) => i.MasterKey.Port === topology.master).map((i) => i.Key.Port);
    expect(replicas.sort()).toEqual([...topology.replicas].sort());
  });

  it('kill -9 of the master: a replica is promoted, the other follows it, every node records it', async () => {
    await new Promise((r) => setTimeout(r, 1500)); // past the recovery warm-up
    const killedAt = Date.now();
    await topology.kill9(topology.master);

    const recovery = await eventually(
      'a successful recovery in audit-recovery',
      async () => {
        const r = await leader.get<Recovery[]>('audit-recovery');
        return Array.isArray(r.body) ? r.body.find((x) => x.IsSuccessful) : undefined;
      },
      30_000,
    );
    const recoveredMs = Date.now() - killedAt;
    console.log(`kill -9 → successful recovery visible in audit-recovery: ${recoveredMs} ms`);
    expect(recovery.AnalysisEntry.Analysis).toMatch(/^DeadMaster/);
    expect(recovery.AnalysisEntry.AnalyzedInstanceKey.Port).toBe(topology.master);
    expect(recovery.LastDetectionId).toBeGreaterThan(0); // the detection that started it
    const successor = recovery.SuccessorKey!.Port;
    expect(topology.replicas).toContain(successor);
    const other = topology.replicas.find((p) => p !== successor)!;

    // the new master is writable; the other replica replicates from it
    const [ro] = await topology.query<{ ro: number }>(successor, 'SELECT @@read_only AS ro');
    expect(ro?.ro).toBe(0);
    await eventually('the other replica to replicate from the new master', async () => {
      const [s] = await topology.query<Record<string, unknown>>(other, 'SHOW SLAVE STATUS');
      return s?.Master_Port === successor && s.Slave_IO_Running === 'Yes' && s.Slave_SQL_Running === 'Yes'
        ? true
        : undefined;
    });
    await topology.query(successor, 'CREATE TABLE test.after_failover (id INT PRIMARY KEY)');
    await topology.query(successor, 'INSERT INTO test.after_failover VALUES (42)');
    await eventually('the row written on the new master to reach the other replica', async () => {
      const rows = await topology.query(other, 'SELECT id FROM test.after_failover').catch(() => []);
      return rows.length === 1 ? true : undefined;
    });

    // every orchestrator node's own backend holds exactly one successful recovery
    for (const node of cluster.nodes) {
      await eventually(`node${node.index} to record the recovery`, async () =>
        sqlite(node, 'SELECT COUNT(*) FROM topology_recovery WHERE is_successful = 1') === '1'
          ? true
          : undefined,
      );
    }

    // the API shows the new topology
    await eventually('the cluster view to show the promoted master', async () => {
      const r = await leader.get<{ Key: { Port: number }; MasterKey: { Port: number } }[]>(
        `cluster/127.0.0.1:${successor}`,
      );
      return Array.isArray(r.body) &&
        r.body.some((i) => i.Key.Port === other && i.MasterKey.Port === successor)
        ? true
        : undefined;
    });
    firstSuccessor = successor;
  });

  it('after an acknowledgement, a kill -9 of the new master is recovered too (each failure is its own suspicion)', async () => {
    expect(firstSuccessor).not.toBe(0);
    const ack = await leader.get<{ Code: string }>('ack-all-recoveries?comment=first+failover+handled');
    expect(ack.body.Code).toBe('OK');
    await new Promise((r) => setTimeout(r, 1500));
    await topology.kill9(firstSuccessor);
    const second = await eventually(
      'a second successful recovery, of the first successor',
      async () => {
        const r = await leader.get<Recovery[]>('audit-recovery');
        return Array.isArray(r.body)
          ? r.body.find((x) => x.IsSuccessful && x.AnalysisEntry.AnalyzedInstanceKey.Port === firstSuccessor)
          : undefined;
      },
      30_000,
    );
    const last = topology.replicas.find((p) => p !== firstSuccessor)!;
    expect(second.SuccessorKey?.Port).toBe(last);
    const [ro] = await topology.query<{ ro: number }>(last, 'SELECT @@read_only AS ro');
    expect(ro?.ro).toBe(0);
  });
});
