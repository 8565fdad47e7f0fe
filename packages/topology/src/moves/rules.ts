// The refusal rules, each a pure check on the view. They follow the reference's CanMove and
// CanReplicateFrom, plus the GTID rules a GTID move needs (errant transactions, a new master behind).
import {
  compareMariaDBGtid,
  compareOracleGtid,
  majorVersion,
  oracleGtidContains,
  type PositionComparison,
  parseMariaDBGtidPos,
  parseOracleGtidSet,
} from '@orchestrator/recovery';
import type { InstanceKey, MoveInstance, MoveMethod, PlannerOptions, RefusalCode } from './types.js';

/** Thrown by the rules; the planner turns it into a MoveRefusal. Never escapes the package. */
export class Refused extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'Refused';
  }
}

export const keyString = (k: InstanceKey): string => `${k.Hostname}:${k.Port}`;
export const sameKey = (a: InstanceKey, b: InstanceKey): boolean =>
  a.Hostname === b.Hostname && a.Port === b.Port;
export const isReplica = (i: MoveInstance): boolean => i.MasterKey.Hostname !== '' && i.MasterKey.Port > 0;
const isMariaDB = (i: MoveInstance): boolean => /mariadb/i.test(i.Version);

/** Index of a cluster view by key. */
export class View {
  private readonly byKey = new Map<string, MoveInstance>();
  constructor(readonly instances: readonly MoveInstance[]) {
    for (const i of instances) this.byKey.set(keyString(i.Key), i);
  }

  find(key: InstanceKey): MoveInstance | undefined {
    return this.byKey.get(keyString(key));
  }

  get(key: InstanceKey, role = 'instance'): MoveInstance {
    const found = this.find(key);
    if (!found) throw new Refused('UNKNOWN_INSTANCE', `${role} ${keyString(key)} is not known`);
    return found;
  }

  masterOf(i: MoveInstance): MoveInstance {
    if (!isReplica(i)) throw new Refused('NOT_REPLICA', `instance is not a replica: ${keyString(i.Key)}`);
    return this.get(i.MasterKey, `master of ${keyString(i.Key)}`);
  }

  replicasOf(key: InstanceKey): MoveInstance[] {
    return this.instances.filter((i) => isReplica(i) && sameKey(i.MasterKey, key));
  }

  /** True when `candidate` replicates (directly or not) from `ancestor`; stops on rings. */
  isDescendant(candidate: InstanceKey, ancestor: InstanceKey): boolean {
    const seen = new Set<string>();
    let cur = this.find(candidate);
    while (cur && isReplica(cur) && !seen.has(keyString(cur.Key))) {
      seen.add(keyString(cur.Key));
      if (sameKey(cur.MasterKey, ancestor)) return true;
      cur = this.find(cur.MasterKey);
    }
    return false;
  }
}

/** The reference's CanMove: a replica that replicates, fresh, with a reasonable lag. */
export function checkCanMove(i: MoveInstance, opts: PlannerOptions): void {
  checkFresh(i);
  if (!i.ReplicationSQLThreadRuning || !i.ReplicationIOThreadRuning)
    throw new Refused('NOT_REPLICATING', `${keyString(i.Key)}: instance is not replicating`);
  if (!i.SecondsBehindMaster.Valid)
    throw new Refused('LAG', `${keyString(i.Key)}: cannot determine replication lag`);
  checkLag(i, opts);
}

export function checkFresh(i: MoveInstance): void {
  if (!i.IsLastCheckValid) throw new Refused('INVALID_CHECK', `${keyString(i.Key)}: last check invalid`);
}

export function checkLag(i: MoveInstance, opts: PlannerOptions): void {
  const lag = i.SecondsBehindMaster.Valid ? i.SecondsBehindMaster.Int64 : 0;
  if (lag > opts.ReasonableMaintenanceReplicationLagSeconds)
    throw new Refused(
      'LAG',
      `${keyString(i.Key)}: lags too much (${lag}s > ReasonableMaintenanceReplicationLagSeconds=${opts.ReasonableMaintenanceReplicationLagSeconds})`,
    );
}

export function checkNotInMaintenance(...instances: MoveInstance[]): void {
  for (const i of instances)
    if (i.InMaintenance)
      throw new Refused('MAINTENANCE', `${keyString(i.Key)} is under maintenance; end it first`);
}

function compareMajor(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = majorVersion(a).split('.').map(Number);
  const [b1 = 0, b2 = 0] = majorVersion(b).split('.').map(Number);
  return a1 !== b1 ? a1 - b1 : a2 - b2;
}

const binlogFormatRank = (f: string): number => ({ STATEMENT: 0, MIXED: 1, ROW: 2 })[f.toUpperCase()] ?? 0;

/** The reference's CanReplicateFrom: could `replica` replicate from `master` at all? */
export function checkCanReplicateFrom(
  replica: MoveInstance,
  master: MoveInstance,
  opts: PlannerOptions,
): void {
  const r = keyString(replica.Key);
  const m = keyString(master.Key);
  if (sameKey(replica.Key, master.Key))
    throw new Refused('SELF', `instance cannot replicate from itself: ${r}`);
  if (!master.LogBinEnabled)
    throw new Refused('NO_BINLOG', `instance does not have binary logs enabled: ${m}`);
  if (isReplica(master) && !master.LogReplicationUpdatesEnabled)
    throw new Refused('NO_LOG_SLAVE_UPDATES', `instance does not have log_slave_updates enabled: ${m}`);
  if (compareMajor(replica.Version, master.Version) < 0)
    throw new Refused(
      'VERSION',
      `instance ${r} has version ${replica.Version}, which is lower than ${master.Version} on ${m}`,
    );
  if (
    replica.LogBinEnabled &&
    replica.LogReplicationUpdatesEnabled &&
    binlogFormatRank(replica.Binlog_format) < binlogFormatRank(master.Binlog_format)
  )
    throw new Refused(
      'BINLOG_FORMAT',
      `Cannot replicate from ${master.Binlog_format} binlog format on ${m} to ${replica.Binlog_format} on ${r}`,
    );
  if (replica.ServerID === master.ServerID)
    throw new Refused('SERVER_ID', `Identical server id: ${m}, ${r} both have ${replica.ServerID}`);
  if (replica.ServerUUID !== '' && replica.ServerUUID === master.ServerUUID)
    throw new Refused('SERVER_ID', `Identical server UUID: ${m}, ${r} both have ${replica.ServerUUID}`);
  if (replica.SQLDelay < master.SQLDelay && master.SQLDelay > opts.ReasonableMaintenanceReplicationLagSeconds)
    throw new Refused(
      'SQL_DELAY',
      `${m} has higher SQL_Delay (${master.SQLDelay} seconds) than ${r} does (${replica.SQLDelay} seconds)`,
    );
}

/** Refuses when `target` is `moved` or replicates from it: the move would close a replication cycle. */
export function checkNoCycle(view: View, moved: MoveInstance, target: MoveInstance): void {
  if (sameKey(moved.Key, target.Key))
    throw new Refused('SELF', `instance cannot replicate from itself: ${keyString(moved.Key)}`);
  if (view.isDescendant(target.Key, moved.Key))
    throw new Refused(
      'CYCLE',
      `${keyString(target.Key)} replicates from ${keyString(moved.Key)}: moving ${keyString(moved.Key)} below it would create a replication cycle`,
    );
}

/** The GTID method `replica` would use with `master`, or null when they cannot move via GTID. */
export function gtidMethod(replica: MoveInstance, master: MoveInstance): MoveMethod | null {
  if (replica.UsingMariaDBGTID && isMariaDB(master) && master.LogBinEnabled) return 'MariaDB GTID';
  if (replica.UsingOracleGTID && master.SupportsOracleGTID && master.LogBinEnabled) return 'Oracle GTID';
  return null;
}

/** Where `a` stands relative to `b` in GTID terms (MariaDB gtid_current_pos, Oracle gtid_executed). */
export function compareGtid(a: MoveInstance, b: MoveInstance, method: MoveMethod): PositionComparison {
  if (method === 'MariaDB GTID')
    return compareMariaDBGtid(
      parseMariaDBGtidPos(a.MariaDBGtidCurrentPos),
      parseMariaDBGtidPos(b.MariaDBGtidCurrentPos),
    );
  return compareOracleGtid(parseOracleGtidSet(a.ExecutedGtidSet), parseOracleGtidSet(b.ExecutedGtidSet));
}

/**
 * GTID rules for `replica` moving below `master`: no errant transactions on either side, no
 * divergence, and a new master that is behind must be replicating (the executor waits for it).
 */
export function checkGtidCompatible(
  replica: MoveInstance,
  master: MoveInstance,
  method: MoveMethod,
  opts: PlannerOptions,
): void {
  const r = keyString(replica.Key);
  const m = keyString(master.Key);
  if (replica.GtidErrant !== '')
    throw new Refused(
      'ERRANT_GTID',
      `${r} has errant GTIDs (${replica.GtidErrant}) that ${m} does not have; fix them first (gtid-errant-reset-master or inject empty transactions)`,
    );
  if (master.GtidErrant !== '')
    throw new Refused(
      'ERRANT_GTID',
      `${m} has errant GTIDs (${master.GtidErrant}) that ${r} would replicate; fix them first`,
    );
  const own = ownTransactionsMissing(replica, master, method);
  if (own !== '')
    throw new Refused(
      'ERRANT_GTID',
      `${r} has errant GTIDs (${own}): transactions written on it that ${m} does not have; fix them first`,
    );
  const theirs = isReplica(master) ? ownTransactionsMissing(master, replica, method) : '';
  if (theirs !== '')
    throw new Refused(
      'ERRANT_GTID',
      `${m} has errant GTIDs (${theirs}) that ${r} would replicate; fix them first`,
    );
  let cmp: PositionComparison;
  try {
    cmp = compareGtid(replica, master, method);
  } catch (error) {
    throw new Refused(
      'NO_GTID',
      `cannot compare GTID positions of ${r} and ${m}: ${(error as Error).message}`,
    );
  }
  if (cmp === 'diverged')
    throw new Refused(
      'ERRANT_GTID',
      `${r} and ${m} have diverged: each has GTIDs the other does not have (errant transactions)`,
    );
  if (cmp === 'ahead') {
    if (isReplica(master) && !(master.ReplicationSQLThreadRuning && master.ReplicationIOThreadRuning))
      throw new Refused(
        'TARGET_BEHIND',
        `${m} is behind ${r} and is not replicating, so it would never catch up`,
      );
    if (!isReplica(master))
      throw new Refused(
        'TARGET_BEHIND',
        `${m} is behind ${r} and is not a replica: ${r} has transactions ${m} will never have`,
      );
    checkLag(master, opts);
  }
}

/**
 * Transactions a server wrote itself (its own server id in MariaDB's position, its own UUID in
 * Oracle's set) that `other` does not have: on a replica these are errant by definition.
 */
export function ownTransactionsMissing(
  server: MoveInstance,
  other: MoveInstance,
  method: MoveMethod,
): string {
  try {
    if (method === 'MariaDB GTID') {
      const theirs = parseMariaDBGtidPos(other.MariaDBGtidCurrentPos);
      const missing: string[] = [];
      for (const [domain, gtid] of parseMariaDBGtidPos(server.MariaDBGtidCurrentPos)) {
        if (gtid.serverId !== server.ServerID) continue;
        if ((theirs.get(domain)?.seq ?? -1n) < gtid.seq)
          missing.push(`${domain}-${gtid.serverId}-${gtid.seq}`);
      }
      return missing.join(',');
    }
    if (server.ServerUUID === '') return '';
    const mine = parseOracleGtidSet(server.ExecutedGtidSet).get(server.ServerUUID.toLowerCase());
    if (!mine) return '';
    const own = new Map([[server.ServerUUID.toLowerCase(), mine]]);
    return oracleGtidContains(parseOracleGtidSet(other.ExecutedGtidSet), own) ? '' : server.ServerUUID;
  } catch {
    return '';
  }
}
