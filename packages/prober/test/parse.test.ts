import { describe, expect, it } from 'vitest';
import { blankInstance } from '../src/probe/blank.js';
import {
  applyIdentity,
  applyReplicationLink,
  applySemiSync,
  applySlaveStatus,
  patternValue,
  replicaKeys,
  threadState,
} from '../src/probe/parse.js';
import { parseFlavor, probeStatements } from '../src/probe/queries.js';

const key = { Hostname: '10.0.0.5', Port: 3306 };

describe('probe parsing', () => {
  it('resolves the hostname per MySQLHostnameResolveMethod', () => {
    const row = {
      hostname: 'db5',
      report_host: 'db5.example',
      server_id: 5,
      version: '8.0.36',
      read_only: 1,
      log_bin: 1,
    };
    for (const [method, expected] of [
      ['@@hostname', 'db5'],
      ['@@report_host', 'db5.example'],
      ['none', '10.0.0.5'],
    ] as const) {
      const i = blankInstance(key);
      applyIdentity(i, row, key, method);
      expect(i.Key.Hostname).toBe(expected);
      expect(i.UnresolvedHostname).toBe(method === 'none' ? '' : '10.0.0.5');
    }
  });

  it('maps Oracle GTID identity fields', () => {
    const i = blankInstance(key);
    applyIdentity(
      i,
      {
        server_id: 1,
        version: '8.0.36',
        gtid_mode: 'ON',
        server_uuid: 'u',
        gtid_executed: 'u:1-5,\nv:1',
        gtid_purged: '',
      },
      key,
      'none',
    );
    expect(i).toMatchObject({
      SupportsOracleGTID: true,
      ServerUUID: 'u',
      ExecutedGtidSet: 'u:1-5,v:1',
      FlavorName: 'MySQL',
    });
  });

  it('maps SHOW SLAVE STATUS field by field, incl. Connecting → 2 and NULL lag', () => {
    const i = blankInstance(key);
    applySlaveStatus(
      i,
      [
        {
          Master_Host: '10.0.0.1',
          Master_Port: 3306,
          Slave_IO_Running: 'Connecting',
          Slave_SQL_Running: 'Yes',
          Master_Log_File: 'bin.000002',
          Read_Master_Log_Pos: 400,
          Relay_Master_Log_File: 'bin.000002',
          Exec_Master_Log_Pos: 380,
          Relay_Log_File: 'relay.000004',
          Relay_Log_Pos: 555,
          Last_IO_Errno: 2003,
          Last_IO_Error: 'error reconnecting to master',
          Last_SQL_Errno: 0,
          Last_SQL_Error: '',
          Seconds_Behind_Master: null,
          SQL_Delay: 30,
          Using_Gtid: 'Slave_Pos',
          Master_User: 'repl',
          Replicate_Do_DB: 'app',
        },
      ],
      (h) => (h === '10.0.0.1' ? 'db1' : h),
    );
    expect(i).toMatchObject({
      MasterKey: { Hostname: 'db1', Port: 3306 },
      ReplicationIOThreadState: 2,
      ReplicationSQLThreadState: 1,
      ReplicationIOThreadRuning: false,
      ReplicationSQLThreadRuning: true,
      ReadBinlogCoordinates: { LogFile: 'bin.000002', LogPos: 400 },
      ExecBinlogCoordinates: { LogFile: 'bin.000002', LogPos: 380 },
      RelaylogCoordinates: { LogFile: 'relay.000004', LogPos: 555, Type: 'RelayLog' },
      LastIOErrno: 2003,
      SecondsBehindMaster: { Valid: false },
      SQLDelay: 30,
      UsingMariaDBGTID: true,
      UsingOracleGTID: false,
      HasReplicationFilters: true,
      HasReplicationCredentials: true,
    });
    expect([threadState('Yes'), threadState('No'), threadState('Preparing')]).toEqual([1, 0, 2]);
  });

  it('reads MySQL 8.0.22+ SHOW REPLICA STATUS names', () => {
    const i = blankInstance(key);
    applySlaveStatus(
      i,
      [
        {
          Source_Host: 'db1',
          Source_Port: 3307,
          Replica_IO_Running: 'Yes',
          Replica_SQL_Running: 'No',
          Auto_Position: 1,
          Seconds_Behind_Source: -3,
        },
      ],
      (h) => h,
    );
    expect(i).toMatchObject({
      MasterKey: { Hostname: 'db1', Port: 3307 },
      ReplicationIOThreadState: 1,
      ReplicationSQLThreadState: 0,
      UsingOracleGTID: true,
    });
    expect(i.SecondsBehindMaster).toEqual({ Int64: 0, Valid: true });
  });

  it('semi-sync: MariaDB has no wait count, so it is 1', () => {
    const i = blankInstance(key);
    applySemiSync(
      i,
      [
        { Variable_name: 'rpl_semi_sync_master_enabled', Value: 'ON' },
        { Variable_name: 'rpl_semi_sync_master_timeout', Value: '10000' },
      ],
      [
        { Variable_name: 'Rpl_semi_sync_master_status', Value: 'ON' },
        { Variable_name: 'Rpl_semi_sync_master_clients', Value: '2' },
        { Variable_name: 'Uptime', Value: '77' },
      ],
    );
    expect(i).toMatchObject({
      SemiSyncMasterEnabled: true,
      SemiSyncMasterWaitForReplicaCount: 1,
      SemiSyncMasterClients: 2,
      Uptime: 77,
    });
  });

  it('prefers registered replicas and assumes the master port for the rest', () => {
    const keys = replicaKeys(
      3306,
      [{ Host: '10.0.0.7', Port: 3307 }],
      [{ slave_hostname: '10.0.0.7' }, { slave_hostname: '10.0.0.8' }],
      false,
    );
    expect(keys).toEqual([
      { Hostname: '10.0.0.7', Port: 3307 },
      { Hostname: '10.0.0.8', Port: 3306 },
    ]);
    expect(
      replicaKeys(3306, [{ Host: '10.0.0.7', Port: 3307 }], [{ slave_hostname: '10.0.0.8' }], true),
    ).toHaveLength(1);
  });

  it('applies DataCenterPattern-style regexes', () => {
    expect(patternValue('db1.dc2.example', '[.]([^.]+)[.]example')).toBe('dc2');
    expect(patternValue('db1', '')).toBe('');
  });

  it('uses flavour-specific statements', () => {
    expect(probeStatements(parseFlavor('10.11.19-MariaDB'))[0]).toContain('gtid_binlog_pos');
    expect(probeStatements(parseFlavor('8.0.36'))[4]).toBe('SHOW REPLICA STATUS');
    expect(probeStatements(parseFlavor('5.7.44'))[4]).toBe('SHOW SLAVE STATUS');
    expect(probeStatements(parseFlavor('5.7.44'))[0]).toContain('gtid_mode');
    expect(probeStatements(parseFlavor('10.11.19-MariaDB'))[4]).toBe('SHOW ALL SLAVES STATUS');
    expect(probeStatements(parseFlavor('8.0.36'))[7]).toContain(
      'performance_schema.replication_connection_status',
    );
    expect(probeStatements(parseFlavor('5.7.44'))[7]).toBe('SELECT 1 FROM DUAL WHERE 0');
    expect(probeStatements(parseFlavor('10.11.19-MariaDB'))[0]).toContain('slave_net_timeout');
  });

  it("MariaDB's SHOW ALL SLAVES STATUS: the default connection's row, with its heartbeat counters", () => {
    const i = blankInstance(key);
    const rows = [
      {
        Connection_name: 'other',
        Master_Host: 'x',
        Master_Port: 1,
        Slave_IO_Running: 'Yes',
        Slave_SQL_Running: 'Yes',
      },
      {
        Connection_name: '',
        Master_Host: 'db1',
        Master_Port: 3306,
        Slave_IO_Running: 'Yes',
        Slave_SQL_Running: 'Yes',
        Gtid_IO_Pos: '0-1-42',
        Slave_received_heartbeats: 17,
        Slave_heartbeat_period: '2.000',
      },
    ];
    applySlaveStatus(i, rows, (h) => h);
    applyReplicationLink(i, { slave_net_timeout: 4 }, rows, undefined);
    expect(i.MasterKey).toEqual({ Hostname: 'db1', Port: 3306 });
    expect(i.ReplicationLink).toEqual({
      NetTimeoutSeconds: 4,
      HeartbeatPeriodSeconds: 2,
      HeartbeatsReceived: 17,
      GtidIOPos: '0-1-42',
      LastReceivedAgeMs: { Int64: 0, Valid: false },
    });
    const onlyNamed = blankInstance(key);
    applySlaveStatus(onlyNamed, [rows[0] as Record<string, unknown>], (h) => h);
    expect(onlyNamed.MasterKey.Hostname).toBe('');
  });

  it("MySQL 8's performance_schema link row: heartbeat period, count and the age of the last receipt", () => {
    const i = blankInstance(key);
    applyReplicationLink(
      i,
      { slave_net_timeout: 60 },
      [],
      [{ heartbeat_period: '30.000', received_heartbeats: 5, last_received_age_us: 1_234_567 }],
    );
    expect(i.ReplicationLink).toMatchObject({
      NetTimeoutSeconds: 60,
      HeartbeatPeriodSeconds: 30,
      HeartbeatsReceived: 5,
      LastReceivedAgeMs: { Int64: 1235, Valid: true },
    });
    const never = blankInstance(key);
    applyReplicationLink(
      never,
      {},
      [],
      [{ heartbeat_period: 30, received_heartbeats: 0, last_received_age_us: null }],
    );
    expect(never.ReplicationLink.LastReceivedAgeMs.Valid).toBe(false);
  });
});
