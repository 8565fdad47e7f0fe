// Stopping a lagging replica whose applier waits on a lock (STOP SLAVE would hang): the applier is
// killed once the nice wait is over, and only appliers waiting on a lock are.
import { describe, expect, it } from 'vitest';
import { lockedApplierThreads, stopReplicationUnsticking } from '../src/flows/stuck-applier.js';
import type { MySQLOperations } from '../src/mysql/operations.js';
import type { RecoveryRun } from '../src/run.js';
import { key } from './fixtures.js';

const processlist = [
  { Id: 7, User: 'system user', Command: 'Slave_IO', State: 'Waiting for master to send event' },
  { Id: 8, User: 'system user', Command: 'Slave_SQL', State: 'Waiting for table metadata lock' },
  { Id: 9, User: 'system user', Command: 'Slave_worker', State: 'Waiting for global read lock' },
  { Id: 10, User: 'backup', Command: 'Query', State: 'Waiting for table metadata lock' },
  { Id: 11, User: 'system user', Command: 'Slave_worker', State: 'Waiting for work from SQL thread' },
  { Id: 12, User: 'root', Command: 'Sleep', State: '' },
];

describe('lockedApplierThreads', () => {
  it('picks replication threads waiting on a lock, never client sessions or idle workers', () => {
    expect(lockedApplierThreads(processlist)).toEqual([8, 9]);
    expect(lockedApplierThreads([])).toEqual([]);
  });
});

function fakeRun(opts: { applied: boolean; sqlRunning: boolean }) {
  const calls: string[] = [];
  const audits: string[] = [];
  const mysql = {
    replicaStatus: async () => ({ sqlRunning: opts.sqlRunning }),
    execute: async (_k: unknown, _step: string, sql: string) => {
      calls.push(sql);
    },
    waitRelayLogApplied: async (_k: unknown, timeoutMs: number) => {
      calls.push(`wait ${timeoutMs}`);
      return opts.applied;
    },
    query: async (_k: unknown, sql: string) => {
      calls.push(sql);
      return processlist;
    },
    kill: async (_k: unknown, id: number) => {
      calls.push(`KILL ${id}`);
    },
    stopReplication: async () => {
      calls.push('STOP SLAVE');
    },
  } as unknown as MySQLOperations;
  const run = {
    ctx: { mysql },
    audit: async (m: string) => {
      audits.push(m);
    },
  } as unknown as RecoveryRun;
  return { run, calls, audits };
}

describe('stopReplicationUnsticking', () => {
  it('stops the IO thread, waits, and stops replication when the relay log gets applied', async () => {
    const { run, calls } = fakeRun({ applied: true, sqlRunning: true });
    expect(await stopReplicationUnsticking(run, key(3307), 5000)).toBe(true);
    expect(calls).toEqual(['STOP SLAVE IO_THREAD', 'wait 5000', 'STOP SLAVE']);
  });

  it('kills appliers stuck on a lock before STOP SLAVE, and reports the relay log as not applied', async () => {
    const { run, calls, audits } = fakeRun({ applied: false, sqlRunning: true });
    expect(await stopReplicationUnsticking(run, key(3307), 1000)).toBe(false);
    expect(calls).toEqual([
      'STOP SLAVE IO_THREAD',
      'wait 1000',
      'SHOW PROCESSLIST',
      'KILL 8',
      'KILL 9',
      'STOP SLAVE',
    ]);
    expect(audits).toHaveLength(2);
    expect(audits[0]).toMatch(/killed replication applier thread 8 on 127\.0\.0\.1:3307/);
  });

  it('does not wait for a stopped SQL thread', async () => {
    const { run, calls } = fakeRun({ applied: true, sqlRunning: false });
    await stopReplicationUnsticking(run, key(3307), 5000);
    expect(calls).toContain('wait 0');
  });
});
