// Operator-driven recovery through a 3-node daemon cluster on a real MariaDB topology: graceful
// master takeover with zero lost rows, then anti-flapping (a failover right after it is blocked and
// recorded) and an acknowledgement that unblocks it.
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster, type OrchestratorNode, topologyConfig } from '../src/index.js';

interface Envelope<T> {
  Code: string;
  Message: string;
  Details: T;
}
interface Recovery {
  IsSuccessful: boolean;
  SuccessorKey: { Hostname: string; Port: number } | null;
  AnalysisEntry: { AnalyzedInstanceKey: { Port: number } };
}

describe('graceful takeover and anti-flapping through the daemon', () => {
  let topology: Topology;
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;
  let newMaster: number;

  beforeAll(async () => {
    topology = await startMariaDBTopology({ replicas: 2 });
    cluster = await OrchestratorCluster.start({ nodes: 3, config: () => topologyConfig(topology, 1) });
    leader = await cluster.waitForLeader();
    await eventually('the cluster to show 3 instances', async () => {
      const r = await leader.get<unknown[]>(`cluster/127.0.0.1:${topology.master}`);
      return Array.isArray(r.body) && r.body.length === 3 ? true : undefined;
    });
  });

  afterAll(async () => {
    await cluster?.destroy();
    await topology?.destroy();
  });

  it('graceful-master-takeover to a designated replica loses no acknowledged row', async () => {
    await topology.query(topology.master, 'CREATE TABLE test.writes (id INT PRIMARY KEY)');
    // An application user: read_only does not stop users with SUPER / READ_ONLY ADMIN (root).
    await topology.query(topology.master, "CREATE USER 'app'@'%' IDENTIFIED BY 'app_pw'");
    await topology.query(topology.master, "GRANT SELECT, INSERT ON test.* TO 'app'@'%'");
    const app = await topology.server(topology.master).connect({ user: 'app', password: 'app_pw' });
    const acknowledged: number[] = [];
    let writing = true;
    const writer = (async () => {
      for (let id = 1; writing && id < 100_000; id++) {
        try {
          await app.query('INSERT INTO test.writes VALUES (?)', [id]);
          acknowledged.push(id);
        } catch {
          // read_only or gone: the takeover is under way; keep trying until told to stop
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    })();
    await eventually('some writes before the takeover', async () =>
      acknowledged.length > 20 ? true : undefined,
    );

    const designated = topology.replicas[0]!;
    const r = await leader.get<Envelope<Recovery>>(
      `graceful-master-takeover/127.0.0.1:${topology.master}/127.0.0.1/${designated}`,
    );
    writing = false;
    await writer;
    await app.end();
    expect(r.body.Code, r.text).toBe('OK');
    expect(r.body.Details.SuccessorKey?.Port).toBe(designated);
    newMaster = designated;

    const [ro] = await topology.query<{ ro: number }>(newMaster, 'SELECT @@read_only AS ro');
    expect(ro?.ro).toBe(0);
    const rows = await topology.query<{ id: number }>(newMaster, 'SELECT id FROM test.writes');
    const present = new Set(rows.map((x) => x.id));
    const lost = acknowledged.filter((id) => !present.has(id));
    expect(acknowledged.length).toBeGreaterThan(20);
    expect(lost).toEqual([]);

    // the old master now replicates from the new one (configured; -auto would also start it)
    const [old] = await topology.query<Record<string, unknown>>(topology.master, 'SHOW SLAVE STATUS');
    expect(old?.Master_Port).toBe(newMaster);
    const [oldRo] = await topology.query<{ ro: number }>(topology.master, 'SELECT @@read_only AS ro');
    expect(oldRo?.ro).toBe(1);
  });

  it('a failover right after it is blocked (anti-flapping) until the recoveries are acknowledged', async () => {
    const other = topology.replicas[1]!;
    await eventually('the other replica to replicate from the new master', async () => {
      const [s] = await topology.query<Record<string, unknown>>(other, 'SHOW SLAVE STATUS');
      return s?.Master_Port === newMaster && s.Slave_IO_Running === 'Yes' ? true : undefined;
    });
    await topology.kill9(newMaster);

    const blocked = await eventually(
      'the automated recovery to be blocked',
      async () => {
        const b = await leader.get<{ FailedInstanceKey: { Port: number } }[]>('blocked-recoveries');
        return Array.isArray(b.body) && b.body.some((x) => x.FailedInstanceKey.Port === newMaster)
          ? b.body
          : undefined;
      },
      20_000,
    );
    expect(blocked.length).toBeGreaterThan(0);
    const before = (await leader.get<Recovery[]>('audit-recovery')).body;
    expect(before.filter((x) => x.AnalysisEntry.AnalyzedInstanceKey.Port === newMaster)).toEqual([]);

    const ack = await leader.get<Envelope<unknown>>('ack-all-recoveries?comment=e2e');
    expect(ack.body.Code).toBe('OK');
    const recovered = await eventually(
      'the failover to run once acknowledged',
      async () => {
        const r = await leader.get<Recovery[]>('audit-recovery');
        return r.body.find((x) => x.AnalysisEntry.AnalyzedInstanceKey.Port === newMaster && x.IsSuccessful);
      },
      20_000,
    );
    expect([topology.master, other]).toContain(recovered.SuccessorKey?.Port);
  });
});
