// TopologyMoves.plan: the stored view is overlaid with what MySQL says right now for every instance
// the move touches, so the plan (or refusal) follows the live servers.
import type { LiveState, MySQLOperations } from '@orchestrator/recovery';
import { emptyInstance } from '@orchestrator/store';
import { describe, expect, it } from 'vitest';
import { type InstanceKey, type MoveInstance, TopologyMoves } from '../../src/moves/index.js';

const key = (host: string, port: number): InstanceKey => ({ Hostname: host, Port: port });

function stored(host: string, port: number, master: InstanceKey | null): MoveInstance {
  return {
    ...emptyInstance(key(host, port)),
    MasterKey: master ?? { Hostname: '', Port: 0 },
    ServerID: port,
    Version: '10.11.6-MariaDB',
    Binlog_format: 'ROW',
    LogBinEnabled: true,
    LogReplicationUpdatesEnabled: true,
    ReplicationSQLThreadRuning: master !== null,
    ReplicationIOThreadRuning: master !== null,
    UsingMariaDBGTID: master !== null,
    MariaDBGtidCurrentPos: '0-1-5',
    SecondsBehindMaster: { Int64: 0, Valid: master !== null },
    IsLastCheckValid: true,
  };
}

/** What each server answers now: its master as SHOW SLAVE STATUS names it, and whether the IO thread runs. */
function liveMySQL(servers: Record<number, { master?: InstanceKey; io?: boolean }>): MySQLOperations {
  const state = (k: InstanceKey): LiveState => {
    const s = servers[k.Port] ?? {};
    return {
      key: k,
      flavor: 'mariadb',
      serverId: k.Port,
      serverUuid: '',
      version: '10.11.6-MariaDB',
      readOnly: true,
      logBin: true,
      logSlaveUpdates: true,
      binlogFormat: 'ROW',
      replica: s.master
        ? ({
            masterKey: s.master,
            ioRunning: s.io ?? true,
            sqlRunning: true,
            usingMariaDBGtid: true,
            autoPosition: false,
            secondsBehindMaster: 0,
            sqlDelay: 0,
            readCoordinates: { LogFile: 'b.1', LogPos: 4 },
            execCoordinates: { LogFile: 'b.1', LogPos: 4 },
          } as LiveState['replica'])
        : null,
      mariadb: { slavePos: '0-1-5', currentPos: '0-1-5', binlogPos: '0-1-5' },
      oracle: null,
    };
  };
  return {
    readState: async (k: InstanceKey) => state(k),
    binlogCoordinates: async () => ({ LogFile: 'b.1', LogPos: 4 }),
  } as unknown as MySQLOperations;
}

function moves(view: MoveInstance[], mysql: MySQLOperations): TopologyMoves {
  return new TopologyMoves({
    mysql,
    leadership: { isLeaderWithQuorum: () => true },
    reads: { around: async () => view },
    ReasonableMaintenanceReplicationLagSeconds: 20,
    MaxConcurrentReplicaOperations: 5,
  });
}

// db-m:1 → db-i:2 → db-r:3, db-m:1 → db-s:4 (as the stored view knows them)
const view = [
  stored('db-m', 1, null),
  stored('db-i', 2, key('db-m', 1)),
  stored('db-r', 3, key('db-i', 2)),
  stored('db-s', 4, key('db-m', 1)),
];

describe('TopologyMoves.plan on live state', () => {
  it('keeps the known name of a master that SHOW SLAVE STATUS names by IP', async () => {
    const mysql = liveMySQL({ 2: { master: key('10.0.0.1', 1) }, 3: { master: key('10.0.0.2', 2) } });
    const plan = await moves(view, mysql).plan({
      kind: 'relocate',
      instance: key('db-r', 3),
      target: key('db-m', 1),
    });
    expect(plan).toMatchObject({ possible: true, method: 'MariaDB GTID' });
  });

  it('refuses on what the servers say now, not on the stored view', async () => {
    // The stored view has db-s replicating; live, its IO thread is stopped and it is behind db-r.
    const mysql = liveMySQL({ 3: { master: key('db-i', 2) }, 4: { master: key('db-m', 1), io: false } });
    const behind = view.map((i) => (i.Key.Port === 4 ? { ...i, MariaDBGtidCurrentPos: '0-1-5' } : i));
    const m = moves(behind, {
      ...mysql,
      readState: async (k: InstanceKey) => {
        const s = await mysql.readState(k);
        return k.Port === 4
          ? { ...s, mariadb: { slavePos: '0-1-3', currentPos: '0-1-3', binlogPos: '0-1-3' } }
          : s;
      },
    } as unknown as MySQLOperations);
    const plan = await m.plan({ kind: 'relocate', instance: key('db-r', 3), target: key('db-s', 4) });
    expect(plan).toMatchObject({ possible: false, code: 'TARGET_BEHIND' });
  });

  it('an instance that does not answer counts as a failed check', async () => {
    const mysql = {
      readState: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    } as unknown as MySQLOperations;
    const plan = await moves(view, mysql).plan({
      kind: 'relocate',
      instance: key('db-r', 3),
      target: key('db-s', 4),
    });
    expect(plan).toMatchObject({ possible: false, code: 'INVALID_CHECK' });
  });
});
