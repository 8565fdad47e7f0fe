// Master failover with GTID: DeadMaster, DeadMasterAndSomeReplicas, DeadCoMaster, force-master-failover
// and force-master-takeover (reference §5.2). The plan is pure (planner.ts); this file executes it,
// re-checking leadership before every MySQL change (the guard inside MySQLOperations).
import { errorMessage, RecoveryError } from '../errors.js';
import { type MasterFailoverPlan, type PlanStep, planMasterFailover } from '../planner.js';
import type { RecoveryRun } from '../run.js';
import type { InstanceKey, InstanceView } from '../types.js';
import {
  failRecovery,
  keyOf,
  publishNewMaster,
  replicaKeysOf,
  repoint,
  rethrowLeadership,
  rulesFor,
  runLostSteps,
  sameKey,
  stopAndReadReplicas,
} from './common.js';

/** How long an automated recovery waits (at most, from its start) for the dead master to answer. */
const MASTER_RECHECK_MS = 250;

export interface MasterFailoverOptions {
  /** Operator-designated successor (force-master-takeover, graceful takeover, recover with candidate). */
  designated?: InstanceKey | null;
  /** Promote even when ApplyMySQLPromotionAfterMasterFailover is off (graceful takeover). */
  forcePromotion?: boolean;
  /** Replication is already stopped/caught up by the caller. */
  replicasPrepared?: boolean;
  /** The old master is alive and handled by the caller (graceful takeover): no downtime, no read_only. */
  oldMasterAlive?: boolean;
}

export interface MasterFailoverResult {
  plan: MasterFailoverPlan | null;
  successor: InstanceKey | null;
}

/**
 * Runs a master failover to completion and resolves the recovery. Throws only LeadershipLostError
 * (after recording what it can); every other failure ends as an unsuccessful, resolved recovery.
 */
export async function runMasterFailover(
  run: RecoveryRun,
  opts: MasterFailoverOptions = {},
): Promise<MasterFailoverResult> {
  const deadKey = run.entry.AnalyzedInstanceKey;
  try {
    await run.audit(
      `will handle ${run.entry.Analysis} on ${keyOf(deadKey)} (${run.opts.command || 'automated'})`,
    );
    await run.runHooks('PreFailoverProcesses');
    const result = await failover(run, opts);
    await run.resolve(result.successor !== null);
    await afterResolve(run, result.successor);
    return result;
  } catch (error) {
    await failRecovery(run, error);
    return { plan: null, successor: null };
  }
}

async function failover(run: RecoveryRun, opts: MasterFailoverOptions): Promise<MasterFailoverResult> {
  const { mysql, reads } = run.ctx;
  const deadKey = run.entry.AnalyzedInstanceKey;
  const keys = await replicaKeysOf(run, deadKey, run.entry.ClusterDetails.ClusterName);
  // Automated recoveries re-check that the master is really gone, in parallel with stopping the
  // replicas. A refused connection (process dead) answers at once; a silent host is given until
  // MASTER_RECHECK_MS after the start, so it costs nothing when stopping the replicas takes longer.
  const automated = run.opts.command === '';
  const masterAnswers = automated
    ? mysql.readState(deadKey).then(
        (s) => !s.readOnly,
        () => false,
      )
    : Promise.resolve(false);
  let recheckTimer: NodeJS.Timeout | undefined;
  const recheckDeadline = new Promise<boolean>((r) => {
    recheckTimer = setTimeout(() => r(false), automated ? MASTER_RECHECK_MS : 0);
  });
  const { views, unreachable } = await stopAndReadReplicas(run, deadKey, keys, {
    stop: !opts.replicasPrepared,
    keepApplying:
      run.config.DelayMasterPromotionIfSQLThreadNotUpToDate ||
      run.config.FailMasterPromotionIfSQLThreadNotUpToDate,
  });
  const alive = await Promise.race([masterAnswers, recheckDeadline]);
  clearTimeout(recheckTimer);
  if (alive) {
    await run.audit(`${keyOf(deadKey)} answers and is writable again: not promoting`);
    await restartReplication(run, views);
    throw new RecoveryError(
      'STATE_CHANGED',
      `${keyOf(deadKey)} is reachable and writable; DeadMaster analysis is stale`,
    );
  }
  for (const v of views) run.participate(v.Key);
  const deadMaster = await reads.instance(deadKey);
  const plan = planMasterFailover({
    config: run.config,
    deadMaster,
    deadMasterKey: deadKey,
    replicas: views,
    rules: await rulesFor(run, views),
    designated: opts.designated ?? null,
    forcePromotion: opts.forcePromotion,
  });
  if (!plan.ok) {
    await run.audit(`no promotion: ${plan.code}: ${plan.message}`);
    if (!opts.replicasPrepared) await restartReplication(run, views);
    throw new RecoveryError('NO_CANDIDATE', plan.message);
  }
  run.recovery.RecoveryType = 'MasterRecoveryGTID';
  run.recovery.LostReplicas = [...plan.lost.map((l) => l.key), ...unreachable];
  await run.audit(
    `candidate ${keyOf(plan.candidate)}${plan.catchUpFrom ? ` (catching up from ${keyOf(plan.catchUpFrom)})` : ''}; ` +
      `moving ${plan.moved.map(keyOf).join(',') || 'none'}; lost ${plan.lost.map((l) => `${keyOf(l.key)} (${l.reason})`).join(',') || 'none'}`,
  );
  const byKey = new Map(views.map((v) => [keyOf(v.Key), v]));
  for (const step of plan.steps) {
    if (step.op === 'catch-up') {
      const source = byKey.get(keyOf(step.from));
      const status = await mysql.replicaStatus(step.instance);
      if (status && (status.ioRunning || status.sqlRunning)) await mysql.stopReplication(step.instance);
      const position =
        plan.flavor === 'mariadb'
          ? source?.MariaDBGtidSlavePos || source?.MariaDBGtidCurrentPos || ''
          : (source?.ExecutedGtidSet ?? '');
      await mysql.changeMasterTo(step.instance, step.from, null);
      await mysql.startReplication(step.instance);
      await mysql.waitForGtid(
        step.instance,
        plan.flavor,
        position,
        run.config.PromotionCatchUpTimeoutSeconds * 1000,
      );
      await mysql.stopReplication(step.instance);
      await run.audit(`${keyOf(step.instance)} caught up from ${keyOf(step.from)} to ${position}`);
    } else if (step.op === 'wait-sql-thread') {
      // Usually still running (keepApplying); a stopped one is started, not restarted.
      const status = await mysql.replicaStatus(step.instance);
      if (status && !status.sqlRunning) {
        run.guard(`start SQL thread on ${keyOf(step.instance)}`);
        await mysql.query(step.instance, 'START SLAVE SQL_THREAD');
      }
      const applied = await mysql.waitRelayLogApplied(
        step.instance,
        run.config.PromotionCatchUpTimeoutSeconds * 1000,
      );
      await mysql.stopReplication(step.instance);
      if (!applied)
        throw new RecoveryError(
          'PROMOTION_FAILED',
          `${keyOf(step.instance)} did not apply its relay logs in time`,
        );
      await run.audit(
        `${keyOf(step.instance)} applied its relay logs (DelayMasterPromotionIfSQLThreadNotUpToDate)`,
      );
    } else if (step.op === 'promote') {
      await promote(run, step.instance, step.applyMySQLPromotion);
    } else if (step.op === 'repoint') {
      // Siblings are independent of one another: move them in parallel, right after the promotion.
      const siblings = plan.steps.filter((s) => s.op === 'repoint');
      if (step !== siblings[0]) continue;
      const moved = await Promise.all(
        siblings.map((s) => repoint(run, s.instance, s.op === 'repoint' ? s.master : s.instance)),
      );
      siblings.forEach((s, i) => {
        if (!moved[i]) run.recovery.LostReplicas.push(s.instance);
      });
    }
  }
  // Unreachable replicas (DeadMasterAndSomeReplicas) are lost too: downtimed like the others.
  const unreachableSteps = unreachable.map(
    (key): PlanStep => ({ op: 'downtime', instance: key, reason: 'lost-in-recovery: unreachable replica' }),
  );
  const allSteps = [...plan.steps, ...unreachableSteps];
  const lostSteps = opts.oldMasterAlive ? allSteps.filter((s) => !sameKey(deadKey, s.instance)) : allSteps;
  await runLostSteps(run, lostSteps);
  return { plan, successor: plan.candidate };
}

/** RESET SLAVE ALL (retried once) and read_only=0 on the new master; re-reads it first. */
async function promote(run: RecoveryRun, key: InstanceKey, applyMySQLPromotion: boolean): Promise<void> {
  const { mysql } = run.ctx;
  const status = await mysql.replicaStatus(key);
  if (status && (status.ioRunning || status.sqlRunning)) await mysql.stopReplication(key);
  if (applyMySQLPromotion) {
    try {
      await mysql.resetReplicaAll(key);
    } catch (error) {
      rethrowLeadership(error);
      await run.audit(`RESET SLAVE ALL on ${keyOf(key)} failed once, retrying: ${errorMessage(error)}`);
      await mysql.resetReplicaAll(key);
    }
    await mysql.setReadOnly(key, false);
    await run.audit(`promoted ${keyOf(key)}: RESET SLAVE ALL, read_only=0`);
  } else {
    await run.audit(`promoted ${keyOf(key)} (ApplyMySQLPromotionAfterMasterFailover off: MySQL left as is)`);
  }
  const state = await mysql.readState(key);
  const base = await run.ctx.reads.instance(key);
  run.recovery.SuccessorKey = key;
  run.recovery.SuccessorAlias = (base as { InstanceAlias?: string } | null)?.InstanceAlias ?? '';
  run.recovery.SuccessorBinlogCoordinates = await binlogCoordinates(run, key);
  run.participate(key);
  if (applyMySQLPromotion && state.readOnly)
    throw new RecoveryError('PROMOTION_FAILED', `${keyOf(key)} is still read_only`);
}

async function binlogCoordinates(
  run: RecoveryRun,
  key: InstanceKey,
): Promise<{ LogFile: string; LogPos: number; Type: string } | null> {
  try {
    const [row] = await run.ctx.mysql.query(key, 'SHOW MASTER STATUS');
    return row
      ? { LogFile: String(row.File ?? ''), LogPos: Number(row.Position ?? 0), Type: 'BinaryLog' }
      : null;
  } catch {
    return null;
  }
}

/** Post-success bookkeeping: KV, alias, end the successor's downtime, hooks. Never fails the recovery. */
async function afterResolve(run: RecoveryRun, successor: InstanceKey | null): Promise<void> {
  if (!successor) {
    await run.runHooks('PostUnsuccessfulFailoverProcesses').catch(() => {});
    return;
  }
  await publishNewMaster(run, successor);
  const view = await run.ctx.reads.instance(successor).catch(() => null);
  if (view?.IsDowntimed) await run.ctx.publish('end-downtime', successor).catch((e) => run.addError(e));
  await run.runHooks('PostMasterFailoverProcesses').catch(() => {});
  await run.runHooks('PostFailoverProcesses').catch(() => {});
}

async function restartReplication(run: RecoveryRun, views: readonly InstanceView[]): Promise<void> {
  for (const v of views) {
    try {
      await run.ctx.mysql.startReplication(v.Key);
    } catch (error) {
      rethrowLeadership(error);
    }
  }
}
