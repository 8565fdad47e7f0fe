// Replication-thread operations against real MariaDB (1 master + 2 GTID replicas): the resulting
// SHOW SLAVE STATUS is what was asked, and every refusal leaves replication as it was.
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ControlError,
  detachReplica,
  detachReplicaMasterHost,
  disableGtid,
  enableGtid,
  reattachReplica,
  reattachReplicaMasterHost,
} from '../../src/control/index.js';
import {
  eventually,
  type Harness,
  harness,
  k,
  replicationSnapshot,
  rowArrives,
  slaveStatus,
} from './harness.js';

let t: Topology;
let h: Harness;
let r1: number;
let r2: number;
let nextId = 1;

beforeAll(async () => {
  t = await startMariaDBTopology({ replicas: 2 });
  await t.query(t.master, 'CREATE TABLE test.t (id INT PRIMARY KEY)');
  await t.waitForReplication();
  h = harness(t);
  [r1, r2] = t.replicas as [number, number];
});
afterAll(async () => {
  await h?.close();
  await t?.destroy();
});
beforeEach(() => {
  h.leader.value = true;
  h.maintenance.clear();
  h.audits.length = 0;
});

async function expectRefused(op: Promise<unknown>, message: string) {
  const error = await op.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ControlError);
  expect((error as ControlError).code).toBe('REFUSED');
  expect((error as ControlError).message).toContain(message);
}

const running = async (port: number) => {
  const s = await slaveStatus(t, port);
  return s?.Slave_IO_Running === 'Yes' && s?.Slave_SQL_Running === 'Yes';
};

describe('start, stop, restart', () => {
  it('stop-replica stops both threads; start-replica starts them; both answer with the fresh instance', async () => {
    const stopped = await h.control.stopReplica(k(r1));
    expect(stopped.message).toBe(`Replica stopped: 127.0.0.1:${r1}`);
    expect(stopped.instance).toMatchObject({
      ReplicationIOThreadRuning: false,
      ReplicationSQLThreadRuning: false,
    });
    expect(await slaveStatus(t, r1)).toMatchObject({ Slave_IO_Running: 'No', Slave_SQL_Running: 'No' });

    const started = await h.control.startReplica(k(r1));
    expect(started.instance).toMatchObject({
      ReplicationIOThreadRuning: true,
      ReplicationSQLThreadRuning: true,
    });
    expect(await running(r1)).toBe(true);
    await rowArrives(t, r1, nextId++);
    expect(h.audits.map((a) => a.type)).toEqual(['stop-replica', 'start-replica']);
  });

  it('restart-replica leaves both threads running', async () => {
    const r = await h.control.restartReplica(k(r2));
    expect(r.message).toBe(`Replica restarted: 127.0.0.1:${r2}`);
    expect(await running(r2)).toBe(true);
  });

  it('stop-replica-nice stops with the relay log fully applied', async () => {
    await t.query(t.master, 'INSERT INTO test.t VALUES (?), (?)', [nextId++, nextId++]);
    await h.control.stopReplicaNice(k(r1));
    const s = await slaveStatus(t, r1);
    expect(s).toMatchObject({ Slave_IO_Running: 'No', Slave_SQL_Running: 'No' });
    expect(s?.Relay_Master_Log_File).toBe(s?.Master_Log_File);
    expect(s?.Exec_Master_Log_Pos).toBe(s?.Read_Master_Log_Pos);
    await h.control.startReplica(k(r1));
  });

  it('refuses to start, stop or restart replication on the master', async () => {
    await expectRefused(
      h.control.startReplica(k(t.master)),
      `instance is not a replica: 127.0.0.1:${t.master}`,
    );
    await expectRefused(h.control.stopReplica(k(t.master)), 'instance is not a replica');
    await expectRefused(h.control.restartReplica(k(t.master)), 'instance is not a replica');
    expect(await slaveStatus(t, t.master)).toBeUndefined();
  });

  it('refuses every change when this node is not the leader, and changes nothing', async () => {
    const before = await replicationSnapshot(t, r1);
    h.leader.value = false;
    const error = await h.control.stopReplica(k(r1)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NOT_LEADER' });
    expect(await replicationSnapshot(t, r1)).toEqual(before);
    expect(h.audits).toEqual([]);
  });
});

describe('detach and reattach', () => {
  it('detach-replica encodes the coordinates (replication breaks); reattach-replica restores GTID replication', async () => {
    const detached = await detachReplica(h.control, k(r1));
    expect(detached.message).toBe(`Replica detached: 127.0.0.1:${r1}`);
    expect(String((await slaveStatus(t, r1))?.Master_Log_File)).toMatch(/^\/\/mysql-bin\.\d+:\d+:slave_pos$/);
    // The master has no such binlog: the IO thread stops with an error.
    await eventually(async () => (await slaveStatus(t, r1))?.Slave_IO_Running === 'No');
    await expectRefused(detachReplica(h.control, k(r1)), 'already detached');

    await reattachReplica(h.control, k(r1));
    await eventually(() => running(r1));
    expect(await slaveStatus(t, r1)).toMatchObject({ Using_Gtid: 'Slave_Pos', Master_Port: t.master });
    await rowArrives(t, r1, nextId++);
    await expectRefused(reattachReplica(h.control, k(r1)), 'is not detached');
  });

  it('detach-replica-master-host prefixes Master_Host with //; reattach-replica-master-host undoes it', async () => {
    await detachReplicaMasterHost(h.control, k(r2));
    expect((await slaveStatus(t, r2))?.Master_Host).toBe('//127.0.0.1');
    await expectRefused(detachReplicaMasterHost(h.control, k(r2)), 'instance already detached');

    await reattachReplicaMasterHost(h.control, k(r2));
    expect((await slaveStatus(t, r2))?.Master_Host).toBe('127.0.0.1');
    await eventually(() => running(r2));
    await rowArrives(t, r2, nextId++);
  });

  it('refuses while the instance is under maintenance (the reference takes a lock), changing nothing', async () => {
    const before = await replicationSnapshot(t, r2);
    h.maintenance.add(r2);
    await expectRefused(detachReplicaMasterHost(h.control, k(r2)), 'Cannot begin maintenance');
    await expectRefused(detachReplica(h.control, k(r2)), 'Cannot begin maintenance');
    expect(await replicationSnapshot(t, r2)).toEqual(before);
    expect(h.maintenance.has(r2)).toBe(true);
  });
});

describe('delay-replication', () => {
  it('sets SQL_Delay and leaves the threads as they were', async () => {
    await h.control.delayReplication(k(r2), 60);
    expect(await slaveStatus(t, r2)).toMatchObject({
      SQL_Delay: 60,
      Slave_IO_Running: 'Yes',
      Slave_SQL_Running: 'Yes',
    });
    await h.control.delayReplication(k(r2), 0);
    expect((await slaveStatus(t, r2))?.SQL_Delay).toBe(0);
  });
  it('refuses negative seconds, changing nothing', async () => {
    const before = await replicationSnapshot(t, r2);
    await expectRefused(h.control.delayReplication(k(r2), -5), 'invalid seconds');
    expect(await replicationSnapshot(t, r2)).toEqual(before);
  });
});

describe('skip-query', () => {
  async function breakReplication(port: number): Promise<number> {
    const id = nextId++;
    await t.query(port, 'SET SESSION sql_log_bin = 0');
    await t.query(port, 'INSERT INTO test.t VALUES (?)', [id]);
    await t.query(port, 'SET SESSION sql_log_bin = 1');
    await t.query(t.master, 'INSERT INTO test.t VALUES (?)', [id]);
    await eventually(async () => (await slaveStatus(t, port))?.Slave_SQL_Running === 'No');
    return id;
  }

  it('refuses a running SQL thread, and a MariaDB GTID replica even with an SQL error', async () => {
    await expectRefused(h.control.skipQuery(k(r1)), 'Slave SQL thread is running');
    await breakReplication(r1);
    const before = await replicationSnapshot(t, r1);
    await expectRefused(h.control.skipQuery(k(r1)), 'is replicating with MariaDB GTID');
    expect(await replicationSnapshot(t, r1)).toEqual(before);
  });

  it('skips the failing statement on a file:pos replica and replication resumes', async () => {
    // r1 is stopped on a duplicate key (previous test): move it to file:pos replication.
    await t.query(r1, 'STOP SLAVE');
    await t.query(r1, 'CHANGE MASTER TO MASTER_USE_GTID = no');
    await t.query(r1, 'START SLAVE');
    await eventually(async () => (await slaveStatus(t, r1))?.Last_SQL_Errno !== 0);
    const r = await h.control.skipQuery(k(r1));
    expect(r.message).toBe(`Query skipped on 127.0.0.1:${r1}`);
    expect(await running(r1)).toBe(true);
    await rowArrives(t, r1, nextId++);
    expect(h.audits.map((a) => a.type)).toEqual(['skip-query']);
  });
});

describe('enable-gtid / disable-gtid', () => {
  it('switches the file:pos replica to GTID and back, replicating at each step', async () => {
    // r1 replicates with file:pos since the skip-query test.
    expect((await slaveStatus(t, r1))?.Using_Gtid).toBe('No');
    const on = await enableGtid(h.control, k(r1));
    expect(on.message).toBe(`Enabled GTID on 127.0.0.1:${r1}`);
    await eventually(() => running(r1));
    expect((await slaveStatus(t, r1))?.Using_Gtid).toBe('Slave_Pos');
    await rowArrives(t, r1, nextId++);
    await expectRefused(enableGtid(h.control, k(r1)), 'already uses GTID');

    await disableGtid(h.control, k(r1));
    await eventually(() => running(r1));
    expect((await slaveStatus(t, r1))?.Using_Gtid).toBe('No');
    await rowArrives(t, r1, nextId++);
    await expectRefused(disableGtid(h.control, k(r1)), 'is not using GTID');
    await enableGtid(h.control, k(r1));
    await eventually(() => running(r1));
  });
});

describe('reset-replica', () => {
  it('refuses while replication runs (nothing changes), resets once stopped', async () => {
    const before = await replicationSnapshot(t, r2);
    await expectRefused(h.control.resetReplica(k(r2)), 'because replication is running');
    expect(await replicationSnapshot(t, r2)).toEqual(before);

    await h.control.stopReplica(k(r2));
    const reset = await h.control.resetReplica(k(r2));
    expect(reset.message).toBe(`Replica reset on 127.0.0.1:${r2}`);
    expect(await slaveStatus(t, r2)).toBeUndefined();
    expect(reset.instance.MasterKey.Hostname).toBe('');
    expect(h.maintenance.size).toBe(0);
  });
});
