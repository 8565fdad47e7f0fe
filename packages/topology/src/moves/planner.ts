// The pure planner of single-replica moves: given one cluster's view and a request, the steps to
// take (GTID when both sides use it, binlog coordinates where siblings can be stopped at the same
// position) or the reason it cannot be done. No I/O; the executor re-plans on live state.
import {
  checkCanMove,
  checkCanReplicateFrom,
  checkFresh,
  checkGtidCompatible,
  checkNoCycle,
  checkNotInMaintenance,
  gtidMethod,
  isReplica,
  keyString,
  Refused,
  sameKey,
  View,
} from './rules.js';
import type {
  InstanceKey,
  MoveInstance,
  MovePlan,
  MoveRefusal,
  PlannerOptions,
  SingleMoveKind,
  Step,
} from './types.js';

export interface SingleMoveRequest {
  kind: SingleMoveKind;
  instance: InstanceKey;
  target?: InstanceKey | null;
}

const k = keyString;

function plan(
  kind: SingleMoveKind,
  moved: MoveInstance,
  target: MoveInstance,
  method: MovePlan['method'],
  steps: Step[],
  summary: string,
  others: MoveInstance[] = [],
): MovePlan {
  const involved = [moved, target, ...others].map((i) => i.Key);
  const unique = involved.filter((key, i) => involved.findIndex((x) => sameKey(x, key)) === i);
  return {
    possible: true,
    kind,
    instance: moved.Key,
    target: target.Key,
    method,
    steps,
    involved: unique,
    summary,
  };
}

/** `moved` below `target` with GTID: stop, let the new master catch up, re-point, start. */
function viaGtid(
  view: View,
  kind: SingleMoveKind,
  moved: MoveInstance,
  target: MoveInstance,
  opts: PlannerOptions,
  summary: string,
): MovePlan {
  checkNoCycle(view, moved, target);
  checkCanReplicateFrom(moved, target, opts);
  checkFresh(moved);
  checkNotInMaintenance(moved, target);
  const method = gtidMethod(moved, target);
  if (!method)
    throw new Refused(
      'NO_GTID',
      `${k(moved.Key)} does not replicate with GTID that ${k(target.Key)} supports (MariaDB GTID or Oracle auto-position)`,
    );
  checkGtidCompatible(moved, target, method, opts);
  return plan(
    kind,
    moved,
    target,
    method,
    [
      { op: 'stop-replication', instance: moved.Key },
      { op: 'wait-gtid', instance: target.Key, of: moved.Key },
      { op: 'change-master-gtid', instance: moved.Key, master: target.Key },
      { op: 'start-replication', instance: moved.Key },
    ],
    summary,
  );
}

/** The reference's refusal when Pseudo-GTID is needed but not configured. */
const NO_PSEUDO_GTID = 'PseudoGTIDPattern not configured; cannot use Pseudo-GTID';

/**
 * `moved` below `target` by Pseudo-GTID (reference MatchBelow): the replica's own binlog is matched
 * against the target's, so both need binary logs with log_slave_updates.
 */
function viaPseudoGtid(
  view: View,
  kind: SingleMoveKind,
  moved: MoveInstance,
  target: MoveInstance,
  opts: PlannerOptions,
  summary: string,
): MovePlan {
  checkNoCycle(view, moved, target);
  if (!opts.pseudoGtid) throw new Refused('NO_METHOD', NO_PSEUDO_GTID);
  checkCanReplicateFrom(moved, target, opts);
  checkFresh(moved);
  checkNotInMaintenance(moved, target);
  if (!moved.LogBinEnabled || !moved.LogReplicationUpdatesEnabled)
    throw new Refused(
      'NO_LOG_SLAVE_UPDATES',
      `${k(moved.Key)} needs log_bin and log_slave_updates to be matched by Pseudo-GTID (its binlog is what it executed)`,
    );
  if (!target.LogReplicationUpdatesEnabled && isReplica(target))
    throw new Refused(
      'NO_LOG_SLAVE_UPDATES',
      `instance does not have log_slave_updates enabled: ${k(target.Key)}`,
    );
  return plan(
    kind,
    moved,
    target,
    'Pseudo-GTID',
    [{ op: 'match-below', instance: moved.Key, master: target.Key }],
    summary,
  );
}

/**
 * Binlog coordinates: the master stops, the replica runs until exactly the master's own position,
 * then replicates from the grandmaster at the position the master had executed there.
 */
function takeMastersPlace(moved: MoveInstance, master: MoveInstance, grand: MoveInstance): Step[] {
  return [
    { op: 'stop-replication', instance: master.Key },
    { op: 'stop-replication', instance: moved.Key },
    { op: 'start-until', instance: moved.Key, until: { of: master.Key, which: 'self' } },
    {
      op: 'change-master-coordinates',
      instance: moved.Key,
      master: grand.Key,
      at: { of: master.Key, which: 'exec' },
    },
  ];
}

/** move-up with binlog coordinates: the master stops, the replica catches up to it exactly, then takes the master's position. */
function moveUpViaCoordinates(
  moved: MoveInstance,
  master: MoveInstance,
  grand: MoveInstance,
  opts: PlannerOptions,
  kind: SingleMoveKind,
): MovePlan {
  checkCanMove(moved, opts);
  checkCanReplicateFrom(moved, grand, opts);
  checkNotInMaintenance(moved, master, grand);
  return plan(
    kind,
    moved,
    grand,
    'binlog coordinates',
    [
      ...takeMastersPlace(moved, master, grand),
      { op: 'start-replication', instance: moved.Key },
      { op: 'start-replication', instance: master.Key },
    ],
    `moved up ${k(moved.Key)}. Previous master: ${k(master.Key)}`,
    [master],
  );
}

/** move-below a sibling with binlog coordinates: both stop at the same position, then one takes the other's own position. */
function moveBelowViaCoordinates(
  moved: MoveInstance,
  sibling: MoveInstance,
  opts: PlannerOptions,
  kind: SingleMoveKind,
): MovePlan {
  checkCanMove(moved, opts);
  checkCanMove(sibling, opts);
  checkCanReplicateFrom(moved, sibling, opts);
  checkNotInMaintenance(moved, sibling);
  return plan(
    kind,
    moved,
    sibling,
    'binlog coordinates',
    [
      { op: 'stop-replication', instance: moved.Key },
      { op: 'stop-replication', instance: sibling.Key },
      { op: 'sync-siblings', instance: moved.Key, sibling: sibling.Key },
      {
        op: 'change-master-coordinates',
        instance: moved.Key,
        master: sibling.Key,
        at: { of: sibling.Key, which: 'self' },
      },
      { op: 'start-replication', instance: moved.Key },
      { op: 'start-replication', instance: sibling.Key },
    ],
    `moved ${k(moved.Key)} below ${k(sibling.Key)}`,
  );
}

function requireTarget(req: SingleMoveRequest): InstanceKey {
  if (!req.target) throw new Refused('UNKNOWN_INSTANCE', `${req.kind} needs a destination instance`);
  return req.target;
}

function grandMaster(view: View, moved: MoveInstance): { master: MoveInstance; grand: MoveInstance } {
  const master = view.masterOf(moved);
  if (!isReplica(master))
    throw new Refused('MASTER_NOT_REPLICA', `master is not a replica itself: ${k(master.Key)}`);
  return { master, grand: view.get(master.MasterKey, `master of ${k(master.Key)}`) };
}

function moveUp(view: View, moved: MoveInstance, opts: PlannerOptions, match: boolean): MovePlan {
  const kind = match ? 'match-up' : 'move-up';
  const { master, grand } = grandMaster(view, moved);
  const summary = `moved up ${k(moved.Key)}. Previous master: ${k(master.Key)}`;
  if (gtidMethod(moved, grand)) return viaGtid(view, kind, moved, grand, opts, summary);
  // match-up is Pseudo-GTID (GTID when both use it, ours); move-up by coordinates.
  if (match) return viaPseudoGtid(view, kind, moved, grand, opts, summary);
  return moveUpViaCoordinates(moved, master, grand, opts, kind);
}

function moveBelow(view: View, moved: MoveInstance, sibling: MoveInstance, opts: PlannerOptions): MovePlan {
  checkNoCycle(view, moved, sibling);
  if (!isReplica(moved) || !isReplica(sibling) || !sameKey(moved.MasterKey, sibling.MasterKey))
    throw new Refused('NOT_SIBLINGS', `instances are not siblings: ${k(moved.Key)}, ${k(sibling.Key)}`);
  const summary = `moved ${k(moved.Key)} below ${k(sibling.Key)}`;
  if (gtidMethod(moved, sibling)) return viaGtid(view, 'move-below', moved, sibling, opts, summary);
  return moveBelowViaCoordinates(moved, sibling, opts, 'move-below');
}

/** relocate: GTID anywhere; without GTID only up one level or below a sibling (as the reference can). */
function relocate(view: View, moved: MoveInstance, target: MoveInstance, opts: PlannerOptions): MovePlan {
  checkNoCycle(view, moved, target);
  view.masterOf(moved);
  if (sameKey(moved.MasterKey, target.Key)) {
    checkNotInMaintenance(moved);
    return plan(
      'relocate',
      moved,
      target,
      'none',
      [],
      `${k(moved.Key)} already replicates from ${k(target.Key)}`,
    );
  }
  checkCanReplicateFrom(moved, target, opts);
  const summary = `relocated ${k(moved.Key)} below ${k(target.Key)}`;
  if (gtidMethod(moved, target)) return viaGtid(view, 'relocate', moved, target, opts, summary);
  // Pseudo-GTID before plain coordinates, as the reference: it stops nothing but the moved replica.
  if (opts.pseudoGtid && moved.LogReplicationUpdatesEnabled && moved.LogBinEnabled)
    return viaPseudoGtid(view, 'relocate', moved, target, opts, summary);
  const master = view.masterOf(moved);
  if (isReplica(master) && sameKey(master.MasterKey, target.Key)) {
    const p = moveUpViaCoordinates(moved, master, target, opts, 'relocate');
    return { ...p, summary };
  }
  // Below a sibling by coordinates, unless it is a writable co-master (the reference's relocate).
  if (
    isReplica(target) &&
    sameKey(target.MasterKey, moved.MasterKey) &&
    (!target.IsCoMaster || target.ReadOnly)
  ) {
    const p = moveBelowViaCoordinates(moved, target, opts, 'relocate');
    return { ...p, summary };
  }
  throw new Refused(
    'NO_METHOD',
    `Relocating ${k(moved.Key)} below ${k(target.Key)} turns to be too complex; please do it manually ` +
      '(without GTID or Pseudo-GTID a replica moves by binlog coordinates only up one level, or below a sibling that is not a writable co-master)',
  );
}

/** repoint: same or another master, no data checks beyond CanReplicateFrom (the operator knows it matches). */
function repoint(view: View, moved: MoveInstance, target: MoveInstance, opts: PlannerOptions): MovePlan {
  checkNoCycle(view, moved, target);
  view.masterOf(moved);
  checkCanReplicateFrom(moved, target, opts);
  checkNotInMaintenance(moved, target);
  const summary = `repointed ${k(moved.Key)} to ${k(target.Key)}`;
  const method = gtidMethod(moved, target);
  if (method)
    return plan(
      'repoint',
      moved,
      target,
      method,
      [
        { op: 'stop-replication', instance: moved.Key },
        { op: 'change-master-gtid', instance: moved.Key, master: target.Key },
        { op: 'start-replication', instance: moved.Key },
      ],
      summary,
    );
  if (!sameKey(moved.MasterKey, target.Key))
    throw new Refused(
      'NO_METHOD',
      `cannot repoint ${k(moved.Key)} to ${k(target.Key)} without GTID: its coordinates only mean something on its own master`,
    );
  return plan(
    'repoint',
    moved,
    target,
    'binlog coordinates',
    [
      { op: 'stop-replication', instance: moved.Key },
      {
        op: 'change-master-coordinates',
        instance: moved.Key,
        master: target.Key,
        at: { of: moved.Key, which: 'exec' },
      },
      { op: 'start-replication', instance: moved.Key },
    ],
    summary,
  );
}

/** take-master: the replica and its master swap places; the master must itself be a replica. */
function takeMaster(view: View, moved: MoveInstance, opts: PlannerOptions): MovePlan {
  const { master, grand } = grandMaster(view, moved);
  if (master.IsCoMaster) throw new Refused('CO_MASTER', `${k(master.Key)} is co-master. Cannot take it.`);
  checkCanReplicateFrom(master, moved, opts);
  checkCanReplicateFrom(moved, grand, opts);
  checkFresh(moved);
  checkNotInMaintenance(moved, master, grand);
  const summary = `took master: ${k(master.Key)}`;
  const method = gtidMethod(moved, grand) && gtidMethod(master, moved);
  if (method) {
    checkGtidCompatible(master, moved, method, opts);
    return plan(
      'take-master',
      moved,
      grand,
      method,
      [
        { op: 'stop-replication', instance: master.Key },
        { op: 'wait-gtid', instance: moved.Key, of: master.Key },
        { op: 'stop-replication', instance: moved.Key },
        { op: 'change-master-gtid', instance: moved.Key, master: grand.Key },
        { op: 'change-master-gtid', instance: master.Key, master: moved.Key },
        { op: 'start-replication', instance: moved.Key },
        { op: 'start-replication', instance: master.Key },
      ],
      summary,
      [master],
    );
  }
  checkCanMove(moved, opts);
  return plan(
    'take-master',
    moved,
    grand,
    'binlog coordinates',
    [
      ...takeMastersPlace(moved, master, grand),
      {
        op: 'change-master-coordinates',
        instance: master.Key,
        master: moved.Key,
        at: { of: moved.Key, which: 'self' },
      },
      { op: 'start-replication', instance: moved.Key },
      { op: 'start-replication', instance: master.Key },
    ],
    summary,
    [master],
  );
}

/** make-co-master: the top-level master also replicates from its replica (a two-node ring). */
function makeCoMaster(view: View, moved: MoveInstance, opts: PlannerOptions): MovePlan {
  const master = view.masterOf(moved);
  if (moved.IsCoMaster || (isReplica(master) && sameKey(master.MasterKey, moved.Key)))
    throw new Refused('CO_MASTER', `${k(moved.Key)} is already co-master of ${k(master.Key)}`);
  if (isReplica(master))
    throw new Refused(
      'NOT_TOP_MASTER',
      `${k(master.Key)} is not a real master; it replicates from: ${k(master.MasterKey)}`,
    );
  checkCanMove(moved, opts);
  checkCanReplicateFrom(master, moved, opts);
  if (!moved.LogReplicationUpdatesEnabled)
    throw new Refused(
      'NO_LOG_SLAVE_UPDATES',
      `instance does not have log_slave_updates enabled: ${k(moved.Key)}`,
    );
  checkNotInMaintenance(moved, master);
  const summary = `made co-master: ${k(moved.Key)} and ${k(master.Key)}`;
  const method = gtidMethod(moved, master) && gtidMethod(moved, moved);
  const credentialsFrom = moved.Key;
  if (method) {
    if (moved.GtidErrant !== '')
      throw new Refused(
        'ERRANT_GTID',
        `${k(moved.Key)} has errant GTIDs (${moved.GtidErrant}) that ${k(master.Key)} would replicate`,
      );
    const align: Step[] =
      method === 'MariaDB GTID' ? [{ op: 'align-gtid-slave-pos', instance: master.Key }] : [];
    return {
      ...plan(
        'make-co-master',
        moved,
        master,
        method,
        [
          { op: 'wait-gtid', instance: moved.Key, of: master.Key },
          ...align,
          { op: 'change-master-gtid', instance: master.Key, master: moved.Key, credentialsFrom },
          { op: 'start-replication', instance: master.Key },
        ],
        summary,
      ),
    };
  }
  return plan(
    'make-co-master',
    moved,
    master,
    'binlog coordinates',
    [
      { op: 'stop-replication', instance: moved.Key },
      {
        op: 'change-master-coordinates',
        instance: master.Key,
        master: moved.Key,
        at: { of: moved.Key, which: 'self' },
        credentialsFrom,
      },
      { op: 'start-replication', instance: master.Key },
      { op: 'start-replication', instance: moved.Key },
    ],
    summary,
  );
}

function planSingleOrThrow(view: View, req: SingleMoveRequest, opts: PlannerOptions): MovePlan {
  const moved = view.get(req.instance);
  const target = () => view.get(requireTarget(req), 'destination');
  switch (req.kind) {
    case 'relocate':
      return relocate(view, moved, target(), opts);
    case 'move-up':
      return moveUp(view, moved, opts, false);
    case 'match-up':
      return moveUp(view, moved, opts, true);
    case 'move-below':
      return moveBelow(view, moved, target(), opts);
    case 'move-below-gtid':
    case 'move-equivalent': {
      const t = target();
      view.masterOf(moved);
      return viaGtid(view, req.kind, moved, t, opts, `moved ${k(moved.Key)} below ${k(t.Key)} via GTID`);
    }
    case 'match-below': {
      // Pseudo-GTID (GTID when both use it: ours).
      const t = target();
      view.masterOf(moved);
      if (gtidMethod(moved, t))
        return viaGtid(view, req.kind, moved, t, opts, `moved ${k(moved.Key)} below ${k(t.Key)} via GTID`);
      return viaPseudoGtid(view, req.kind, moved, t, opts, `matched ${k(moved.Key)} below ${k(t.Key)}`);
    }
    case 'repoint':
      return repoint(view, moved, req.target ? target() : view.masterOf(moved), opts);
    case 'take-master':
      return takeMaster(view, moved, opts);
    case 'make-co-master':
      return makeCoMaster(view, moved, opts);
  }
}

/** Plans one replica's move, or says why it cannot be done. Pure. */
export function planSingleMove(
  instances: readonly MoveInstance[] | View,
  req: SingleMoveRequest,
  opts: PlannerOptions,
): MovePlan | MoveRefusal {
  const view = instances instanceof View ? instances : new View(instances);
  try {
    return planSingleOrThrow(view, req, opts);
  } catch (error) {
    if (error instanceof Refused) return { possible: false, code: error.code, reason: error.message };
    throw error;
  }
}
