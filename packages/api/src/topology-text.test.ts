import { emptyInstance, type Instance } from '@orchestrator/model';
import { describe, expect, it } from 'vitest';
import { topologyText } from './topology-text.js';

function inst(host: string, master: string | null, extra: Partial<Instance> = {}): Instance {
  return {
    ...emptyInstance({ Hostname: host, Port: 3306 }),
    Version: '8.0.36',
    IsLastCheckValid: true,
    IsRecentlyChecked: true,
    LogBinEnabled: true,
    Binlog_format: 'ROW',
    MasterKey: master === null ? { Hostname: '', Port: 0 } : { Hostname: master, Port: 3306 },
    ReplicationSQLThreadRuning: master !== null,
    ReplicationIOThreadRuning: master !== null,
    ReplicationLagSeconds: { Int64: 0, Valid: true },
    ...extra,
  };
}

describe('topologyText', () => {
  it('indents by depth and sorts siblings', () => {
    const text = topologyText([
      inst('c', 'a', { ReadOnly: true }),
      inst('a', null, { GTIDMode: 'ON' }),
      inst('b', 'a', { ReadOnly: true, UsingOracleGTID: true, LogReplicationUpdatesEnabled: true }),
      inst('d', 'b', { ReadOnly: true, ReplicationSQLThreadRuning: false }),
    ]);
    expect(text.split('\n')).toEqual([
      'a:3306     [0s,ok,8.0.36,rw,ROW,GTID]',
      '+ b:3306   [0s,ok,8.0.36,ro,ROW,>>,GTID]',
      '  + d:3306 [null,nonreplicating,8.0.36,ro,ROW]',
      '+ c:3306   [0s,ok,8.0.36,ro,ROW]',
    ]);
  });

  it('shows lag, invalid checks and co-master rings without looping', () => {
    const text = topologyText([
      inst('a', 'b', { IsCoMaster: true }),
      inst('b', 'a', { IsCoMaster: true, ReadOnly: true, ReplicationLagSeconds: { Int64: 30, Valid: true } }),
      inst('x', 'a', { IsLastCheckValid: false }),
    ]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^a:3306 +\[0s,ok,8.0.36,rw,ROW\]$/);
    expect(lines[1]).toMatch(/^\+ b:3306 +\[30s,lag,/);
    expect(lines[2]).toMatch(/^ {2}\+ a:3306 +\[.*,co-master\]$/);
    expect(lines[3]).toMatch(/^\+ x:3306 +\[unknown,invalid,/);
    expect(lines).toHaveLength(4);
  });
});
