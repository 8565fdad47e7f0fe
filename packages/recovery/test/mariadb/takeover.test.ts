// graceful-master-takeover-auto with continuous writes: every acknowledged row reaches the new master.
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import mysql from 'mysql2/promise';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, FakeOrchestrator, grantReadOnlyAdmin, k, slaveStatus, trail } from './harness.js';

let topology: Topology | undefined;
let orc: FakeOrchestrator | undefined;

afterEach(async () => {
  await orc?.close();
  await topology?.destroy();
  orc = undefined;
  topology = undefined;
});

describe('graceful-master-takeover-auto (1 master + 2 replicas)', () => {
  it.each([
    ['GTID', 'slave_pos'],
    ['binlog coordinates', 'no'],
  ] as const)(
    'loses no acknowledged row while writes run during the takeover (%s)',
    async (_, masterUseGtid) => {
      topology = await startMariaDBTopology({ replicas: 2, masterUseGtid });
      const t = topology;
      await grantReadOnlyAdmin(t);
      await t.query(t.master, 'CREATE TABLE test.w (id INT PRIMARY KEY)');
      // An application user without READ_ONLY ADMIN: read_only stops it, as it stops real clients.
      await t.query(t.master, "CREATE USER 'app'@'%' IDENTIFIED BY 'app_pw'");
      await t.query(t.master, "GRANT INSERT, SELECT ON test.* TO 'app'@'%'");
      await t.waitForReplication();
      orc = new FakeOrchestrator(t, {
        MySQLReplicaUser: 'repl',
        MySQLReplicaPassword: 'repl_pw',
        PreGracefulTakeoverProcesses: ['echo "pre $ORC_COMMAND {failedPort}"'],
        PostGracefulTakeoverProcesses: ['echo "post {command} {successorPort} {isSuccessful}"'],
      });
      const o = orc;
      await o.takeSnapshot();
      const [designated, other] = t.replicas as [number, number];

      let target = t.master;
      let stop = false;
      const acknowledged: number[] = [];
      const writer = (async () => {
        const conns = new Map<number, mysql.Connection>();
        const conn = async (port: number) => {
          let c = conns.get(port);
          if (!c) {
            c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'app', password: 'app_pw' });
            conns.set(port, c);
          }
          return c;
        };
        let id = 1;
        // Bounded: at most 20 s of writing.
        const deadline = Date.now() + 20_000;
        while (!stop && Date.now() < deadline) {
          try {
            await (await conn(target)).query('INSERT INTO test.w VALUES (?)', [id]);
            acknowledged.push(id);
            id++;
          } catch {
            await new Promise((r) => setTimeout(r, 5));
          }
        }
        await Promise.all([...conns.values()].map((c) => c.end()));
      })();

      await eventually(async () => acknowledged.length >= 50);
      const recovery = await o.engine.gracefulMasterTakeover(
        o.deadMasterEntry(t.master),
        k(designated),
        true,
      );
      expect(recovery, trail(o)).toMatchObject({ IsSuccessful: true, SuccessorKey: k(designated) });
      target = designated;
      const before = acknowledged.length;
      await eventually(async () => acknowledged.length >= before + 50);
      stop = true;
      await writer;

      const rows = await t.query<{ id: number }>(designated, 'SELECT id FROM test.w');
      const present = new Set(rows.map((r) => Number(r.id)));
      expect(
        acknowledged.filter((id) => !present.has(id)),
        trail(o),
      ).toEqual([]);
      expect(present.size, trail(o)).toBe(acknowledged.length);

      // The old master replicates from the new one (-auto), and so does the other replica.
      for (const port of [t.master, other]) {
        await eventually(async () => {
          const s = await slaveStatus(t, port);
          return (
            s &&
            Number(s.Master_Port) === designated &&
            (masterUseGtid === 'no' ? s.Using_Gtid === 'No' : true) &&
            s.Slave_IO_Running === 'Yes' &&
            s.Slave_SQL_Running === 'Yes'
          );
        });
        await eventually(
          async () =>
            Number((await t.query(port, 'SELECT COUNT(*) AS n FROM test.w'))[0]?.n) === acknowledged.length,
        );
      }
      const [ro] = await t.query(t.master, 'SELECT @@read_only AS ro');
      expect(Number(ro?.ro)).toBe(1);
      expect(o.ops('resolve-recovery')).toHaveLength(1);
      expect(o.ops('begin-downtime')).toEqual([]);
      const hookSteps = o.steps
        .filter((s) => /GracefulTakeoverProcesses/.test(s.message))
        .map((s) => s.message);
      expect(hookSteps).toEqual([
        expect.stringMatching(
          new RegExp(
            `^PreGracefulTakeoverProcesses: .*exit code 0; output: pre graceful-master-takeover ${t.master}$`,
          ),
        ),
        expect.stringMatching(
          new RegExp(
            `^PostGracefulTakeoverProcesses: .*exit code 0; output: post graceful-master-takeover ${designated} true$`,
          ),
        ),
      ]);
    },
  );
});

describe('force-master-takeover and force-master-failover', () => {
  it('force-master-takeover promotes the designated replica and sets the old master read-only', async () => {
    topology = await startMariaDBTopology({ replicas: 2 });
    const t = topology;
    await grantReadOnlyAdmin(t);
    orc = new FakeOrchestrator(t);
    const o = orc;
    await o.takeSnapshot();
    const [designated, other] = t.replicas as [number, number];
    const recovery = await o.engine.forceMasterTakeover(o.deadMasterEntry(t.master), k(designated));
    expect(recovery, trail(o)).toMatchObject({ IsSuccessful: true, SuccessorKey: k(designated) });
    expect(recovery.AnalysisEntry.CommandHint).toBe('force-master-takeover');
    await eventually(async () => {
      const s = await slaveStatus(t, other);
      return s && Number(s.Master_Port) === designated && s.Slave_IO_Running === 'Yes';
    });
    await o.engine.drain();
    expect(Number((await t.query(t.master, 'SELECT @@read_only AS ro'))[0]?.ro)).toBe(1);
    expect(Number((await t.query(designated, 'SELECT @@read_only AS ro'))[0]?.ro)).toBe(0);

    // force-master-failover on the new master: no designated key, the other replica takes over.
    await o.takeSnapshot();
    const again = await o.engine.forceMasterFailover(o.deadMasterEntry(designated));
    expect(again, trail(o)).toMatchObject({ IsSuccessful: true, SuccessorKey: k(other) });
  });
});

describe('graceful-master-takeover that cannot complete', () => {
  it('makes the old master writable again when the designated replica does not catch up in time', async () => {
    topology = await startMariaDBTopology({ replicas: 2 });
    const t = topology;
    await grantReadOnlyAdmin(t);
    await t.query(t.master, 'CREATE TABLE test.g (id INT PRIMARY KEY)');
    await t.waitForReplication();
    orc = new FakeOrchestrator(t, {
      ReasonableMaintenanceReplicationLagSeconds: 1,
      MySQLReplicaUser: 'repl',
      MySQLReplicaPassword: 'repl_pw',
    });
    const o = orc;
    await o.takeSnapshot();
    const [designated] = t.replicas as [number, number];
    await t.query(designated, 'STOP SLAVE SQL_THREAD');
    await t.query(t.master, 'INSERT INTO test.g VALUES (1)');
    const recovery = await o.engine.gracefulMasterTakeover(o.deadMasterEntry(t.master), k(designated), false);
    expect(recovery).toMatchObject({ IsSuccessful: false, SuccessorKey: null });
    expect(recovery.AllErrors.join('\n')).toMatch(/did not apply GTID/);
    expect(Number((await t.query(t.master, 'SELECT @@read_only AS ro'))[0]?.ro)).toBe(0);
    expect(o.steps.some((s) => /takeover aborted, .* writable again/.test(s.message))).toBe(true);
    expect(o.ops('resolve-recovery')).toMatchObject([{ IsSuccessful: false }]);
  });
});
