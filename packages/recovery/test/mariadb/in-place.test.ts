// Recoveries that repair a master in place, on real MariaDB: NoWriteableMaster (read_only=0) and
// semi-sync (MariaDB's built-in rpl_semi_sync_*): a locked semi-sync master, and one with too many
// semi-sync replicas under EnforceExactSemiSyncReplicas.
import { startMariaDBTopology, type Topology, type TopologyOptions } from '@orchestrator/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, FakeOrchestrator, grantReadOnlyAdmin, k, trail } from './harness.js';

let topology: Topology | undefined;
const orcs: FakeOrchestrator[] = [];

afterEach(async () => {
  for (const o of orcs.splice(0)) await o.close();
  await topology?.destroy();
  topology = undefined;
});

async function setup(options: TopologyOptions, config: ConstructorParameters<typeof FakeOrchestrator>[1]) {
  const t = await startMariaDBTopology(options);
  topology = t;
  await grantReadOnlyAdmin(t);
  // Outside the binlog on every server: a semi-sync master without acknowledging replicas would
  // block on this statement.
  for (const port of t.ports) {
    const c = await t.server(port).connect();
    await c.query('SET SESSION sql_log_bin = 0');
    await c.query('CREATE TABLE test.t (id INT PRIMARY KEY)');
    await c.end();
  }
  const o = new FakeOrchestrator(t, config);
  orcs.push(o);
  await o.takeSnapshot();
  return { t, o };
}

const entryOf = (o: FakeOrchestrator, port: number, analysis: string) => o.deadMasterEntry(port, analysis);
const status = async (t: Topology, port: number, name: string) =>
  (await t.query<{ Value: string }>(port, `SHOW GLOBAL STATUS LIKE '${name}'`))[0]?.Value;
const variable = async (t: Topology, port: number, name: string) =>
  (await t.query<{ Value: string }>(port, `SHOW GLOBAL VARIABLES LIKE '${name}'`))[0]?.Value;

async function rowReachesAll(t: Topology, id: number) {
  await t.query(t.master, 'INSERT INTO test.t VALUES (?)', [id]);
  for (const r of t.replicas)
    await eventually(async () => (await t.query(r, 'SELECT id FROM test.t WHERE id = ?', [id])).length === 1);
}

describe('NoWriteableMaster (RecoverNonWriteableMaster)', () => {
  it('makes a read-only master writable again', async () => {
    const { t, o } = await setup({ replicas: 2 }, { RecoverNonWriteableMaster: true });
    await t.query(t.master, 'SET GLOBAL read_only = 1');
    const [outcome] = await o.engine.onAnalysis([entryOf(o, t.master, 'NoWriteableMasterStructureWarning')]);
    expect(outcome, trail(o)).toMatchObject({ outcome: 'recovered' });
    expect(o.ops('resolve-recovery')[0]).toMatchObject({
      IsSuccessful: true,
      SuccessorKey: k(t.master),
      Type: 'NotMasterRecovery',
    });
    expect(Number((await t.query(t.master, 'SELECT @@read_only AS ro'))[0]?.ro)).toBe(0);
    await rowReachesAll(t, 1);
  });

  it('is refused, changing nothing, while RecoverNonWriteableMaster is off', async () => {
    const { t, o } = await setup({ replicas: 1 }, {});
    await t.query(t.master, 'SET GLOBAL read_only = 1');
    const [outcome] = await o.engine.onAnalysis([entryOf(o, t.master, 'NoWriteableMasterStructureWarning')]);
    expect(outcome).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringMatching(/RecoverNonWriteableMaster is off/),
    });
    await expect(o.engine.recover(entryOf(o, t.master, 'NoWriteableMasterStructureWarning'))).rejects.toThrow(
      /RecoverNonWriteableMaster is off/,
    );
    expect(Number((await t.query(t.master, 'SELECT @@read_only AS ro'))[0]?.ro)).toBe(1);
  });
});

describe('semi-sync (MariaDB built-in)', () => {
  it('LockedSemiSyncMaster: a replica starts acknowledging and the blocked commit completes', async () => {
    const { t, o } = await setup(
      { replicas: 2, semiSync: { replicas: 0, timeoutMs: 3_600_000 } },
      { RecoverLockedSemiSyncMaster: true },
    );
    expect(await status(t, t.master, 'rpl_semi_sync_master_clients')).toBe('0');
    // The master waits an hour for an acknowledgement nobody sends: this commit blocks.
    const blocked = t.query(t.master, 'INSERT INTO test.t VALUES (1)').then(() => 'committed');
    const early = await Promise.race([blocked, new Promise((r) => setTimeout(() => r('blocked'), 500))]);
    expect(early).toBe('blocked');

    const [outcome] = await o.engine.onAnalysis([entryOf(o, t.master, 'LockedSemiSyncMaster')]);
    expect(outcome, trail(o)).toMatchObject({ outcome: 'recovered' });
    expect(o.ops('resolve-recovery')[0]).toMatchObject({ IsSuccessful: true, SuccessorKey: k(t.master) });
    expect(await blocked).toBe('committed');
    expect(await status(t, t.master, 'rpl_semi_sync_master_clients')).toBe('1');
    const enabled = await Promise.all(t.replicas.map((r) => variable(t, r, 'rpl_semi_sync_slave_enabled')));
    expect(enabled.filter((v) => v === 'ON')).toHaveLength(1);
    expect(trail(o)).toMatch(/no replica has a priority: every promotable replica counts/);
    await rowReachesAll(t, 2);
  });

  it('MasterWithTooManySemiSyncReplicas (EnforceExactSemiSyncReplicas): exactly the wait count acknowledge', async () => {
    const { t, o } = await setup(
      { replicas: 2, semiSync: { timeoutMs: 10_000 } },
      { EnforceExactSemiSyncReplicas: true },
    );
    await eventually(async () => (await status(t, t.master, 'rpl_semi_sync_master_clients')) === '2');
    const [outcome] = await o.engine.onAnalysis([entryOf(o, t.master, 'MasterWithTooManySemiSyncReplicas')]);
    expect(outcome, trail(o)).toMatchObject({ outcome: 'recovered' });
    await eventually(async () => (await status(t, t.master, 'rpl_semi_sync_master_clients')) === '1');
    const enabled = await Promise.all(t.replicas.map((r) => variable(t, r, 'rpl_semi_sync_slave_enabled')));
    expect(enabled.filter((v) => v === 'ON')).toHaveLength(1);
    await rowReachesAll(t, 3);
    expect(await status(t, t.master, 'rpl_semi_sync_master_status')).toBe('ON');
  });
});
