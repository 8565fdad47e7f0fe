// MySQLOperations primitives against real MariaDB (reused later by topology refactoring).
import { startMariaDBTopology, TOPOLOGY_PASSWORD, TOPOLOGY_USER, type Topology } from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeadershipLostError, StateChangedError, TimeoutError } from '../../src/errors.js';
import { createMySQLOperations } from '../../src/mysql/create.js';
import type { MySQLOperations } from '../../src/mysql/operations.js';
import { grantReadOnlyAdmin, k, slaveStatus } from './harness.js';

let t: Topology;
let leader = true;
let mysql: MySQLOperations;
let close: () => Promise<void>;

beforeAll(async () => {
  t = await startMariaDBTopology({ replicas: 2 });
  await grantReadOnlyAdmin(t);
  ({ mysql, close } = createMySQLOperations(
    { MySQLTopologyUser: TOPOLOGY_USER, MySQLTopologyPassword: TOPOLOGY_PASSWORD },
    { isLeaderWithQuorum: () => leader },
  ));
});

afterAll(async () => {
  await close?.();
  await t?.destroy();
});

describe('MySQLOperations on MariaDB', () => {
  it('reads live state: flavor, GTID positions, replica status', async () => {
    const [r] = t.replicas as [number, number];
    const s = await mysql.readState(k(r));
    expect(s).toMatchObject({
      flavor: 'mariadb',
      readOnly: true,
      logBin: true,
      logSlaveUpdates: true,
      binlogFormat: 'ROW',
    });
    expect(s.replica).toMatchObject({
      masterKey: k(t.master),
      masterUser: 'repl',
      ioRunning: true,
      sqlRunning: true,
      usingMariaDBGtid: true,
    });
    expect((await mysql.readState(k(t.master))).replica).toBeNull();
  });

  it('refuses every change without leadership, before touching the server', async () => {
    const [r] = t.replicas as [number, number];
    leader = false;
    try {
      await expect(mysql.stopReplication(k(r))).rejects.toBeInstanceOf(LeadershipLostError);
      await expect(mysql.setReadOnly(k(t.master), true)).rejects.toBeInstanceOf(LeadershipLostError);
    } finally {
      leader = true;
    }
    expect((await slaveStatus(t, r))?.Slave_SQL_Running).toBe('Yes');
    expect(Number((await t.query(t.master, 'SELECT @@read_only AS ro'))[0]?.ro)).toBe(0);
  });

  it('stops nicely, waits for GTID positions, refuses CHANGE MASTER on a running replica', async () => {
    const [r, r2] = t.replicas as [number, number];
    await t.query(t.master, 'CREATE TABLE IF NOT EXISTS test.o (id INT PRIMARY KEY)');
    await t.query(t.master, 'INSERT INTO test.o VALUES (1)');
    const { position } = await mysql.gtidPosition(k(t.master));
    await mysql.waitForGtid(k(r), 'mariadb', position, 5000);
    await expect(mysql.changeMasterTo(k(r2), k(r))).rejects.toBeInstanceOf(StateChangedError);
    expect(await mysql.stopReplicationNicely(k(r), 2000)).toBe(true);
    const status = await mysql.replicaStatus(k(r));
    expect(status).toMatchObject({ ioRunning: false, sqlRunning: false });
    // Nothing more arrives while stopped: waiting for a later position times out.
    await t.query(t.master, 'INSERT INTO test.o VALUES (2)');
    const later = (await mysql.gtidPosition(k(t.master))).position;
    await expect(mysql.waitForGtid(k(r), 'mariadb', later, 300)).rejects.toBeInstanceOf(TimeoutError);
    await mysql.startReplication(k(r));
    await mysql.waitForGtid(k(r), 'mariadb', later, 5000);
  });

  it('detaches a replica with a // master host, and re-points it with GTID keeping its credentials', async () => {
    const [, r2] = t.replicas as [number, number];
    await mysql.detachReplica(k(r2));
    expect((await slaveStatus(t, r2))?.Master_Host).toBe('//127.0.0.1');
    await mysql.detachReplica(k(r2)); // idempotent
    await mysql.changeMasterTo(k(r2), k(t.master));
    await mysql.startReplication(k(r2));
    const s = await slaveStatus(t, r2);
    expect(s).toMatchObject({ Master_Host: '127.0.0.1', Master_User: 'repl', Using_Gtid: 'Slave_Pos' });
    expect(Number(s?.Master_Port)).toBe(t.master);
  });

  it('RESET SLAVE ALL and read_only toggles; kill ends a connection', async () => {
    const [r] = t.replicas as [number, number];
    await mysql.resetReplicaAll(k(r));
    expect(await mysql.replicaStatus(k(r))).toBeNull();
    await expect(mysql.startReplication(k(r))).rejects.toBeInstanceOf(StateChangedError);
    await mysql.setReadOnly(k(r), false);
    expect((await mysql.readState(k(r))).readOnly).toBe(false);
    await mysql.setReadOnly(k(r), true);
    expect((await mysql.readState(k(r))).readOnly).toBe(true);
    const conn = await t.server(r).connect();
    const [[row]] = (await conn.query('SELECT CONNECTION_ID() AS id')) as unknown as [[{ id: number }]];
    await mysql.kill(k(r), Number(row.id));
    await expect(conn.query('SELECT 1')).rejects.toThrow();
    conn.destroy();
  });
});

describe('connections', () => {
  it('reconnects once when a cached connection was closed by a server restart', async () => {
    const [, r2] = t.replicas as [number, number];
    expect((await mysql.readState(k(r2))).flavor).toBe('mariadb');
    await t.restart(r2);
    expect((await mysql.readState(k(r2))).flavor).toBe('mariadb');
  });
});

describe('a hung server (SIGSTOP)', () => {
  it('statements fail within their timeout, and fenceReadOnly sends nothing it would run on waking up', async () => {
    const port = t.master;
    // A warm cached connection, as a recovery's re-check leaves one.
    expect((await mysql.readState(k(port))).readOnly).toBe(false);
    await t.hang(port);
    try {
      await expect(mysql.query(k(port), 'SELECT 1', [], 500)).rejects.toBeInstanceOf(TimeoutError);
      await expect(mysql.fenceReadOnly(k(port), 1500)).rejects.toBeInstanceOf(TimeoutError);
    } finally {
      await t.resume(port);
    }
    // The server wakes up with nothing queued: still writable, and reachable again.
    await new Promise((r) => setTimeout(r, 500));
    const [row] = await t.query<{ ro: number }>(port, 'SELECT @@read_only AS ro');
    expect(Number(row?.ro)).toBe(0);
    expect((await mysql.readState(k(port))).readOnly).toBe(false);
  });

  it('fenceReadOnly on a server that answers sets read_only=1 at once', async () => {
    const [r] = t.replicas as [number, number];
    await mysql.setReadOnly(k(r), false);
    await mysql.fenceReadOnly(k(r), 3000);
    expect((await mysql.readState(k(r))).readOnly).toBe(true);
  });

  it('fenceReadOnly refuses without leadership, before connecting', async () => {
    const [r] = t.replicas as [number, number];
    leader = false;
    try {
      await expect(mysql.fenceReadOnly(k(r), 3000)).rejects.toBeInstanceOf(LeadershipLostError);
    } finally {
      leader = true;
    }
  });
});
