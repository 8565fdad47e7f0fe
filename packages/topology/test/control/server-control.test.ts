// Server-level control against real MariaDB (1 master + 2 GTID replicas): read_only, binlog
// flush/purge, semi-sync, kill-query, errant GTID and can-replicate-from.
import { startMariaDBTopology, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ControlError,
  checkCanReplicateFrom,
  flushBinaryLogs,
  gtidErrantInjectEmpty,
  gtidErrantResetMaster,
  locateGtidErrant,
  purgeBinaryLogs,
} from '../../src/control/index.js';
import { eventually, type Harness, harness, k, replicationSnapshot, slaveStatus } from './harness.js';

let t: Topology;
let h: Harness;
let r1: number;
let r2: number;

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

async function refusal(op: Promise<unknown>): Promise<ControlError> {
  const error = await op.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ControlError);
  return error as ControlError;
}

const variable = async (port: number, name: string) =>
  String((await t.query(port, `SELECT @@GLOBAL.${name} AS v`))[0]?.v);
const binlogs = async (port: number) =>
  (await t.query(port, 'SHOW BINARY LOGS')).map((r) => String(r.Log_name));

describe('read_only', () => {
  it('set-writeable clears read_only, set-read-only sets it, each audited', async () => {
    const w = await h.control.setReadOnly(k(r1), false);
    expect(w).toMatchObject({ message: 'Server set as writeable', instance: { ReadOnly: false } });
    expect(await variable(r1, 'read_only')).toBe('0');
    const ro = await h.control.setReadOnly(k(r1), true);
    expect(ro).toMatchObject({ message: 'Server set as read-only', instance: { ReadOnly: true } });
    expect(await variable(r1, 'read_only')).toBe('1');
    expect(h.audits).toEqual([
      { type: 'read-only', port: r1, message: 'set as false' },
      { type: 'read-only', port: r1, message: 'set as true' },
    ]);
  });
  it('is refused when this node is not the leader', async () => {
    h.leader.value = false;
    await expect(h.control.setReadOnly(k(r1), false)).rejects.toMatchObject({ code: 'NOT_LEADER' });
    expect(await variable(r1, 'read_only')).toBe('1');
  });
});

describe('binary logs', () => {
  it('flush-binary-logs opens a new binlog', async () => {
    const before = await binlogs(t.master);
    await flushBinaryLogs(h.control, k(t.master));
    expect(await binlogs(t.master)).toHaveLength(before.length + 1);
  });

  it('purge-binary-logs refuses while a replica still needs a file, purges once it moved on', async () => {
    await t.query(r2, 'STOP SLAVE');
    await flushBinaryLogs(h.control, k(t.master));
    await flushBinaryLogs(h.control, k(t.master));
    const files = await binlogs(t.master);
    const last = files[files.length - 1] as string;
    // r1 keeps replicating into the newest file; only the stopped r2 still needs the older ones.
    await eventually(async () => (await slaveStatus(t, r1))?.Relay_Master_Log_File === last);

    const refused = await refusal(purgeBinaryLogs(h.control, k(t.master), last));
    expect(refused.message).toMatch(new RegExp(`in use by replica 127\\.0\\.0\\.1:${r2}`));
    expect(await binlogs(t.master)).toEqual(files);
    expect((await refusal(purgeBinaryLogs(h.control, k(t.master), 'mysql-bin.999999'))).message).toContain(
      'is not a binary log of',
    );

    await t.query(r2, 'START SLAVE');
    await t.query(t.master, 'INSERT INTO test.t VALUES (1)');
    await t.waitForReplication();
    await eventually(async () => (await slaveStatus(t, r2))?.Relay_Master_Log_File === last);
    await eventually(async () => (await slaveStatus(t, r1))?.Relay_Master_Log_File === last);
    // A dump thread may still hold the previous file for a moment (the server then keeps it, and
    // the operation says so): retry until the replicas' dump threads moved on.
    let done: { message: string } | undefined;
    await eventually(async () => {
      done = await purgeBinaryLogs(h.control, k(t.master), last).catch(() => undefined);
      return done !== undefined;
    });
    expect(done?.message).toBe(`Binary logs purged on: 127.0.0.1:${t.master}`);
    expect(await binlogs(t.master)).toEqual([last]);
  });
});

describe('semi-sync (built into MariaDB 10.11)', () => {
  it('enables and disables the master side', async () => {
    const on = await h.control.setSemiSync(k(t.master), 'master', true);
    expect(on.message).toBe('master semi-sync set to true');
    expect(await variable(t.master, 'rpl_semi_sync_master_enabled')).toBe('1');
    await h.control.setSemiSync(k(t.master), 'master', false);
    expect(await variable(t.master, 'rpl_semi_sync_master_enabled')).toBe('0');
  });
  it('enables and disables the replica side, the IO thread running again', async () => {
    await h.control.setSemiSync(k(r1), 'replica', true);
    expect(await variable(r1, 'rpl_semi_sync_slave_enabled')).toBe('1');
    await eventually(async () => (await slaveStatus(t, r1))?.Slave_IO_Running === 'Yes');
    await h.control.setSemiSync(k(r1), 'replica', false);
    expect(await variable(r1, 'rpl_semi_sync_slave_enabled')).toBe('0');
  });
});

describe('kill-query', () => {
  it('kills a running query by its process id', async () => {
    const server = t.server(r1);
    const conn = await server.connect();
    try {
      const [[row]] = (await conn.query('SELECT CONNECTION_ID() AS id')) as unknown as [[{ id: number }]];
      const sleeping = conn.query('SELECT SLEEP(30) AS s').then(
        () => 'finished',
        (e: { code?: string }) => e.code,
      );
      await eventually(
        async () =>
          (
            await t.query(r1, 'SELECT 1 FROM information_schema.PROCESSLIST WHERE ID = ? AND INFO LIKE ?', [
              row.id,
              'SELECT SLEEP%',
            ])
          ).length === 1,
      );
      const started = Date.now();
      const r = await h.control.killQuery(k(r1), Number(row.id));
      expect(r.message).toBe(`Query killed on : 127.0.0.1:${r1}`);
      expect(await sleeping).toBe('ER_QUERY_INTERRUPTED');
      expect(Date.now() - started).toBeLessThan(25_000);
      expect(h.audits).toEqual([{ type: 'kill-query', port: r1, message: `Killed query ${row.id}` }]);
    } finally {
      await conn.end();
    }
  });
});

describe('kill-query refusals', () => {
  it("refuses the replication threads (a replica's IO/SQL, a master's binlog dump) and unknown ids", async () => {
    const [sqlThread] = await t.query<{ id: number }>(
      r2,
      "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = 'system user' LIMIT 1",
    );
    const [dump] = await t.query<{ id: number }>(
      t.master,
      "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%' LIMIT 1",
    );
    expect((await refusal(h.control.killQuery(k(r2), Number(sqlThread?.id)))).message).toContain(
      'is a replication thread',
    );
    expect((await refusal(h.control.killQuery(k(t.master), Number(dump?.id)))).message).toContain(
      'is a replication thread',
    );
    expect((await refusal(h.control.killQuery(k(r2), 99_999_999))).message).toBe(
      `kill-query: no process 99999999 on 127.0.0.1:${r2}`,
    );
    expect(await slaveStatus(t, r2)).toMatchObject({ Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes' });
  });
});

describe('errant GTID', () => {
  it('gtid-errant-* refuse without errant GTID; inject-empty refuses MariaDB (Oracle GTID only, as the reference)', async () => {
    expect((await refusal(gtidErrantResetMaster(h.control, k(r1)))).message).toContain(
      'no errant GTID is found',
    );
    // A write on the replica itself: an errant transaction.
    await t.query(r1, 'INSERT INTO test.t VALUES (1000)');
    expect((await h.view(r1)).GtidErrant).not.toBe('');
    const before = await replicationSnapshot(t, r1);
    const binlogsBefore = await binlogs(r1);
    expect((await refusal(gtidErrantInjectEmpty(h.control, k(r1)))).message).toContain(
      'does not support oracle-gtid',
    );
    expect(await replicationSnapshot(t, r1)).toEqual(before);
    expect(await binlogs(r1)).toEqual(binlogsBefore);
  });

  it('locate-gtid-errant lists the binlogs holding the errant transactions', async () => {
    // r1 wrote 1000 in its current binlog (previous test); one more after a rotation.
    const first = (await binlogs(r1)).at(-1);
    await t.query(r1, 'FLUSH BINARY LOGS');
    await t.query(r1, 'INSERT INTO test.t VALUES (1001)');
    const second = (await binlogs(r1)).at(-1);
    expect(await locateGtidErrant(h.control, k(r1))).toEqual([first, second]);
    expect((await refusal(locateGtidErrant(h.control, k(r2)))).message).toBe(
      `locate-errant-gtid: no errant-gtid on 127.0.0.1:${r2}`,
    );
  });

  it('gtid-errant-reset-master on MariaDB forgets the errant GTIDs and replication goes on', async () => {
    const masterId = Number((await t.query(t.master, 'SELECT @@server_id AS id'))[0]?.id);
    const r = await gtidErrantResetMaster(h.control, k(r1));
    expect(r.message).toBe(`Removed errant GTID on 127.0.0.1:${r1} and issued a RESET MASTER`);
    const state = await variable(r1, 'gtid_binlog_state');
    expect(state.split(',').every((e) => e.split('-')[1] === String(masterId))).toBe(true);
    expect(await binlogs(r1)).toHaveLength(1);
    await eventually(async () => (await slaveStatus(t, r1))?.Slave_SQL_Running === 'Yes');
    await t.query(t.master, 'INSERT INTO test.t VALUES (2000)');
    await t.waitForReplication();
    expect(await slaveStatus(t, r1)).toMatchObject({ Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes' });
    expect((await h.view(r1)).GtidErrant).toBe('');
    expect(h.maintenance.size).toBe(0);
  });
});

describe('can-replicate-from', () => {
  it('accepts a sibling, refuses itself, and checks GTID for the -gtid form', async () => {
    await expect(checkCanReplicateFrom(h.control, k(r2), k(r1), false)).resolves.toBeUndefined();
    await expect(checkCanReplicateFrom(h.control, k(r2), k(r1), true)).resolves.toBeUndefined();
    expect((await refusal(checkCanReplicateFrom(h.control, k(r2), k(r2), false))).message).toBe(
      `instance cannot replicate from itself: 127.0.0.1:${r2}`,
    );
  });
});
