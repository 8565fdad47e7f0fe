// DeadIntermediateMaster family (reference §5.2 "Other recoveries"): the orphaned replicas move with
// GTID under a sibling candidate of the dead intermediate master in its DC, else under its master,
// else under any other sibling.
import { errorMessage, RecoveryError } from '../errors.js';
import { liveView } from '../mysql/operations.js';
import { planIntermediateMasterRecovery } from '../planner.js';
import type { RecoveryRun } from '../run.js';
import type { InstanceKey, InstanceView } from '../types.js';
import {
  failRecovery,
  keyOf,
  replicaKeysOf,
  repoint,
  rethrowLeadership,
  rulesFor,
  runLostSteps,
  sameKey,
  stopAndReadReplicas,
} from './common.js';

export async function runIntermediateMasterRecovery(run: RecoveryRun): Promise<InstanceKey | null> {
  const deadKey = run.entry.AnalyzedInstanceKey;
  try {
    await run.audit(`will handle ${run.entry.Analysis} on ${keyOf(deadKey)}`);
    await run.runHooks('PreFailoverProcesses');
    const successor = await recover(run);
    await run.resolve(successor !== null);
    if (successor) {
      await run.runHooks('PostIntermediateMasterFailoverProcesses').catch(() => {});
      await run.runHooks('PostFailoverProcesses').catch(() => {});
    } else {
      await run.runHooks('PostUnsuccessfulFailoverProcesses').catch(() => {});
    }
    return successor;
  } catch (error) {
    await failRecovery(run, error);
    return null;
  }
}

async function recover(run: RecoveryRun): Promise<InstanceKey | null> {
  const { mysql, reads } = run.ctx;
  const deadKey = run.entry.AnalyzedInstanceKey;
  const cluster = run.entry.ClusterDetails.ClusterName;
  const keys = await replicaKeysOf(run, deadKey, cluster);
  const { views, unreachable } = await stopAndReadReplicas(run, deadKey, keys, { stop: true });
  for (const v of views) run.participate(v.Key);

  const dead = await reads.instance(deadKey);
  const masterKey = run.entry.AnalyzedInstanceMasterKey.Hostname
    ? run.entry.AnalyzedInstanceMasterKey
    : dead?.MasterKey;
  const instances = await reads.clusterInstances(cluster);
  const siblings = masterKey
    ? instances.filter(
        (i) => sameKey(masterKey, i.MasterKey) && !sameKey(deadKey, i.Key) && i.LogReplicationUpdatesEnabled,
      )
    : [];
  const rules = await rulesFor(run, siblings);
  const isCandidate = (i: InstanceView) => ['must', 'prefer'].includes(rules.get(keyOf(i.Key)) ?? 'neutral');
  const ordered: InstanceKey[] = [
    ...siblings.filter((s) => isCandidate(s) && s.DataCenter === (dead?.DataCenter ?? '')).map((s) => s.Key),
    ...(masterKey ? [masterKey] : []),
    ...siblings
      .filter((s) => !(isCandidate(s) && s.DataCenter === (dead?.DataCenter ?? '')))
      .map((s) => s.Key),
  ];
  const targets: InstanceView[] = [];
  for (const key of ordered) {
    try {
      targets.push(liveView(await mysql.readState(key), await reads.instance(key)));
    } catch (error) {
      rethrowLeadership(error);
      await run.audit(`target ${keyOf(key)} unreachable: ${errorMessage(error)}`);
    }
  }
  const plan = planIntermediateMasterRecovery({ config: run.config, replicas: views, targets });
  if (!plan.ok) {
    await run.audit(`no relocation: ${plan.code}: ${plan.message}`);
    throw new RecoveryError('NO_CANDIDATE', plan.message);
  }
  run.recovery.RecoveryType = 'MasterRecoveryGTID';
  run.recovery.LostReplicas = [...plan.lost.map((l) => l.key), ...unreachable];
  await run.audit(`relocating ${plan.moved.map(keyOf).join(',')} under ${keyOf(plan.target)}`);
  const moved = await Promise.all(plan.moved.map((key) => repoint(run, key, plan.target)));
  plan.moved.forEach((key, i) => {
    if (!moved[i]) run.recovery.LostReplicas.push(key);
  });
  await runLostSteps(run, [
    ...plan.steps,
    { op: 'downtime', instance: deadKey, reason: 'lost-in-recovery: failed intermediate master' },
  ]);
  if (!moved.some(Boolean)) return null;
  run.recovery.SuccessorKey = plan.target;
  run.participate(plan.target);
  return plan.target;
}
