// Replica moves through a 3-node daemon cluster on a real MariaDB chain (M → S1, S2, I → R1): the
// moves are asked of a follower, which forwards them to the leader; SHOW SLAVE STATUS shows the
// result, data written afterwards reaches every server, and a refusal changes nothing.
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, OrchestratorCluster, type OrchestratorNode, topologyConfig } from '../src/index.js';

interface Key {
  Hostname: string;
  Port: number;
}
interface Instance {
  Key: Key;
  MasterKey: Key;
}
interface Envelope<T> {
  Code: string;
  Message: string;
  Details: T;
}
interface Plan {
  Possible: boolean;
  Method: string;
  Steps: { Description: string; Instance: string }[];
  Reason: string;
}

describe('topology moves through the daemon', () => {
  let topology: Topology;
  let cluster: OrchestratorCluster;
  let follower: OrchestratorNode;
  let M: number;
  let S1: number;
  let S2: number;
  let I: number;
  let R1: number;

  beforeAll(async () => {
    topology = await startMariaDBTopology({ replicas: 2, chain: { intermediateReplicas: 1 } });
    M = topology.master;
    [S1, S2] = topology.replicas as [number, number];
    I = topology.intermediate as number;
    [R1] = topology.intermediateReplicas as [number];
    cluster = await OrchestratorCluster.start({ nodes: 3, config: () => topologyConfig(topology, 1) });
    const leader = await cluster.waitForLeader();
    follower = cluster.nodes.find((n) => n !== leader) as OrchestratorNode;
    await cluster.waitForFollowers();
    await eventually('the leader to know all 5 instances', async () => {
      const r = await leader.get<unknown[]>(`cluster/127.0.0.1:${topology.master}`);
      return Array.isArray(r.body) && r.body.length === 5 ? true : undefined;
    });
  }, 60_000);

  afterAll(async () => {
    await cluster?.destroy();
    await topology?.destroy();
  });

  async function masterPort(port: number): Promise<string> {
    const [s] = await topology.query<{
      Master_Port: number;
      Slave_IO_Running: string;
      Slave_SQL_Running: string;
    }>(port, 'SHOW SLAVE STATUS');
    return s ? `${s.Master_Port} ${s.Slave_IO_Running}/${s.Slave_SQL_Running}` : 'none';
  }

  async function shape(): Promise<string[]> {
    return Promise.all(topology.ports.map(masterPort));
  }

  let row = 0;
  async function expectDataFlows(): Promise<void> {
    await topology.query(M, 'CREATE TABLE IF NOT EXISTS test.moved (id INT PRIMARY KEY)');
    const id = ++row;
    await topology.query(M, 'INSERT INTO test.moved VALUES (?)', [id]);
    for (const p of topology.ports)
      await eventually(`row ${id} on ${p}`, async () => {
        const rows = await topology.query(p, 'SELECT id FROM test.moved WHERE id = ?', [id]);
        return rows.length === 1 ? true : undefined;
      });
  }

  it('previews a relocation without changing anything', async () => {
    const r = await follower.get<Envelope<Plan>>(`relocate-plan/127.0.0.1/${R1}/127.0.0.1/${M}`);
    expect(r.body.Code, r.text).toBe('OK');
    expect(r.body.Details.Possible).toBe(true);
    expect(r.body.Details.Method).toBe('MariaDB GTID');
    expect(r.body.Details.Steps.map((s) => s.Instance)).toContain(`127.0.0.1:${R1}`);
    expect(await masterPort(R1)).toBe(`${I} Yes/Yes`);
    const cycle = await follower.get<Envelope<Plan>>(`relocate-plan/127.0.0.1/${M}/127.0.0.1/${R1}`);
    expect(cycle.body.Code).toBe('OK');
    expect(cycle.body.Details).toMatchObject({ Possible: false, Steps: [] });
    expect(cycle.body.Details.Reason).toMatch(/cycle/);
  });

  it('relocate on a follower moves the replica (forwarded to the leader) and answers with the moved instance', async () => {
    const r = await follower.get<Envelope<Instance>>(`relocate/127.0.0.1/${R1}/127.0.0.1/${M}`);
    expect(r.body.Code, r.text).toBe('OK');
    expect(r.body.Message).toBe(`Instance 127.0.0.1:${R1} relocated below 127.0.0.1:${M}`);
    expect(r.body.Details.Key.Port).toBe(R1);
    expect(r.body.Details.MasterKey.Port).toBe(M);
    await eventually('R1 replicating from M', async () =>
      (await masterPort(R1)) === `${M} Yes/Yes` ? true : undefined,
    );
    await expectDataFlows();
    const audit = await follower.get<{ AuditType: string; Message: string }[]>('audit');
    expect(audit.body.filter((a) => a.AuditType === 'relocate').map((a) => a.Message)).toContain(
      `relocated 127.0.0.1:${R1} below 127.0.0.1:${M}`,
    );
  });

  it('refuses a move that would create a cycle and leaves the topology untouched', async () => {
    const before = await shape();
    const r = await follower.get<Envelope<unknown>>(`relocate/127.0.0.1/${M}/127.0.0.1/${S1}`);
    expect(r.status).toBe(500);
    expect(r.body.Code).toBe('ERROR');
    expect(r.body.Message).toMatch(/cycle/);
    const notChain = await follower.get<Envelope<unknown>>(`move-up/127.0.0.1/${S2}`);
    expect(notChain.body.Message).toBe(`move-up: master is not a replica itself: 127.0.0.1:${M}`);
    expect(await shape()).toEqual(before);
  });

  it('relocate-slaves (a synonym) moves every replica and answers with the moved instances', async () => {
    const r = await follower.get<Envelope<Instance[]>>(`relocate-slaves/127.0.0.1/${M}/127.0.0.1/${S1}`);
    expect(r.body.Code, r.text).toBe('OK');
    expect(r.body.Details.map((i) => i.Key.Port).sort()).toEqual([S2, I, R1].sort());
    for (const i of r.body.Details) expect(i.MasterKey.Port).toBe(S1);
    for (const p of [S2, I, R1])
      await eventually(`${p} replicating from S1`, async () =>
        (await masterPort(p)) === `${S1} Yes/Yes` ? true : undefined,
      );
    await expectDataFlows();
  });

  it('regroup-slaves promotes one replica below which the others move; answers with its key', async () => {
    const r = await follower.get<Envelope<Key>>(`regroup-slaves/127.0.0.1/${S1}`);
    expect(r.body.Code, r.text).toBe('OK');
    const promoted = r.body.Details.Port;
    expect([S2, I, R1]).toContain(promoted);
    expect(r.body.Message).toBe(
      `promoted replica: 127.0.0.1:${promoted}, lost: 0, trivial: 2, pseudo-gtid: 0`,
    );
    for (const p of [S2, I, R1].filter((p) => p !== promoted))
      await eventually(`${p} replicating from the promoted replica`, async () =>
        (await masterPort(p)) === `${promoted} Yes/Yes` ? true : undefined,
      );
    await expectDataFlows();
  });

  it('a bad pattern is a 400 naming the parameter', async () => {
    const r = await follower.get<Envelope<unknown>>(
      `relocate-replicas/127.0.0.1/${S1}/127.0.0.1/${M}?pattern=(`,
    );
    expect(r.status).toBe(400);
    expect(r.body.Message).toMatch(/invalid parameter pattern/);
  });
});
