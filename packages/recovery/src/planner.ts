// The pure recovery planner: given what failed and the live state of the replicas involved, the
// ordered steps a recovery will take, or a typed refusal that says why none can.
import {
  chooseCandidateReplica,
  comparePositions,
  type Ineligibility,
  sortReplicasForPromotion,
} from './candidates.js';
import type { RecoveryConfig } from './config.js';
import { type BinlogPosition, compareBinlogPositions } from './coordinates.js';
import type { InstanceKey, InstanceView, PromotionRule } from './types.js';

export type GtidFlavor = 'mariadb' | 'oracle';

/**
 * How the dead master's replicas are regrouped: MariaDB or Oracle GTID when every valid replica uses
 * it, otherwise by binlog coordinates (the reference's Pseudo-GTID recovery type): replicas that
 * executed the same coordinates as the candidate follow it from where its binlog ends, the others
 * are matched by Pseudo-GTID (when configured) or lost.
 */
export type RegroupMethod = 'mariadb-gtid' | 'oracle-gtid' | 'binlog-coordinates';

/** How one replica is pointed at its new master. */
export type RepointVia = 'gtid' | 'coordinates' | 'pseudo-gtid';

export type LostReason =
  | 'ahead of the candidate'
  | 'cannot replicate from the candidate'
  | 'no GTID'
  | 'behind the candidate, and neither GTID nor Pseudo-GTID can place it';

export type PlanStep =
  | { op: 'catch-up'; instance: InstanceKey; from: InstanceKey }
  | { op: 'wait-sql-thread'; instance: InstanceKey }
  | { op: 'promote'; instance: InstanceKey; applyMySQLPromotion: boolean }
  /**
   * `via: 'coordinates'`: at `at` of the new master's binlog, or (no `at`) from where the new
   * master's binlog ended before its promotion (the replica executed exactly what the master had);
   * `pseudo-gtid`: matched below it by Pseudo-GTID.
   */
  | { op: 'repoint'; instance: InstanceKey; master: InstanceKey; via: RepointVia; at?: BinlogPosition }
  | { op: 'detach'; instance: InstanceKey }
  | { op: 'downtime'; instance: InstanceKey; reason: string }
  | { op: 'old-master-read-only'; instance: InstanceKey };

export type RefusalCode =
  | 'NO_REPLICAS'
  | 'NOT_GTID'
  | 'NO_CANDIDATE'
  | 'DESIGNATED_NOT_ELIGIBLE'
  | 'NO_METHOD'
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
  method: RegroupMethod;
  /** The GTID flavor of a GTID regroup; null when regrouping by binlog coordinates. */
  flavor: GtidFlavor | null;
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
  /**
   * Replicas behind the candidate can be matched below it by Pseudo-GTID (PseudoGTIDPattern is
   * configured); without it a coordinates regroup loses them.
   */
  pseudoGtid?: boolean;
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

/** Plans DeadMaster / DeadCoMaster / force and graceful failovers (reference §5.2). */
export function planMasterFailover(input: MasterFailoverInput): MasterFailoverPlan | PlanRefusal {
  const { config, replicas } = input;
  if (replicas.length === 0)
    return { ok: false, code: 'NO_REPLICAS', message: 'the dead master has no replicas' };
  const flavor = gtidFlavorOf(replicas);
  const sorted = sortReplicasForPromotion(replicas, { deadMaster: input.deadMaster, rules: input.rules });
  const opts = {
    config,
    rules: input.rules,
    deadMaster: input.deadMaster,
    designated: input.designated ?? null,
  };
  // By coordinates, only a replica at the most advanced position keeps every transaction (nothing
  // can catch it up): the choice is made among those first, and among all only if none qualifies.
  const top = sorted[0] as InstanceView;
  const front = sorted.filter((r) => comparePositions(r, top) === 'equal');
  let choice = chooseCandidateReplica(flavor || opts.designated ? sorted : front, opts);
  if (!flavor && !opts.designated && !choice.candidate) choice = chooseCandidateReplica(sorted, opts);
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
  const waitSqlThread = !sqlThreadUpToDate(candidate) && config.DelayMasterPromotionIfSQLThreadNotUpToDate;
  const classified = flavor
    ? classifyByGtid(sorted, candidate, flavor)
    : classifyByCoordinates(sorted, candidate, waitSqlThread, input.pseudoGtid === true);

  const steps: PlanStep[] = [];
  if (classified.catchUpFrom)
    steps.push({ op: 'catch-up', instance: candidate.Key, from: classified.catchUpFrom.Key });
  else if (waitSqlThread) steps.push({ op: 'wait-sql-thread', instance: candidate.Key });
  steps.push({
    op: 'promote',
    instance: candidate.Key,
    applyMySQLPromotion: config.ApplyMySQLPromotionAfterMasterFailover || input.forcePromotion === true,
  });
  for (const { key, via } of classified.moved)
    steps.push({ op: 'repoint', instance: key, master: candidate.Key, via });
  for (const { key, reason } of classified.lost) {
    if (config.DetachLostReplicasAfterMasterFailover) steps.push({ op: 'detach', instance: key });
    steps.push({ op: 'downtime', instance: key, reason: `lost-in-recovery: ${reason}` });
  }
  steps.push({ op: 'downtime', instance: input.deadMasterKey, reason: 'lost-in-recovery: failed master' });
  steps.push({ op: 'old-master-read-only', instance: input.deadMasterKey });
  return {
    ok: true,
    method:
      flavor === 'mariadb' ? 'mariadb-gtid' : flavor === 'oracle' ? 'oracle-gtid' : 'binlog-coordinates',
    flavor,
    candidate: candidate.Key,
    catchUpFrom: classified.catchUpFrom?.Key ?? null,
    moved: classified.moved.map((m) => m.key),
    lost: classified.lost,
    ideal: choice.ideal,
    steps,
  };
}

interface Classified {
  catchUpFrom: InstanceView | null;
  moved: { key: InstanceKey; via: RepointVia }[];
  lost: { key: InstanceKey; reason: LostReason }[];
}

/** GTID: the candidate first catches up from the most advanced replica; the others follow it unless ahead or diverged. */
function classifyByGtid(
  sorted: readonly InstanceView[],
  candidate: InstanceView,
  flavor: GtidFlavor,
): Classified {
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
  const out: Classified = { catchUpFrom, moved: [], lost: [] };
  for (const r of sorted) {
    if (keyOf(r.Key) === keyOf(candidate.Key)) continue;
    if (!(flavor === 'mariadb' ? r.UsingMariaDBGTID : r.UsingOracleGTID)) {
      out.lost.push({ key: r.Key, reason: 'no GTID' });
      continue;
    }
    const cmp = comparePositions(r, effective);
    if (cmp === 'ahead') out.lost.push({ key: r.Key, reason: 'ahead of the candidate' });
    else if (cmp === 'diverged' || !candidateServesBinlog)
      out.lost.push({ key: r.Key, reason: 'cannot replicate from the candidate' });
    else out.moved.push({ key: r.Key, via: 'gtid' });
  }
  return out;
}

/** The dead master's binlog position a replica has executed (or, waiting for its SQL thread, will have). */
function executedCoordinates(i: InstanceView, afterRelayLog: boolean): BinlogPosition {
  const c = afterRelayLog ? i.ReadBinlogCoordinates : i.ExecBinlogCoordinates;
  return { LogFile: c.LogFile, LogPos: c.LogPos };
}

/**
 * Binlog coordinates (reference RegroupReplicasPseudoGTID, without its requirement that
 * PseudoGTIDPattern be configured for the trivial part): a replica that executed exactly the
 * candidate's coordinates of the dead master's binlog has the same data, so it replicates from where
 * the candidate's binlog ends before it takes writes; one that received them but has not applied
 * them yet applies its relay log up to there first. One behind is matched by Pseudo-GTID when
 * configured; one ahead, or one the candidate cannot serve, is lost.
 */
function classifyByCoordinates(
  sorted: readonly InstanceView[],
  candidate: InstanceView,
  candidateWaitsForRelayLog: boolean,
  pseudoGtid: boolean,
): Classified {
  const target = executedCoordinates(candidate, candidateWaitsForRelayLog);
  const out: Classified = { catchUpFrom: null, moved: [], lost: [] };
  for (const r of sorted) {
    if (keyOf(r.Key) === keyOf(candidate.Key)) continue;
    if (!candidate.LogBinEnabled) {
      out.lost.push({ key: r.Key, reason: 'cannot replicate from the candidate' });
      continue;
    }
    const cmp = compareBinlogPositions(executedCoordinates(r, false), target);
    // Behind, but with the candidate's position in its relay log: it applies it up to there first.
    const reaches = cmp < 0 && compareBinlogPositions(executedCoordinates(r, true), target) >= 0;
    if (cmp > 0) out.lost.push({ key: r.Key, reason: 'ahead of the candidate' });
    else if (cmp === 0 || reaches)
      out.moved.push({ key: r.Key, via: gtidCompatible(r, candidate) ? 'gtid' : 'coordinates' });
    else if (pseudoGtid && candidate.LogReplicationUpdatesEnabled)
      out.moved.push({ key: r.Key, via: 'pseudo-gtid' });
    else
      out.lost.push({
        key: r.Key,
        reason: 'behind the candidate, and neither GTID nor Pseudo-GTID can place it',
      });
  }
  return out;
}

/** A replica using GTID can keep it below a candidate of the same flavor (a mixed topology). */
function gtidCompatible(r: InstanceView, candidate: InstanceView): boolean {
  if (r.UsingMariaDBGTID) return /mariadb/i.test(candidate.Version);
  if (r.UsingOracleGTID) return candidate.SupportsOracleGTID;
  return false;
}
