import { describe, expect, it } from 'vitest';
import { emptyInstance, type Instance, instanceProblems } from '../src/index.js';

const thresholds = { ReasonableReplicationLagSeconds: 10 };

/** A healthy, freshly checked replica; overrides make it unhealthy. */
function replica(overrides: Partial<Instance> = {}): Instance {
  return {
    ...emptyInstance({ Hostname: 'db2', Port: 3306 }),
    MasterKey: { Hostname: 'db1', Port: 3306 },
    IsLastCheckValid: true,
    IsRecentlyChecked: true,
    ReplicationSQLThreadState: 1,
    ReplicationIOThreadState: 1,
    ReplicationSQLThreadRuning: true,
    ReplicationIOThreadRuning: true,
    ReplicationLagSeconds: { Int64: 0, Valid: true },
    ...overrides,
  };
}

describe('instanceProblems', () => {
  it('a healthy replica and a healthy master have none', () => {
    expect(instanceProblems(replica(), thresholds)).toEqual([]);
    const master = {
      ...emptyInstance({ Hostname: 'db1', Port: 3306 }),
      IsLastCheckValid: true,
      IsRecentlyChecked: true,
    };
    expect(instanceProblems(master, thresholds)).toEqual([]);
  });

  it('an invalid last check hides every other replication problem', () => {
    const i = replica({
      IsLastCheckValid: false,
      IsRecentlyChecked: false,
      ReplicationIOThreadRuning: false,
    });
    expect(instanceProblems(i, thresholds)).toEqual(['last_check_invalid']);
  });

  it('not recently checked comes before replication state', () => {
    const i = replica({ IsRecentlyChecked: false, ReplicationSQLThreadRuning: false });
    expect(instanceProblems(i, thresholds)).toEqual(['not_recently_checked']);
  });

  it('a stopped IO or SQL thread is not_replicating', () => {
    expect(instanceProblems(replica({ ReplicationIOThreadRuning: false }), thresholds)).toEqual([
      'not_replicating',
    ]);
    expect(instanceProblems(replica({ ReplicationSQLThreadRuning: false }), thresholds)).toEqual([
      'not_replicating',
    ]);
  });

  it('no replication threads at all (a master) is not not_replicating', () => {
    const i = replica({
      ReplicationSQLThreadState: -1,
      ReplicationIOThreadState: -1,
      ReplicationSQLThreadRuning: false,
      ReplicationIOThreadRuning: false,
    });
    expect(instanceProblems(i, thresholds)).toEqual([]);
  });

  it('not_replicating comes before replication_lag', () => {
    const i = replica({
      ReplicationIOThreadRuning: false,
      ReplicationLagSeconds: { Int64: 99, Valid: true },
    });
    expect(instanceProblems(i, thresholds)).toEqual(['not_replicating']);
  });

  it('replication_lag is lag beyond SQL_Delay strictly above ReasonableReplicationLagSeconds', () => {
    const lag = (s: number, extra: Partial<Instance> = {}) =>
      instanceProblems(replica({ ReplicationLagSeconds: { Int64: s, Valid: true }, ...extra }), thresholds);
    expect(lag(10)).toEqual([]);
    expect(lag(11)).toEqual(['replication_lag']);
    expect(lag(40, { SQLDelay: 30 })).toEqual([]);
    expect(lag(41, { SQLDelay: 30 })).toEqual(['replication_lag']);
    // absolute difference: far behind the configured delay is also a problem
    expect(lag(5, { SQLDelay: 30 })).toEqual(['replication_lag']);
    expect(lag(99, { ReplicationLagSeconds: { Int64: 99, Valid: false } })).toEqual([]);
  });

  it('errant_gtid is added after any replication problem', () => {
    expect(instanceProblems(replica({ GtidErrant: 'u:1-5' }), thresholds)).toEqual(['errant_gtid']);
    expect(instanceProblems(replica({ IsLastCheckValid: false, GtidErrant: 'u:1-5' }), thresholds)).toEqual([
      'last_check_invalid',
      'errant_gtid',
    ]);
  });
});
