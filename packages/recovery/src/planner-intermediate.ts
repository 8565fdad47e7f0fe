// The pure plan of a DeadIntermediateMaster recovery (reference §5.2 "Other recoveries"): where the
// orphaned replicas go, how (GTID, binlog coordinates, Pseudo-GTID), and who is lost and why.
import type { RecoveryConfig } from './config.js';
import { type BinlogPosition, compareBinlogPositions, formatBinlogPosition } from './coordinates.js';
import { compareMariaDBGtid, compareOracleGtid, parseMariaDBGtidPos, parseOracleGtidSet } from './gtid.js';
import {
  type GtidFlavor,
  gtidFlavorOf,
  type LostReason,
  type PlanRefusal,
  type PlanStep,
  type RegroupMethod,
} from './planner.js';
import type { InstanceKey, InstanceView } from './types.js';

const keyOf = (k: InstanceKey) => `${k.Hostname}:${k.Port}`;

export interface IntermediateMasterPlan {
  ok: true;
  method: RegroupMethod | 'pseudo-gtid';
  /** The GTID flavor of a GTID move; null otherwise. */
  flavor: GtidFlavor | null;
  target: InstanceKey;
  moved: InstanceKey[];
  lost: { key: InstanceKey; reason: LostReason | string }[];
  steps: PlanStep[];
}

export interface IntermediateMasterInput {
  config: RecoveryConfig;
  /** Live state of the orphaned replicas (stopped, in the final plan). */
  replicas: readonly InstanceView[];
  /** Reachable servers to move them under, best first (siblings, the intermediate master's master). */
  targets: readonly InstanceView[];
  /**
   * The intermediate master itself when it answers (AllIntermediateMasterReplicasFailingToConnectOrDead),
   * its replication stopped: by binlog coordinates its replicas then move up to its master.
   */
  intermediate?: InstanceView | null;
  /** Pseudo-GTID matching is available (PseudoGTIDPattern configured). */
  pseudoGtid?: boolean;
}

/** Position a server offers to its replicas: its own binlog (MariaDB gtid_binlog_pos). */
function servesUpTo(
  target: InstanceView,
  replica: InstanceView,
  flavor: GtidFlavor,
): 'ok' | 'ahead' | 'diverged' {
  const cmp =
    flavor === 'mariadb'
      ? compareMariaDBGtid(
          parseMariaDBGtidPos(replica.MariaDBGtidSlavePos || replica.MariaDBGtidCurrentPos),
          parseMariaDBGtidPos(target.MariaDBGtidBinlogPos || target.MariaDBGtidCurrentPos),
        )
      : compareOracleGtid(
          parseOracleGtidSet(replica.ExecutedGtidSet),
          parseOracleGtidSet(target.ExecutedGtidSet),
        );
  return cmp === 'ahead' ? 'ahead' : cmp === 'diverged' ? 'diverged' : 'ok';
}

function lostSteps(config: RecoveryConfig, lost: IntermediateMasterPlan['lost']): PlanStep[] {
  return lost.flatMap(({ key, reason }): PlanStep[] => [
    ...(config.DetachLostReplicasAfterMasterFailover ? [{ op: 'detach' as const, instance: key }] : []),
    { op: 'downtime', instance: key, reason: `lost-in-recovery: ${reason}` },
  ]);
}

/**
 * DeadIntermediateMaster: move the orphaned replicas under a reachable target. With GTID `targets`
 * are tried in order and the first every replica can follow (or the one losing the fewest) wins. By
 * binlog coordinates, replicas of an intermediate master that still answers move up to its master
 * (those that executed all of its binlog, at the position it executed), or are matched below the
 * first target by Pseudo-GTID; otherwise nothing can place them and the plan is refused.
 */
export function planIntermediateMasterRecovery(
  input: IntermediateMasterInput,
): IntermediateMasterPlan | PlanRefusal {
  const { replicas, targets, config } = input;
  if (replicas.length === 0)
    return { ok: false, code: 'NO_REPLICAS', message: 'the dead intermediate master has no replicas' };
  const flavor = gtidFlavorOf(replicas);
  if (flavor) return nobodyMoves(viaGtid(config, replicas, targets, flavor));
  const im = input.intermediate;
  if (im?.IsLastCheckValid && im.MasterKey.Hostname !== '' && im.LogBinEnabled) {
    const up = targets.find((t) => keyOf(t.Key) === keyOf(im.MasterKey));
    if (up) return nobodyMoves(moveUpByCoordinates(config, replicas, im, up, input.pseudoGtid === true));
  }
  const servesPseudoGtid = targets.find((t) => t.LogBinEnabled && t.LogReplicationUpdatesEnabled);
  if (input.pseudoGtid && servesPseudoGtid) {
    const steps: PlanStep[] = replicas.map((r) => ({
      op: 'repoint',
      instance: r.Key,
      master: servesPseudoGtid.Key,
      via: 'pseudo-gtid',
    }));
    return {
      ok: true,
      method: 'pseudo-gtid',
      flavor: null,
      target: servesPseudoGtid.Key,
      moved: replicas.map((r) => r.Key),
      lost: [],
      steps,
    };
  }
  return {
    ok: false,
    code: 'NO_METHOD',
    message:
      `${replicas.map((r) => keyOf(r.Key)).join(', ')} replicate by binlog coordinates of the dead intermediate master, ` +
      'which no longer answers: without GTID or Pseudo-GTID (PseudoGTIDPattern) nothing can place them under another server',
  };
}

/** A plan that moves nobody only loses replicas: it is refused, so nothing is detached. */
function nobodyMoves(plan: IntermediateMasterPlan | PlanRefusal): IntermediateMasterPlan | PlanRefusal {
  if (!plan.ok || plan.moved.length > 0) return plan;
  return {
    ok: false,
    code: 'NO_METHOD',
    message: `no replica can be placed under ${keyOf(plan.target)}: ${plan.lost.map((l) => `${keyOf(l.key)} (${l.reason})`).join(', ')}`,
  };
}

function viaGtid(
  config: RecoveryConfig,
  replicas: readonly InstanceView[],
  targets: readonly InstanceView[],
  flavor: GtidFlavor,
): IntermediateMasterPlan | PlanRefusal {
  let best: IntermediateMasterPlan | null = null;
  for (const target of targets) {
    if (!target.LogBinEnabled) continue;
    const moved: InstanceKey[] = [];
    const lost: IntermediateMasterPlan['lost'] = [];
    for (const r of replicas) {
      const verdict = servesUpTo(target, r, flavor);
      if (verdict === 'ok') moved.push(r.Key);
      else
        lost.push({
          key: r.Key,
          reason: verdict === 'ahead' ? 'ahead of the candidate' : 'cannot replicate from the candidate',
        });
    }
    const steps: PlanStep[] = [
      ...moved.map((key): PlanStep => ({ op: 'repoint', instance: key, master: target.Key, via: 'gtid' })),
      ...lostSteps(config, lost),
    ];
    const plan: IntermediateMasterPlan = {
      ok: true,
      method: flavor === 'mariadb' ? 'mariadb-gtid' : 'oracle-gtid',
      flavor,
      target: target.Key,
      moved,
      lost,
      steps,
    };
    if (!best || plan.lost.length < best.lost.length) best = plan;
    if (plan.lost.length === 0) break;
  }
  if (!best)
    return {
      ok: false,
      code: 'TARGET_NOT_FOUND',
      message: 'no reachable server with binary logs to move the replicas under',
    };
  return best;
}

/**
 * The reference's move-up by coordinates, for every orphaned replica at once: the intermediate
 * master is stopped; a replica that executed all of its binlog continues from its master at the
 * position the intermediate master executed there. One behind it is matched by Pseudo-GTID or lost.
 */
function moveUpByCoordinates(
  config: RecoveryConfig,
  replicas: readonly InstanceView[],
  im: InstanceView,
  up: InstanceView,
  pseudoGtid: boolean,
): IntermediateMasterPlan {
  const end: BinlogPosition = im.SelfBinlogCoordinates;
  const at: BinlogPosition = {
    LogFile: im.ExecBinlogCoordinates.LogFile,
    LogPos: im.ExecBinlogCoordinates.LogPos,
  };
  const moved: InstanceKey[] = [];
  const lost: IntermediateMasterPlan['lost'] = [];
  const steps: PlanStep[] = [];
  for (const r of replicas) {
    const cmp = compareBinlogPositions(r.ExecBinlogCoordinates, end);
    if (cmp === 0) {
      moved.push(r.Key);
      steps.push({ op: 'repoint', instance: r.Key, master: up.Key, via: 'coordinates', at });
    } else if (cmp < 0 && pseudoGtid && up.LogReplicationUpdatesEnabled) {
      moved.push(r.Key);
      steps.push({ op: 'repoint', instance: r.Key, master: up.Key, via: 'pseudo-gtid' });
    } else
      lost.push({
        key: r.Key,
        reason:
          cmp < 0
            ? `behind ${keyOf(im.Key)} (${formatBinlogPosition(r.ExecBinlogCoordinates)} of ${formatBinlogPosition(end)}), and neither GTID nor Pseudo-GTID can place it`
            : 'ahead of the candidate',
      });
  }
  return {
    ok: true,
    method: 'binlog-coordinates',
    flavor: null,
    target: up.Key,
    moved,
    lost,
    steps: [...steps, ...lostSteps(config, lost)],
  };
}
