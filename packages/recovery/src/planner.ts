// The pure recovery planner: given what failed and the live state of the replicas involved, the
// ordered steps a recovery will take, or a typed refusal that says why none can.
import {
  chooseCandidateReplica,
  comparePositions,
  type Ineligibility,
  sortReplicasForPromotion,
} from './candidates.js';
import type { RecoveryConfig } from './config.js';
import { compareMariaDBGtid, compareOracleGtid, parseMariaDBGtidPos, parseOracleGtidSet } from './gtid.js';
import type { InstanceKey, InstanceView, PromotionRule } from './types.js';

export type GtidFlavor = 'mariadb' | 'oracle';

export type LostReason = 'ahead of the candidate' | 'cannot replicate from the candidate' | 'no GTID';

export type PlanStep =
  | { op: 'catch-up'; instance: InstanceKey; from: InstanceKey }
  | { op: 'wait-sql-thread'; instance: InstanceKey }
  | { op: 'promote'; instance: InstanceKey; applyMySQLPromotion: boolean }
  | { op: 'repoint'; instance: InstanceKey; master: InstanceKey }
  | { op: 'detach'; instance: InstanceKey }
  | { op: 'downtime'; instance: InstanceKey; reason: string }
  | { op: 'old-master-read-only'; instance: InstanceKey };

export type RefusalCode =
  | 'NO_REPLICAS'
  | 'NOT_GTID'
  | 'NO_CANDIDATE'
  | 'DESIGNATED_NOT_ELIGIBLE'
  | 'SQL_THREAD_NOT_UP_TO_DATE'
  | 'TARGET_NOT_FOUND';

export interface PlanRefusal {
  ok: false;
  code: RefusalCode;
  message: string;
  rejected?: Map<string, Ineligibility[]>;
}

export interface MasterFailoverPlan {
  ok: true;
  flavor: GtidFlavor;
  candidate: InstanceKey;
  /** When the chosen candidate is behind the most advanced replica, it first replicates from that one. */
  catchUpFrom: InstanceKey | null;
  moved: InstanceKey[];
  lost: { key: InstanceKey; reason: LostReason }[];
  ideal: boolean;
  steps: PlanStep[];
}

export interface MasterFailoverInput {
  config: RecoveryConfig;
  deadMaster: InstanceView | null;
  deadMasterKey: InstanceKey;
  /** Live state of the dead master's replicas, after replication was stopped. */
  replicas: readonly InstanceView[];
  rules: ReadonlyMap<string, PromotionRule>;
  designated?: InstanceKey | null;
  /** Graceful takeovers promote even when ApplyMySQLPromotionAfterMasterFailover is off. */
  forcePromotion?: boolean;
}

const keyOf = (k: InstanceKey) => `${k.Hostname}:${k.Port}`;

export function gtidFlavorOf(replicas: readonly InstanceView[]): GtidFlavor | null {
  const valid = replicas.filter((r) => r.IsLastCheckValid);
  if (valid.length === 0) return null;
  if (valid.every((r) => r.UsingMariaDBGTID)) return 'mariadb';
  if (valid.every((r) => r.UsingOracleGTID)) return 'oracle';
  return null;
}

/** True when the SQL thread applied everything the IO thread read (Exec == Read coordinates). */
export function sqlThreadUpToDate(i: InstanceView): boolean {
  return (
    i.ReadBinlogCoordinates.LogFile === i.ExecBinlogCoordinates.LogFile &&
    i.ReadBinlogCoordinates.LogPos === i.ExecBinlogCoordinates.LogPos
  );
}

/** Plans DeadMaster / DeadCoMaster / force and graceful failovers with GTID (reference §5.2). */
export function planMasterFailover(input: MasterFailoverInput): MasterFailoverPlan | PlanRefusal {
  const { config, replicas } = input;
  if (replicas.length === 0)
    return { ok: false, code: 'NO_REPLICAS', message: 'the dead master has no replicas' };
  const flavor = gtidFlavorOf(replicas);
  if (!flavor)
    return {
      ok: false,
      code: 'NOT_GTID',
      message: 'not every valid replica uses GTID (Pseudo-GTID and binlog servers are not supported)',
    };
  const sorted = sortReplicasForPromotion(replicas, { deadMaster: input.deadMaster, rules: input.rules });
  const choice = chooseCandidateReplica(sorted, {
    config,
    rules: input.rules,
    deadMaster: input.deadMaster,
    designated: input.designated ?? null,
  });
  if (!choice.candidate) {
    if (input.designated)
      return {
        ok: false,
        code: 'DESIGNATED_NOT_ELIGIBLE',
        message: `designated instance ${keyOf(input.designated)} is not a promotable replica of ${keyOf(input.deadMasterKey)}`,
        rejected: choice.rejected,
      };
    return {
      ok: false,
      code: 'NO_CANDIDATE',
      message: 'no replica may be promoted',
      rejected: choice.rejected,
    };
  }
  const candidate = choice.candidate;
  if (!sqlThreadUpToDate(candidate) && config.FailMasterPromotionIfSQLThreadNotUpToDate)
    return {
      ok: false,
      code: 'SQL_THREAD_NOT_UP_TO_DATE',
      message: `candidate ${keyOf(candidate.Key)} has not applied its relay logs (FailMasterPromotionIfSQLThreadNotUpToDate)`,
    };

  // The most advanced replica that can serve its binlog: the candidate catches up from it first.
  const best = sorted.find(
    (r) =>
      r.LogBinEnabled && r.LogReplicationUpdatesEnabled && r.UsingMariaDBGTID === candidate.UsingMariaDBGTID,
  );
  const catchUpFrom =
    best && keyOf(best.Key) !== keyOf(candidate.Key) && comparePositions(best, candidate) === 'ahead'
      ? best
      : null;
  const effective = catchUpFrom ?? candidate;
  const candidateServesBinlog = candidate.LogBinEnabled && candidate.LogReplicationUpdatesEnabled;

  const moved: InstanceKey[] = [];
  const lost: { key: InstanceKey; reason: LostReason }[] = [];
  for (const r of sorted) {
    if (keyOf(r.Key) === keyOf(candidate.Key)) continue;
    if (!(flavor === 'mariadb' ? r.UsingMariaDBGTID : r.UsingOracleGTID)) {
      lost.push({ key: r.Key, reason: 'no GTID' });
      continue;
    }
    const cmp = comparePositions(r, effective);
    if (cmp === 'ahead') lost.push({ key: r.Key, reason: 'ahead of the candidate' });
    else if (cmp === 'diverged' || !candidateServesBinlog)
      lost.push({ key: r.Key, reason: 'cannot replicate from the candidate' });
    else moved.push(r.Key);
  }

  const steps: PlanStep[] = [];
  if (catchUpFrom) steps.push({ op: 'catch-up', instance: candidate.Key, from: catchUpFrom.Key });
  else if (!sqlThreadUpToDate(candidate) && config.DelayMasterPromotionIfSQLThreadNotUpToDate)
    steps.push({ op: 'wait-sql-thread', instance: candidate.Key });
  steps.push({
    op: 'promote',
    instance: candidate.Key,
    applyMySQLPromotion: config.ApplyMySQLPromotionAfterMasterFailover || input.forcePromotion === true,
  });
  for (const key of moved) steps.push({ op: 'repoint', instance: key, master: candidate.Key });
  for (const { key, reason } of lost) {
    if (config.DetachLostReplicasAfterMasterFailover) steps.push({ op: 'detach', instance: key });
    steps.push({ op: 'downtime', instance: key, reason: `lost-in-recovery: ${reason}` });
  }
  steps.push({ op: 'downtime', instance: input.deadMasterKey, reason: 'lost-in-recovery: failed master' });
  steps.push({ op: 'old-master-read-only', instance: input.deadMasterKey });
  return {
    ok: true,
    flavor,
    candidate: candidate.Key,
    catchUpFrom: catchUpFrom?.Key ?? null,
    moved,
    lost,
    ideal: choice.ideal,
    steps,
  };
}

export interface IntermediateMasterPlan {
  ok: true;
  flavor: GtidFlavor;
  target: InstanceKey;
  moved: InstanceKey[];
  lost: { key: InstanceKey; reason: LostReason }[];
  steps: PlanStep[];
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

/**
 * DeadIntermediateMaster (reference §5.2 "Other recoveries"): move the orphaned replicas under a
 * reachable target (a sibling of the dead intermediate master, or its own master) with GTID.
 * `targets` are tried in order; the first that every replica can follow (or the one that loses the
 * fewest) wins.
 */
export function planIntermediateMasterRecovery(input: {
  config: RecoveryConfig;
  replicas: readonly InstanceView[];
  targets: readonly InstanceView[];
}): IntermediateMasterPlan | PlanRefusal {
  const { replicas, targets, config } = input;
  if (replicas.length === 0)
    return { ok: false, code: 'NO_REPLICAS', message: 'the dead intermediate master has no replicas' };
  const flavor = gtidFlavorOf(replicas);
  if (!flavor) return { ok: false, code: 'NOT_GTID', message: 'not every valid replica uses GTID' };
  let best: IntermediateMasterPlan | null = null;
  for (const target of targets) {
    if (!target.LogBinEnabled) continue;
    const moved: InstanceKey[] = [];
    const lost: { key: InstanceKey; reason: LostReason }[] = [];
    for (const r of replicas) {
      const verdict = servesUpTo(target, r, flavor);
      if (verdict === 'ok') moved.push(r.Key);
      else
        lost.push({
          key: r.Key,
          reason: verdict === 'ahead' ? 'ahead of the candidate' : 'cannot replicate from the candidate',
        });
    }
    const steps: PlanStep[] = moved.map((key) => ({ op: 'repoint', instance: key, master: target.Key }));
    for (const { key, reason } of lost) {
      if (config.DetachLostReplicasAfterMasterFailover) steps.push({ op: 'detach', instance: key });
      steps.push({ op: 'downtime', instance: key, reason: `lost-in-recovery: ${reason}` });
    }
    const plan: IntermediateMasterPlan = { ok: true, flavor, target: target.Key, moved, lost, steps };
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
