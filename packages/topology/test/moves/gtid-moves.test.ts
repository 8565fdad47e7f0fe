// Every GTID move on a real MariaDB topology, one after the other on the same servers: the master
// M with replicas S1, S2 and an intermediate master I with replicas R1, R2. After each move SHOW
// SLAVE STATUS shows what was asked and a row written on the master reaches every server.
import { replicateFrom, startMariaDB, startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MoveExecutor, MoveFailedError, MoveRefusedError } from '../../src/moves/index.js';
import { expectDataFlows, expectReplicating, type Harness, harness, replicationShape } from './harness.js';

describe('GTID moves on MariaDB', () => {
  let topology: Topology;
  let h: Harness;
  let M: number;
  let S1: number;
  let S2: number;
  let I: number;
  let R1: number;
  let R2: number;
  /** Servers started by single tests, part of the view while they run. */
  const extra: number[] = [];

  beforeAll(async () => {
    topology = await startMariaDBTopology({ replicas: 2, chain: { intermediateReplicas: 2 } });
    h = harness(topology, () => [...topology.ports, ...extra]);
    M = topology.master;
    [S1, S2] = topology.replicas as [number, number];
    I = topology.intermediate as number;
    [R1, R2] = topology.intermediateReplicas as [number, number];
  });

  afterAll(async () => {
    await h?.close();
    await topology?.destroy();
  });

  const all = () => topology.ports.filter((p) => p !== M);

  it('relocate moves a replica of the intermediate master below the master', async () => {
    const outcome = await h.moves.move(h.request('relocate', R1, M));
    expect(outcome.plan.method).toBe('MariaDB GTID');
    expect(outcome.moved.map((k) => k.Port)).toEqual([R1]);
    await expectReplicating(topology, R1, M);
    await expectDataFlows(topology, M, all());
    // Every step and the move itself are audited.
    const lines = h.audit.filter((a) => a.type === 'relocate').map((a) => a.message);
    expect(lines.filter((l) => / step \d\/4: /.test(l))).toHaveLength(4);
    expect(lines.at(-1)).toBe(`relocated 127.0.0.1:${R1} below 127.0.0.1:${M}`);
  });

  it('move-below puts a replica below its sibling, move-up brings it back', async () => {
    await h.moves.move(h.request('move-below', R1, S1));
    await expectReplicating(topology, R1, S1);
    await expectDataFlows(topology, M, all());
    await h.moves.move(h.request('move-up', R1));
    await expectReplicating(topology, R1, M);
    await expectDataFlows(topology, M, all());
  });

  it('relocate-replicas moves every replica of the intermediate master below another replica', async () => {
    const outcome = await h.moves.move(h.request('relocate-replicas', I, S2));
    expect(outcome.moved.map((k) => k.Port)).toEqual([R2]);
    await expectReplicating(topology, R2, S2);
    await expectDataFlows(topology, M, all());
  });

  it('take-master swaps a replica with its master', async () => {
    // R2 → S2 → M becomes S2 → R2 → M.
    await h.moves.move(h.request('take-master', R2));
    await expectReplicating(topology, R2, M);
    await expectReplicating(topology, S2, R2);
    await expectDataFlows(topology, M, all());
  });

  it('move-up-replicas moves the replicas of an intermediate master up', async () => {
    const outcome = await h.moves.move(h.request('move-up-replicas', R2));
    expect(outcome.moved.map((k) => k.Port)).toEqual([S2]);
    await expectReplicating(topology, S2, M);
    await expectDataFlows(topology, M, all());
  });

  it('take-siblings moves every sibling below the instance (in parallel, bounded)', async () => {
    const outcome = await h.moves.move(h.request('take-siblings', S1));
    expect(outcome.failed).toEqual([]);
    expect(outcome.moved.map((k) => k.Port).sort()).toEqual([S2, I, R1, R2].sort());
    for (const p of [S2, I, R1, R2]) await expectReplicating(topology, p, S1);
    await expectDataFlows(topology, M, all());
  });

  it('regroup-replicas promotes one replica and moves the others below it', async () => {
    const outcome = await h.moves.move(h.request('regroup-replicas', S1));
    const promoted = outcome.plan.target?.Port as number;
    expect([S2, I, R1, R2]).toContain(promoted);
    await expectReplicating(topology, promoted, S1);
    for (const p of [S2, I, R1, R2].filter((p) => p !== promoted))
      await expectReplicating(topology, p, promoted);
    await expectDataFlows(topology, M, all());
    // Back to a flat 1+5 for the next tests.
    await h.moves.move(h.request('relocate-replicas', promoted, M));
    await h.moves.move(h.request('relocate-replicas', S1, M));
    for (const p of all()) await expectReplicating(topology, p, M);
  });

  it('repoint and repoint-replicas re-point replicas with GTID', async () => {
    await h.moves.move(h.request('repoint', R1, S1));
    await expectReplicating(topology, R1, S1);
    await h.moves.move(h.request('repoint', R1, M));
    await expectReplicating(topology, R1, M);
    const outcome = await h.moves.move(h.request('repoint-replicas', M));
    expect(outcome.moved).toHaveLength(5);
    await expectDataFlows(topology, M, all());
  });

  it('refusals leave the topology untouched', async () => {
    const before = await replicationShape(topology);
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => 'moved',
        (e: unknown) => e,
      );
    const cycle = await refusal(h.moves.move(h.request('relocate', M, R1)));
    expect(cycle).toBeInstanceOf(MoveRefusedError);
    expect((cycle as MoveRefusedError).refusal).toBe('CYCLE');
    const notReplica = await refusal(h.moves.move(h.request('move-up', S1)));
    expect((notReplica as MoveRefusedError).message).toBe(`master is not a replica itself: 127.0.0.1:${M}`);
    h.maintenance.add(S2);
    const maintained = await refusal(h.moves.move(h.request('relocate', R1, S2)));
    h.maintenance.delete(S2);
    expect((maintained as MoveRefusedError).refusal).toBe('MAINTENANCE');
    h.leading.value = false;
    const follower = await refusal(h.moves.move(h.request('relocate', R1, S2)));
    h.leading.value = true;
    expect((follower as Error).message).toMatch(/not the raft leader/);
    expect(await replicationShape(topology)).toEqual(before);
  });

  it('a replica without log_slave_updates cannot take replicas; nothing changes', async () => {
    const noLsu = await startMariaDB({ args: ['--log-slave-updates=OFF'] });
    try {
      await replicateFrom(noLsu, M);
      extra.push(noLsu.port);
      await expectReplicating(topology, R1, M);
      const before = await replicationShape(topology);
      const error = await h.moves.move(h.request('relocate', R1, noLsu.port)).catch((e: unknown) => e);
      expect((error as MoveRefusedError).refusal).toBe('NO_LOG_SLAVE_UPDATES');
      expect((error as Error).message).toBe(
        `instance does not have log_slave_updates enabled: 127.0.0.1:${noLsu.port}`,
      );
      expect(await replicationShape(topology)).toEqual(before);
    } finally {
      extra.length = 0;
      await noLsu.destroy();
    }
  });

  it('a new master that stops catching up fails the move cleanly: the replica goes back to replicating', async () => {
    const plan = await h.moves.plan(h.request('relocate', R1, S2));
    if (!plan.possible || 'moves' in plan) throw new Error('a single possible plan was expected');
    // After planning, S2 stops applying and falls behind R1.
    await topology.query(S2, 'STOP SLAVE SQL_THREAD');
    await expectDataFlows(topology, M, [R1]);
    const impatient = new MoveExecutor({
      mysql: h.mysql,
      leadership: { isLeaderWithQuorum: () => true },
      ReasonableMaintenanceReplicationLagSeconds: 1,
      MaxConcurrentReplicaOperations: 1,
      pollMs: 20,
    });
    const error = await impatient.run(plan).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MoveFailedError);
    expect((error as Error).message).toMatch(
      new RegExp(`failed at step 2/4 .*did not catch up.*; replication restarted on 127.0.0.1:${R1}$`),
    );
    await expectReplicating(topology, R1, M);
    await topology.query(S2, 'START SLAVE SQL_THREAD');
    await expectDataFlows(topology, M, all());
  });

  it('make-co-master makes the master replicate from its replica', async () => {
    await h.moves.move(h.request('make-co-master', S1));
    await expectReplicating(topology, M, S1);
    await expectDataFlows(topology, M, all());
    // A write on the co-master reaches the master too.
    await expectDataFlows(topology, S1, [M]);
  });

  it('errant GTIDs on a replica refuse moving it and change nothing', async () => {
    // A local write in its own domain, so the replica's own replication keeps working.
    await topology.query(
      R2,
      'SET STATEMENT gtid_domain_id = 9 FOR CREATE TABLE test.errant (id INT PRIMARY KEY)',
    );
    const before = await replicationShape(topology);
    const error = await h.moves.move(h.request('relocate', R2, S2)).catch((e: unknown) => e);
    expect((error as MoveRefusedError).refusal).toBe('ERRANT_GTID');
    expect((error as Error).message).toMatch(/errant GTIDs \(9-\d+-1\)/);
    expect(await replicationShape(topology)).toEqual(before);
  });
});
