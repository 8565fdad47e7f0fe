// DeadMaster recovery against real MariaDB servers (test kit), driven directly through the engine.
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, FakeOrchestrator, grantReadOnlyAdmin, HOST, k, slaveStatus, trail } from './harness.js';

let topology: Topology | undefined;
let orc: FakeOrchestrator | undefined;

afterEach(async () => {
  await orc?.close();
  await topology?.destroy();
  orc = undefined;
  topology = undefined;
});

async function setup(replicas: number) {
  topology = await startMariaDBTopology({ replicas });
  await grantReadOnlyAdmin(topology);
  await topology.query(topology.master, 'CREATE TABLE test.t (id INT PRIMARY KEY, v VARCHAR(20))');
  await topology.query(topology.master, "INSERT INTO test.t VALUES (1, 'a'), (2, 'b')");
  await topology.waitForReplication();
  orc = new FakeOrchestrator(topology);
  await orc.takeSnapshot();
  return { topology, orc };
}

async function expectReplicatingFrom(t: Topology, replica: number, master: number) {
  await eventually(async () => {
    const s = await slaveStatus(t, replica);
    return (
      s && Number(s.Master_Port) === master && s.Slave_IO_Running === 'Yes' && s.Slave_SQL_Running === 'Yes'
    );
  });
}

async function expectRowArrives(t: Topology, master: number, replica: number, id: number) {
  await t.query(master, 'INSERT INTO test.t VALUES (?, ?)', [id, 'after']);
  await eventually(
    async () => (await t.query(replica, 'SELECT id FROM test.t WHERE id = ?', [id])).length === 1,
  );
}

describe('DeadMaster on MariaDB GTID (1 master + 2 replicas)', () => {
  it('kill -9 of the master: one replica promoted and writable, the other replicating from it', async () => {
    const { topology: t, orc: o } = await setup(2);
    await t.kill9(t.master);
    const [outcome] = await o.engine.onAnalysis([o.deadMasterEntry(t.master)]);
    expect(outcome, trail(o)).toMatchObject({ outcome: 'recovered' });
    const resolves = o.ops('resolve-recovery');
    expect(resolves).toHaveLength(1);
    expect(resolves[0]).toMatchObject({ IsSuccessful: true, RecoveryType: 'MasterRecoveryGTID' });
    const successor = resolves[0].SuccessorKey.Port as number;
    expect(t.replicas).toContain(successor);
    const other = t.replicas.find((p) => p !== successor) as number;

    const [ro] = await t.query(successor, 'SELECT @@read_only AS ro');
    expect(Number(ro?.ro)).toBe(0);
    expect(await slaveStatus(t, successor)).toBeUndefined();
    await expectReplicatingFrom(t, other, successor);
    await expectRowArrives(t, successor, other, 100);

    expect(o.ops('write-recovery')).toHaveLength(1);
    expect(o.ops('write-recovery-step').length).toBeGreaterThan(3);
    expect(o.ops('put-key-value')).toContainEqual({
      Key: 'mysql/master/main',
      Value: `${HOST}:${successor}`,
    });
    expect(o.ops('begin-downtime').map((d) => d.Key.Port)).toEqual([t.master]);
    expect(resolves[0].LostReplicas).toEqual([]);

    // Anti-flapping: the new master dies too; the cluster is in its block period until acknowledged.
    await o.takeSnapshot();
    await t.kill9(successor);
    const [blocked] = await o.engine.onAnalysis([o.deadMasterEntry(successor)]);
    expect(blocked).toMatchObject({ outcome: 'blocked' });
    expect(o.ops('write-recovery')).toHaveLength(1);
    await o.engine.acknowledge({ owner: 'test', comment: 'checked', all: true });
    const [again] = await o.engine.onAnalysis([o.deadMasterEntry(successor)]);
    expect(again, trail(o)).toMatchObject({ outcome: 'recovered' });
    expect(o.ops('resolve-recovery')[1]).toMatchObject({ IsSuccessful: true, SuccessorKey: k(other) });
    expect(Number((await t.query(other, 'SELECT @@read_only AS ro'))[0]?.ro)).toBe(0);
  });

  it('honours prefer and must_not candidates', async () => {
    const { topology: t, orc: o } = await setup(2);
    const [first, second] = t.replicas as [number, number];
    const now = new Date().toISOString();
    o.candidates = [
      { Key: k(first), PromotionRule: 'must_not', LastSuggestedTimestamp: now },
      { Key: k(second), PromotionRule: 'prefer', LastSuggestedTimestamp: now },
    ];
    // Make the must_not replica the most advanced: it is caught up from, never promoted.
    await t.query(second, 'STOP SLAVE');
    await t.query(t.master, "INSERT INTO test.t VALUES (3, 'c')");
    await eventually(async () => (await t.query(first, 'SELECT id FROM test.t WHERE id = 3')).length === 1);
    await t.kill9(t.master);
    const [outcome] = await o.engine.onAnalysis([o.deadMasterEntry(t.master)]);
    expect(outcome, trail(o)).toMatchObject({ outcome: 'recovered' });
    const [resolved] = o.ops('resolve-recovery');
    expect(resolved.SuccessorKey).toEqual(k(second));
    expect((await t.query(second, 'SELECT id FROM test.t WHERE id = 3')).length).toBe(1);
    await expectReplicatingFrom(t, first, second);
    await expectRowArrives(t, second, first, 101);
  });
});

describe('DeadMaster picks the most advanced replica (1 master + 3 replicas, one lagging)', () => {
  it('never promotes the lagging replica and moves it under the new master', async () => {
    const { topology: t, orc: o } = await setup(3);
    const [a, b, lagging] = t.replicas as [number, number, number];
    await t.query(lagging, 'STOP SLAVE SQL_THREAD');
    await t.query(b, 'STOP SLAVE');
    for (let i = 10; i < 20; i++) await t.query(t.master, 'INSERT INTO test.t VALUES (?, ?)', [i, 'x']);
    await eventually(async () => (await t.query(a, 'SELECT COUNT(*) AS n FROM test.t'))[0]?.n === 12);
    await t.kill9(t.master);
    await t.query(b, 'START SLAVE');
    const [outcome] = await o.engine.onAnalysis([o.deadMasterEntry(t.master)]);
    expect(outcome, trail(o)).toMatchObject({ outcome: 'recovered' });
    const [resolved] = o.ops('resolve-recovery');
    expect(resolved.SuccessorKey).toEqual(k(a));
    await expectReplicatingFrom(t, lagging, a);
    await expectReplicatingFrom(t, b, a);
    await eventually(
      async () => Number((await t.query(lagging, 'SELECT COUNT(*) AS n FROM test.t'))[0]?.n) === 12,
    );
    await expectRowArrives(t, a, b, 102);
  });
});

describe('DeadMasterAndSomeReplicas (1 master + 2 replicas, one replica dead too)', () => {
  it('promotes the reachable replica; the dead one is lost and downtimed', async () => {
    const { topology: t, orc: o } = await setup(2);
    const [alive, dead] = t.replicas as [number, number];
    await t.kill9(dead);
    await t.kill9(t.master);
    const [outcome] = await o.engine.onAnalysis([o.deadMasterEntry(t.master, 'DeadMasterAndSomeReplicas')]);
    expect(outcome, trail(o)).toMatchObject({ outcome: 'recovered' });
    const [resolved] = o.ops('resolve-recovery');
    expect(resolved).toMatchObject({ IsSuccessful: true, SuccessorKey: k(alive), LostReplicas: [k(dead)] });
    expect(
      o
        .ops('begin-downtime')
        .map((d) => d.Key.Port)
        .sort(),
    ).toEqual([dead, t.master].sort());
    expect(Number((await t.query(alive, 'SELECT @@read_only AS ro'))[0]?.ro)).toBe(0);
  });
});

describe('recover-lite with a candidate', () => {
  it('promotes the operator-chosen replica without running hooks', async () => {
    topology = await startMariaDBTopology({ replicas: 2 });
    const t = topology;
    await grantReadOnlyAdmin(t);
    await t.query(t.master, 'CREATE TABLE test.t (id INT PRIMARY KEY)');
    await t.waitForReplication();
    orc = new FakeOrchestrator(t, { PreFailoverProcesses: ['exit 1'] });
    const o = orc;
    await o.takeSnapshot();
    const [, chosen] = t.replicas as [number, number];
    await t.kill9(t.master);
    const recovery = await o.engine.recover(o.deadMasterEntry(t.master), {
      lite: true,
      candidate: k(chosen),
    });
    expect(recovery, trail(o)).toMatchObject({ IsSuccessful: true, SuccessorKey: k(chosen) });
    expect(o.steps.some((s) => /Processes/.test(s.message))).toBe(false);
  });
});
