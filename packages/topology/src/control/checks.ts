// Pure safety checks of replication control. Each returns the reason to refuse (the reference's
// wording where it has one), or null when the operation may go ahead. No I/O here.

import type { Instance, InstanceKey } from '@orchestrator/model';
import type { LiveState } from '@orchestrator/recovery';
import { checkCanReplicateFrom, Refused } from '../moves/rules.js';
import { compareBinlogFiles, isDetachedHost, parseDetachedLogFile } from './coordinates.js';

export const keyString = (k: InstanceKey): string => `${k.Hostname}:${k.Port}`;

/**
 * Whether `instance` could replicate from `other` (the reference's Instance.CanReplicateFrom, as the
 * move rules implement it): the reason it cannot, or null. `reasonableLagSeconds` is
 * ReasonableMaintenanceReplicationLagSeconds.
 */
export function canReplicateFrom(
  instance: Instance,
  other: Instance,
  reasonableLagSeconds = 20,
): string | null {
  try {
    checkCanReplicateFrom(instance, other, {
      ReasonableMaintenanceReplicationLagSeconds: reasonableLagSeconds,
    });
    return null;
  } catch (error) {
    if (error instanceof Refused) return error.message;
    throw error;
  }
}

/** can-replicate-from-gtid's extra condition (the reference's CheckMoveViaGTID). */
export function checkMoveViaGtid(
  instance: Pick<Instance, 'UsingOracleGTID' | 'UsingMariaDBGTID'>,
  other: Pick<Instance, 'SupportsOracleGTID' | 'Version'>,
): string | null {
  const oracle = instance.UsingOracleGTID && other.SupportsOracleGTID;
  const mariadb = instance.UsingMariaDBGTID && /mariadb/i.test(other.Version);
  return oracle || mariadb ? null : 'Cannot move via GTID as not both instances use GTID';
}

export function notAReplica(live: LiveState): string | null {
  return live.replica ? null : `instance is not a replica: ${keyString(live.key)}`;
}

const running = (live: LiveState) => !!live.replica && (live.replica.ioRunning || live.replica.sqlRunning);

/** skip-query: only on a replica whose SQL thread stopped on an error, and not with MariaDB GTID. */
export function skipQueryRefusal(live: LiveState): string | null {
  const k = keyString(live.key);
  const r = live.replica;
  if (!r) return `instance is not a replica: ${k}`;
  if (r.sqlRunning) return `Slave SQL thread is running on ${k}`;
  if (r.lastSQLError === '') return `No SQL error on ${k}`;
  if (r.usingMariaDBGtid)
    return `${k} is replicating with MariaDB GTID. To skip a query first disable GTID, then skip, then enable GTID again`;
  return null;
}

/** reset-replica forgets the master for good: only once replication was stopped on purpose. */
export function resetReplicaRefusal(live: LiveState): string | null {
  const k = keyString(live.key);
  if (!live.replica) return `instance is not a replica: ${k}`;
  if (running(live))
    return `Cannot reset replica on: ${k} because replication is running; stop replication first (stop-replica)`;
  return null;
}

export function detachReplicaRefusal(live: LiveState): string | null {
  const k = keyString(live.key);
  if (!live.replica) return `instance is not a replica: ${k}`;
  if (parseDetachedLogFile(live.replica.execCoordinates.LogFile))
    return `Cannot (need not) detach replica on: ${k} because replica is already detached`;
  if (live.replica.execCoordinates.LogFile === '')
    return `Cannot detach replica on: ${k}: it has no executed coordinates to keep`;
  return null;
}

export function reattachReplicaRefusal(live: LiveState): string | null {
  const k = keyString(live.key);
  if (!live.replica) return `instance is not a replica: ${k}`;
  if (!parseDetachedLogFile(live.replica.execCoordinates.LogFile))
    return `Cannot reattach replica on: ${k} because replica is not detached`;
  return null;
}

export function detachMasterHostRefusal(live: LiveState): string | null {
  const k = keyString(live.key);
  if (!live.replica) return `instance is not a replica: ${k}`;
  if (isDetachedHost(live.replica.masterKey.Hostname)) return `instance already detached: ${k}`;
  return null;
}

export function reattachMasterHostRefusal(live: LiveState): string | null {
  const k = keyString(live.key);
  if (!live.replica) return `instance is not a replica: ${k}`;
  if (!isDetachedHost(live.replica.masterKey.Hostname)) return `instance does not seem to be detached: ${k}`;
  return null;
}

/** A replica of the server whose binlogs are purged, with what it still needs from them. */
export interface BinlogConsumer {
  key: InstanceKey;
  /** The source's binlog file the replica executes from (Relay_Master_Log_File). */
  execLogFile: string;
  /** The source's binlog file the IO thread reads (Master_Log_File). */
  readLogFile: string;
}

/**
 * purge-binary-logs TO `logFile` deletes every file before it. Refused when the file is not one of
 * the server's binlogs, or when a replica still executes or reads from a file that would be deleted.
 */
export function purgeRefusal(
  key: InstanceKey,
  logFile: string,
  binlogs: readonly string[],
  consumers: readonly BinlogConsumer[],
): string | null {
  const k = keyString(key);
  if (!binlogs.includes(logFile))
    return `purge-binary-logs: ${logFile} is not a binary log of ${k} (it has ${binlogs[0] ?? 'none'} … ${binlogs[binlogs.length - 1] ?? 'none'})`;
  for (const c of consumers) {
    const needed = [c.execLogFile, c.readLogFile].filter((f) => f !== '' && !f.startsWith('//'));
    const oldest = needed.sort(compareBinlogFiles)[0];
    if (oldest !== undefined && compareBinlogFiles(oldest, logFile) < 0)
      return `purge-binary-logs: binlog ${oldest} is in use by replica ${keyString(c.key)}; refusing to purge up to ${logFile}`;
  }
  return null;
}

/**
 * gtid-errant-*: there must be errant GTID, and Oracle GTID (as in the reference); reset-master also
 * runs on MariaDB (our extension) and needs an instance without replicas.
 */
export function errantGtidRefusal(
  op: 'gtid-errant-reset-master' | 'gtid-errant-inject-empty',
  view: Pick<Instance, 'Key' | 'GtidErrant' | 'SupportsOracleGTID' | 'Replicas' | 'Version'>,
): string | null {
  const k = keyString(view.Key);
  if (view.GtidErrant === '') return `${op} will not operate on ${k} because no errant GTID is found`;
  const mariadbReset = op === 'gtid-errant-reset-master' && /mariadb/i.test(view.Version);
  if (!view.SupportsOracleGTID && !mariadbReset)
    return op === 'gtid-errant-reset-master'
      ? `gtid-errant-reset-master requested for ${k} but it is not using oracle-gtid`
      : `gtid-errant-inject-empty requested for ${k} but it does not support oracle-gtid`;
  if (op === 'gtid-errant-reset-master' && view.Replicas.length > 0)
    return `gtid-errant-reset-master will not operate on ${k} because it has ${view.Replicas.length} replicas. Expecting no replicas`;
  return null;
}

/** delay-replication's seconds: a non-negative integer MASTER_DELAY accepts (< 2^31). */
export function delayRefusal(live: LiveState, seconds: number): string | null {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds >= 2 ** 31)
    return `invalid seconds: ${seconds}, it should be an integer between 0 and ${2 ** 31 - 1}`;
  return notAReplica(live);
}

/** A row of information_schema.PROCESSLIST, null when no such connection exists. */
export interface ProcessRow {
  user: string;
  command: string;
}

/**
 * kill-query refuses an unknown process and the replication threads: a replica's IO/SQL threads
 * ("system user") and a master's binlog dump threads; killing those breaks replication (use
 * stop-replica instead).
 */
export function killQueryRefusal(key: InstanceKey, processId: number, row: ProcessRow | null): string | null {
  const k = keyString(key);
  if (!Number.isSafeInteger(processId) || processId <= 0)
    return `kill-query: invalid process id ${processId}`;
  if (!row) return `kill-query: no process ${processId} on ${k}`;
  if (row.user === 'system user' || /^(Slave_|Binlog Dump)/i.test(row.command))
    return `kill-query: process ${processId} on ${k} is a replication thread (${row.user}, ${row.command}); use stop-replica instead`;
  return null;
}
