// Which replica a 3-node daemon cluster promotes when a real MariaDB master is killed: promotion
// rules registered through the API (prefer wins, must_not never promoted even when it is the most
// advanced), and with no rules the most advanced replica wins over lagging ones, which then follow
// it and catch up.
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster, type OrchestratorNode, topologyConfig } from '../src/index.js';
import {
  everyNodeRecords,
  oneSuccessfulRecovery,
  readOnly,
  recoveryOf,
  sqlite,
  stepsOf,
  waitForInstances,
  waitReplicatingFrom,
  waitRowCount,
} from '../src/recovery-helpers.js';

type Connection = Awaited<ReturnType<ReturnType<Topology['server']>['connect']>>;

interface Envelope {
  Code: string;
  Message: string;
}

describe('prefer and must_not registered through a follower, then kill -9 of the master (1+2)', () => {
  let topology: Topology;
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;

  beforeAll(async () => {
    topology = await startMariaDBTopology({ replicas: 2 });
    cluster = await OrchestratorCluster.start({ nodes: 3, config: () => topologyConfig(topology, 1) });
    leader = await cluster.waitForLeader();
    await waitForInstances(leader, topology.master, 3);
    await cluster.waitForFollowers();
  });

  afterAll(async () => {
    await cluster?.destroy();
    await topology?.destroy();
  });

  it('promotes the prefer replica, never the must_not one, which then follows it', async () => {
    const [banned, preferred] = topology.replicas as [number, number];
    const follower = cluster.nodes.find((n) => n !== leader)!;
    for (const [port, rule] of [
      [banned, 'must_not'],
      [preferred, 'prefer'],
    ] as const) {
      // Retried while the follower does not know the leader yet (a JSON 503).
      const r = await eventually(`register-candidate ${rule} through node${follower.index}`, async () => {
        const x = await follower.get<Envelope>(`register-candidate/127.0.0.1/${port}/${rule}`);
        return x.status === 503 ? undefined : x;
      });
      expect(r.body.Code, r.text).toBe('OK');
    }
    // Every node applied the registrations (they are raft entries), so any next leader honours them.
    for (const node of cluster.nodes)
      await eventually(`node${node.index} to know both candidates`, async () =>
        sqlite(node, 'SELECT COUNT(*) FROM candidate_database_instance') === '2' ? true : undefined,
      );

    // Left alone, the must_not replica would be the natural choice: it is the most advanced.
    await topology.query(topology.master, 'CREATE TABLE test.rules (id INT PRIMARY KEY)');
    await topology.waitForReplication();
    await topology.query(preferred, 'STOP SLAVE');
    for (let id = 1; id <= 5; id++)
      await topology.query(topology.master, 'INSERT INTO test.rules VALUES (?)', [id]);
    await waitRowCount(topology, banned, 'test.rules', 5);
    await topology.kill9(topology.master);

    const recovery = await recoveryOf(leader, topology.master, (r) => r.IsSuccessful);
    expect(recovery.AnalysisEntry.Analysis).toMatch(/^DeadMaster/);
    expect(recovery.SuccessorKey?.Port).toBe(preferred);
    const steps = stepsOf(leader, recovery.UID);
    expect(
      steps.some((m) => m.includes(`caught up from 127.0.0.1:${banned}`)),
      steps.join('\n'),
    ).toBe(true);

    // The preferred replica caught up from the must_not one before its promotion: nothing lost.
    expect(await readOnly(topology, preferred)).toBe(0);
    await waitRowCount(topology, preferred, 'test.rules', 5);
    await waitReplicatingFrom(topology, banned, preferred);
    expect(await readOnly(topology, banned)).toBe(1);
    await topology.query(preferred, 'INSERT INTO test.rules VALUES (6)');
    await waitRowCount(topology, banned, 'test.rules', 6);

    const perNode = await everyNodeRecords(cluster.nodes, 'one successful recovery', oneSuccessfulRecovery);
    for (const rows of perNode)
      expect(rows.find((r) => r.successful)).toMatchObject({ successorPort: preferred, uid: recovery.UID });
  });
});

describe('the most advanced replica wins over lagging ones (1+3)', () => {
  let topology: Topology;
  let cluster: OrchestratorCluster;
  let leader: OrchestratorNode;
  const locks: Connection[] = [];

  beforeAll(async () => {
    topology = await startMariaDBTopology({ replicas: 3 });
    cluster = await OrchestratorCluster.start({
      nodes: 3,
      // A lagging replica's SQL thread is stuck; do not wait the default 5 s for it to apply its relay log.
      config: () => ({ ...topologyConfig(topology, 1), StopReplicationNiceTimeoutSeconds: 1 }),
    });
    leader = await cluster.waitForLeader();
    await waitForInstances(leader, topology.master, 4);
    await cluster.waitForFollowers();
  });

  afterAll(async () => {
    for (const c of locks) await c.end().catch(() => {});
    await cluster?.destroy();
    await topology?.destroy();
  });

  it('promotes the most advanced replica; the lagging ones follow it and catch up with every row', async () => {
    const [farBehind, behind, advanced] = topology.replicas as [number, number, number];
    await topology.query(topology.master, 'CREATE TABLE test.lag (id INT PRIMARY KEY)');
    await topology.waitForReplication();

    // A long-held table lock on a replica (a report, a backup) stalls its SQL thread while its IO
    // thread keeps receiving: the classic lagging replica. farBehind stalls first, behind later.
    const lockOn = async (port: number) => {
      const c = await topology.server(port).connect();
      locks.push(c);
      await c.query('LOCK TABLES test.lag READ');
      return c;
    };
    const farLock = await lockOn(farBehind);
    for (let id = 1; id <= 10; id++)
      await topology.query(topology.master, 'INSERT INTO test.lag VALUES (?)', [id]);
    await waitRowCount(topology, behind, 'test.lag', 10);
    const behindLock = await lockOn(behind);
    for (let id = 11; id <= 20; id++)
      await topology.query(topology.master, 'INSERT INTO test.lag VALUES (?)', [id]);
    await waitRowCount(topology, advanced, 'test.lag', 20);
    await topology.kill9(topology.master);

    const recovery = await recoveryOf(leader, topology.master, (r) => r.IsSuccessful);
    expect(recovery.SuccessorKey?.Port).toBe(advanced);
    const steps = stepsOf(leader, recovery.UID);
    expect(recovery.LostReplicas ?? [], steps.join('\n')).toEqual([]);
    // Their appliers waited on the locks: STOP SLAVE would hang, so the recovery killed them first.
    for (const port of [behind, farBehind])
      expect(
        steps.some((m) => m.includes(`applier thread`) && m.includes(`:${port}:`)),
        steps.join('\n'),
      ).toBe(true);
    expect(await readOnly(topology, advanced)).toBe(0);

    // The lagging replicas already point at the new master; once their locks go, they catch up.
    for (const port of [behind, farBehind]) {
      const s = await eventually(`${port} to point at the new master`, async () => {
        const [row] = await topology.query<Record<string, unknown>>(port, 'SHOW SLAVE STATUS');
        return row?.Master_Port === advanced ? row : undefined;
      });
      expect(s.Slave_IO_Running).toBe('Yes');
    }
    await behindLock.query('UNLOCK TABLES');
    await farLock.query('UNLOCK TABLES');
    await topology.query(advanced, 'INSERT INTO test.lag VALUES (21)');
    for (const port of [behind, farBehind]) {
      await waitReplicatingFrom(topology, port, advanced);
      await waitRowCount(topology, port, 'test.lag', 21);
    }

    const perNode = await everyNodeRecords(cluster.nodes, 'one successful recovery', oneSuccessfulRecovery);
    for (const rows of perNode)
      expect(rows.find((r) => r.successful)).toMatchObject({ successorPort: advanced, uid: recovery.UID });
  });
});
