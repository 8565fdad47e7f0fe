// Planning moves of several replicas at once. Each replica's move is planned on its own: one that
// cannot move is skipped with its reason, the others still move. Regroup first picks the replica
// that becomes the new local master (the most advanced one that can serve as a master).
import { sortReplicasForPromotion } from '@orchestrator/recovery';
import { planSingleMove, type SingleMoveRequest } from './planner.js';
import { isReplica, keyString, Refused, sameKey, View } from './rules.js';
import type {
  GroupMoveKind,
  GroupPlan,
  InstanceKey,
  MoveInstance,
  MovePlan,
  MoveRefusal,
  PlannerOptions,
} from './types.js';

export interface GroupMoveRequest {
  kind: GroupMoveKind;
  instance: InstanceKey;
  target?: InstanceKey | null;
  /** Only replicas whose `host:port` matches (reference `?pattern=`). */
  pattern?: RegExp | null;
}

const k = keyString;

function collect(
  kind: GroupMoveKind,
  instance: InstanceKey,
  target: InstanceKey | null,
  requests: SingleMoveRequest[],
  view: View,
  opts: PlannerOptions,
  summary: (moved: number) => string,
  skipped: GroupPlan['skipped'] = [],
): GroupPlan {
  const moves: MovePlan[] = [];
  for (const r of requests) {
    const p = planSingleMove(view, r, opts);
    if (p.possible) moves.push(p);
    else skipped.push({ key: r.instance, reason: p.reason });
  }
  if (moves.length === 0 && skipped.length > 0 && requests.length > 0)
    throw new Refused(
      'NO_METHOD',
      `no replica can be moved: ${skipped.map((s) => `${k(s.key)}: ${s.reason}`).join('; ')}`,
    );
  const gtid = moves.every((m) => m.method === 'MariaDB GTID' || m.method === 'Oracle GTID');
  const methods = [...new Set(moves.map((m) => m.method))];
  return {
    possible: true,
    kind,
    instance,
    target,
    method:
      methods.length === 1 ? (methods[0] ?? 'none') : methods.length === 0 ? 'none' : 'binlog coordinates',
    moves,
    skipped,
    parallel: gtid,
    summary: summary(moves.length),
  };
}

function requireTarget(req: GroupMoveRequest): InstanceKey {
  if (!req.target) throw new Refused('UNKNOWN_INSTANCE', `${req.kind} needs a destination instance`);
  return req.target;
}

function replicasOrRefuse(view: View, key: InstanceKey, pattern?: RegExp | null): MoveInstance[] {
  const replicas = view.replicasOf(key).filter((r) => !pattern || pattern.test(k(r.Key)));
  if (replicas.length === 0)
    throw new Refused(
      'NO_REPLICAS',
      `${k(key)} has no replicas${pattern ? ` matching ${pattern.source}` : ''}`,
    );
  return replicas;
}

/** regroup: the most advanced replica able to serve as a master takes its siblings below it. */
function regroup(
  view: View,
  req: GroupMoveRequest,
  opts: PlannerOptions,
  gtidOnly: boolean,
  how?: 'match-below',
): GroupPlan {
  const parent = view.get(req.instance);
  const replicas = replicasOrRefuse(view, parent.Key);
  const eligible = replicas.filter(
    (r) =>
      r.LogBinEnabled &&
      r.LogReplicationUpdatesEnabled &&
      r.IsLastCheckValid &&
      !r.IsDowntimed &&
      !r.InMaintenance &&
      r.PromotionRule !== 'must_not',
  );
  const [candidate] = sortReplicasForPromotion(eligible, { rules: new Map() });
  if (!candidate)
    throw new Refused(
      'NO_CANDIDATE',
      `no replica of ${k(parent.Key)} can take the others: none has log_bin and log_slave_updates, is fresh, not downtimed and not in maintenance`,
    );
  const kind = how ?? (gtidOnly ? 'move-below-gtid' : 'move-below');
  const others = replicas.filter((r) => !sameKey(r.Key, candidate.Key));
  return collect(
    req.kind,
    parent.Key,
    candidate.Key,
    others.map((r) => ({ kind, instance: r.Key, target: candidate.Key })),
    view,
    opts,
    (n) => `regrouped ${n} replicas of ${k(parent.Key)} below ${k(candidate.Key)}`,
  );
}

/**
 * regroup-replicas-pgtid (reference RegroupReplicasPseudoGTID): the most advanced replica able to
 * serve stops, and every sibling is matched below it by Pseudo-GTID (a sibling at its position
 * continues where its binlog ends); it replicates again afterwards.
 */
function regroupPseudoGtid(view: View, req: GroupMoveRequest, opts: PlannerOptions): GroupPlan {
  if (!opts.pseudoGtid)
    throw new Refused('NO_METHOD', 'PseudoGTIDPattern not configured; cannot use Pseudo-GTID');
  const plan = regroup(view, req, opts, false, 'match-below');
  const candidate = plan.target as InstanceKey;
  return {
    ...plan,
    method: 'Pseudo-GTID',
    parallel: false,
    before: [{ op: 'stop-replication', instance: candidate }],
    after: [{ op: 'start-replication', instance: candidate }],
  };
}

function planGroupOrThrow(view: View, req: GroupMoveRequest, opts: PlannerOptions): GroupPlan {
  const parent = view.get(req.instance);
  switch (req.kind) {
    case 'relocate-replicas':
    case 'move-replicas-gtid':
    case 'match-replicas': {
      const target = view.get(requireTarget(req), 'destination').Key;
      const kind =
        req.kind === 'relocate-replicas'
          ? 'relocate'
          : req.kind === 'match-replicas'
            ? 'match-below'
            : 'move-below-gtid';
      const replicas = replicasOrRefuse(view, parent.Key, req.pattern).filter((r) => !sameKey(r.Key, target));
      return collect(
        req.kind,
        parent.Key,
        target,
        replicas.map((r) => ({ kind, instance: r.Key, target })),
        view,
        opts,
        (n) => `relocated ${n} replicas of ${k(parent.Key)} below ${k(target)}`,
      );
    }
    case 'move-up-replicas':
    case 'match-up-replicas': {
      if (!isReplica(parent)) throw new Refused('NOT_REPLICA', `instance is not a replica: ${k(parent.Key)}`);
      const kind = req.kind === 'move-up-replicas' ? 'move-up' : 'match-up';
      return collect(
        req.kind,
        parent.Key,
        parent.MasterKey,
        replicasOrRefuse(view, parent.Key, req.pattern).map((r) => ({ kind, instance: r.Key })),
        view,
        opts,
        (n) => `moved up ${n} replicas of ${k(parent.Key)}`,
      );
    }
    case 'repoint-replicas':
      return collect(
        req.kind,
        parent.Key,
        parent.Key,
        replicasOrRefuse(view, parent.Key, req.pattern).map((r) => ({
          kind: 'repoint',
          instance: r.Key,
          target: parent.Key,
        })),
        view,
        opts,
        (n) => `repointed ${n} replicas of ${k(parent.Key)}`,
      );
    case 'take-siblings': {
      const master = view.masterOf(parent);
      const siblings = view.replicasOf(master.Key).filter((r) => !sameKey(r.Key, parent.Key));
      return collect(
        req.kind,
        parent.Key,
        parent.Key,
        siblings.map((r) => ({ kind: 'move-below', instance: r.Key, target: parent.Key })),
        view,
        opts,
        (n) => `${k(parent.Key)} took ${n} siblings`,
      );
    }
    case 'regroup-replicas':
      return regroup(view, req, opts, false);
    case 'regroup-replicas-gtid':
      return regroup(view, req, opts, true);
    case 'regroup-replicas-pgtid':
      return regroupPseudoGtid(view, req, opts);
  }
}

/** Plans a move of several replicas, or says why none can be done. Pure. */
export function planGroupMove(
  instances: readonly MoveInstance[],
  req: GroupMoveRequest,
  opts: PlannerOptions,
): GroupPlan | MoveRefusal {
  try {
    return planGroupOrThrow(new View(instances), req, opts);
  } catch (error) {
    if (error instanceof Refused) return { possible: false, code: error.code, reason: error.message };
    throw error;
  }
}
