// match-below (reference MatchBelow): a stopped replica continues under another server at the
// position Pseudo-GTID matching finds. Shared by recoveries (replicas behind the promoted one) and
// topology moves (match-below, match-up, match-replicas, regroup-replicas-pgtid, relocate).
import { errorMessage } from '../errors.js';
import type { MySQLOperations, ReplicationCredentials } from '../mysql/operations.js';
import type { InstanceKey } from '../types.js';
import { type Correlation, correlate, type MatchOptions, PseudoGtidError } from './match.js';
import { effectivePseudoGtid, type PseudoGtidConfig, pseudoGtidMatcher } from './pattern.js';
import { mysqlBinlogSource } from './source.js';

const keyOf = (k: InstanceKey) => `${k.Hostname}:${k.Port}`;

/** Matching options from the Pseudo-GTID keys, bounded by `timeoutMs` from now. */
export function matchOptions(
  config: Partial<PseudoGtidConfig>,
  timeoutMs: number,
  now = Date.now,
): MatchOptions {
  const c = effectivePseudoGtid(config);
  return {
    isPseudoGtid: pseudoGtidMatcher(c),
    monotonicHint: c.PseudoGTIDMonotonicHint ?? '',
    chunkSize: c.BinlogEventsChunkSize ?? 10_000,
    skipContaining: c.SkipBinlogEventsContaining ?? [],
    deadline: now() + timeoutMs,
    now,
  };
}

/** Where `instance` would continue under `other` (both read live; nothing is changed). */
export function correlateLive(
  mysql: MySQLOperations,
  instance: InstanceKey,
  other: InstanceKey,
  opts: MatchOptions,
): Promise<Correlation> {
  const query = (key: InstanceKey, sql: string, params?: unknown[]) => mysql.query(key, sql, params);
  return correlate(mysqlBinlogSource(query, instance), mysqlBinlogSource(query, other), opts);
}

/**
 * Stops `instance` (if it runs), finds where it continues in `other`'s binlog, points it there
 * (binlog coordinates) and starts it. If matching fails, replication is started again as it was and
 * the PseudoGtidError says why. The instance needs log_bin and log_slave_updates: its own binlog is
 * what it executed.
 */
export async function matchBelow(
  mysql: MySQLOperations,
  instance: InstanceKey,
  other: InstanceKey,
  opts: MatchOptions,
  creds?: ReplicationCredentials | null,
): Promise<Correlation> {
  if (keyOf(instance) === keyOf(other))
    throw new PseudoGtidError(`MatchBelow: attempt to match an instance below itself ${keyOf(instance)}`);
  const state = await mysql.readState(instance);
  if (!state.replica) throw new PseudoGtidError(`instance is not a replica: ${keyOf(instance)}`);
  if (!state.logBin || !state.logSlaveUpdates)
    throw new PseudoGtidError(
      `${keyOf(instance)} needs log_bin and log_slave_updates for Pseudo-GTID matching (its binlog is what it executed)`,
    );
  const wasRunning =
    state.replica.ioRunning || state.replica.sqlRunning || state.replica.ioState === 'Connecting';
  if (state.replica.ioRunning || state.replica.sqlRunning) await mysql.stopReplication(instance);
  let found: Correlation;
  try {
    found = await correlateLive(mysql, instance, other, opts);
  } catch (error) {
    if (wasRunning) await mysql.startReplication(instance).catch(() => undefined);
    throw error instanceof PseudoGtidError ? error : new PseudoGtidError(errorMessage(error));
  }
  await mysql.changeMasterToCoordinates(instance, other, found.coordinates, creds);
  await mysql.startReplication(instance);
  return found;
}
