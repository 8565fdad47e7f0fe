// A fake fleet for the scale benchmark: COUNT simulated MariaDB servers on consecutive ports,
// grouped as 1 master + 2 replicas, each answering every statement the prober sends with
// realistic result sets. Run as a child process: prints "ready <base> <count>" when listening.
import mysql from 'mysql2';

const base = Number(process.argv[2]);
const count = Number(process.argv[3]);
const MORE_RESULTS = 0x0008;
const AUTOCOMMIT = 0x0002;

const col = (name, type = 0xfd) => ({
  catalog: 'def',
  schema: '',
  table: '',
  orgTable: '',
  name,
  orgName: name,
  characterSet: 33,
  columnLength: 255,
  columnType: type,
  flags: 0,
  decimals: 0,
});

function resultSet(names, rows) {
  return { columns: names.map((n) => col(n)), rows };
}

const SLAVE_COLUMNS = [
  'Slave_IO_State',
  'Master_Host',
  'Master_User',
  'Master_Port',
  'Connect_Retry',
  'Master_Log_File',
  'Read_Master_Log_Pos',
  'Relay_Log_File',
  'Relay_Log_Pos',
  'Relay_Master_Log_File',
  'Slave_IO_Running',
  'Slave_SQL_Running',
  'Replicate_Do_DB',
  'Replicate_Ignore_DB',
  'Replicate_Do_Table',
  'Replicate_Ignore_Table',
  'Replicate_Wild_Do_Table',
  'Replicate_Wild_Ignore_Table',
  'Last_Errno',
  'Last_Error',
  'Skip_Counter',
  'Exec_Master_Log_Pos',
  'Relay_Log_Space',
  'Until_Condition',
  'Until_Log_File',
  'Until_Log_Pos',
  'Master_SSL_Allowed',
  'Seconds_Behind_Master',
  'Last_IO_Errno',
  'Last_IO_Error',
  'Last_SQL_Errno',
  'Last_SQL_Error',
  'Master_Server_Id',
  'Using_Gtid',
  'Gtid_IO_Pos',
  'SQL_Delay',
  'SQL_Remaining_Delay',
  'Slave_SQL_Running_State',
];

function answer(port, sql) {
  const index = port - base;
  const masterPort = base + index - (index % 3);
  const isMaster = port === masterPort;
  const s = sql.trim();
  if (/^SELECT @@global\.version AS v/i.test(s)) return resultSet(['v'], [['10.11.19-MariaDB-fake']]);
  if (/^SELECT @@global\.hostname/i.test(s)) {
    return resultSet(
      [
        'hostname',
        'report_host',
        'server_id',
        'version',
        'version_comment',
        'read_only',
        'binlog_format',
        'log_bin',
        'log_slave_updates',
        'binlog_row_image',
        'gtid_current_pos',
        'gtid_slave_pos',
        'gtid_binlog_pos',
      ],
      [
        [
          'fake',
          '127.0.0.1',
          String(port),
          '10.11.19-MariaDB-fake',
          'fake fleet',
          isMaster ? '0' : '1',
          'ROW',
          '1',
          '1',
          'FULL',
          `0-${masterPort}-1000`,
          isMaster ? '' : `0-${masterPort}-1000`,
          `0-${masterPort}-1000`,
        ],
      ],
    );
  }
  if (/^SHOW MASTER STATUS/i.test(s))
    return resultSet(
      ['File', 'Position', 'Binlog_Do_DB', 'Binlog_Ignore_DB'],
      [['bin.000001', '12345', '', '']],
    );
  if (/^SHOW GLOBAL VARIABLES LIKE 'rpl_semi_sync/i.test(s)) {
    return resultSet(
      ['Variable_name', 'Value'],
      [
        ['rpl_semi_sync_master_enabled', 'OFF'],
        ['rpl_semi_sync_master_timeout', '10000'],
        ['rpl_semi_sync_slave_enabled', 'OFF'],
      ],
    );
  }
  if (/^SHOW GLOBAL STATUS/i.test(s)) {
    return resultSet(
      ['Variable_name', 'Value'],
      [
        ['Rpl_semi_sync_master_clients', '0'],
        ['Rpl_semi_sync_master_status', 'OFF'],
        ['Rpl_semi_sync_slave_status', 'OFF'],
        ['Uptime', '1000'],
      ],
    );
  }
  if (/^SHOW SLAVE STATUS/i.test(s)) {
    if (isMaster) return resultSet(SLAVE_COLUMNS, []);
    const v = {
      Slave_IO_State: 'Waiting for master to send event',
      Master_Host: '127.0.0.1',
      Master_User: 'repl',
      Master_Port: String(masterPort),
      Connect_Retry: '1',
      Master_Log_File: 'bin.000001',
      Read_Master_Log_Pos: '12345',
      Relay_Log_File: 'relay.000002',
      Relay_Log_Pos: '600',
      Relay_Master_Log_File: 'bin.000001',
      Slave_IO_Running: 'Yes',
      Slave_SQL_Running: 'Yes',
      Last_Errno: '0',
      Skip_Counter: '0',
      Exec_Master_Log_Pos: '12345',
      Relay_Log_Space: '900',
      Until_Condition: 'None',
      Until_Log_Pos: '0',
      Master_SSL_Allowed: 'No',
      Seconds_Behind_Master: '0',
      Last_IO_Errno: '0',
      Last_SQL_Errno: '0',
      Master_Server_Id: String(masterPort),
      Using_Gtid: 'Slave_Pos',
      Gtid_IO_Pos: `0-${masterPort}-1000`,
      SQL_Delay: '0',
      Slave_SQL_Running_State: 'Slave has read all relay log',
    };
    return resultSet(SLAVE_COLUMNS, [SLAVE_COLUMNS.map((c) => v[c] ?? '')]);
  }
  if (/^SHOW SLAVE HOSTS/i.test(s)) {
    const rows = isMaster
      ? [1, 2]
          .filter((d) => index + d < count)
          .map((d) => [String(port + d), '127.0.0.1', String(port + d), String(port)])
      : [];
    return resultSet(['Server_id', 'Host', 'Port', 'Master_id'], rows);
  }
  if (/information_schema\.processlist/i.test(s)) {
    return resultSet(['slave_hostname'], isMaster ? [['127.0.0.1'], ['127.0.0.1']] : []);
  }
  if (/^SELECT 1 FROM DUAL WHERE 0/i.test(s)) return resultSet(['1'], []);
  return null;
}

function splitStatements(sql) {
  return sql
    .split(/;\s*\n/)
    .map((x) => x.trim())
    .filter(Boolean);
}

let connectionId = 0;
const replies = new Map();
function serve(port) {
  const server = mysql.createServer();
  server.on('connection', (conn) => {
    conn.stream.setNoDelay(true);
    conn.serverHandshake({
      protocolVersion: 10,
      serverVersion: '10.11.19-MariaDB-fake',
      connectionId: ++connectionId,
      statusFlags: AUTOCOMMIT,
      characterSet: 33,
      capabilityFlags: 0xffffff,
      // The handshake leaves sequenceId past the OK packet; every command restarts at 0.
      authCallback: (_params, cb) => {
        cb(null);
        conn.sequenceId = 0;
      },
    });
    conn.on('error', () => undefined);
    conn.on('ping', () => {
      conn.writeOk();
      conn.sequenceId = 0;
    });
    conn.on('stmt_prepare', () => {
      conn.writeError({ code: 1295, message: 'prepared statements are not simulated' });
      conn.sequenceId = 0;
    });
    conn.on('query', (sql) => {
      // Answers are deterministic per (port, sql): build them once with mysql2's writers, then
      // replay the bytes. Reply sequence ids always start at 1 (the query is packet 0), so the
      // cached bytes are valid for every later identical query.
      const cacheKey = `${port}\n${sql}`;
      const cached = replies.get(cacheKey);
      if (cached) {
        conn.stream.write(cached);
        conn.sequenceId = 0;
        return;
      }
      const chunks = [];
      const write = conn.stream.write;
      conn.stream.write = (chunk, ...rest) => {
        chunks.push(Buffer.from(chunk));
        return write.call(conn.stream, chunk, ...rest);
      };
      const statements = splitStatements(sql);
      for (const [i, st] of statements.entries()) {
        const rs = answer(port, st);
        if (!rs) {
          conn.writeError({ code: 1064, message: `fake fleet does not know: ${st.slice(0, 60)}` });
          break;
        }
        conn.writeColumns(rs.columns);
        for (const row of rs.rows) conn.writeTextRow(row);
        conn.writeEof(0, AUTOCOMMIT | (i < statements.length - 1 ? MORE_RESULTS : 0));
      }
      conn.stream.write = write;
      if (replies.size < 200_000) replies.set(cacheKey, Buffer.concat(chunks));
      conn.sequenceId = 0;
    });
  });
  return new Promise((resolve, reject) => {
    server._server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

for (let i = 0; i < count; i++) await serve(base + i);
process.stdout.write(`ready ${base} ${count}\n`);
process.on('SIGTERM', () => process.exit(0));
