// The vocabulary of replica moves: what the planner reads (a view of one cluster), what it decides
// (a plan of steps, or a refusal with a reason) and what the executor runs.
import type { InstanceKey, InstanceView } from '@orchestrator/recovery';

export type { InstanceKey };

/** One instance as the planner sees it: the recovery view plus the local maintenance flag. */
export type MoveInstance = InstanceView & {
  /** True while an active maintenance lock is held on the instance (reference: moves refuse). */
  InMaintenance?: boolean;
};

/** Moves of one replica. `target` is the new master where the move takes one. */
export type SingleMoveKind =
  | 'relocate'
  | 'move-up'
  | 'move-below'
  | 'move-below-gtid'
  | 'move-equivalent'
  | 'match-below'
  | 'match-up'
  | 'repoint'
  | 'take-master'
  | 'make-co-master';

/** Moves of several replicas at once. */
export type GroupMoveKind =
  | 'relocate-replicas'
  | 'move-up-replicas'
  | 'move-replicas-gtid'
  | 'match-replicas'
  | 'match-up-replicas'
  | 'repoint-replicas'
  | 'take-siblings'
  | 'regroup-replicas'
  | 'regroup-replicas-gtid'
  | 'regroup-replicas-pgtid';

export type MoveKind = SingleMoveKind | GroupMoveKind;

export interface MoveRequest {
  kind: MoveKind;
  /** The instance the operation is named after (the moved replica, or the parent of the moved replicas). */
  instance: InstanceKey;
  /** The new master, for the kinds that take one (repoint: optional, defaults to the current master). */
  target?: InstanceKey | null;
  /** Group moves: only replicas whose `host:port` matches this regular expression (reference `?pattern=`). */
  pattern?: RegExp | null;
}

export type MoveMethod = 'MariaDB GTID' | 'Oracle GTID' | 'Pseudo-GTID' | 'binlog coordinates' | 'none';

/** Which coordinates of a (stopped) instance a step uses: its own binlog, or its executed position in its master's binlog. */
export interface CoordinatesOf {
  of: InstanceKey;
  which: 'self' | 'exec';
}

/**
 * One change on one server. Coordinates and GTID positions are never baked into the plan: the
 * executor reads them live when the step runs, after the steps before it stopped what they refer to.
 */
export type Step =
  | { op: 'stop-replication'; instance: InstanceKey }
  | { op: 'start-replication'; instance: InstanceKey }
  /** Runs the SQL thread until the coordinates of another (stopped) instance, then stops. */
  | { op: 'start-until'; instance: InstanceKey; until: CoordinatesOf }
  /** Both stopped siblings: the one behind runs until it executed exactly what the other did. */
  | { op: 'sync-siblings'; instance: InstanceKey; sibling: InstanceKey }
  /** Waits until `instance` applied every GTID `of` has (bounded by the lag allowance). */
  | { op: 'wait-gtid'; instance: InstanceKey; of: InstanceKey }
  | { op: 'change-master-gtid'; instance: InstanceKey; master: InstanceKey; credentialsFrom?: InstanceKey }
  | {
      op: 'change-master-coordinates';
      instance: InstanceKey;
      master: InstanceKey;
      at: CoordinatesOf;
      credentialsFrom?: InstanceKey;
    }
  /** MariaDB: a server that never replicated starts from where its own binlog ends. */
  | { op: 'align-gtid-slave-pos'; instance: InstanceKey }
  /**
   * Pseudo-GTID (reference MatchBelow): `instance` is stopped, its last Pseudo-GTID entry found in
   * `master`'s binlog, the events after it matched one by one, and it continues where they end.
   */
  | { op: 'match-below'; instance: InstanceKey; master: InstanceKey };

/** A possible move of one replica. */
export interface MovePlan {
  possible: true;
  kind: SingleMoveKind;
  /** The replica that moves (for make-co-master: the instance that becomes co-master). */
  instance: InstanceKey;
  /** Its master after the move. */
  target: InstanceKey;
  method: MoveMethod;
  steps: Step[];
  /** Every instance the plan reads or changes; the executor locks and re-reads them. */
  involved: InstanceKey[];
  /** The audit line written when the move succeeds (the reference's wording). */
  summary: string;
}

/** A possible move of several replicas; each move is planned (and refused) on its own. */
export interface GroupPlan {
  possible: true;
  kind: GroupMoveKind;
  instance: InstanceKey;
  /** The common new master (regroup: the promoted replica). */
  target: InstanceKey | null;
  method: MoveMethod;
  moves: MovePlan[];
  /** Replicas that stay where they are, and why. */
  skipped: { key: InstanceKey; reason: string }[];
  /** GTID moves are independent and run in parallel; coordinate moves share a parent and run one by one. */
  parallel: boolean;
  /** Steps before the moves (regroup-replicas-pgtid: the promoted replica stops) and after them (it starts). */
  before?: Step[];
  after?: Step[];
  summary: string;
}

export type RefusalCode =
  | 'UNKNOWN_INSTANCE'
  | 'SELF'
  | 'NOT_REPLICA'
  | 'MASTER_NOT_REPLICA'
  | 'NOT_TOP_MASTER'
  | 'NOT_SIBLINGS'
  | 'CYCLE'
  | 'NO_BINLOG'
  | 'NO_LOG_SLAVE_UPDATES'
  | 'VERSION'
  | 'BINLOG_FORMAT'
  | 'SERVER_ID'
  | 'SQL_DELAY'
  | 'NOT_REPLICATING'
  | 'LAG'
  | 'INVALID_CHECK'
  | 'MAINTENANCE'
  | 'NO_GTID'
  | 'ERRANT_GTID'
  | 'TARGET_BEHIND'
  | 'CO_MASTER'
  | 'NO_REPLICAS'
  | 'NO_METHOD'
  | 'NO_CANDIDATE';

/** Why a move is impossible; nothing was changed. */
export interface MoveRefusal {
  possible: false;
  code: RefusalCode;
  reason: string;
}

export interface PlannerOptions {
  /** A replica lagging more than this (seconds) is not moved, and a new master lagging more is refused. */
  ReasonableMaintenanceReplicationLagSeconds: number;
  /** Pseudo-GTID is configured (PseudoGTIDPattern or AutoPseudoGTID): replicas can be matched. */
  pseudoGtid?: boolean;
}

export const defaultPlannerOptions: PlannerOptions = { ReasonableMaintenanceReplicationLagSeconds: 20 };
