// Pseudo-GTID on real MariaDB servers replicating by binlog coordinates (MASTER_USE_GTID=no), with
// the reference's AutoPseudoGTID markers written on the master: match-below of a replica behind its
// sibling, and a DeadMaster recovery that places a replica behind the promoted one.
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { effectivePseudoGtid, matchBelow, matchOptions } from '../../src/pseudo-gtid/index.js';
import { eventually, FakeOrchestrator, grantReadOnlyAdmin, k, slaveStatus, trail } from './harness.js';

let topology: Topology | undefined;
const orcs: FakeOrchestrator[] = [];

afterEach(async () => {
  for (const o of orcs.splice(0)) await o.close();
  await topology?.destroy();
  topology = undefined;
});

let markers = 0;
/** An AutoPseudoGTID marker on the master (hex seconds, server id, a unique suffix: ascending). */
async function inject(o: FakeOrchestrator, master: number) {
  markers++;
  const hint = `${(0x60000000 + markers).toString(16)}:00000001:${markers.toString(16).padStart(16, '0')}`;
  await o.mysql.injectPseudoGtid(k(master), hint);
}

async function setup(replicas: number) {
  const t = await startMariaDBTopology({ replicas, masterUseGtid: 'no' });
  topology = t;
  await grantReadOnlyAdmin(t);
  const o = new FakeOrchestrator(t, { AutoPseudoGTID: true });
  orcs.push(o);
  await t.query(t.master, 'CREATE TABLE test.t (id INT PRIMARY KEY)');
  await inject(o, t.master);
  await t.query(t.master, 'INSERT INTO test.t VALUES (1), (2)');
  await t.query(t.master, 'INSERT INTO test.t VALUES (3)');
  await t.waitForReplication();
  await o.takeSnapshot();
  return { t, o };
}

/** Stops `behind`'s IO thread, then writes rows and another marker it will not have. */
async function leaveBehind(t: Topology, o: FakeOrchestrator, behind: number, others: number[]) {
  await t.query(behind, 'STOP SLAVE IO_THREAD');
  await t.query(t.master, 'INSERT INTO test.t VALUES (4)');
  await inject(o, t.master);
  await t.query(t.master, 'INSERT INTO test.t VALUES (5)');
  for (const r of others)
    await eventually(async () => (await t.query(r, 'SELECT id FROM test.t WHERE id = 5')).length === 1);
}

async function count(t: Topology, port: number): Promise<number> {
  return Number((await t.query<{ n: number }>(port, 'SELECT COUNT(*) AS n FROM test.t'))[0]?.n);
}

describe('Pseudo-GTID (AutoPseudoGTID markers, binlog file:pos)', () => {
  it('match-below: a replica behind its sibling continues under it where it stopped', async () => {
    const { t, o } = await setup(2);
    const [behind, sibling] = t.replicas as [number, number];
    await leaveBehind(t, o, behind, [sibling]);
    const found = await matchBelow(
      o.mysql,
      k(behind),
      k(sibling),
      matchOptions(effectivePseudoGtid({ AutoPseudoGTID: true }), 30_000),
    );
    expect(found.matched).toBeGreaterThan(1);
    await eventually(async () => {
      const s = await slaveStatus(t, behind);
      return (
        Number(s?.Master_Port) === sibling && s?.Slave_SQL_Running === 'Yes' && s?.Slave_IO_Running === 'Yes'
      );
    });
    // It receives what it missed (4, the marker, 5) and what the master writes next, through the sibling.
    await t.query(t.master, 'INSERT INTO test.t VALUES (6)');
    await eventually(async () => (await count(t, behind)) === 6);
    expect(await t.query(behind, 'SELECT id FROM test.t ORDER BY id')).toEqual(
      [1, 2, 3, 4, 5, 6].map((id) => ({ id })),
    );
  });

  it('DeadMaster 1+3 with one replica behind: it is matched below the promoted replica, nobody is lost', async () => {
    const { t, o } = await setup(3);
    const [behind, ...ahead] = t.replicas as [number, ...number[]];
    await leaveBehind(t, o, behind, ahead);
    await t.kill9(t.master);
    await t.query(behind, 'START SLAVE IO_THREAD');
    const [outcome] = await o.engine.onAnalysis([o.deadMasterEntry(t.master)]);
    expect(outcome, trail(o)).toMatchObject({ outcome: 'recovered' });
    const [resolved] = o.ops('resolve-recovery');
    expect(resolved).toMatchObject({ RecoveryType: 'MasterRecoveryPseudoGTID', LostReplicas: [] });
    const successor = resolved.SuccessorKey.Port as number;
    expect(ahead).toContain(successor);
    expect(trail(o)).toMatch(
      new RegExp(`matched 127\\.0\\.0\\.1:${behind} below 127\\.0\\.0\\.1:${successor} by Pseudo-GTID`),
    );
    await t.query(successor, 'INSERT INTO test.t VALUES (7)');
    for (const r of t.replicas.filter((p) => p !== successor))
      await eventually(async () => (await count(t, r)) === 6);
    expect(await t.query(behind, 'SELECT id FROM test.t ORDER BY id')).toEqual(
      [1, 2, 3, 4, 5, 7].map((id) => ({ id })),
    );
  });

  it('DeadIntermediateMaster: its replicas are matched below the master by Pseudo-GTID', async () => {
    const t = await startMariaDBTopology({
      replicas: 0,
      chain: { intermediateReplicas: 2 },
      masterUseGtid: 'no',
    });
    topology = t;
    await grantReadOnlyAdmin(t);
    const o = new FakeOrchestrator(t, { AutoPseudoGTID: true });
    orcs.push(o);
    await t.query(t.master, 'CREATE TABLE test.t (id INT PRIMARY KEY)');
    await inject(o, t.master);
    await t.query(t.master, 'INSERT INTO test.t VALUES (1)');
    await t.waitForReplication();
    await o.takeSnapshot();
    const im = t.intermediate as number;
    await t.kill9(im);
    await t.query(t.master, 'INSERT INTO test.t VALUES (2)'); // the orphans miss it
    const [outcome] = await o.engine.onAnalysis([
      {
        ...o.deadMasterEntry(im, 'DeadIntermediateMaster'),
        AnalyzedInstanceMasterKey: k(t.master),
        IsMaster: false,
      },
    ]);
    expect(outcome, trail(o)).toMatchObject({ outcome: 'recovered' });
    expect(o.ops('resolve-recovery')[0]).toMatchObject({ SuccessorKey: k(t.master), LostReplicas: [] });
    for (const r of t.intermediateReplicas) {
      expect(trail(o)).toMatch(
        new RegExp(`matched 127\\.0\\.0\\.1:${r} below 127\\.0\\.0\\.1:${t.master} by Pseudo-GTID`),
      );
      await eventually(async () => (await count(t, r)) === 2);
    }
  });
});
