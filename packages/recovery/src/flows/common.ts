// Steps shared by the recovery flows: gathering and stopping replicas, executing plan steps,
// publishing the new master's KV pairs and alias.
import { effectivePromotionRule } from '../candidates.js';
import { type BinlogPosition, formatBinlogPosition } from '../coordinates.js';
import { errorMessage, LeadershipLostError } from '../errors.js';
import { liveView } from '../mysql/operations.js';
import type { PlanStep } from '../planner.js';
import { matchBelow, matchOptions } from '../pseudo-gtid/match-below.js';
import type { RecoveryRun } from '../run.js';
import type { InstanceKey, InstanceView, PromotionRule } from '../types.js';
import { stopReplicationUnsticking } from './stuck-applier.js';

export const keyOf = (k: InstanceKey) => `${k.Hostname}:${k.Port}`;
export const sameKey = (a: InstanceKey, b: InstanceKey | null | undefined) =>
  !!b && a.Hostname === b.Hostname && a.Port === b.Port;

/** Rethrows leadership loss (which must stop the recovery); other errors are recorded and swallowed. */
export function rethrowLeadership(error: unknown): void {
  if (error instanceof LeadershipLostError) throw error;
}

/** Known replicas of `master`: the backend's view plus what the analysis listed. */
/**
 * A recovery's step threw. Leadership lost: the recovery is left running and the error rethrown.
 * A resolved failure would block the cluster (anti-flapping) although nothing was decided; the next
 * leader (or this node, once it leads again) closes it and finishes the job. Anything else: the
 * error is audited, the recovery resolved as failed, and PostUnsuccessfulFailoverProcesses run.
 */
export async function failRecovery(run: RecoveryRun, error: unknown, what = 'recovery'): Promise<void> {
  run.addError(error);
  if (error instanceof LeadershipLostError) {
    await run.audit(`stopped: ${error.message}; left running: the next leader closes and resumes it`);
    throw error;
  }
  await run.audit(`${what} failed: ${errorMessage(error)}`);
  await run.resolve(false);
  await run.runHooks('PostUnsuccessfulFailoverProcesses').catch(() => {});
}

export async function replicaKeysOf(
  run: RecoveryRun,
  master: InstanceKey,
  clusterName: string,
): Promise<InstanceKey[]> {
  const instances = await run.ctx.reads.clusterInstances(clusterName);
  const keys = new Map<string, InstanceKey>();
  for (const i of instances)
    if (sameKey(master, i.MasterKey) && !sameKey(master, i.Key)) keys.set(keyOf(i.Key), i.Key);
  for (const k of run.entry.Replicas ?? run.entry.SlaveHosts ?? [])
    if (!sameKey(master, k)) keys.set(keyOf(k), k);
  return [...keys.values()];
}

/**
 * Stops replication nicely on each replica (bounded) and reads its live state. Replicas that cannot
 * be reached, or that no longer replicate from `master` (state changed since the analysis), are
 * left out and reported.
 */
export async function stopAndReadReplicas(
  run: RecoveryRun,
  master: InstanceKey,
  keys: readonly InstanceKey[],
  opts: {
    stop: boolean;
    /**
     * Stop only the IO threads and leave the SQL threads applying what they received. MariaDB
     * with GTID discards a replica's relay logs when its SQL thread starts again after a full
     * stop, so a promotion that must wait for them (or refuse without losing them) keeps it running.
     */
    keepApplying?: boolean;
  },
): Promise<{ views: InstanceView[]; unreachable: InstanceKey[] }> {
  const { mysql, reads } = run.ctx;
  const timeoutMs = run.config.StopReplicationNiceTimeoutSeconds * 1000;
  const results = await Promise.all(
    keys.map(async (key) => {
      try {
        const before = await mysql.replicaStatus(key);
        if (!before || !(await replicatesFrom(run, key, before.masterKey, master))) {
          await run.audit(`${keyOf(key)} no longer replicates from ${keyOf(master)}; left out`);
          return null;
        }
        if (opts.stop && opts.keepApplying) {
          run.guard(`stop IO thread on ${keyOf(key)}`);
          await mysql.execute(key, 'stop IO thread', 'STOP SLAVE IO_THREAD');
          const applied = await mysql.waitRelayLogApplied(key, before.sqlRunning ? timeoutMs : 0);
          await run.audit(
            `stopped the IO thread on ${keyOf(key)}${applied ? '; relay log applied' : '; its SQL thread keeps applying its relay log'}`,
          );
        } else if (opts.stop) {
          run.guard(`stop replication on ${keyOf(key)}`);
          const applied = await stopReplicationUnsticking(run, key, timeoutMs);
          await run.audit(
            `stopped replication on ${keyOf(key)}${applied ? '' : ' (relay log not fully applied)'}`,
          );
        }
        const [state, base] = await Promise.all([mysql.readState(key), reads.instance(key)]);
        return { key, view: liveView(state, base) };
      } catch (error) {
        rethrowLeadership(error);
        await run.audit(`cannot use ${keyOf(key)}: ${errorMessage(error)}`);
        return { key, view: null };
      }
    }),
  );
  const views: InstanceView[] = [];
  const unreachable: InstanceKey[] = [];
  for (const r of results) {
    if (!r) continue;
    if (r.view) views.push(r.view);
    else unreachable.push(r.key);
  }
  return { views, unreachable };
}

/**
 * Whether a replica whose SHOW SLAVE STATUS names `reported` replicates from `master`. The backend
 * keys instances by resolved hostname while Master_Host is whatever CHANGE MASTER used, so a
 * same-port master the backend already links to this replica also counts.
 */
export async function replicatesFrom(
  run: RecoveryRun,
  replica: InstanceKey,
  reported: InstanceKey,
  master: InstanceKey,
): Promise<boolean> {
  if (sameKey(master, reported)) return true;
  if (reported.Port !== master.Port) return false;
  const base = await run.ctx.reads.instance(replica);
  return sameKey(master, base?.MasterKey);
}

/** Promotion rules in force for these instances (registrations with expiry, else the instance's rule). */
export async function rulesFor(
  run: RecoveryRun,
  views: readonly InstanceView[],
): Promise<Map<string, PromotionRule>> {
  const registrations = await run.ctx.reads.candidates();
  const now = run.ctx.clock.now();
  return new Map(views.map((v) => [keyOf(v.Key), effectivePromotionRule(v, registrations, run.config, now)]));
}

/**
 * Re-points a replica under `master` and starts it: with GTID, or at binlog coordinates `at` of the
 * new master. Credentials are kept unless MySQLReplicaUser is set.
 */
export async function repoint(
  run: RecoveryRun,
  key: InstanceKey,
  master: InstanceKey,
  at?: BinlogPosition,
): Promise<boolean> {
  const { mysql } = run.ctx;
  try {
    const status = await mysql.replicaStatus(key);
    // Its SQL thread may still be applying, or waiting on a lock (DelayMasterPromotionIfSQLThreadNotUpToDate
    // leaves SQL threads running): a plain STOP SLAVE would hang on a stuck one.
    if (status && (status.ioRunning || status.sqlRunning)) await stopReplicationUnsticking(run, key, 0);
    const creds = run.config.MySQLReplicaUser
      ? { user: run.config.MySQLReplicaUser, password: run.config.MySQLReplicaPassword }
      : null;
    if (at) await mysql.changeMasterToCoordinates(key, master, at, creds);
    else await mysql.changeMasterTo(key, master, creds);
    await mysql.startReplication(key);
    run.participate(key);
    await run.audit(
      `moved ${keyOf(key)} under ${keyOf(master)}${at ? ` at ${formatBinlogPosition(at)}` : ''}`,
    );
    return true;
  } catch (error) {
    rethrowLeadership(error);
    run.addError(error);
    await run.audit(`failed to move ${keyOf(key)} under ${keyOf(master)}: ${errorMessage(error)}`);
    return false;
  }
}

/**
 * Matches a replica below `master` by Pseudo-GTID (its own binlog against the master's) and starts
 * it there. False, with the reason audited, when matching cannot place it.
 */
export async function matchBelowByPseudoGtid(
  run: RecoveryRun,
  key: InstanceKey,
  master: InstanceKey,
): Promise<boolean> {
  const { mysql } = run.ctx;
  try {
    const opts = matchOptions(run.config, run.config.PseudoGTIDMatchTimeoutSeconds * 1000);
    const creds = run.config.MySQLReplicaUser
      ? { user: run.config.MySQLReplicaUser, password: run.config.MySQLReplicaPassword }
      : null;
    const found = await matchBelow(mysql, key, master, opts, creds);
    run.participate(key);
    await run.audit(
      `matched ${keyOf(key)} below ${keyOf(master)} by Pseudo-GTID at ${formatBinlogPosition(found.coordinates)} (${found.matched} events after the shared entry at ${found.entry.file}:${found.entry.pos})`,
    );
    return true;
  } catch (error) {
    rethrowLeadership(error);
    run.addError(error);
    await run.audit(
      `could not match ${keyOf(key)} below ${keyOf(master)} by Pseudo-GTID: ${errorMessage(error)}`,
    );
    return false;
  }
}

/** Executes the plan's lost-replica and old-master steps (detach, downtime, read_only). */
export async function runLostSteps(run: RecoveryRun, steps: readonly PlanStep[]): Promise<void> {
  const { mysql } = run.ctx;
  for (const step of steps) {
    try {
      if (step.op === 'detach') {
        await mysql.detachReplica(step.instance);
        await run.audit(`detached lost replica ${keyOf(step.instance)}`);
      } else if (step.op === 'downtime') {
        await run.beginDowntime(step.instance, step.reason, run.config.LostInRecoveryDowntimeSeconds);
        await run.audit(`downtimed ${keyOf(step.instance)}: ${step.reason}`);
      } else if (step.op === 'old-master-read-only') {
        const timeoutMs = run.config.OldMasterReadOnlyTimeoutSeconds * 1000;
        // Asynchronous and bounded: the old master is usually dead and must not delay the recovery.
        const attempt = mysql
          .fenceReadOnly(step.instance, timeoutMs)
          .then(() => run.audit(`set read_only=1 on old master ${keyOf(step.instance)}`))
          .catch((error) =>
            run.audit(
              `could not set read_only on old master ${keyOf(step.instance)}: ${errorMessage(error)}`,
            ),
          );
        run.background.push(withTimeout(attempt, timeoutMs + 1000));
      }
    } catch (error) {
      rethrowLeadership(error);
      run.addError(error);
      await run.audit(`${step.op} ${keyOf(step.instance)} failed: ${errorMessage(error)}`);
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(undefined), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      () => {
        clearTimeout(t);
        resolve(undefined);
      },
    );
  });
}

/** KV pairs for the new master (reference §5.2 step 9.2) and the cluster alias moved with it. */
export async function publishNewMaster(run: RecoveryRun, successor: InstanceKey): Promise<void> {
  const { ClusterName, ClusterAlias } = run.entry.ClusterDetails;
  const alias = ClusterAlias || ClusterName;
  const prefix = run.config.KVClusterMasterPrefix.replace(/\/+$/, '');
  const base = `${prefix}/${alias}`;
  try {
    const pairs = (await run.ctx.kv?.pairs(alias, successor)) ?? [
      { Key: base, Value: keyOf(successor) },
      { Key: `${base}/hostname`, Value: successor.Hostname },
      { Key: `${base}/port`, Value: String(successor.Port) },
    ];
    for (const pair of pairs) await run.ctx.publish('put-key-value', pair);
    await run.audit(`KV: ${base} = ${keyOf(successor)}`);
    // External stores (ZooKeeper, etcd, Consul) in the background: a failure there is a recovery
    // step with its error, retried with backoff, and never delays or fails the recovery.
    run.ctx.kv?.distribute(pairs, (message) => void run.audit(message));
    // So a node restarting later does not replay put-key-value to external KV stores (reference §1.6).
    await run.ctx
      .publish('async-snapshot', '')
      .catch((error) => run.audit(`async-snapshot not accepted: ${errorMessage(error)}`));
    if (ClusterAlias && (await run.ctx.reads.isClusterAliasManual?.(ClusterName))) {
      // The new master starts a cluster named after itself; carry the operator's alias over.
      await run.ctx.publish('set-cluster-alias-manual-override', [keyOf(successor), ClusterAlias]);
      await run.audit(`cluster alias ${ClusterAlias} moved to ${keyOf(successor)}`);
    }
  } catch (error) {
    run.addError(error);
    await run.audit(`could not publish the new master: ${errorMessage(error)}`);
  }
}
