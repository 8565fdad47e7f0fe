// The replicas of a failed server, as a recovery handles them: read as they are (nothing changed, so
// a recovery can decide before it acts), stopped (remembering which ones, and how they ran), and —
// when the recovery cannot proceed — put back the way they were found.
import { errorMessage } from '../errors.js';
import { liveView } from '../mysql/operations.js';
import type { RecoveryRun } from '../run.js';
import type { InstanceKey, InstanceView } from '../types.js';
import { keyOf, replicatesFrom, rethrowLeadership, sameKey } from './common.js';
import { stopReplicationUnsticking } from './stuck-applier.js';

/** A replica as it was found, before the recovery touched it. */
export interface FoundReplica {
  view: InstanceView;
  /** Its replication threads were started (an IO thread still connecting counts as started). */
  wasStarted: boolean;
}

export interface ReplicaSet {
  found: FoundReplica[];
  /** Replicas that could not be read (lost: DeadMasterAndSomeReplicas). */
  unreachable: InstanceKey[];
}

/**
 * Reads each replica's live state without changing anything. Replicas that no longer replicate from
 * `master` (the analysis was stale) are left out and audited; unreadable ones are reported.
 */
export async function readReplicas(
  run: RecoveryRun,
  master: InstanceKey,
  keys: readonly InstanceKey[],
): Promise<ReplicaSet> {
  const { mysql, reads } = run.ctx;
  const results = await Promise.all(
    keys.map(async (key): Promise<{ key: InstanceKey; found: FoundReplica | null } | null> => {
      try {
        const [state, base] = await Promise.all([mysql.readState(key), reads.instance(key)]);
        const status = state.replica;
        if (!status || !(await replicatesFrom(run, key, status.masterKey, master))) {
          await run.audit(`${keyOf(key)} no longer replicates from ${keyOf(master)}; left out`);
          return null;
        }
        const wasStarted = status.sqlRunning || (status.ioState !== '' && status.ioState !== 'No');
        return { key, found: { view: liveView(state, base), wasStarted } };
      } catch (error) {
        rethrowLeadership(error);
        await run.audit(`cannot use ${keyOf(key)}: ${errorMessage(error)}`);
        return { key, found: null };
      }
    }),
  );
  const set: ReplicaSet = { found: [], unreachable: [] };
  for (const r of results) {
    if (!r) continue;
    if (r.found) set.found.push(r.found);
    else set.unreachable.push(r.key);
  }
  return set;
}

/** The view with its own binlog position read live (SHOW MASTER STATUS). */
export async function withOwnBinlog(run: RecoveryRun, view: InstanceView): Promise<InstanceView> {
  const own = view.LogBinEnabled ? await run.ctx.mysql.binlogCoordinates(view.Key) : null;
  return own ? { ...view, SelfBinlogCoordinates: { ...own, Type: 'BinaryLog' } } : view;
}

export interface StoppedReplicas {
  /** Live views after the stop, of the replicas that could be stopped. */
  views: InstanceView[];
  /** Replicas whose replication this recovery stopped (to restart them if it cannot proceed). */
  stopped: FoundReplica[];
  /** Replicas that failed while being stopped. */
  unreachable: InstanceKey[];
}

/**
 * Stops replication nicely on each replica (bounded; a stuck applier is killed) and re-reads it
 * (`withBinlog`: with its own binlog position too). Every replica actually stopped is remembered,
 * so `restoreReplication` can undo it.
 */
export async function stopReplicas(
  run: RecoveryRun,
  found: readonly FoundReplica[],
  opts: {
    withBinlog?: boolean;
    /**
     * Stop only the IO threads and leave the SQL threads applying what they received. MariaDB
     * with GTID discards a replica's relay logs when its SQL thread starts again after a full
     * stop, so a promotion that must wait for them (or refuse without losing them) keeps it running.
     */
    keepApplying?: boolean;
  } = {},
): Promise<StoppedReplicas> {
  const { mysql, reads } = run.ctx;
  const timeoutMs = run.config.StopReplicationNiceTimeoutSeconds * 1000;
  const out: StoppedReplicas = { views: [], stopped: [], unreachable: [] };
  await Promise.all(
    found.map(async (f) => {
      const key = f.view.Key;
      try {
        if (opts.keepApplying) {
          run.guard(`stop IO thread on ${keyOf(key)}`);
          await mysql.execute(key, 'stop IO thread', 'STOP SLAVE IO_THREAD');
          const applied = await mysql.waitRelayLogApplied(
            key,
            f.view.ReplicationSQLThreadRuning ? timeoutMs : 0,
          );
          out.stopped.push(f);
          await run.audit(
            `stopped the IO thread on ${keyOf(key)}${applied ? '; relay log applied' : '; its SQL thread keeps applying its relay log'}`,
          );
        } else {
          run.guard(`stop replication on ${keyOf(key)}`);
          const applied = await stopReplicationUnsticking(run, key, timeoutMs);
          out.stopped.push(f);
          await run.audit(
            `stopped replication on ${keyOf(key)}${applied ? '' : ' (relay log not fully applied)'}`,
          );
        }
        const [state, base] = await Promise.all([mysql.readState(key), reads.instance(key)]);
        const view = liveView(state, base);
        out.views.push(opts.withBinlog ? await withOwnBinlog(run, view) : view);
      } catch (error) {
        rethrowLeadership(error);
        await run.audit(`cannot use ${keyOf(key)}: ${errorMessage(error)}`);
        out.unreachable.push(key);
      }
    }),
  );
  // Keep the input order (the audit and the plan read better, and tests are deterministic).
  const order = new Map(found.map((f, i) => [keyOf(f.view.Key), i]));
  out.views.sort((a, b) => (order.get(keyOf(a.Key)) ?? 0) - (order.get(keyOf(b.Key)) ?? 0));
  return out;
}

/**
 * Puts back what a recovery that cannot proceed changed on the replicas it stopped: a replica that
 * was re-pointed (a GTID catch-up) goes back to the master it had, and replication is started again
 * where it ran before. Each replica is best effort; the audit says what was restored and what not.
 */
export async function restoreReplication(
  run: RecoveryRun,
  stopped: readonly FoundReplica[],
  why: string,
): Promise<void> {
  const { mysql } = run.ctx;
  const restored: string[] = [];
  const failed: string[] = [];
  for (const f of stopped) {
    const key = f.view.Key;
    try {
      const status = await mysql.replicaStatus(key);
      const was = f.view.MasterKey;
      if (status && was.Hostname !== '' && !sameKey(was, status.masterKey)) {
        if (status.ioRunning || status.sqlRunning) await stopReplicationUnsticking(run, key, 0);
        await mysql.changeMasterTo(key, was, null);
      }
      if (f.wasStarted) await mysql.startReplication(key);
      restored.push(keyOf(key));
    } catch (error) {
      rethrowLeadership(error);
      failed.push(`${keyOf(key)} (${errorMessage(error)})`);
    }
  }
  if (restored.length > 0)
    await run.audit(`${why}: restored replication on ${restored.join(', ')} as it was found`);
  if (failed.length > 0) await run.audit(`${why}: could not restore ${failed.join(', ')}`);
}
