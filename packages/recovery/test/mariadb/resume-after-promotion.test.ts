// The leader dies after promoting a replica but before moving its siblings under it. The new
// leader must finish that recovery (siblings under the promoted master), never promote one of
// those siblings as a second master of the same data.
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, FakeOrchestrator, grantReadOnlyAdmin, k, slaveStatus, trail } from './harness.js';

let topology: Topology | undefined;
const orcs: FakeOrchestrator[] = [];

afterEach(async () => {
  for (const o of orcs.splice(0)) await o.close();
  await topology?.destroy();
  topology = undefined;
});

const readOnly = async (t: Topology, port: number) =>
  Number((await t.query<{ ro: number }>(port, 'SELECT @@read_only AS ro'))[0]?.ro);

describe('leadership lost right after the promotion', () => {
  it('the new leader moves the siblings under the promoted replica; a later DeadMaster promotes nobody else', async () => {
    const t = await startMariaDBTopology({ replicas: 2 });
    topology = t;
    await grantReadOnlyAdmin(t);
    await t.query(t.master, 'CREATE TABLE test.t (id INT PRIMARY KEY)');
    await t.query(t.master, 'INSERT INTO test.t VALUES (1)');
    await t.waitForReplication();
    const o = new FakeOrchestrator(t);
    orcs.push(o);
    await o.takeSnapshot();
    o.onPublish = (op, value) => {
      if (
        op === 'write-recovery-step' &&
        String((value as { Message: string }).Message).startsWith('promoted ')
      )
        o.leader = false;
    };
    await t.kill9(t.master);
    const [outcome] = await o.engine.onAnalysis([o.deadMasterEntry(t.master)]);
    expect(outcome, trail(o)).toMatchObject({ outcome: 'failed' });
    const promoted = t.replicas.find((p) =>
      o.steps.some((s) => s.message.startsWith(`promoted 127.0.0.1:${p}`)),
    )!;
    const sibling = t.replicas.find((p) => p !== promoted)!;
    expect(await readOnly(t, promoted)).toBe(0);
    expect(Number((await slaveStatus(t, sibling))?.Master_Port)).toBe(t.master); // left behind

    // The new leader inherits the replicated state; its backend still shows the old topology.
    const n = new FakeOrchestrator(t, {}, { hostname: 'orc-other', token: 'token-2' });
    orcs.push(n);
    n.snapshot = o.snapshot;
    for (const [uid, r] of o.recoveries) n.recoveries.set(uid, { ...r });
    const results = await n.engine.resumeInterruptedRecoveries();
    expect(results, trail(n)).toHaveLength(1);
    expect(results[0]?.decision).toMatchObject({ action: 'resolve', writableMaster: k(promoted) });
    expect(results[0]?.resumed, trail(n)).toMatchObject({ IsSuccessful: true, SuccessorKey: k(promoted) });
    await eventually(async () => {
      const s = await slaveStatus(t, sibling);
      return Number(s?.Master_Port) === promoted && s?.Slave_IO_Running === 'Yes';
    });
    await t.query(promoted, 'INSERT INTO test.t VALUES (2)');
    await eventually(async () => (await t.query(sibling, 'SELECT id FROM test.t WHERE id = 2')).length === 1);

    // The dead master's analysis comes again (its replicas were listed in it): nothing is promoted.
    const [again] = await n.engine.onAnalysis([n.deadMasterEntry(t.master)]);
    expect(again?.outcome, trail(n)).not.toBe('recovered');
    expect(await readOnly(t, sibling)).toBe(1);
  });
});

describe('a leadership blip in the middle of a recovery', () => {
  it('leaves the recovery open (not a failure that blocks the cluster); resumed, it promotes a replica', async () => {
    const t = await startMariaDBTopology({ replicas: 2 });
    topology = t;
    await grantReadOnlyAdmin(t);
    const o = new FakeOrchestrator(t);
    orcs.push(o);
    await o.takeSnapshot();
    // The quorum check fails for a moment (a loaded machine) while raft still commits proposals.
    o.acceptProposalsWithoutLeadership = true;
    o.onPublish = (op, value) => {
      if (
        op === 'write-recovery-step' &&
        String((value as { Message: string }).Message).startsWith('will handle')
      )
        o.leader = false;
    };
    await t.kill9(t.master);
    const [outcome] = await o.engine.onAnalysis([o.deadMasterEntry(t.master)]);
    expect(outcome, trail(o)).toMatchObject({ outcome: 'failed' });
    expect(o.ops('resolve-recovery')).toEqual([]);
    expect(trail(o)).toMatch(/left running/);
    o.leader = true;
    o.onPublish = undefined;

    // Same node, leader again: the next pass closes the stopped recovery and finishes the failover.
    const results = await o.engine.resumeInterruptedRecoveries();
    expect(results, trail(o)).toHaveLength(1);
    expect(results[0]?.resumed, trail(o)).toMatchObject({ IsSuccessful: true });
    const successor = results[0]?.resumed?.SuccessorKey?.Port as number;
    expect(await readOnly(t, successor)).toBe(0);
    const other = t.replicas.find((p) => p !== successor) as number;
    await eventually(async () => Number((await slaveStatus(t, other))?.Master_Port) === successor);
  });
});
