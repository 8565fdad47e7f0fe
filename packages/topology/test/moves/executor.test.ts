// The executor against a scripted MySQL: a failing step stops the move and restarts replication
// where the plan had stopped it, leadership is checked before each step, locks are all-or-nothing,
// and group moves never run more than MaxConcurrentReplicaOperations at once.
import type { MySQLOperations, ReplicaStatus } from '@orchestrator/recovery';
import { describe, expect, it } from 'vitest';
import {
  type AuditEntry,
  type GroupPlan,
  type InstanceKey,
  type MoveError,
  MoveExecutor,
  MoveFailedError,
  type MovePlan,
} from '../../src/moves/index.js';

const key = (port: number): InstanceKey => ({ Hostname: 'h', Port: port });

/** A fake of the MySQLOperations methods the executor uses; every change is logged as "op port". */
function fakeMySQL(
  options: {
    failOn?: string;
    onChange?: (op: string) => void;
    delayMs?: number;
    /** Live master port of each replica (default: 1). */
    masters?: Record<number, number>;
  } = {},
) {
  const calls: string[] = [];
  const status = (port: number): ReplicaStatus =>
    ({
      masterKey: key(options.masters?.[port] ?? 1),
      execCoordinates: { LogFile: 'b.1', LogPos: port },
    }) as unknown as ReplicaStatus;
  const change = async (op: string, port: number) => {
    const call = `${op} ${port}`;
    options.onChange?.(call);
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    if (options.failOn === call) throw new Error(`${call} failed`);
    calls.push(call);
  };
  const mysql = {
    replicaStatus: async (k: InstanceKey) => status(k.Port),
    stopReplication: (k: InstanceKey) => change('stop', k.Port),
    startReplication: (k: InstanceKey) => change('start', k.Port),
    changeMasterTo: (k: InstanceKey, m: InstanceKey) => change(`change-master-to-${m.Port}`, k.Port),
    gtidPosition: async () => ({ flavor: 'mariadb' as const, position: '0-1-10' }),
  } as unknown as MySQLOperations;
  return { mysql, calls };
}

function gtidMove(port: number, target: number): MovePlan {
  return {
    possible: true,
    kind: 'relocate',
    instance: key(port),
    target: key(target),
    method: 'MariaDB GTID',
    steps: [
      { op: 'stop-replication', instance: key(port) },
      { op: 'wait-gtid', instance: key(target), of: key(port) },
      { op: 'change-master-gtid', instance: key(port), master: key(target) },
      { op: 'start-replication', instance: key(port) },
    ],
    involved: [key(port), key(target)],
    summary: `relocated ${port} below ${target}`,
  };
}

function executor(
  mysql: MySQLOperations,
  extra: { leading?: () => boolean; audit?: AuditEntry[]; held?: Set<number> } = {},
) {
  return new MoveExecutor({
    mysql,
    leadership: { isLeaderWithQuorum: extra.leading ?? (() => true) },
    audit: async (e) => {
      extra.audit?.push(e);
    },
    locks: extra.held
      ? {
          begin: async (k) => !extra.held?.has(k.Port) && Boolean(extra.held?.add(k.Port)),
          end: async (k) => {
            extra.held?.delete(k.Port);
          },
        }
      : undefined,
    ReasonableMaintenanceReplicationLagSeconds: 1,
    MaxConcurrentReplicaOperations: 2,
    pollMs: 1,
  });
}

describe('MoveExecutor', () => {
  it('runs the steps in order and audits each one and the move', async () => {
    const { mysql, calls } = fakeMySQL();
    const audit: AuditEntry[] = [];
    await executor(mysql, { audit }).run(gtidMove(3, 5));
    expect(calls).toEqual(['stop 3', 'change-master-to-5 3', 'start 3']);
    expect(audit.map((a) => a.message)).toEqual([
      'relocate h:3: step 1/4: stop replication on h:3',
      'relocate h:3: step 2/4: wait until h:5 has applied every GTID of h:3',
      'relocate h:3: step 3/4: point h:3 at h:5 with GTID auto-positioning',
      'relocate h:3: step 4/4: start replication on h:3',
      'relocated 3 below 5',
    ]);
  });

  it('a failing step stops the move, restarts what it stopped and says which step failed', async () => {
    const { mysql, calls } = fakeMySQL({ failOn: 'change-master-to-5 3' });
    const audit: AuditEntry[] = [];
    const error = await executor(mysql, { audit })
      .run(gtidMove(3, 5))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MoveFailedError);
    expect((error as MoveFailedError).completedSteps).toBe(2);
    expect((error as Error).message).toBe(
      'relocate h:3 failed at step 3/4 (point h:3 at h:5 with GTID auto-positioning): change-master-to-5 3 failed; replication restarted on h:3',
    );
    expect(calls).toEqual(['stop 3', 'start 3']);
    expect(audit.at(-1)?.message).toBe((error as Error).message);
  });

  it('stops before the next step when leadership is lost, and refuses to start without it', async () => {
    let leading = true;
    const { mysql, calls } = fakeMySQL({
      onChange: (c) => {
        if (c === 'stop 3') leading = false;
      },
    });
    const error = await executor(mysql, { leading: () => leading })
      .run(gtidMove(3, 5))
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/failed at step 2\/4 .*not the raft leader/);
    expect(calls).toEqual(['stop 3']);
    const none = fakeMySQL();
    const refused = await executor(none.mysql, { leading: () => false })
      .run(gtidMove(3, 5))
      .catch((e: unknown) => e);
    expect((refused as MoveError).code).toBe('NOT_LEADER');
    expect(none.calls).toEqual([]);
  });

  it('re-checks for a cycle on live servers before re-pointing', async () => {
    // The plan was made on a stale view: 5 now replicates from 4, which replicates from 3.
    const { mysql, calls } = fakeMySQL({ masters: { 5: 4, 4: 3 } });
    const error = await executor(mysql)
      .run(gtidMove(3, 5))
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /failed at step 3\/4 .*h:5 now replicates from h:3: the move would create a replication cycle; replication restarted on h:3/,
    );
    expect(calls).toEqual(['stop 3', 'start 3']);
  });

  it('takes maintenance locks on every involved instance, all or nothing', async () => {
    const { mysql, calls } = fakeMySQL();
    const held = new Set([5]);
    const error = await executor(mysql, { held })
      .run(gtidMove(3, 5))
      .catch((e: unknown) => e);
    expect((error as MoveError).code).toBe('LOCKED');
    expect([...held]).toEqual([5]);
    expect(calls).toEqual([]);
    held.clear();
    await executor(mysql, { held }).run(gtidMove(3, 5));
    expect([...held]).toEqual([]);
  });

  it('group moves run at most MaxConcurrentReplicaOperations at a time and report each failure', async () => {
    let inFlight = 0;
    let most = 0;
    const { mysql } = fakeMySQL({
      delayMs: 5,
      failOn: 'change-master-to-5 13',
      onChange: (c) => {
        if (c.startsWith('stop')) most = Math.max(most, ++inFlight);
        if (c.startsWith('start')) inFlight--;
      },
    });
    const moves = [11, 12, 13, 14, 15].map((p) => gtidMove(p, 5));
    const group: GroupPlan = {
      possible: true,
      kind: 'relocate-replicas',
      instance: key(1),
      target: key(5),
      method: 'MariaDB GTID',
      moves,
      skipped: [],
      parallel: true,
      summary: 'relocated',
    };
    const outcome = await executor(mysql, { held: new Set() }).runGroup(group);
    expect(outcome.moved.map((k) => k.Port).sort()).toEqual([11, 12, 14, 15]);
    expect(outcome.failed).toEqual([
      { key: key(13), error: expect.stringMatching(/change-master-to-5 13 failed/) },
    ]);
    expect(most).toBeLessThanOrEqual(2);
    expect(most).toBe(2);
  });
});
