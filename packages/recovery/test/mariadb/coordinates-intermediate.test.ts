// DeadIntermediateMaster by binlog coordinates (chain master → intermediate → 2 replicas, all
// MASTER_USE_GTID=no), engine driven directly.
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

async function chain() {
  const t = await startMariaDBTopology({
    replicas: 0,
    chain: { intermediateReplicas: 2 },
    masterUseGtid: 'no',
  });
  topology = t;
  await grantReadOnlyAdmin(t);
  await t.query(t.master, 'CREATE TABLE test.t (id INT PRIMARY KEY)');
  await t.query(t.master, 'INSERT INTO test.t VALUES (1)');
  await t.waitForReplication();
  const o = new FakeOrchestrator(t);
  orcs.push(o);
  await o.takeSnapshot();
  return { t, o, im: t.intermediate as number };
}

const imEntry = (o: FakeOrchestrator, im: number, analysis: string) => ({
  ...o.deadMasterEntry(im, analysis),
  AnalyzedInstanceMasterKey: k(o.topology.master),
  IsMaster: false,
});

describe('intermediate master by binlog coordinates', () => {
  it('its replicas cannot connect to it: they move up to the master at the position it executed', async () => {
    const { t, o, im } = await chain();
    // The replication user is refused on the intermediate master (not replicated: sql_log_bin=0).
    const c = await t.server(im).connect();
    await c.query('SET SESSION sql_log_bin = 0');
    await c.query("ALTER USER 'repl'@'%' IDENTIFIED BY 'changed'");
    await c.end();
    for (const r of t.intermediateReplicas) {
      await t.query(r, 'STOP SLAVE IO_THREAD');
      await t.query(r, 'START SLAVE IO_THREAD');
      await eventually(async () =>
        /error connecting to master/i.test(String((await slaveStatus(t, r))?.Last_IO_Error)),
      );
    }
    const [outcome] = await o.engine.onAnalysis([
      imEntry(o, im, 'AllIntermediateMasterReplicasFailingToConnectOrDead'),
    ]);
    expect(outcome, trail(o)).toMatchObject({ outcome: 'recovered' });
    const [resolved] = o.ops('resolve-recovery');
    expect(resolved).toMatchObject({ IsSuccessful: true, SuccessorKey: k(t.master), LostReplicas: [] });
    expect(trail(o)).toMatch(/relocating .* under 127\.0\.0\.1:\d+ by binlog coordinates/);
    for (const r of t.intermediateReplicas)
      await eventually(async () => {
        const s = await slaveStatus(t, r);
        return (
          Number(s?.Master_Port) === t.master &&
          s?.Using_Gtid === 'No' &&
          s?.Slave_SQL_Running === 'Yes' &&
          s?.Slave_IO_Running === 'Yes'
        );
      });
    // The intermediate master replicates again; a row written on the master reaches every server.
    await eventually(async () => (await slaveStatus(t, im))?.Slave_SQL_Running === 'Yes');
    await t.query(t.master, 'INSERT INTO test.t VALUES (2)');
    for (const r of [im, ...t.intermediateReplicas])
      await eventually(async () => (await t.query(r, 'SELECT id FROM test.t WHERE id = 2')).length === 1);
  });

  it('the intermediate master is gone: refuses (nothing can place them), touching nothing', async () => {
    const { t, o, im } = await chain();
    await t.kill9(im);
    const [outcome] = await o.engine.onAnalysis([imEntry(o, im, 'DeadIntermediateMaster')]);
    expect(outcome).toMatchObject({ outcome: 'failed' });
    expect(trail(o)).toMatch(
      /no relocation: NO_METHOD: .*without GTID or Pseudo-GTID .*; nothing was changed/,
    );
    expect(o.steps.some((s) => /stopped replication/.test(s.message))).toBe(false);
    for (const r of t.intermediateReplicas) {
      const s = await slaveStatus(t, r);
      expect(Number(s?.Master_Port)).toBe(im);
      expect(s?.Slave_SQL_Running).toBe('Yes');
    }
  });
});
