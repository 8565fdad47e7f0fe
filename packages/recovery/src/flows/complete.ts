// Completing a master recovery that a previous leader left after promoting a replica but before
// moving every sibling under it (it crashed or lost leadership in between). The siblings still
// point at the dead master, so its analysis would come back as DeadMaster and, once the interrupted
// recovery is closed, promote one of them: a second writable master of the same data. Instead the
// new leader moves them under the promoted replica, as the interrupted recovery would have.
import { liveView } from '../mysql/operations.js';
import { planIntermediateMasterRecovery } from '../planner-intermediate.js';
import type { RecoveryRun } from '../run.js';
import type { InstanceKey } from '../types.js';
import {
  failRecovery,
  keyOf,
  publishNewMaster,
  replicaKeysOf,
  replicatesFrom,
  repoint,
  runLostSteps,
  sameKey,
  stopAndReadReplicas,
} from './common.js';

/** Replicas of the dead master (per the backend and the analysis) still configured to replicate from it. */
export async function replicasLeftBehind(run: RecoveryRun, promoted: InstanceKey): Promise<InstanceKey[]> {
  const deadKey = run.entry.AnalyzedInstanceKey;
  const keys = (await replicaKeysOf(run, deadKey, run.entry.ClusterDetails.ClusterName)).filter(
    (k) => !sameKey(k, promoted),
  );
  const left: InstanceKey[] = [];
  for (const key of keys) {
    try {
      const status = await run.ctx.mysql.replicaStatus(key);
      if (status && (await replicatesFrom(run, key, status.masterKey, deadKey))) left.push(key);
    } catch {
      // Unreachable: it cannot be moved now, and it does not replicate from anyone either.
    }
  }
  return left;
}

/**
 * Moves `left` (replicas still under the dead master) under the already promoted `promoted`, then
 * does what the interrupted recovery had not: KV pairs, downtime and read_only of the old master,
 * PostMasterFailoverProcesses and PostFailoverProcesses. Resolves the recovery; throws only on
 * leadership loss.
 */
export async function runCompletion(run: RecoveryRun, promoted: InstanceKey): Promise<void> {
  const { mysql, reads } = run.ctx;
  const deadKey = run.entry.AnalyzedInstanceKey;
  try {
    await run.audit(
      `${keyOf(promoted)} was already promoted; moving the replicas left under ${keyOf(deadKey)}`,
    );
    const left = await replicasLeftBehind(run, promoted);
    const { views, unreachable } = await stopAndReadReplicas(run, deadKey, left, { stop: true });
    for (const v of views) run.participate(v.Key);
    run.participate(promoted);
    run.recovery.RecoveryType = 'MasterRecoveryGTID';
    run.recovery.SuccessorKey = promoted;
    const target = liveView(await mysql.readState(promoted), await reads.instance(promoted));
    const plan = planIntermediateMasterRecovery({ config: run.config, replicas: views, targets: [target] });
    const moved = plan.ok ? plan.moved : [];
    const lost = plan.ok ? plan.lost.map((l) => l.key) : views.map((v) => v.Key);
    if (!plan.ok && views.length > 0) await run.audit(`cannot move them: ${plan.code}: ${plan.message}`);
    run.recovery.LostReplicas = [...lost, ...unreachable];
    const results = await Promise.all(moved.map((key) => repoint(run, key, promoted)));
    moved.forEach((key, i) => {
      if (!results[i]) run.recovery.LostReplicas.push(key);
    });
    // The plan detaches and downtimes what it could not move; anything else lost is downtimed too.
    const planned = plan.ok ? plan.lost.map((l) => l.key) : [];
    const otherLost = run.recovery.LostReplicas.filter((k) => !planned.some((p) => sameKey(p, k)));
    await runLostSteps(run, [
      ...(plan.ok ? plan.steps : []),
      ...otherLost.map((k) => ({
        op: 'downtime' as const,
        instance: k,
        reason: 'lost-in-recovery: not moved under the promoted replica',
      })),
      { op: 'downtime', instance: deadKey, reason: 'lost-in-recovery: failed master' },
      { op: 'old-master-read-only', instance: deadKey },
    ]);
    await run.resolve(true);
    await publishNewMaster(run, promoted);
    await run.runHooks('PostMasterFailoverProcesses').catch(() => {});
    await run.runHooks('PostFailoverProcesses').catch(() => {});
  } catch (error) {
    await failRecovery(run, error, 'completion');
  }
}
