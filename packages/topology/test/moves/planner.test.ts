// The planner's rules, one test per refusal, plus the steps it chooses for each method.
import { emptyInstance } from '@orchestrator/store';
import { describe, expect, it } from 'vitest';
import {
  type AnyPlan,
  type MoveInstance,
  type MoveRefusal,
  type MoveRequest,
  planMove,
  planSteps,
} from '../../src/moves/index.js';

const key = (port: number) => ({ Hostname: '127.0.0.1', Port: port });
const opts = { ReasonableMaintenanceReplicationLagSeconds: 20 };

/** A MariaDB 10.11 instance with binlogs and log_slave_updates, replicating with GTID when `master` is given. */
function inst(port: number, master: number | null, over: Partial<MoveInstance> = {}): MoveInstance {
  const replica = master !== null;
  return {
    ...emptyInstance(key(port)),
    MasterKey: replica ? key(master) : { Hostname: '', Port: 0 },
    ServerID: port,
    Version: '10.11.6-MariaDB',
    Binlog_format: 'ROW',
    LogBinEnabled: true,
    LogReplicationUpdatesEnabled: true,
    ReplicationSQLThreadRuning: replica,
    ReplicationIOThreadRuning: replica,
    UsingMariaDBGTID: replica,
    MariaDBGtidCurrentPos: '0-1-100',
    SecondsBehindMaster: { Int64: 0, Valid: replica },
    IsLastCheckValid: true,
    ...over,
  };
}

/** 1 → 2 → 3 (a chain), 1 → 4, 1 → 5. */
function cluster(over: Record<number, Partial<MoveInstance>> = {}): MoveInstance[] {
  return [inst(1, null), inst(2, 1), inst(3, 2), inst(4, 1), inst(5, 1)].map((i) => ({
    ...i,
    ...over[i.Key.Port],
  }));
}

/** Same shape, replicating with plain binlog coordinates. */
function coordinatesCluster(over: Record<number, Partial<MoveInstance>> = {}): MoveInstance[] {
  return cluster(
    Object.fromEntries(
      [1, 2, 3, 4, 5].map((p) => [p, { UsingMariaDBGTID: false, Version: '10.11.6-MariaDB', ...over[p] }]),
    ),
  );
}

function request(kind: MoveRequest['kind'], instance: number, target?: number): MoveRequest {
  return { kind, instance: key(instance), target: target === undefined ? null : key(target) };
}

function refused(instances: MoveInstance[], req: MoveRequest): MoveRefusal {
  const p = planMove(instances, req, opts);
  if (p.possible) throw new Error(`expected a refusal, got a ${p.method} plan`);
  return p;
}

function planned(instances: MoveInstance[], req: MoveRequest): AnyPlan {
  const p = planMove(instances, req, opts);
  if (!p.possible) throw new Error(`expected a plan, got ${p.code}: ${p.reason}`);
  return p;
}

const ops = (p: AnyPlan) => ('moves' in p ? p.moves.flatMap((m) => m.steps) : p.steps).map((s) => s.op);

describe('planner refusals (one rule each)', () => {
  it('UNKNOWN_INSTANCE: the instance or destination is not in the view', () => {
    expect(refused(cluster(), request('relocate', 9, 1)).code).toBe('UNKNOWN_INSTANCE');
    expect(refused(cluster(), request('relocate', 4, 9)).reason).toMatch(
      /destination 127.0.0.1:9 is not known/,
    );
  });

  it('SELF: a replica cannot replicate from itself', () => {
    expect(refused(cluster(), request('relocate', 4, 4)).code).toBe('SELF');
  });

  it('CYCLE: an instance cannot move below its own descendant', () => {
    const r = refused(cluster(), request('relocate', 2, 3));
    expect(r.code).toBe('CYCLE');
    expect(r.reason).toMatch(/cycle/);
  });

  it('NOT_REPLICA: the master cannot move up', () => {
    expect(refused(cluster(), request('move-up', 1)).code).toBe('NOT_REPLICA');
  });

  it('MASTER_NOT_REPLICA: move-up and take-master need a master that is itself a replica', () => {
    expect(refused(cluster(), request('move-up', 4)).reason).toBe(
      'master is not a replica itself: 127.0.0.1:1',
    );
    expect(refused(cluster(), request('take-master', 4)).code).toBe('MASTER_NOT_REPLICA');
  });

  it('NOT_SIBLINGS: move-below takes a sibling only', () => {
    expect(refused(cluster(), request('move-below', 3, 4)).code).toBe('NOT_SIBLINGS');
  });

  it('NO_BINLOG: the new master must write binary logs', () => {
    expect(refused(cluster({ 5: { LogBinEnabled: false } }), request('relocate', 3, 5)).code).toBe(
      'NO_BINLOG',
    );
  });

  it('NO_LOG_SLAVE_UPDATES: a replica serving as master must log what it replicates', () => {
    const r = refused(cluster({ 5: { LogReplicationUpdatesEnabled: false } }), request('relocate', 3, 5));
    expect(r.code).toBe('NO_LOG_SLAVE_UPDATES');
    expect(r.reason).toBe('instance does not have log_slave_updates enabled: 127.0.0.1:5');
  });

  it('VERSION: a newer-version master under an older replica is refused', () => {
    const r = refused(cluster({ 3: { Version: '10.6.12-MariaDB' } }), request('relocate', 3, 5));
    expect(r.code).toBe('VERSION');
  });

  it('BINLOG_FORMAT: a STATEMENT replica cannot take ROW events', () => {
    expect(refused(cluster({ 3: { Binlog_format: 'STATEMENT' } }), request('relocate', 3, 5)).code).toBe(
      'BINLOG_FORMAT',
    );
  });

  it('SERVER_ID: identical server ids', () => {
    expect(refused(cluster({ 3: { ServerID: 5 } }), request('relocate', 3, 5)).code).toBe('SERVER_ID');
  });

  it('SQL_DELAY: a delayed new master under an undelayed replica', () => {
    expect(refused(cluster({ 5: { SQLDelay: 3600 } }), request('relocate', 3, 5)).code).toBe('SQL_DELAY');
  });

  it('NOT_REPLICATING: binlog-coordinate moves need replicating instances', () => {
    const view = coordinatesCluster({ 4: { ReplicationSQLThreadRuning: false } });
    expect(refused(view, request('move-below', 4, 5)).code).toBe('NOT_REPLICATING');
  });

  it('LAG: binlog-coordinate moves refuse a replica lagging beyond the allowance', () => {
    const view = coordinatesCluster({ 3: { SecondsBehindMaster: { Int64: 100, Valid: true } } });
    expect(refused(view, request('move-up', 3)).code).toBe('LAG');
  });

  it('INVALID_CHECK: an instance whose last probe failed is not moved', () => {
    expect(refused(cluster({ 3: { IsLastCheckValid: false } }), request('relocate', 3, 5)).code).toBe(
      'INVALID_CHECK',
    );
  });

  it('MAINTENANCE: an instance under maintenance is not moved', () => {
    expect(refused(cluster({ 5: { InMaintenance: true } }), request('relocate', 3, 5)).code).toBe(
      'MAINTENANCE',
    );
  });

  it('NO_GTID: move-below-gtid needs GTID replication', () => {
    expect(refused(coordinatesCluster(), request('move-below-gtid', 3, 5)).code).toBe('NO_GTID');
  });

  it('ERRANT_GTID: errant transactions on either side, or diverged positions', () => {
    expect(refused(cluster({ 3: { GtidErrant: '0-3-1' } }), request('relocate', 3, 5)).code).toBe(
      'ERRANT_GTID',
    );
    expect(refused(cluster({ 5: { GtidErrant: '0-5-1' } }), request('relocate', 3, 5)).code).toBe(
      'ERRANT_GTID',
    );
    const diverged = cluster({
      3: { MariaDBGtidCurrentPos: '0-1-100,1-7-5' },
      5: { MariaDBGtidCurrentPos: '0-1-101' },
    });
    expect(refused(diverged, request('relocate', 3, 5)).reason).toMatch(/diverged/);
  });

  it('ERRANT_GTID: transactions a replica wrote itself (its own server id) block moving it or below it', () => {
    const view = cluster({ 3: { MariaDBGtidCurrentPos: '0-1-100,9-3-2' } });
    const r = refused(view, request('relocate', 3, 5));
    expect(r.code).toBe('ERRANT_GTID');
    expect(r.reason).toMatch(/9-3-2/);
    expect(refused(view, request('relocate', 4, 3)).code).toBe('ERRANT_GTID');
    const oracle = { Version: '8.0.36', UsingMariaDBGTID: false, SupportsOracleGTID: true };
    const m = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa:1-10';
    const u = 'cccccccc-cccc-cccc-cccc-cccccccccccc';
    const oracleView = cluster(
      Object.fromEntries(
        [1, 2, 3, 4, 5].map((p) => [
          p,
          {
            ...oracle,
            UsingOracleGTID: p !== 1,
            ExecutedGtidSet: p === 3 ? `${m},${u}:1-2` : m,
            ServerUUID: p === 3 ? u : `uuid-${p}`,
          },
        ]),
      ),
    );
    expect(refused(oracleView, request('relocate', 3, 1)).code).toBe('ERRANT_GTID');
  });

  it('TARGET_BEHIND: a new master behind the replica that does not replicate', () => {
    const view = cluster({
      3: { MariaDBGtidCurrentPos: '0-1-120' },
      5: { MariaDBGtidCurrentPos: '0-1-100', ReplicationIOThreadRuning: false },
    });
    expect(refused(view, request('relocate', 3, 5)).code).toBe('TARGET_BEHIND');
    const lagging = cluster({
      3: { MariaDBGtidCurrentPos: '0-1-120' },
      5: { MariaDBGtidCurrentPos: '0-1-100', SecondsBehindMaster: { Int64: 500, Valid: true } },
    });
    expect(refused(lagging, request('relocate', 3, 5)).code).toBe('LAG');
  });

  it('CO_MASTER: take-master refuses to take a co-master', () => {
    expect(refused(cluster({ 2: { IsCoMaster: true } }), request('take-master', 3)).code).toBe('CO_MASTER');
  });

  it('NOT_TOP_MASTER: make-co-master needs the master to be a top-level master', () => {
    expect(refused(cluster(), request('make-co-master', 3)).code).toBe('NOT_TOP_MASTER');
  });

  it('NO_REPLICAS: group moves of an instance without replicas', () => {
    expect(refused(cluster(), request('relocate-replicas', 3, 4)).code).toBe('NO_REPLICAS');
    expect(refused(cluster(), request('regroup-replicas', 5)).code).toBe('NO_REPLICAS');
  });

  it('NO_METHOD: without GTID, relocate only moves up one level or below a sibling', () => {
    const far = refused(coordinatesCluster(), request('relocate', 3, 4));
    expect(far.code).toBe('NO_METHOD');
    expect(far.reason).toMatch(
      /^Relocating 127\.0\.0\.1:3 below 127\.0\.0\.1:4 turns to be too complex; please do it manually/,
    );
    expect(refused(coordinatesCluster(), request('repoint', 3, 4)).code).toBe('NO_METHOD');
    // Below a sibling by coordinates, but not below a writable co-master (the reference's relocate).
    expect(planned(coordinatesCluster(), request('relocate', 4, 5)).method).toBe('binlog coordinates');
    const coMaster = coordinatesCluster({ 5: { IsCoMaster: true, ReadOnly: false } });
    expect(refused(coMaster, request('relocate', 4, 5)).code).toBe('NO_METHOD');
    const passive = coordinatesCluster({ 5: { IsCoMaster: true, ReadOnly: true } });
    expect(planned(passive, request('relocate', 4, 5)).method).toBe('binlog coordinates');
  });

  it('Pseudo-GTID: match-below, match-up and relocate when configured; the reference refusal when not', () => {
    const pg = { ...opts, pseudoGtid: true };
    const noPg = planMove(coordinatesCluster(), request('match-below', 3, 4), opts);
    expect(noPg).toMatchObject({
      possible: false,
      code: 'NO_METHOD',
      reason: 'PseudoGTIDPattern not configured; cannot use Pseudo-GTID',
    });
    const match = planMove(coordinatesCluster(), request('match-below', 3, 4), pg);
    expect(match).toMatchObject({ possible: true, method: 'Pseudo-GTID' });
    if (!match.possible) throw new Error(match.reason);
    expect(ops(match)).toEqual(['match-below']);
    expect(planMove(coordinatesCluster(), request('match-up', 3), pg)).toMatchObject({
      method: 'Pseudo-GTID',
    });
    expect(planMove(coordinatesCluster(), request('relocate', 3, 4), pg)).toMatchObject({
      method: 'Pseudo-GTID',
    });
    // A replica without log_slave_updates cannot be matched (its binlog is not what it executed).
    const noLsu = coordinatesCluster({ 3: { LogReplicationUpdatesEnabled: false } });
    expect(planMove(noLsu, request('match-below', 3, 4), pg)).toMatchObject({ code: 'NO_LOG_SLAVE_UPDATES' });
    // GTID replicas keep GTID (ours).
    expect(planMove(cluster(), request('match-below', 3, 4), pg)).toMatchObject({ method: 'MariaDB GTID' });
  });

  it('regroup-replicas-pgtid: the promoted replica stops first and starts last; siblings are matched', () => {
    const pg = { ...opts, pseudoGtid: true };
    expect(planMove(coordinatesCluster(), request('regroup-replicas', 1), opts).possible).toBe(true);
    expect(planMove(coordinatesCluster(), request('regroup-replicas-pgtid', 1), opts)).toMatchObject({
      possible: false,
      code: 'NO_METHOD',
    });
    const group = planMove(coordinatesCluster(), request('regroup-replicas-pgtid', 1), pg);
    if (!group.possible || !('moves' in group)) throw new Error('expected a group plan');
    expect(group).toMatchObject({ method: 'Pseudo-GTID', parallel: false });
    expect(group.before).toEqual([{ op: 'stop-replication', instance: group.target }]);
    expect(group.after).toEqual([{ op: 'start-replication', instance: group.target }]);
    expect(new Set(group.moves.map((m) => m.steps[0]?.op))).toEqual(new Set(['match-below']));
  });

  it('NO_CANDIDATE: regroup needs a replica able to serve as a master', () => {
    const view = cluster({
      2: { LogReplicationUpdatesEnabled: false },
      4: { IsDowntimed: true },
      5: { LogBinEnabled: false },
    });
    expect(refused(view, request('regroup-replicas', 1)).code).toBe('NO_CANDIDATE');
  });
});

describe('planner methods and steps', () => {
  it('relocate with MariaDB GTID: stop, wait for the new master, re-point, start', () => {
    const p = planned(cluster(), request('relocate', 3, 5));
    expect(p.method).toBe('MariaDB GTID');
    expect(ops(p)).toEqual(['stop-replication', 'wait-gtid', 'change-master-gtid', 'start-replication']);
    expect(planSteps(p)[2]).toEqual({
      Description: 'point 127.0.0.1:3 at 127.0.0.1:5 with GTID auto-positioning',
      Instance: '127.0.0.1:3',
    });
  });

  it('Oracle GTID is used when both sides auto-position', () => {
    const oracle = {
      Version: '8.0.36',
      UsingMariaDBGTID: false,
      SupportsOracleGTID: true,
      ExecutedGtidSet: 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa:1-10',
    };
    const view = cluster(
      Object.fromEntries([1, 2, 3, 4, 5].map((p) => [p, { ...oracle, UsingOracleGTID: p !== 1 }])),
    );
    expect(planned(view, request('relocate', 3, 1)).method).toBe('Oracle GTID');
  });

  it('relocate to the current master is a no-op', () => {
    const p = planned(cluster(), request('relocate', 3, 2));
    expect(p.method).toBe('none');
    expect(ops(p)).toEqual([]);
  });

  it('move-up with binlog coordinates stops the master and runs the replica until its position', () => {
    const p = planned(coordinatesCluster(), request('move-up', 3));
    expect(p.method).toBe('binlog coordinates');
    expect(ops(p)).toEqual([
      'stop-replication',
      'stop-replication',
      'start-until',
      'change-master-coordinates',
      'start-replication',
      'start-replication',
    ]);
    expect('target' in p && p.target).toEqual(key(1));
  });

  it('move-below a sibling with binlog coordinates syncs both first', () => {
    const p = planned(coordinatesCluster(), request('move-below', 4, 5));
    expect(ops(p)).toContain('sync-siblings');
    expect(planned(coordinatesCluster(), request('relocate', 4, 5)).method).toBe('binlog coordinates');
  });

  it('take-master with GTID swaps the replica and its master', () => {
    const p = planned(cluster(), request('take-master', 3));
    expect(p.method).toBe('MariaDB GTID');
    if ('moves' in p) throw new Error('single plan expected');
    expect(p.target).toEqual(key(1));
    expect(
      p.steps.filter((s) => s.op === 'change-master-gtid').map((s) => 'master' in s && s.master.Port),
    ).toEqual([1, 3]);
  });

  it('make-co-master points the top master at the replica with replication credentials', () => {
    const p = planned(cluster(), request('make-co-master', 4));
    expect(ops(p)).toEqual(['wait-gtid', 'align-gtid-slave-pos', 'change-master-gtid', 'start-replication']);
  });

  it('group moves: GTID moves run in parallel, refused replicas are skipped with a reason', () => {
    const p = planned(cluster({ 4: { IsLastCheckValid: false } }), request('relocate-replicas', 1, 2));
    if (!('moves' in p)) throw new Error('group plan expected');
    expect(p.parallel).toBe(true);
    expect(p.moves.map((m) => m.instance.Port)).toEqual([5]);
    expect(p.skipped).toEqual([{ key: key(4), reason: '127.0.0.1:4: last check invalid' }]);
  });

  it('coordinate group moves run one by one', () => {
    const p = planned(coordinatesCluster(), request('take-siblings', 4));
    if (!('moves' in p)) throw new Error('group plan expected');
    expect(p.parallel).toBe(false);
    expect(p.moves.map((m) => m.instance.Port).sort()).toEqual([2, 5]);
  });

  it('regroup promotes the most advanced replica that can serve', () => {
    const view = cluster({
      4: { MariaDBGtidCurrentPos: '0-1-105' },
      5: { MariaDBGtidCurrentPos: '0-1-104' },
    });
    const p = planned(view, request('regroup-replicas', 1));
    if (!('moves' in p)) throw new Error('group plan expected');
    expect(p.target).toEqual(key(4));
    expect(p.moves.map((m) => m.instance.Port).sort()).toEqual([2, 5]);
  });

  it('group moves take only the replicas matching ?pattern=', () => {
    const p = planMove(cluster(), { ...request('relocate-replicas', 1, 4), pattern: /:5$/ }, opts);
    if (!p.possible || !('moves' in p)) throw new Error('group plan expected');
    expect(p.moves.map((m) => m.instance.Port)).toEqual([5]);
    expect(
      planMove(cluster(), { ...request('repoint-replicas', 1), pattern: /nothing/ }, opts),
    ).toMatchObject({
      possible: false,
      code: 'NO_REPLICAS',
    });
  });

  it('move-up-replicas moves every replica to the grandparent', () => {
    const p = planned(cluster(), request('move-up-replicas', 2));
    if (!('moves' in p)) throw new Error('group plan expected');
    expect(p.moves.map((m) => m.target.Port)).toEqual([1]);
  });
});
