// The pure checks of replication control: each refusal the reference makes, and the encodings.
import type { LiveState, ReplicaStatus } from '@orchestrator/recovery';
import { emptyInstance, type Instance } from '@orchestrator/store';
import { describe, expect, it } from 'vitest';
import {
  canReplicateFrom,
  checkMoveViaGtid,
  compareBinlogFiles,
  delayRefusal,
  detachedLogFile,
  detachMasterHostRefusal,
  detachReplicaRefusal,
  errantGtidRefusal,
  explodeOracleGtidSet,
  killQueryRefusal,
  locateMariaDBErrant,
  locateOracleErrant,
  mariadbStateWithoutErrant,
  parseDetachedLogFile,
  parseGtidListInfo,
  purgeRefusal,
  reattachMasterHostRefusal,
  reattachReplicaRefusal,
  resetReplicaRefusal,
  restartPreserveStatements,
  skipQueryRefusal,
} from '../../src/control/index.js';

const key = (port: number) => ({ Hostname: 'db', Port: port });

function replica(over: Partial<ReplicaStatus> = {}): ReplicaStatus {
  return {
    masterKey: key(1),
    masterUser: 'repl',
    ioRunning: true,
    ioState: 'Yes',
    sqlRunning: true,
    sqlRunningState: '',
    readCoordinates: { LogFile: 'mysql-bin.000003', LogPos: 400 },
    execCoordinates: { LogFile: 'mysql-bin.000003', LogPos: 400 },
    usingMariaDBGtid: true,
    autoPosition: false,
    secondsBehindMaster: 0,
    sqlDelay: 0,
    lastIOError: '',
    lastSQLError: '',
    ...over,
  };
}

function live(r: ReplicaStatus | null): LiveState {
  return {
    key: key(2),
    flavor: 'mariadb',
    serverId: 2,
    serverUuid: '',
    version: '10.11.19-MariaDB',
    readOnly: true,
    logBin: true,
    logSlaveUpdates: true,
    binlogFormat: 'ROW',
    replica: r,
    mariadb: { slavePos: '0-1-5', currentPos: '0-1-5', binlogPos: '0-1-5' },
    oracle: null,
  };
}

function inst(port: number, over: Partial<Instance> = {}): Instance {
  return {
    ...emptyInstance(key(port)),
    ServerID: port,
    Version: '10.11.19-MariaDB',
    Binlog_format: 'ROW',
    LogBinEnabled: true,
    LogReplicationUpdatesEnabled: true,
    ...over,
  };
}

describe('canReplicateFrom (the reference rules)', () => {
  it('accepts a sibling with binlogs and log_slave_updates', () => {
    expect(canReplicateFrom(inst(3, { MasterKey: key(1) }), inst(2, { MasterKey: key(1) }))).toBeNull();
  });
  it.each([
    ['itself', inst(2), inst(2), 'instance cannot replicate from itself: db:2'],
    [
      'no binlogs',
      inst(3),
      inst(2, { LogBinEnabled: false }),
      'instance does not have binary logs enabled: db:2',
    ],
    [
      'a replica without log_slave_updates',
      inst(3),
      inst(2, { MasterKey: key(1), LogReplicationUpdatesEnabled: false }),
      'instance does not have log_slave_updates enabled: db:2',
    ],
    [
      'a newer major version',
      inst(3, { Version: '10.6.1' }),
      inst(2, { Version: '10.11.2' }),
      'lower than 10.11.2',
    ],
    [
      'a bigger binlog format',
      inst(3, { Binlog_format: 'STATEMENT' }),
      inst(2, { Binlog_format: 'ROW' }),
      'Cannot replicate from ROW binlog format on db:2 to STATEMENT on db:3',
    ],
    ['an identical server id', inst(3, { ServerID: 7 }), inst(2, { ServerID: 7 }), 'Identical server id'],
    [
      'a much more delayed source',
      inst(3),
      inst(2, { SQLDelay: 3600 }),
      'db:2 has higher SQL_Delay (3600 seconds) than db:3 does (0 seconds)',
    ],
  ])('refuses %s', (_what, a, b, reason) => {
    expect(canReplicateFrom(a, b)).toContain(reason);
  });
  it('does not mind a master without log_slave_updates', () => {
    expect(canReplicateFrom(inst(3), inst(1, { LogReplicationUpdatesEnabled: false }))).toBeNull();
  });
  it('via GTID needs GTID on both sides', () => {
    expect(checkMoveViaGtid(inst(3, { UsingMariaDBGTID: true }), inst(2))).toBeNull();
    expect(checkMoveViaGtid(inst(3), inst(2))).toBe('Cannot move via GTID as not both instances use GTID');
  });
});

describe('replica state checks', () => {
  it('skip-query refuses a non-replica, a running SQL thread, no error, and MariaDB GTID', () => {
    expect(skipQueryRefusal(live(null))).toBe('instance is not a replica: db:2');
    expect(skipQueryRefusal(live(replica()))).toBe('Slave SQL thread is running on db:2');
    expect(skipQueryRefusal(live(replica({ sqlRunning: false })))).toBe('No SQL error on db:2');
    expect(skipQueryRefusal(live(replica({ sqlRunning: false, lastSQLError: 'Duplicate entry' })))).toContain(
      'is replicating with MariaDB GTID',
    );
    expect(
      skipQueryRefusal(live(replica({ sqlRunning: false, lastSQLError: 'dup', usingMariaDBGtid: false }))),
    ).toBeNull();
  });
  it('reset-replica refuses while either thread runs', () => {
    expect(resetReplicaRefusal(live(replica({ sqlRunning: false })))).toContain(
      'because replication is running',
    );
    expect(resetReplicaRefusal(live(replica({ ioRunning: false, sqlRunning: false })))).toBeNull();
    expect(resetReplicaRefusal(live(null))).toBe('instance is not a replica: db:2');
  });
  it('detach/reattach refuse the wrong state', () => {
    const detached = replica({ execCoordinates: { LogFile: '//mysql-bin.000003:400', LogPos: 400 } });
    expect(detachReplicaRefusal(live(replica()))).toBeNull();
    expect(detachReplicaRefusal(live(detached))).toContain('already detached');
    expect(reattachReplicaRefusal(live(replica()))).toContain('is not detached');
    expect(reattachReplicaRefusal(live(detached))).toBeNull();
    const hostDetached = replica({ masterKey: { Hostname: '//db', Port: 1 } });
    expect(detachMasterHostRefusal(live(hostDetached))).toBe('instance already detached: db:2');
    expect(reattachMasterHostRefusal(live(replica()))).toBe('instance does not seem to be detached: db:2');
    expect(reattachMasterHostRefusal(live(hostDetached))).toBeNull();
  });
  it('delay-replication wants non-negative integer seconds on a replica', () => {
    expect(delayRefusal(live(replica()), 60)).toBeNull();
    expect(delayRefusal(live(replica()), -1)).toContain('invalid seconds');
    expect(delayRefusal(live(null), 60)).toBe('instance is not a replica: db:2');
  });
});

describe('purge-binary-logs', () => {
  const binlogs = ['mysql-bin.000001', 'mysql-bin.000002', 'mysql-bin.000010'];
  it('orders binlog files by number, not text', () => {
    expect(compareBinlogFiles('mysql-bin.000002', 'mysql-bin.000010')).toBeLessThan(0);
    expect(compareBinlogFiles('mysql-bin.999999', 'mysql-bin.1000000')).toBeLessThan(0);
  });
  it('refuses a file that is not a binlog of the server', () => {
    expect(purgeRefusal(key(1), 'mysql-bin.000005', binlogs, [])).toContain('is not a binary log of db:1');
  });
  it('refuses while a replica still executes from an older file', () => {
    const consumer = { key: key(2), execLogFile: 'mysql-bin.000002', readLogFile: 'mysql-bin.000010' };
    expect(purgeRefusal(key(1), 'mysql-bin.000010', binlogs, [consumer])).toBe(
      'purge-binary-logs: binlog mysql-bin.000002 is in use by replica db:2; refusing to purge up to mysql-bin.000010',
    );
    expect(purgeRefusal(key(1), 'mysql-bin.000002', binlogs, [consumer])).toBeNull();
  });
});

describe('encodings', () => {
  it('detached coordinates round-trip, with the MariaDB GTID mode', () => {
    const c = { logFile: 'mysql-bin.000003', logPos: 400, useGtid: 'slave_pos' };
    expect(detachedLogFile(c)).toBe('//mysql-bin.000003:400:slave_pos');
    expect(parseDetachedLogFile(detachedLogFile(c))).toEqual(c);
    expect(parseDetachedLogFile('//mysql-bin.000003:400')).toEqual({
      logFile: 'mysql-bin.000003',
      logPos: 400,
    });
    expect(parseDetachedLogFile('mysql-bin.000003')).toBeNull();
  });
});

describe('kill-query', () => {
  it('refuses invalid and unknown ids and replication threads', () => {
    expect(killQueryRefusal(key(1), -1, null)).toBe('kill-query: invalid process id -1');
    expect(killQueryRefusal(key(1), 5, null)).toBe('kill-query: no process 5 on db:1');
    expect(killQueryRefusal(key(1), 5, { user: 'system user', command: 'Slave_SQL' })).toContain(
      'replication thread',
    );
    expect(killQueryRefusal(key(1), 5, { user: 'repl', command: 'Binlog Dump' })).toContain(
      'replication thread',
    );
    expect(killQueryRefusal(key(1), 5, { user: 'app', command: 'Query' })).toBeNull();
  });
});

describe('restart-replica-statements', () => {
  it('wraps the statement in stopping and restarting exactly the running threads', () => {
    expect(restartPreserveStatements({ ioRunning: true, sqlRunning: true }, 'set global x=1')).toEqual([
      'stop slave io_thread;',
      'stop slave sql_thread;',
      'set global x=1;',
      'start slave sql_thread;',
      'start slave io_thread;',
    ]);
    expect(restartPreserveStatements({ ioRunning: false, sqlRunning: true }, 'q;')).toEqual([
      'stop slave sql_thread;',
      'q;',
      'start slave sql_thread;',
    ]);
    expect(restartPreserveStatements(null, 'q')).toEqual(['q;']);
  });
});

describe('errant GTID', () => {
  it('refuses without errant GTID, inject-empty on MariaDB, and reset-master with replicas', () => {
    const view = { Key: key(2), GtidErrant: '', SupportsOracleGTID: true, Replicas: [], Version: '8.0.36' };
    expect(errantGtidRefusal('gtid-errant-reset-master', view)).toContain('no errant GTID is found');
    expect(
      errantGtidRefusal('gtid-errant-inject-empty', {
        ...view,
        GtidErrant: 'u:1',
        SupportsOracleGTID: false,
      }),
    ).toBe('gtid-errant-inject-empty requested for db:2 but it does not support oracle-gtid');
    expect(
      errantGtidRefusal('gtid-errant-reset-master', { ...view, GtidErrant: 'u:1', Replicas: [key(3)] }),
    ).toContain('because it has 1 replicas');
    const mariadb = { ...view, GtidErrant: '0-2-5', SupportsOracleGTID: false, Version: '10.11.19-MariaDB' };
    expect(errantGtidRefusal('gtid-errant-reset-master', mariadb)).toBeNull();
    expect(errantGtidRefusal('gtid-errant-inject-empty', mariadb)).toContain('does not support oracle-gtid');
    expect(
      errantGtidRefusal('gtid-errant-reset-master', {
        ...view,
        GtidErrant: 'u:1',
        SupportsOracleGTID: false,
        Version: '5.7.1',
      }),
    ).toBe('gtid-errant-reset-master requested for db:2 but it is not using oracle-gtid');
  });
  it('MariaDB reset-master keeps the binlog state minus the errant entries (back to what the master has)', () => {
    expect(mariadbStateWithoutErrant('0-1-20,0-2-23,1-3-4', '0-2-23', '0-1-20')).toBe('0-1-20,1-3-4');
    expect(mariadbStateWithoutErrant('0-1-20,0-2-23', '0-2-23', '0-1-20,0-2-11')).toBe('0-1-20,0-2-11');
  });
  it('locates MariaDB errant transactions by the Gtid_list of each binlog', () => {
    const files = [
      { name: 'b.000001', startState: parseGtidListInfo('[]') },
      { name: 'b.000002', startState: parseGtidListInfo('[0-1-10]') },
      { name: 'b.000003', startState: parseGtidListInfo('[0-1-20,0-2-11]') },
    ];
    // Server 2 wrote 0-2-11 in b.000002 and 0-2-12 in b.000003 (errant: the master has none of it).
    expect(locateMariaDBErrant(files, parseGtidListInfo('0-1-25,0-2-12'), '0-2-12', '0-1-25')).toEqual({
      binlogs: ['b.000002', 'b.000003'],
    });
    // Only the last one is errant when the master already has 0-2-11.
    expect(locateMariaDBErrant(files, parseGtidListInfo('0-1-25,0-2-12'), '0-2-12', '0-1-25,0-2-11')).toEqual(
      {
        binlogs: ['b.000003'],
      },
    );
    expect(locateMariaDBErrant(files.slice(2), parseGtidListInfo('0-2-12'), '0-2-12', '')).toEqual({
      purged: '0-2-11',
    });
  });
  it('locates Oracle errant transactions by Previous_gtids, and refuses purged ones', () => {
    const u = '00000000-0000-0000-0000-00000000000a';
    const files = [
      { name: 'b.1', previousGtids: '' },
      { name: 'b.2', previousGtids: `${u}:1-3` },
      { name: 'b.3', previousGtids: `${u}:1-5` },
    ];
    expect(locateOracleErrant(files, `${u}:2`, '')).toEqual({ binlogs: ['b.1'] });
    expect(locateOracleErrant(files, `${u}:4-6`, '')).toEqual({ binlogs: ['b.2', 'b.3'] });
    expect(locateOracleErrant(files, `${u}:2`, `${u}:1-2`)).toEqual({ purged: `${u}:2` });
  });
  it('explodes an Oracle GTID set into single transactions, bounded', () => {
    expect(explodeOracleGtidSet('u1:1-3:7')).toEqual(['u1:1', 'u1:2', 'u1:3', 'u1:7']);
    expect(() => explodeOracleGtidSet('u1:1-20', 10)).toThrow('more than 10');
  });
});
