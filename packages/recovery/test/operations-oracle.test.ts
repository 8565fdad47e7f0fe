// The Oracle MySQL branch of MySQLOperations against a scripted connector (no MySQL server here):
// the statements it sends and how it reads what comes back.
import { describe, expect, it } from 'vitest';
import { LeadershipLostError, StateChangedError, TimeoutError } from '../src/errors.js';
import type { Row, SqlConnector } from '../src/mysql/connections.js';
import { MySQLOperations } from '../src/mysql/operations.js';
import { key } from './fixtures.js';

interface Server {
  version: string;
  readOnly: number;
  slave: Row | null;
  masterInfo?: Row | Error;
  gtidWait?: number;
}

function fake(server: Server) {
  const sent: string[] = [];
  const connector: SqlConnector = {
    async queryOnNewConnection(key, statements) {
      const out: Row[][] = [];
      for (const sql of statements) out.push(await connector.query(key, sql));
      return out;
    },
    async query(_key, sql, params = []) {
      sent.push(params.length ? `${sql} ${JSON.stringify(params)}` : sql);
      if (sql.startsWith('SELECT @@server_id'))
        return [
          {
            server_id: 7,
            version: server.version,
            read_only: server.readOnly,
            log_bin: 1,
            log_slave_updates: 1,
            binlog_format: 'ROW',
          },
        ];
      if (sql.startsWith('SELECT @@server_uuid'))
        return [
          {
            uuid: 'u-7',
            gtid_mode: 'ON',
            executed: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-9,\n4e11fa47-71ca-11e1-9e33-c80aa9429562:1-2',
          },
        ];
      if (sql === 'SHOW SLAVE STATUS') return server.slave ? [server.slave] : [];
      if (sql.includes('slave_master_info')) {
        if (server.masterInfo instanceof Error) throw server.masterInfo;
        return server.masterInfo ? [server.masterInfo] : [];
      }
      if (sql.startsWith('SELECT WAIT_FOR_EXECUTED_GTID_SET')) return [{ r: server.gtidWait ?? 0 }];
      if (sql === 'STOP SLAVE' && server.slave)
        server.slave = { ...server.slave, Slave_IO_Running: 'No', Slave_SQL_Running: 'No' };
      return [];
    },
    async close() {},
  };
  let leader = true;
  const ops = new MySQLOperations({
    connector,
    guard: (step) => {
      if (!leader) throw new LeadershipLostError(step);
    },
  });
  return { ops, sent, setLeader: (v: boolean) => (leader = v) };
}

const replicaRow: Row = {
  Master_Host: 'db1',
  Master_Port: 3306,
  Master_User: 'repl',
  Slave_IO_Running: 'Yes',
  Slave_SQL_Running: 'Yes',
  Slave_SQL_Running_State: 'Slave has read all relay log; waiting for more updates',
  Master_Log_File: 'bin.000003',
  Read_Master_Log_Pos: 900,
  Relay_Master_Log_File: 'bin.000003',
  Exec_Master_Log_Pos: 900,
  Auto_Position: 1,
  Seconds_Behind_Master: null,
  SQL_Delay: 0,
};

describe('MySQLOperations, Oracle MySQL flavor', () => {
  it('reads gtid_executed (whitespace removed) and auto-positioning', async () => {
    const { ops } = fake({ version: '8.0.36', readOnly: 1, slave: replicaRow });
    const s = await ops.readState(key(3307));
    expect(s.flavor).toBe('oracle');
    expect(s.oracle?.executed).toBe(
      '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-9,4e11fa47-71ca-11e1-9e33-c80aa9429562:1-2',
    );
    expect(s.replica).toMatchObject({
      autoPosition: true,
      usingMariaDBGtid: false,
      secondsBehindMaster: null,
      masterUser: 'repl',
    });
  });

  it('CHANGE MASTER TO uses MASTER_AUTO_POSITION=1 and quotes values', async () => {
    const { ops, sent } = fake({
      version: '8.0.36',
      readOnly: 1,
      slave: { ...replicaRow, Slave_IO_Running: 'No', Slave_SQL_Running: 'No' },
    });
    await ops.changeMasterTo(key(3307), { Hostname: "db'2", Port: 3306 }, { user: 'repl', password: "p'w" });
    expect(sent.at(-1)).toBe(
      "CHANGE MASTER TO MASTER_HOST='db\\'2', MASTER_PORT=3306, MASTER_USER='repl', MASTER_PASSWORD='p\\'w', MASTER_AUTO_POSITION=1",
    );
  });

  it('refuses CHANGE MASTER while replicating', async () => {
    const { ops } = fake({ version: '8.0.36', readOnly: 1, slave: replicaRow });
    await expect(ops.changeMasterTo(key(3307), key(3306))).rejects.toBeInstanceOf(StateChangedError);
  });

  it('sets super_read_only along with read_only on Oracle MySQL', async () => {
    const { ops, sent } = fake({ version: '8.0.36', readOnly: 0, slave: null });
    await ops.setReadOnly(key(3306), true);
    expect(sent.filter((q) => q.startsWith('SET GLOBAL'))).toEqual([
      'SET GLOBAL read_only = 1',
      'SET GLOBAL super_read_only = 1',
    ]);
    await ops.setReadOnly(key(3306), false);
    expect(sent.at(-1)).toBe('SET GLOBAL read_only = 0');
  });

  it('waits with WAIT_FOR_EXECUTED_GTID_SET and reports a timeout', async () => {
    const ok = fake({ version: '8.0.36', readOnly: 1, slave: replicaRow });
    await ok.ops.waitForGtid(key(3307), 'oracle', 'x:1-5', 1500);
    expect(ok.sent.at(-1)).toBe('SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?) AS r ["x:1-5",1.5]');
    const late = fake({ version: '8.0.36', readOnly: 1, slave: replicaRow, gtidWait: 1 });
    await expect(late.ops.waitForGtid(key(3307), 'oracle', 'x:1-5', 10)).rejects.toBeInstanceOf(TimeoutError);
  });

  it('reads replication credentials from mysql.slave_master_info, else Master_User only', async () => {
    const withTable = fake({
      version: '8.0.36',
      readOnly: 1,
      slave: replicaRow,
      masterInfo: { u: 'repl', p: 'secret' },
    });
    expect(await withTable.ops.replicationCredentials(key(3307))).toEqual({
      user: 'repl',
      password: 'secret',
    });
    const noTable = fake({
      version: '5.7.44',
      readOnly: 1,
      slave: replicaRow,
      masterInfo: new Error('denied'),
    });
    expect(await noTable.ops.replicationCredentials(key(3307))).toEqual({ user: 'repl' });
    const mariadb = fake({ version: '10.11.6-MariaDB', readOnly: 1, slave: null });
    expect(await mariadb.ops.replicationCredentials(key(3307))).toBeNull();
  });

  it('checks leadership before each statement of a multi-step operation', async () => {
    const f = fake({ version: '8.0.36', readOnly: 1, slave: replicaRow });
    f.setLeader(false);
    await expect(f.ops.detachReplica(key(3307))).rejects.toBeInstanceOf(LeadershipLostError);
    expect(f.sent.some((q) => q.startsWith('STOP') || q.startsWith('CHANGE'))).toBe(false);
    f.setLeader(true);
    await f.ops.detachReplica(key(3307));
    expect(f.sent.slice(-2)).toEqual(['STOP SLAVE', "CHANGE MASTER TO MASTER_HOST='//db1'"]);
  });
});
