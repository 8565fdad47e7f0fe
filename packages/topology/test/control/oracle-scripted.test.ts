// Oracle MySQL branches of replication control (no Oracle server here) and failure paths, against a
// scripted connector: the statements sent, in order, and what is refused before any is sent.
import { MySQLOperations, type Row, type SqlConnector } from '@orchestrator/recovery';
import { emptyInstance, type Instance, type InstanceKey } from '@orchestrator/store';
import { describe, expect, it } from 'vitest';
import {
  ControlError,
  gtidErrantInjectEmpty,
  gtidErrantResetMaster,
  ReplicationControl,
} from '../../src/control/index.js';

const MASTER_UUID = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const REPLICA_UUID = '4e11fa47-71ca-11e1-9e33-c80aa9429562';
const k = (port: number): InstanceKey => ({ Hostname: 'db', Port: port });

interface Server {
  executed: string;
  slave: Row | null;
  semiSync?: boolean;
  /** What SHOW SLAVE STATUS reports after START SLAVE. */
  afterStart?: Partial<Row>;
}

function scripted(servers: Record<number, Server>) {
  const sent: string[] = [];
  const connector: SqlConnector = {
    async queryOnNewConnection(key, statements) {
      const out: Row[][] = [];
      for (const sql of statements) out.push(await connector.query(key, sql));
      return out;
    },
    async query(key, sql, params = []) {
      const s = servers[key.Port];
      if (!s) throw new Error(`connect ECONNREFUSED ${key.Port}`);
      const isRead = /^(SELECT|SHOW)/i.test(sql);
      if (!isRead) sent.push(`${key.Port}: ${sql}${params.length ? ` ${JSON.stringify(params)}` : ''}`);
      if (sql.startsWith('SELECT @@server_id'))
        return [
          {
            server_id: key.Port,
            version: '8.0.36',
            read_only: 1,
            log_bin: 1,
            log_slave_updates: 1,
            binlog_format: 'ROW',
          },
        ];
      if (sql.startsWith('SELECT @@server_uuid'))
        return [{ uuid: key.Port === 1 ? MASTER_UUID : REPLICA_UUID, gtid_mode: 'ON', executed: s.executed }];
      if (sql === 'SHOW SLAVE STATUS') return s.slave ? [s.slave] : [];
      if (sql === 'SHOW MASTER STATUS')
        return [{ File: 'binlog.000003', Position: 4, Executed_Gtid_Set: '' }];
      if (sql.startsWith('SHOW GLOBAL VARIABLES LIKE'))
        return s.semiSync ? [{ Variable_name: params[0], Value: 'OFF' }] : [];
      if (sql === 'STOP SLAVE' && s.slave)
        Object.assign(s.slave, { Slave_IO_Running: 'No', Slave_SQL_Running: 'No' });
      if (sql === 'START SLAVE' && s.slave)
        Object.assign(s.slave, { Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes', ...s.afterStart });
      return [];
    },
    close: async () => {},
  };
  return { sent, connector };
}

function slaveRow(over: Partial<Row> = {}): Row {
  return {
    Master_Host: 'db',
    Master_Port: 1,
    Master_User: 'repl',
    Master_UUID: MASTER_UUID,
    Slave_IO_Running: 'Yes',
    Slave_SQL_Running: 'No',
    Slave_SQL_Running_State: '',
    Master_Log_File: 'binlog.000003',
    Read_Master_Log_Pos: 400,
    Relay_Master_Log_File: 'binlog.000003',
    Exec_Master_Log_Pos: 300,
    Auto_Position: 1,
    Seconds_Behind_Master: null,
    SQL_Delay: 0,
    Last_IO_Error: '',
    Last_SQL_Error: "Could not execute Write_rows event: Duplicate entry '7'",
    ...over,
  };
}

function control(servers: Record<number, Server>, views: Record<number, Partial<Instance>> = {}) {
  const { sent, connector } = scripted(servers);
  const mysql = new MySQLOperations({ connector, guard: () => {}, pollMs: 1 });
  const view = (key: InstanceKey): Instance => ({ ...emptyInstance(key), ...views[key.Port] });
  let clock = 0;
  const ctl = new ReplicationControl({
    mysql,
    instances: {
      instance: async (key) => view(key),
      replicas: async () => [],
      clusterInstances: async () => Object.keys(views).map((p) => view(k(Number(p)))),
    },
    maintenance: { begin: async () => true, end: async () => {} },
    audit: async () => {},
    refresh: async (key) => view(key),
    options: {
      startWaitMs: 50,
      pollMs: 10,
      sleep: async (ms) => {
        clock += ms;
      },
      now: () => clock,
    },
  });
  return { ctl, sent };
}

describe('Oracle GTID', () => {
  it('skip-query commits an empty transaction as the next GTID of the master, then starts replication', async () => {
    const { ctl, sent } = control({
      2: { executed: `${MASTER_UUID}:1-41,\n${REPLICA_UUID}:1-3`, slave: slaveRow() },
    });
    await ctl.skipQuery(k(2));
    expect(sent).toEqual([
      `2: SET GTID_NEXT = '${MASTER_UUID}:42'`,
      '2: BEGIN',
      '2: COMMIT',
      "2: SET GTID_NEXT = 'AUTOMATIC'",
      '2: START SLAVE',
    ]);
  });

  it('gtid-errant-reset-master: RESET MASTER, then gtid_purged = executed minus the errant set', async () => {
    const { ctl, sent } = control(
      {
        2: {
          executed: `${MASTER_UUID}:1-41,${REPLICA_UUID}:1-3`,
          slave: slaveRow({ Slave_SQL_Running: 'Yes' }),
        },
      },
      { 2: { GtidErrant: `${REPLICA_UUID}:1-3`, SupportsOracleGTID: true, Version: '8.0.36' } },
    );
    const r = await gtidErrantResetMaster(ctl, k(2));
    expect(r.message).toBe('Removed errant GTID on db:2 and issued a RESET MASTER');
    expect(sent).toEqual([
      '2: STOP SLAVE',
      '2: RESET MASTER',
      `2: SET GLOBAL gtid_purged = ? ["${MASTER_UUID}:1-41"]`,
      '2: START SLAVE',
    ]);
  });

  it('gtid-errant-inject-empty commits each errant GTID on the writable master', async () => {
    const { ctl, sent } = control(
      { 1: { executed: `${MASTER_UUID}:1-41`, slave: null }, 2: { executed: '', slave: slaveRow() } },
      {
        1: { ReadOnly: false, SupportsOracleGTID: true, ClusterName: 'c' },
        2: {
          GtidErrant: `${REPLICA_UUID}:2-3`,
          SupportsOracleGTID: true,
          MasterKey: k(1),
          ReadOnly: true,
          ClusterName: 'c',
        },
      },
    );
    const r = await gtidErrantInjectEmpty(ctl, k(2));
    expect(r.message).toBe('Injected 2 empty transactions on db:1');
    expect(sent).toEqual([
      `1: SET GTID_NEXT = '${REPLICA_UUID}:2'`,
      '1: BEGIN',
      '1: COMMIT',
      "1: SET GTID_NEXT = 'AUTOMATIC'",
      `1: SET GTID_NEXT = '${REPLICA_UUID}:3'`,
      '1: BEGIN',
      '1: COMMIT',
      "1: SET GTID_NEXT = 'AUTOMATIC'",
    ]);
  });
});

describe('SemiSyncEnforced (no async fallback)', () => {
  const enforced = { SemiSyncEnforced: true, PromotionRule: 'neutral' as const };
  it('start-replica makes the replica ack, never a semi-sync master, before START SLAVE', async () => {
    const { ctl, sent } = control(
      { 2: { executed: '', slave: slaveRow({ Slave_IO_Running: 'No', Slave_SQL_Running: 'No' }) } },
      { 2: enforced },
    );
    await ctl.startReplica(k(2));
    expect(sent).toEqual([
      '2: SET GLOBAL rpl_semi_sync_master_enabled = 0, GLOBAL rpl_semi_sync_slave_enabled = 1',
      '2: START SLAVE',
    ]);
  });
  it('a must_not replica does not ack', async () => {
    const { ctl, sent } = control(
      { 2: { executed: '', slave: slaveRow({ Slave_IO_Running: 'No', Slave_SQL_Running: 'No' }) } },
      { 2: { ...enforced, PromotionRule: 'must_not' } },
    );
    await ctl.startReplica(k(2));
    expect(sent[0]).toBe(
      '2: SET GLOBAL rpl_semi_sync_master_enabled = 0, GLOBAL rpl_semi_sync_slave_enabled = 0',
    );
  });
  it('set-writeable turns the semi-sync master on first; set-read-only turns it off after', async () => {
    const { ctl, sent } = control({ 1: { executed: '', slave: null } }, { 1: enforced });
    await ctl.setReadOnly(k(1), false);
    await ctl.setReadOnly(k(1), true);
    expect(sent).toEqual([
      '1: SET GLOBAL rpl_semi_sync_master_enabled = 1, GLOBAL rpl_semi_sync_slave_enabled = 1',
      '1: SET GLOBAL read_only = 0',
      '1: SET GLOBAL read_only = 1',
      '1: SET GLOBAL super_read_only = 1',
      '1: SET GLOBAL rpl_semi_sync_master_enabled = 0, GLOBAL rpl_semi_sync_slave_enabled = 1',
    ]);
  });
});

describe('failures and unsupported servers', () => {
  it('semi-sync without the variables is refused as UNSUPPORTED and nothing is set', async () => {
    const { ctl, sent } = control({ 2: { executed: '', slave: slaveRow(), semiSync: false } });
    const error = await ctl.setSemiSync(k(2), 'master', true).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControlError);
    expect(error).toMatchObject({ code: 'UNSUPPORTED' });
    expect((error as Error).message).toContain('no rpl_semi_sync_master_enabled variable');
    expect(sent).toEqual([]);
  });

  it('start-replica fails (after START SLAVE) when the IO thread does not connect, naming the error', async () => {
    const { ctl } = control({
      2: {
        executed: '',
        slave: slaveRow({ Slave_IO_Running: 'No', Slave_SQL_Running: 'No' }),
        afterStart: {
          Slave_IO_Running: 'Connecting',
          Last_IO_Error: "error connecting to master 'repl@db:1'",
        },
      },
    });
    const error = await ctl.startReplica(k(2)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'FAILED' });
    expect((error as Error).message).toContain(
      'Replication not running on db:2 after START SLAVE (IO: Connecting',
    );
    expect((error as Error).message).toContain('error connecting to master');
  });

  it('kill-query refuses a process id that is not a positive integer', async () => {
    const { ctl, sent } = control({ 2: { executed: '', slave: null } });
    await expect(ctl.killQuery(k(2), 0)).rejects.toMatchObject({ code: 'REFUSED' });
    expect(sent).toEqual([]);
  });
});
