// The topology options beyond the GTID default: binlog file:pos replication, MariaDB's built-in
// semi-sync, and an active/passive co-master pair.
import { afterEach, describe, expect, it } from 'vitest';
import { MariaDBKitError, startMariaDBTopology, type Topology } from '../src/index.js';

let topology: Topology | undefined;

afterEach(async () => {
  await topology?.destroy();
  topology = undefined;
});

const status = async (t: Topology, port: number) =>
  (await t.query<Record<string, unknown>>(port, 'SHOW SLAVE STATUS'))[0];
const variable = async (t: Topology, port: number, sql: string) =>
  (await t.query<{ Value: string }>(port, sql))[0]?.Value;

describe('startMariaDBTopology options', () => {
  it("masterUseGtid: 'no' replicates by binlog file:pos, and waitForReplication still works", async () => {
    const t = await startMariaDBTopology({ replicas: 2, masterUseGtid: 'no' });
    topology = t;
    expect(t.masterUseGtid).toBe('no');
    await t.query(t.master, 'CREATE TABLE test.fp (id INT PRIMARY KEY)');
    await t.query(t.master, 'INSERT INTO test.fp VALUES (1), (2)');
    await t.waitForReplication();
    const [own] = await t.query<{ File: string; Position: number }>(t.master, 'SHOW MASTER STATUS');
    for (const port of t.replicas) {
      const s = await status(t, port);
      expect(s).toMatchObject({ Using_Gtid: 'No', Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes' });
      expect([s?.Relay_Master_Log_File, Number(s?.Exec_Master_Log_Pos)]).toEqual([own?.File, own?.Position]);
      expect(await t.query(port, 'SELECT id FROM test.fp ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    }
    // Topology.replicateFrom keeps the mode: a replica moved under its sibling starts where the
    // sibling's binlog ends (both have executed the same).
    const [a, b] = t.replicas as [number, number];
    await t.query(a, 'STOP SLAVE');
    await t.query(b, 'STOP SLAVE');
    await t.replicateFrom(b, a);
    expect(await status(t, b)).toMatchObject({ Master_Port: a, Using_Gtid: 'No' });
  });

  it('semiSync: the master waits for acks from the chosen replicas only', async () => {
    const t = await startMariaDBTopology({ replicas: 2, semiSync: { replicas: 1, timeoutMs: 60_000 } });
    topology = t;
    const [first, second] = t.replicas as [number, number];
    expect(await variable(t, t.master, "SHOW GLOBAL VARIABLES LIKE 'rpl_semi_sync_master_enabled'")).toBe(
      'ON',
    );
    expect(await variable(t, t.master, "SHOW GLOBAL VARIABLES LIKE 'rpl_semi_sync_master_timeout'")).toBe(
      '60000',
    );
    expect(await variable(t, first, "SHOW GLOBAL VARIABLES LIKE 'rpl_semi_sync_slave_enabled'")).toBe('ON');
    expect(await variable(t, second, "SHOW GLOBAL VARIABLES LIKE 'rpl_semi_sync_slave_enabled'")).toBe('OFF');
    expect(await variable(t, first, "SHOW GLOBAL VARIABLES LIKE 'rpl_semi_sync_master_enabled'")).toBe('OFF');
    expect(await variable(t, t.master, "SHOW GLOBAL STATUS LIKE 'rpl_semi_sync_master_clients'")).toBe('1');
    await t.query(t.master, 'CREATE TABLE test.ss (id INT PRIMARY KEY)');
    expect(Number(await variable(t, t.master, "SHOW GLOBAL STATUS LIKE 'rpl_semi_sync_master_yes_tx'"))).toBe(
      1,
    );
  });

  it('coMaster: the master replicates from its first replica and stays writable', async () => {
    const t = await startMariaDBTopology({ replicas: 2, coMaster: true });
    topology = t;
    const passive = t.replicas[0] as number;
    expect(t.coMaster).toBe(passive);
    expect(await status(t, t.master)).toMatchObject({
      Master_Port: passive,
      Slave_IO_Running: 'Yes',
      Slave_SQL_Running: 'Yes',
    });
    expect(await t.query(t.master, 'SELECT @@read_only AS ro')).toEqual([{ ro: 0 }]);
    expect(await t.query(passive, 'SELECT @@read_only AS ro')).toEqual([{ ro: 1 }]);
    await t.query(t.master, 'CREATE TABLE test.cm (id INT PRIMARY KEY)');
    await t.query(t.master, 'INSERT INTO test.cm VALUES (1)');
    await t.waitForReplication();
    // Nothing loops back: the master's applier stays healthy and the row exists once everywhere.
    expect(await status(t, t.master)).toMatchObject({ Slave_SQL_Running: 'Yes', Last_SQL_Error: '' });
    for (const port of t.ports) expect(await t.query(port, 'SELECT id FROM test.cm')).toEqual([{ id: 1 }]);
  });

  it('refuses a co-master without replicas, naming the option', async () => {
    await expect(startMariaDBTopology({ replicas: 0, coMaster: true })).rejects.toThrow(MariaDBKitError);
    await expect(startMariaDBTopology({ replicas: 0, coMaster: true })).rejects.toThrow(/coMaster/);
  });
});
