// DeadMaster on MariaDB topologies that replicate by binlog file:pos (MASTER_USE_GTID=no), engine
// driven directly: the trivial 1+N regroup, a replica behind the others (lost, with its reason), and
// a recovery that cannot proceed leaving the topology as it found it.
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

async function setup(replicas: number, config: ConstructorParameters<typeof FakeOrchestrator>[1] = {}) {
  const t = await startMariaDBTopology({ replicas, masterUseGtid: 'no' });
  topology = t;
  await grantReadOnlyAdmin(t);
  await t.query(t.master, 'CREATE TABLE test.t (id INT PRIMARY KEY, v VARCHAR(20))');
  await t.query(t.master, "INSERT INTO test.t VALUES (1, 'a'), (2, 'b')");
  await t.waitForReplication();
  const o = new FakeOrchestrator(t, config);
  orcs.push(o);
  await o.takeSnapshot();
  return { t, o };
}

async function replicatingFrom(t: Topology, replica: number, master: number) {
  await eventually(async () => {
    const s = await slaveStatus(t, replica);
    return (
      s &&
      Number(s.Master_Port) === master &&
      s.Using_Gtid === 'No' &&
      s.Slave_IO_Running === 'Yes' &&
      s.Slave_SQL_Running === 'Yes'
    );
  });
}

async function rowArrives(t: Topology, master: number, replicas: number[], id: number) {
  await t.query(master, 'INSERT INTO test.t VALUES (?, ?)', [id, 'new master']);
  for (const r of replicas)
    await eventually(async () => (await t.query(r, 'SELECT id FROM test.t WHERE id = ?', [id])).length === 1);
}

describe('DeadMaster by binlog coordinates (MariaDB, MASTER_USE_GTID=no)', () => {
  it.each([
    ['stopped replicas', false],
    ['SQL threads left applying (DelayMasterPromotionIfSQLThreadNotUpToDate)', true],
  ] as const)(
    '1+2, kill -9 of the master: one replica promoted, the other follows it from the end of its binlog (%s)',
    async (_, delay) => {
      const { t, o } = await setup(2, { DelayMasterPromotionIfSQLThreadNotUpToDate: delay });
      await t.kill9(t.master);
      const [outcome] = await o.engine.onAnalysis([o.deadMasterEntry(t.master)]);
      expect(outcome, trail(o)).toMatchObject({ outcome: 'recovered' });
      const [resolved] = o.ops('resolve-recovery');
      expect(resolved).toMatchObject({
        IsSuccessful: true,
        RecoveryType: 'MasterRecoveryPseudoGTID',
        LostReplicas: [],
      });
      const successor = resolved.SuccessorKey.Port as number;
      const other = t.replicas.find((p) => p !== successor) as number;
      expect(Number((await t.query(successor, 'SELECT @@read_only AS ro'))[0]?.ro)).toBe(0);
      expect(await slaveStatus(t, successor)).toBeUndefined();
      await replicatingFrom(t, other, successor);
      await rowArrives(t, successor, [other], 100);
      expect(o.steps.map((s) => s.message)).toContainEqual(
        expect.stringMatching(/^regrouping by binlog coordinates/),
      );
      expect(o.ops('begin-downtime').map((d) => d.Key.Port)).toEqual([t.master]);
    },
  );

  it('1+3 with one replica behind: the others are regrouped, the one behind is lost with its reason', async () => {
    const { t, o } = await setup(3);
    const [behind, ...ahead] = t.replicas as [number, ...number[]];
    await t.query(behind, 'STOP SLAVE IO_THREAD');
    await t.query(t.master, "INSERT INTO test.t VALUES (3, 'only on two of three')");
    for (const r of ahead)
      await eventually(async () => (await t.query(r, 'SELECT id FROM test.t WHERE id = 3')).length === 1);
    await t.kill9(t.master);
    await t.query(behind, 'START SLAVE IO_THREAD'); // connects to nothing: the master is gone
    const [outcome] = await o.engine.onAnalysis([o.deadMasterEntry(t.master)]);
    expect(outcome, trail(o)).toMatchObject({ outcome: 'recovered' });
    const [resolved] = o.ops('resolve-recovery');
    const successor = resolved.SuccessorKey.Port as number;
    expect(ahead).toContain(successor);
    expect(resolved.LostReplicas).toEqual([k(behind)]);
    const other = ahead.find((p) => p !== successor) as number;
    await replicatingFrom(t, other, successor);
    await rowArrives(t, successor, [other], 101);
    // The lost replica: detached (its master host prefixed with //, position kept) and downtimed, with the reason.
    expect(String((await slaveStatus(t, behind))?.Master_Host)).toMatch(/^\/\//);
    expect(trail(o)).toContain(
      `lost ${k(behind).Hostname}:${behind} (behind the candidate, and neither GTID nor Pseudo-GTID can place it)`,
    );
    expect(o.ops('begin-downtime').map((d) => [d.Key.Port, d.Reason])).toContainEqual([
      behind,
      'lost-in-recovery: behind the candidate, and neither GTID nor Pseudo-GTID can place it',
    ]);
  });

  it('cannot proceed (every replica must_not): refuses before touching any replica', async () => {
    const { t, o } = await setup(2);
    const now = new Date().toISOString();
    o.candidates = t.replicas.map((p) => ({
      Key: k(p),
      PromotionRule: 'must_not',
      LastSuggestedTimestamp: now,
    }));
    await t.kill9(t.master);
    const [outcome] = await o.engine.onAnalysis([o.deadMasterEntry(t.master)]);
    expect(outcome).toMatchObject({ outcome: 'failed' });
    expect(trail(o)).toMatch(/no promotion: NO_CANDIDATE: no replica may be promoted; nothing was changed/);
    expect(o.steps.some((s) => /stopped replication/.test(s.message))).toBe(false);
    // Still started (the IO thread retries the dead master), still pointing at it.
    for (const s of await Promise.all(t.replicas.map((r) => slaveStatus(t, r)))) {
      expect(s?.Slave_SQL_Running).toBe('Yes');
      expect(s?.Slave_IO_Running).not.toBe('No');
      expect(s?.Master_Port).toBe(t.master);
    }
  });

  it('fails after stopping the replicas (candidate cannot apply its relay log): restarts what it stopped', async () => {
    const { t, o } = await setup(2, {
      DelayMasterPromotionIfSQLThreadNotUpToDate: true,
      StopReplicationNiceTimeoutSeconds: 1,
      PromotionCatchUpTimeoutSeconds: 1,
    });
    // A session on each replica holds a table lock: their appliers wait on it.
    const locks = await Promise.all(
      t.replicas.map(async (r) => {
        const c = await t.server(r).connect();
        await c.query('LOCK TABLES test.t WRITE');
        return c;
      }),
    );
    try {
      await t.query(t.master, "INSERT INTO test.t VALUES (4, 'never applied')");
      for (const r of t.replicas)
        await eventually(async () => {
          const s = await slaveStatus(t, r);
          return s && s.Read_Master_Log_Pos !== s.Exec_Master_Log_Pos;
        });
      await t.kill9(t.master);
      const [outcome] = await o.engine.onAnalysis([o.deadMasterEntry(t.master)]);
      expect(outcome, trail(o)).toMatchObject({ outcome: 'failed' });
      const steps = trail(o);
      expect(steps).toMatch(/stopped the IO thread on .* its SQL thread keeps applying its relay log/);
      expect(steps).toMatch(/did not apply its relay logs in time/);
      expect(steps).toMatch(
        /promotion failed .*: restored replication on 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+ as it was found/,
      );
      expect(o.ops('put-key-value')).toEqual([]);
      for (const r of t.replicas) {
        const s = await slaveStatus(t, r);
        expect(s?.Master_Port).toBe(t.master);
        expect(s?.Slave_IO_Running).not.toBe('No');
        expect(Number((await t.query(r, 'SELECT @@read_only AS ro'))[0]?.ro)).toBe(1);
      }
    } finally {
      for (const c of locks) await c.end().catch(() => undefined);
    }
    // The appliers (started again) apply the relay log once the locks are gone.
    for (const r of t.replicas)
      await eventually(async () => (await t.query(r, 'SELECT id FROM test.t WHERE id = 4')).length === 1);
  });
});
