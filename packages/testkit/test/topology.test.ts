import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMariaDBTopology, TOPOLOGY_PASSWORD, TOPOLOGY_USER, type Topology } from '../src/index.js';

interface SlaveStatus {
  Slave_IO_Running: string;
  Slave_SQL_Running: string;
  Last_IO_Errno: number;
  Last_IO_Error: string;
  Master_Port: number;
  Using_Gtid: string;
}

async function slaveStatus(topology: Topology, port: number): Promise<SlaveStatus> {
  const [row] = await topology.query<SlaveStatus>(port, 'SHOW SLAVE STATUS');
  if (!row) throw new Error(`no slave status on ${port}`);
  return row;
}

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('startMariaDBTopology: master with two GTID replicas', () => {
  let topology: Topology;

  beforeAll(async () => {
    topology = await startMariaDBTopology({ replicas: 2 });
  });

  afterAll(async () => {
    await topology?.destroy();
  });

  it('starts three servers on distinct ports, replicas configured as the issue asks', async () => {
    expect(topology.ports).toHaveLength(3);
    expect(new Set(topology.ports).size).toBe(3);
    for (const port of topology.replicas) {
      const status = await slaveStatus(topology, port);
      expect(status.Master_Port).toBe(topology.master);
      expect(status.Using_Gtid).toBe('Slave_Pos');
      expect(status.Slave_IO_Running).toBe('Yes');
      expect(status.Slave_SQL_Running).toBe('Yes');
      const [ro] = await topology.query<{ ro: number }>(port, 'SELECT @@read_only AS ro');
      expect(ro?.ro).toBe(1);
    }
    const [vars] = await topology.query<Record<string, unknown>>(
      topology.master,
      'SELECT @@log_bin AS log_bin, @@log_slave_updates AS lsu, @@binlog_format AS fmt, @@gtid_strict_mode AS strict, @@report_port AS rport, @@read_only AS ro',
    );
    expect(vars).toEqual({ log_bin: 1, lsu: 1, fmt: 'ROW', strict: 1, rport: topology.master, ro: 0 });
  });

  it('lets the topology user connect and read replication status', async () => {
    const rows = await topology
      .server(topology.replicas[0]!)
      .connect({ user: TOPOLOGY_USER, password: TOPOLOGY_PASSWORD })
      .then(async (c) => {
        const [r] = await c.query('SHOW SLAVE STATUS');
        await c.end();
        return r as unknown[];
      });
    expect(rows).toHaveLength(1);
  });

  it('replicates a row written on the master to every replica', async () => {
    await topology.query(topology.master, 'CREATE TABLE test.kit (id INT PRIMARY KEY, v VARCHAR(20))');
    await topology.query(topology.master, "INSERT INTO test.kit VALUES (1, 'hello')");
    await topology.waitForReplication();
    for (const port of topology.replicas) {
      const rows = await topology.query<{ v: string }>(port, 'SELECT v FROM test.kit WHERE id = 1');
      expect(rows).toEqual([{ v: 'hello' }]);
    }
  });

  it('hang() stops the master with its sockets open (queries time out), resume() brings it back', async () => {
    await topology.hang(topology.master);
    expect(topology.server(topology.master).running).toBe(true);
    const c = await topology.server(topology.replicas[0]!).connect();
    try {
      const [rows] = await c.query('SELECT 1 AS one');
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await c.end();
    }
    const hungQuery = topology.query(topology.master, 'SELECT 1').then(
      () => 'answered',
      () => 'failed',
    );
    const outcome = await Promise.race([hungQuery, new Promise((r) => setTimeout(() => r('silent'), 800))]);
    expect(outcome).toBe('silent');
    await topology.resume(topology.master);
    expect(await hungQuery).toBe('answered');
  });

  it('after kill9 of the master, replicas report the IO thread Connecting with a connect error', async () => {
    const masterPid = topology.pid(topology.master);
    await topology.kill9(topology.master);
    expect(() => process.kill(masterPid, 0)).toThrow();
    for (const port of topology.replicas) {
      const status = await eventually(`replica ${port} to notice the dead master`, async () => {
        const s = await slaveStatus(topology, port);
        return s.Slave_IO_Running === 'Connecting' && s.Last_IO_Errno === 2003 ? s : undefined;
      });
      expect(status.Last_IO_Errno).toBe(2003);
      expect(status.Last_IO_Error).toMatch(/error (reconnecting|connecting) to master/);
      expect(status.Slave_SQL_Running).toBe('Yes');
    }
  });

  it('restarts the killed master on the same port and datadir, and replication resumes', async () => {
    await topology.restart(topology.master);
    const rows = await topology.query<{ v: string }>(topology.master, 'SELECT v FROM test.kit WHERE id = 1');
    expect(rows).toEqual([{ v: 'hello' }]);
    for (const port of topology.replicas) {
      await eventually(`replica ${port} to reconnect`, async () =>
        (await slaveStatus(topology, port)).Slave_IO_Running === 'Yes' ? true : undefined,
      );
    }
  });
});

describe('startMariaDBTopology: chain master → intermediate → replicas', () => {
  let topology: Topology;

  beforeAll(async () => {
    topology = await startMariaDBTopology({ replicas: 0, chain: { intermediateReplicas: 2 } });
  });

  afterAll(async () => {
    await topology?.destroy();
  });

  it('replicates through the intermediate master', async () => {
    expect(topology.replicas).toEqual([]);
    expect(topology.intermediate).toBeDefined();
    expect(topology.intermediateReplicas).toHaveLength(2);
    for (const port of topology.intermediateReplicas) {
      expect((await slaveStatus(topology, port)).Master_Port).toBe(topology.intermediate);
    }
    await topology.query(topology.master, 'CREATE TABLE test.chain (id INT PRIMARY KEY)');
    await topology.query(topology.master, 'INSERT INTO test.chain VALUES (7)');
    await topology.waitForReplication();
    for (const port of topology.intermediateReplicas) {
      expect(await topology.query(port, 'SELECT id FROM test.chain')).toEqual([{ id: 7 }]);
    }
  });

  it('destroy removes every datadir and stops every process', async () => {
    const dirs = topology.ports.map((p) => topology.server(p).datadir);
    const pids = topology.ports.map((p) => topology.pid(p));
    await topology.destroy();
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});
