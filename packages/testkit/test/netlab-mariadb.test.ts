// MariaDB servers in NetLab hosts (real namespaces; needs root: fails with requireNetLab()'s message
// elsewhere), and the replication timing options.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NetLab,
  requireNetLab,
  SERVER_DEFAULT_TIMING,
  startMariaDBTopology,
  type Topology,
} from '../src/index.js';

interface SlaveStatus {
  Slave_IO_Running: string;
  Slave_SQL_Running: string;
  Master_Host: string;
  Master_Port: number;
  Using_Gtid: string;
  Last_IO_Error: string;
}

async function slaveStatus<K extends number | string>(t: Topology<K>, key: K): Promise<SlaveStatus> {
  const [row] = await t.query<SlaveStatus>(key, 'SHOW SLAVE STATUS');
  if (!row) throw new Error(`no slave status on ${key}`);
  return row;
}

/** MASTER_HEARTBEAT_PERIOD of the replica's connection (a status variable on MariaDB). */
async function heartbeatPeriod<K extends number | string>(t: Topology<K>, key: K): Promise<number> {
  const [row] = await t.query<{ Value: string }>(key, "SHOW GLOBAL STATUS LIKE 'Slave_heartbeat_period'");
  return Number(row?.Value);
}

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a 1+2 MariaDB topology in three lab hosts', () => {
  let lab: NetLab;
  let topology: Topology<string>;

  beforeAll(async () => {
    requireNetLab();
    lab = NetLab.create({ hosts: ['db1', 'db2', 'db3'] });
    topology = await startMariaDBTopology({
      replicas: 2,
      labHosts: lab.hosts,
      timing: { slaveNetTimeout: 2, heartbeatPeriod: 0.5 },
    });
  });

  afterAll(async () => {
    lab?.heal();
    await topology?.destroy();
    lab?.destroy();
  });

  it('runs each server in its host on <ip>:3306, replicating over the bridge with the given timing', async () => {
    expect(topology.master).toBe('db1');
    expect(topology.replicas).toEqual(['db2', 'db3']);
    expect(topology.keys).toEqual(['db1', 'db2', 'db3']);
    for (const name of topology.keys) {
      const server = topology.server(name);
      expect(server.host).toBe(lab.host(name).ip);
      expect(server.port).toBe(3306);
      expect(server.labHost?.namespace).toBe(lab.host(name).namespace);
      // ip execs mariadbd: the pid we hold is the server's.
      expect(readFileSync(`/proc/${topology.pid(name)}/comm`, 'utf8').trim()).toBe('mariadbd');
      const [vars] = await topology.query<Record<string, unknown>>(
        name,
        'SELECT @@report_host AS rhost, @@report_port AS rport, @@slave_net_timeout AS snt, @@bind_address AS bind',
      );
      expect(vars).toEqual({ rhost: server.host, rport: 3306, snt: 2, bind: server.host });
    }
    for (const replica of topology.replicas) {
      const status = await slaveStatus(topology, replica);
      expect(status).toMatchObject({
        Master_Host: lab.host('db1').ip,
        Master_Port: 3306,
        Using_Gtid: 'Slave_Pos',
        Slave_IO_Running: 'Yes',
        Slave_SQL_Running: 'Yes',
      });
      expect(await heartbeatPeriod(topology, replica)).toBe(0.5);
    }
  });

  it('replicates a row', async () => {
    await topology.query('db1', 'CREATE TABLE test.lab (id INT PRIMARY KEY)');
    await topology.query('db1', 'INSERT INTO test.lab VALUES (1)');
    await topology.waitForReplication();
    for (const replica of topology.replicas)
      expect(await topology.query(replica, 'SELECT id FROM test.lab')).toEqual([{ id: 1 }]);
  });

  it('hang()/resume() stop and continue the mariadbd inside the namespace', async () => {
    await topology.hang('db3');
    expect(readFileSync(`/proc/${topology.pid('db3')}/stat`, 'utf8')).toMatch(/\) [Tt] /);
    await topology.resume('db3');
    expect(await topology.query('db3', 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('a blackholed master: the IO threads leave "Yes"; restore and restarted replication recover', async () => {
    lab.blackhole('db1', { maxMs: 120_000 });
    const states = await Promise.all(
      topology.replicas.map((replica) =>
        eventually(
          `${replica}'s IO thread to leave Yes`,
          async () => {
            const status = await slaveStatus(topology, replica);
            return status.Slave_IO_Running === 'Yes' ? undefined : status;
          },
          60_000,
        ),
      ),
    );
    for (const s of states) expect(s.Slave_IO_Running).toMatch(/^(No|Connecting)$/);
    lab.restore('db1');
    for (const replica of topology.replicas) {
      await topology.query(replica, 'STOP SLAVE');
      await topology.query(replica, 'START SLAVE');
    }
    for (const replica of topology.replicas) {
      await eventually(
        `${replica}'s IO thread to be Yes again`,
        async () => ((await slaveStatus(topology, replica)).Slave_IO_Running === 'Yes' ? true : undefined),
        30_000,
      );
    }
    await topology.query('db1', 'INSERT INTO test.lab VALUES (2)');
    await topology.waitForReplication();
    for (const replica of topology.replicas)
      expect(await topology.query(replica, 'SELECT id FROM test.lab ORDER BY id')).toEqual([
        { id: 1 },
        { id: 2 },
      ]);
  });
});

describe('replication timing', () => {
  it('defaults to slave_net_timeout 4 and a 1 s heartbeat on 127.0.0.1', async () => {
    const t = await startMariaDBTopology({ replicas: 1 });
    try {
      const replica = t.replicas[0]!;
      expect(typeof replica).toBe('number');
      expect(t.server(replica).host).toBe('127.0.0.1');
      const [vars] = await t.query(replica, 'SELECT @@slave_net_timeout AS snt');
      expect(vars).toEqual({ snt: 4 });
      expect(await heartbeatPeriod(t, replica)).toBe(1);
      expect((await slaveStatus(t, replica)).Master_Host).toBe('127.0.0.1');
    } finally {
      await t.destroy();
    }
  });

  it('server defaults: no slave_net_timeout flag, no heartbeat clause', async () => {
    const t = await startMariaDBTopology({ replicas: 1, timing: SERVER_DEFAULT_TIMING });
    try {
      const replica = t.replicas[0]!;
      const [vars] = await t.query<{ snt: number }>(replica, 'SELECT @@slave_net_timeout AS snt');
      // Whatever the server's defaults are: heartbeat at half of slave_net_timeout.
      expect(vars?.snt).toBeGreaterThan(4);
      expect(await heartbeatPeriod(t, replica)).toBe(vars!.snt / 2);
    } finally {
      await t.destroy();
    }
  });
});
