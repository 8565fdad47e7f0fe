// Recoveries that repair a master in place (nothing is promoted, the master is the "successor" as in
// the reference's resolveRecovery): NoWriteableMaster (RecoverNonWriteableMaster: read_only=0) and
// the semi-sync recoveries of LockedSemiSyncMaster / MasterWithTooManySemiSyncReplicas (which
// replicas acknowledge). Each decides on the live state first; a refusal changes nothing.
import { errorMessage, RecoveryError } from '../errors.js';
import type { RecoveryRun } from '../run.js';
import { planSemiSyncReplicas, type SemiSyncReplica } from '../semi-sync.js';
import type { InstanceKey } from '../types.js';
import { failRecovery, keyOf, replicaKeysOf, replicatesFrom, rethrowLeadership, rulesFor } from './common.js';

/** Resolves an in-place recovery and runs the reference's generic post hooks. */
async function finish(run: RecoveryRun, master: InstanceKey | null): Promise<void> {
  if (master) {
    run.recovery.SuccessorKey = master;
    run.participate(master);
  }
  await run.resolve(master !== null);
  await run.runHooks(master ? 'PostFailoverProcesses' : 'PostUnsuccessfulFailoverProcesses').catch(() => {});
}

/**
 * A replica that starts acknowledging acknowledges only what it receives from then on; a MariaDB
 * replica that reconnects with GTID does not acknowledge what it already had, so commits waiting
 * for it keep waiting (a file:pos reconnect acknowledges its start position). Once enough replicas
 * acknowledge, one replicated statement that changes nothing — a Pseudo-GTID marker, or FLUSH HOSTS
 * without DROP on `_pseudo_gtid_` — is acknowledged and releases every commit before it. Bounded;
 * never fails the recovery.
 */
async function releaseWaitingCommits(run: RecoveryRun, master: InstanceKey): Promise<void> {
  const { mysql } = run.ctx;
  const deadline = run.ctx.clock.now() + 3000;
  let state = await mysql.semiSyncState(master).catch(() => null);
  while (state && state.masterClients < state.waitForReplicaCount && run.ctx.clock.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    state = await mysql.semiSyncState(master).catch(() => null);
  }
  if (!state || state.masterWaitSessions === 0) return;
  await run.audit(
    `semi-sync: ${state.masterWaitSessions} commit(s) on ${keyOf(master)} still wait for an acknowledgement of what replicas received before acknowledging; writing a no-op they acknowledge`,
  );
  const hint = `${Math.floor(run.ctx.clock.now() / 1000)
    .toString(16)
    .padStart(8, '0')}:semi-sync:${run.recovery.UID.slice(0, 8)}`;
  try {
    await mysql.injectPseudoGtid(master, hint, 3000).catch(async (error) => {
      rethrowLeadership(error);
      await mysql.writeNoopToBinlog(master, 3000);
    });
    await run.audit(`semi-sync: waiting commits on ${keyOf(master)} released`);
  } catch (error) {
    rethrowLeadership(error);
    await run.audit(
      `semi-sync: could not release waiting commits on ${keyOf(master)}: ${errorMessage(error)}`,
    );
  }
}

/** NoWriteableMaster: the master is reachable, replicates from nobody and is read_only → read_only=0. */
export async function runNonWriteableMaster(run: RecoveryRun): Promise<InstanceKey | null> {
  const { mysql } = run.ctx;
  const key = run.entry.AnalyzedInstanceKey;
  try {
    await run.audit(`will handle ${run.entry.Analysis} on ${keyOf(key)}: make it writable`);
    await run.runHooks('PreFailoverProcesses');
    const state = await mysql.readState(key);
    if (state.replica && state.replica.masterKey.Hostname !== '')
      throw new RecoveryError(
        'STATE_CHANGED',
        `${keyOf(key)} now replicates from ${keyOf(state.replica.masterKey)}: it is not a master; nothing was changed`,
      );
    if (!state.readOnly) await run.audit(`${keyOf(key)} is writable already; nothing to do`);
    else {
      await mysql.setReadOnly(key, false);
      await run.audit(`set read_only=0 on ${keyOf(key)}`);
    }
    await finish(run, key);
    return key;
  } catch (error) {
    await failRecovery(run, error);
    return null;
  }
}

/**
 * LockedSemiSyncMaster / MasterWithTooManySemiSyncReplicas (reference recoverSemiSyncReplicas):
 * decide which replicas acknowledge, then enable first and disable second.
 */
export async function runSemiSyncRecovery(run: RecoveryRun): Promise<InstanceKey | null> {
  const { mysql, reads } = run.ctx;
  const master = run.entry.AnalyzedInstanceKey;
  const { EnforceExactSemiSyncReplicas: exactly, RecoverLockedSemiSyncMaster: enough } = run.config;
  try {
    // The engine refuses before registering when neither key is on (inPlaceRefusal).
    const exact = exactly || !enough;
    await run.audit(
      `will handle ${run.entry.Analysis} on ${keyOf(master)}: semi-sync replicas (${exact ? 'exactly the wait count' : 'enough for the wait count'})`,
    );
    const masterState = await mysql.semiSyncState(master);
    if (!masterState) throw new RecoveryError('STATE_CHANGED', `${keyOf(master)} has no semi-sync`);
    const keys = await replicaKeysOf(run, master, run.entry.ClusterDetails.ClusterName);
    const bases = await Promise.all(keys.map((k) => reads.instance(k)));
    const rules = await rulesFor(
      run,
      bases.flatMap((b) => (b ? [b] : [])),
    );
    const replicas: SemiSyncReplica[] = await Promise.all(
      keys.map(async (key, i): Promise<SemiSyncReplica> => {
        const rule = rules.get(keyOf(key)) ?? 'neutral';
        const priority = bases[i]?.SemiSyncEnforced ? 1 : 0;
        try {
          const [status, semi] = await Promise.all([mysql.replicaStatus(key), mysql.semiSyncState(key)]);
          const replicating =
            !!status &&
            !!semi &&
            status.ioRunning &&
            status.sqlRunning &&
            (await replicatesFrom(run, key, status.masterKey, master));
          return { key, replicating, enabled: semi?.replicaEnabled ?? false, priority, rule };
        } catch (error) {
          rethrowLeadership(error);
          return { key, replicating: false, enabled: false, priority, rule };
        }
      }),
    );
    const plan = planSemiSyncReplicas({
      waitCount: masterState.waitForReplicaCount,
      clients: masterState.masterClients,
      replicas,
      exact,
    });
    const list = (ks: InstanceKey[]) => ks.map(keyOf).join(', ') || 'none';
    await run.audit(
      `semi-sync: master ${keyOf(master)} waits for ${masterState.waitForReplicaCount}, ${masterState.masterClients} acknowledging; ` +
        `possible ${list(plan.possible)}${plan.defaultedPriorities ? ' (no replica has a priority: every promotable replica counts)' : ''}; ` +
        `asynchronous ${list(plan.asynchronous)}; excluded ${list(plan.excluded)}`,
    );
    if (plan.actions.length === 0)
      throw new RecoveryError(
        'NO_CANDIDATE',
        `semi-sync: cannot determine actions based on possible semi-sync replicas; cannot recover on ${keyOf(master)}; nothing was changed`,
      );
    // A replica that would become a semi-sync master of its own replicas is switched off first (the
    // reference's MaybeDisableSemiSyncMaster), best effort.
    for (const r of replicas) {
      if (!r.replicating) continue;
      const semi = await mysql.semiSyncState(r.key).catch(() => null);
      if (semi?.masterEnabled) await mysql.setSemiSync(r.key, 'master', false).catch(() => false);
    }
    for (const action of plan.actions) {
      await mysql.setSemiSync(action.key, 'replica', action.enable);
      run.participate(action.key);
      await run.audit(
        `semi-sync: ${keyOf(action.key)}: set rpl_semi_sync_slave_enabled=${action.enable ? 1 : 0}, restarted its IO thread`,
      );
    }
    if (plan.actions.some((a) => a.enable)) await releaseWaitingCommits(run, master);
    await finish(run, master);
    await run.audit('semi-sync: recovery complete');
    return master;
  } catch (error) {
    await failRecovery(run, error);
    return null;
  }
}
