// Master failover: DeadMaster, DeadMasterAndSomeReplicas, DeadCoMaster, force-master-failover and
// force-master-takeover (reference §5.2), regrouping by GTID or by binlog coordinates. The plan is
// pure (planner.ts) and made twice: on the replicas as found (a refusal changes nothing), then after
// stopping them (a refusal, or a failure before the promotion, restarts what was stopped). This file
// executes it, re-checking leadership before every MySQL change (the guard inside MySQLOperations).
import { type BinlogPosition, compareBinlogPositions, formatBinlogPosition } from '../coordinates.js';
import { errorMessage, LeadershipLostError, RecoveryError } from '../errors.js';
import { type MasterFailoverPlan, type PlanStep, planMasterFailover } from '../planner.js';
import { pseudoGtidConfigured } from '../pseudo-gtid/pattern.js';
import type { RecoveryRun } from '../run.js';
import type { InstanceKey, InstanceView } from '../types.js';
import {
  failRecovery,
  keyOf,
  matchBelowByPseudoGtid,
  publishNewMaster,
  replicaKeysOf,
  repoint,
  rethrowLeadership,
  rulesFor,
  runLostSteps,
  sameKey,
} from './common.js';
import { readReplicas, restoreReplication, stopReplicas } from './replicas.js';
import { stopReplicationUnsticking } from './stuck-applier.js';

/** How long an automated recovery waits (at most, from its start) for the dead master to answer. */
const MASTER_RECHECK_MS = 100;

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
  /** By binlog coordinates: where the successor's binlog ended right before its promotion. */
  successorBinlogEnd: BinlogPosition | null;
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
    return { plan: null, successor: null, successorBinlogEnd: null };
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

  // Decide first: a plan on the replicas as they are. A recovery that cannot proceed changes nothing.
  const found = await readReplicas(run, deadKey, keys);
  const deadMaster = await reads.instance(deadKey);
  const rules = await rulesFor(
    run,
    found.found.map((f) => f.view),
  );
  const planFor = (replicas: InstanceView[]) =>
    planMasterFailover({
      config: run.config,
      deadMaster,
      deadMasterKey: deadKey,
      replicas,
      rules,
      designated: opts.designated ?? null,
      forcePromotion: opts.forcePromotion,
      pseudoGtid: pseudoGtidConfigured(run.config),
    });
  const preliminary = planFor(found.found.map((f) => f.view));
  if (!preliminary.ok) {
    clearTimeout(recheckTimer);
    await run.audit(`no promotion: ${preliminary.code}: ${preliminary.message}; nothing was changed`);
    throw new RecoveryError('NO_CANDIDATE', preliminary.message);
  }

  const stop = opts.replicasPrepared
    ? { views: found.found.map((f) => f.view), stopped: [], unreachable: [] }
    : await stopReplicas(run, found.found, {
        keepApplying:
          run.config.DelayMasterPromotionIfSQLThreadNotUpToDate ||
          run.config.FailMasterPromotionIfSQLThreadNotUpToDate,
      });
  const unreachable = [...found.unreachable, ...stop.unreachable];
  const alive = await Promise.race([masterAnswers, recheckDeadline]);
  clearTimeout(recheckTimer);
  if (alive) {
    await run.audit(`${keyOf(deadKey)} answers and is writable again: not promoting`);
    await restoreReplication(run, stop.stopped, 'stale DeadMaster analysis');
    throw new RecoveryError(
      'STATE_CHANGED',
      `${keyOf(deadKey)} is reachable and writable; DeadMaster analysis is stale`,
    );
  }
  for (const v of stop.views) run.participate(v.Key);
  const plan = planFor(stop.views);
  if (!plan.ok) {
    await run.audit(`no promotion: ${plan.code}: ${plan.message}`);
    await restoreReplication(run, stop.stopped, 'recovery not possible');
    throw new RecoveryError('NO_CANDIDATE', plan.message);
  }
  run.recovery.RecoveryType = plan.flavor ? 'MasterRecoveryGTID' : 'MasterRecoveryPseudoGTID';
  run.recovery.LostReplicas = [...plan.lost.map((l) => l.key), ...unreachable];
  await run.audit(
    `regrouping by ${describeMethod(plan.method)}: candidate ${keyOf(plan.candidate)}${plan.catchUpFrom ? ` (catching up from ${keyOf(plan.catchUpFrom)})` : ''}; ` +
      `moving ${plan.moved.map(keyOf).join(',') || 'none'}; lost ${plan.lost.map((l) => `${keyOf(l.key)} (${l.reason})`).join(',') || 'none'}`,
  );
  const byKey = new Map(stop.views.map((v) => [keyOf(v.Key), v]));
  let promoted = false;
  let candidateAt: CandidatePosition | null = null;
  try {
    for (const step of plan.steps) {
      if (step.op === 'catch-up') {
        await catchUp(run, plan, step.instance, step.from, byKey.get(keyOf(step.from)));
      } else if (step.op === 'wait-sql-thread') {
        await waitSqlThread(run, step.instance);
      } else if (step.op === 'promote') {
        // Where the candidate stands before it takes writes: siblings that executed the same
        // coordinates of the dead master continue from the end of its binlog.
        if (plan.method === 'binlog-coordinates') candidateAt = await positionOf(run, step.instance);
        await promote(run, step.instance, step.applyMySQLPromotion);
        promoted = true;
      }
    }
  } catch (error) {
    if (!promoted && !(error instanceof LeadershipLostError))
      await restoreReplication(run, stop.stopped, `promotion failed (${errorMessage(error)})`);
    throw error;
  }
  const repoints = plan.steps.filter((s): s is RepointStep => s.op === 'repoint');
  // Siblings are independent of one another: move them in parallel, right after the promotion.
  const moved = await Promise.all(repoints.map((s) => repointSibling(run, s, byKey, candidateAt)));
  repoints.forEach((s, i) => {
    if (!moved[i]) run.recovery.LostReplicas.push(s.instance);
  });
  // Unreachable replicas (DeadMasterAndSomeReplicas) are lost too: downtimed like the others.
  const unreachableSteps = unreachable.map(
    (key): PlanStep => ({ op: 'downtime', instance: key, reason: 'lost-in-recovery: unreachable replica' }),
  );
  const failedMoves = repoints
    .filter((_, i) => !moved[i])
    .flatMap((s): PlanStep[] => [
      ...(run.config.DetachLostReplicasAfterMasterFailover
        ? [{ op: 'detach' as const, instance: s.instance }]
        : []),
      {
        op: 'downtime',
        instance: s.instance,
        reason: 'lost-in-recovery: could not be moved under the new master',
      },
    ]);
  const allSteps = [...plan.steps, ...failedMoves, ...unreachableSteps];
  const lostSteps = opts.oldMasterAlive ? allSteps.filter((s) => !sameKey(deadKey, s.instance)) : allSteps;
  await runLostSteps(run, lostSteps);
  return { plan, successor: plan.candidate, successorBinlogEnd: candidateAt?.binlogEnd ?? null };
}

type RepointStep = Extract<PlanStep, { op: 'repoint' }>;

const describeMethod = (m: MasterFailoverPlan['method']): string =>
  m === 'binlog-coordinates' ? 'binlog coordinates' : m === 'mariadb-gtid' ? 'MariaDB GTID' : 'Oracle GTID';

/** GTID catch-up of a candidate behind the most advanced replica: it replicates from it until it applied the same. */
async function catchUp(
  run: RecoveryRun,
  plan: MasterFailoverPlan,
  instance: InstanceKey,
  from: InstanceKey,
  source: InstanceView | undefined,
): Promise<void> {
  const { mysql } = run.ctx;
  const flavor = plan.flavor ?? 'mariadb';
  const position =
    flavor === 'mariadb'
      ? source?.MariaDBGtidSlavePos || source?.MariaDBGtidCurrentPos || ''
      : (source?.ExecutedGtidSet ?? '');
  const status = await mysql.replicaStatus(instance);
  if (status && (status.ioRunning || status.sqlRunning)) await stopReplicationUnsticking(run, instance, 0);
  await mysql.changeMasterTo(instance, from, null);
  await mysql.startReplication(instance);
  await mysql.waitForGtid(instance, flavor, position, run.config.PromotionCatchUpTimeoutSeconds * 1000);
  await mysql.stopReplication(instance);
  await run.audit(`${keyOf(instance)} caught up from ${keyOf(from)} to ${position}`);
}

/**
 * A sibling moved by coordinates must have executed exactly what the new master had: one that
 * stopped short of it but received it applies its relay log up to there first (bounded).
 */
async function reachCoordinates(
  run: RecoveryRun,
  key: InstanceKey,
  target: BinlogPosition,
  planned: InstanceView | undefined,
): Promise<boolean> {
  const { mysql } = run.ctx;
  try {
    // A SQL thread still applying (keepApplying) is stopped first: it must not run past the target.
    // By coordinates its relay log survives a restart (MariaDB discards it only with GTID).
    const status = await mysql.replicaStatus(key);
    if (status?.sqlRunning) await stopReplicationUnsticking(run, key, 0);
    const executed = (await mysql.replicaStatus(key))?.execCoordinates ?? planned?.ExecBinlogCoordinates;
    if (executed && compareBinlogPositions(executed, target) < 0) {
      await mysql.startReplicationUntil(key, target, run.config.PromotionCatchUpTimeoutSeconds * 1000, {
        sqlThreadOnly: true,
      });
      await run.audit(`${keyOf(key)} applied its relay log up to ${formatBinlogPosition(target)}`);
    }
    const now = (await mysql.replicaStatus(key))?.execCoordinates;
    if (now && compareBinlogPositions(now, target) === 0) return true;
    await run.audit(
      `${keyOf(key)} did not execute the same coordinates as the new master` +
        ` (${now ? formatBinlogPosition(now) : 'no replication'} vs ${formatBinlogPosition(target)}); not moved`,
    );
  } catch (error) {
    rethrowLeadership(error);
    await stopReplicationUnsticking(run, key, 0).catch(() => undefined);
    await run.audit(
      `${keyOf(key)} could not reach ${formatBinlogPosition(target)}: ${errorMessage(error)}; not moved`,
    );
  }
  return false;
}

/** DelayMasterPromotionIfSQLThreadNotUpToDate: the candidate applies its relay logs first. */
async function waitSqlThread(run: RecoveryRun, key: InstanceKey): Promise<void> {
  const { mysql } = run.ctx;
  // Usually still running (keepApplying); a stopped one is started, never restarted.
  const status = await mysql.replicaStatus(key);
  if (status && !status.sqlRunning) {
    run.guard(`start SQL thread on ${keyOf(key)}`);
    await mysql.query(key, 'START SLAVE SQL_THREAD');
  }
  const applied = await mysql.waitRelayLogApplied(key, run.config.PromotionCatchUpTimeoutSeconds * 1000);
  // An applier still waiting on a lock would make a plain STOP SLAVE hang: it is killed first.
  await stopReplicationUnsticking(run, key, 0);
  if (!applied)
    throw new RecoveryError('PROMOTION_FAILED', `${keyOf(key)} did not apply its relay logs in time`);
  await run.audit(`${keyOf(key)} applied its relay logs (DelayMasterPromotionIfSQLThreadNotUpToDate)`);
}

/** The candidate's position right before its promotion: what it executed of the dead master, where its binlog ends. */
interface CandidatePosition {
  executed: BinlogPosition;
  binlogEnd: BinlogPosition;
}

async function positionOf(run: RecoveryRun, key: InstanceKey): Promise<CandidatePosition> {
  const { mysql } = run.ctx;
  const [status, binlogEnd] = await Promise.all([mysql.replicaStatus(key), mysql.binlogCoordinates(key)]);
  if (!status || !binlogEnd)
    throw new RecoveryError('PROMOTION_FAILED', `${keyOf(key)} has no replication position or no binary log`);
  await run.audit(
    `${keyOf(key)} executed ${formatBinlogPosition(status.execCoordinates)} of the dead master; its binlog ends at ${formatBinlogPosition(binlogEnd)}`,
  );
  return { executed: status.execCoordinates, binlogEnd };
}

/**
 * Moves one sibling under the new master: GTID, or binlog coordinates at the end of the new
 * master's binlog after re-checking that the sibling executed exactly what the new master had.
 */
async function repointSibling(
  run: RecoveryRun,
  step: RepointStep,
  byKey: ReadonlyMap<string, InstanceView>,
  candidateAt: CandidatePosition | null,
): Promise<boolean> {
  if (step.via === 'gtid') return repoint(run, step.instance, step.master);
  if (step.via === 'coordinates') {
    if (!candidateAt) return false;
    if (!(await reachCoordinates(run, step.instance, candidateAt.executed, byKey.get(keyOf(step.instance)))))
      return false;
    return repoint(run, step.instance, step.master, candidateAt.binlogEnd);
  }
  return matchBelowByPseudoGtid(run, step.instance, step.master);
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
