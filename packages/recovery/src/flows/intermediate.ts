// DeadIntermediateMaster family (reference §5.2 "Other recoveries"): the orphaned replicas move under
// a sibling candidate of the dead intermediate master in its DC, else under its master, else under
// any other sibling — with GTID; by binlog coordinates up to its master when it still answers. The
// plan is made on the replicas as found first: a recovery that cannot proceed changes nothing.
import { errorMessage, RecoveryError } from '../errors.js';
import { liveView } from '../mysql/operations.js';
import { type IntermediateMasterPlan, planIntermediateMasterRecovery } from '../planner-intermediate.js';
import { pseudoGtidConfigured } from '../pseudo-gtid/pattern.js';
import type { RecoveryRun } from '../run.js';
import type { InstanceKey, InstanceView } from '../types.js';
import {
  failRecovery,
  keyOf,
  matchBelowByPseudoGtid,
  replicaKeysOf,
  repoint,
  rethrowLeadership,
  rulesFor,
  runLostSteps,
  sameKey,
} from './common.js';
import {
  type FoundReplica,
  readReplicas,
  restoreReplication,
  stopReplicas,
  withOwnBinlog,
} from './replicas.js';

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

/** The intermediate master's live state when it answers (its replicas failing to connect), else null. */
async function readIntermediate(run: RecoveryRun, key: InstanceKey): Promise<FoundReplica | null> {
  const { mysql, reads } = run.ctx;
  try {
    const state = await mysql.readState(key);
    const status = state.replica;
    const wasStarted = !!status && (status.sqlRunning || (status.ioState !== '' && status.ioState !== 'No'));
    return { view: await withOwnBinlog(run, liveView(state, await reads.instance(key))), wasStarted };
  } catch (error) {
    rethrowLeadership(error);
    return null;
  }
}

async function recover(run: RecoveryRun): Promise<InstanceKey | null> {
  const { mysql, reads } = run.ctx;
  const deadKey = run.entry.AnalyzedInstanceKey;
  const cluster = run.entry.ClusterDetails.ClusterName;
  const keys = await replicaKeysOf(run, deadKey, cluster);
  const found = await readReplicas(run, deadKey, keys);
  const intermediate = await readIntermediate(run, deadKey);

  const dead = intermediate?.view ?? (await reads.instance(deadKey));
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
  const planFor = (replicas: InstanceView[], im: InstanceView | null) =>
    planIntermediateMasterRecovery({
      config: run.config,
      replicas,
      targets,
      intermediate: im,
      pseudoGtid: pseudoGtidConfigured(run.config),
    });

  // Decide first: nothing is stopped unless a plan exists for the replicas as they are.
  const preliminary = planFor(
    found.found.map((f) => f.view),
    intermediate?.view ?? null,
  );
  if (!preliminary.ok) {
    await run.audit(`no relocation: ${preliminary.code}: ${preliminary.message}; nothing was changed`);
    throw new RecoveryError('NO_CANDIDATE', preliminary.message);
  }
  // Moving up by coordinates needs the intermediate master stopped too (its position fixed).
  const imStopped = preliminary.method === 'binlog-coordinates' && intermediate ? [intermediate] : [];
  const stop = await stopReplicas(run, found.found);
  const imStop = await stopReplicas(run, imStopped, { withBinlog: true });
  stop.stopped.push(...imStop.stopped);
  const imView = imStop.views[0] ?? null;
  const views = stop.views;
  const unreachable = [...found.unreachable, ...stop.unreachable];
  for (const v of views) run.participate(v.Key);

  const plan = planFor(views, imView ?? intermediate?.view ?? null);
  if (!plan.ok) {
    await run.audit(`no relocation: ${plan.code}: ${plan.message}`);
    await restoreReplication(run, stop.stopped, 'recovery not possible');
    throw new RecoveryError('NO_CANDIDATE', plan.message);
  }
  run.recovery.RecoveryType = plan.flavor ? 'MasterRecoveryGTID' : 'MasterRecoveryPseudoGTID';
  run.recovery.LostReplicas = [...plan.lost.map((l) => l.key), ...unreachable];
  await run.audit(
    `relocating ${plan.moved.map(keyOf).join(',') || 'none'} under ${keyOf(plan.target)} by ${describe(plan)}` +
      `${plan.lost.length > 0 ? `; lost ${plan.lost.map((l) => `${keyOf(l.key)} (${l.reason})`).join(', ')}` : ''}`,
  );
  const repoints = plan.steps.filter((s) => s.op === 'repoint');
  const moved = await Promise.all(
    repoints.map((s) =>
      s.via === 'pseudo-gtid'
        ? matchBelowByPseudoGtid(run, s.instance, s.master)
        : repoint(run, s.instance, s.master, s.via === 'coordinates' ? s.at : undefined),
    ),
  );
  repoints.forEach((s, i) => {
    if (!moved[i]) run.recovery.LostReplicas.push(s.instance);
  });
  // The intermediate master we stopped replicates again (it is alive; only its replicas could not reach it).
  if (imStopped.length > 0) await restoreReplication(run, imStopped, 'moved its replicas up');
  await runLostSteps(run, [
    ...plan.steps.filter((s) => s.op !== 'repoint'),
    { op: 'downtime', instance: deadKey, reason: 'lost-in-recovery: failed intermediate master' },
  ]);
  if (!moved.some(Boolean)) return null;
  run.recovery.SuccessorKey = plan.target;
  run.participate(plan.target);
  return plan.target;
}

function describe(plan: IntermediateMasterPlan): string {
  if (plan.method === 'binlog-coordinates') return 'binlog coordinates';
  if (plan.method === 'pseudo-gtid') return 'Pseudo-GTID';
  return plan.flavor === 'mariadb' ? 'MariaDB GTID' : 'Oracle GTID';
}
