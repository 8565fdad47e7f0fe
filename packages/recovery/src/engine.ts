// The recovery engine the daemon drives: automatic recoveries from analysis entries (leader only,
// behind the gates), operator commands (recover, takeovers, force-*), acknowledgements and the
// resumption of recoveries a previous leader left unfinished.
import { randomUUID } from 'node:crypto';
import { type AckSelector, ackRecoveryPayload } from './acks.js';
import { type RecoveryConfig, resolveRecoveryConfig } from './config.js';
import { errorMessage, RecoveryError } from './errors.js';
import { replicasLeftBehind, runCompletion } from './flows/complete.js';
import { runNonWriteableMaster, runSemiSyncRecovery } from './flows/in-place.js';
import { runIntermediateMasterRecovery } from './flows/intermediate.js';
import { runMasterFailover } from './flows/master.js';
import { runTakeover } from './flows/takeover.js';
import {
  evaluateGates,
  evaluateManualGates,
  inPlaceRefusal,
  type RecoveryKind,
  recoveryKindFor,
  recoveryTypeFor,
} from './gates.js';
import { createHookRunner, type HookRunner } from './hooks.js';
import type { MySQLOperations } from './mysql/operations.js';
import {
  closeInterrupted,
  decideResume,
  findWritableMaster,
  isInterrupted,
  type ResumeDecision,
} from './resume.js';
import { type RecoveryContext, RecoveryRun } from './run.js';
import type {
  AnalysisEntry,
  Clock,
  DetectionRecord,
  InstanceKey,
  Leadership,
  NodeIdentity,
  Publish,
  RecoveryReads,
  TopologyRecovery,
} from './types.js';

export interface RecoveryEngineOptions {
  config?: Partial<RecoveryConfig>;
  node: NodeIdentity;
  leadership: Leadership;
  publish: Publish;
  reads: RecoveryReads;
  mysql: MySQLOperations;
  hooks?: HookRunner;
  clock?: Clock;
  newUID?: () => string;
  recordBlocked?: RecoveryContext['recordBlocked'];
  log?: RecoveryContext['log'];
  kv?: RecoveryContext['kv'];
}

export type AnalysisOutcome =
  | { key: InstanceKey; analysis: string; outcome: 'recovered' | 'failed'; recovery: TopologyRecovery }
  | { key: InstanceKey; analysis: string; outcome: 'skipped' | 'blocked'; reason: string };

export interface ManualOptions {
  /** recover-lite: no hooks. */
  lite?: boolean;
  candidate?: InstanceKey | null;
}

const keyOf = (k: InstanceKey) => `${k.Hostname}:${k.Port}`;

export interface RecoveryEngine {
  readonly config: RecoveryConfig;
  /** Called with every analysis pass (reference: every RecoveryPollSeconds); resolves when the recoveries it started end. */
  onAnalysis(entries: readonly AnalysisEntry[]): Promise<AnalysisOutcome[]>;
  /** recover / recover-lite: manual, skips filters, downtime, global disable and the block period. */
  recover(entry: AnalysisEntry, opts?: ManualOptions): Promise<TopologyRecovery>;
  gracefulMasterTakeover(
    clusterMaster: AnalysisEntry,
    designated: InstanceKey | null,
    auto: boolean,
  ): Promise<TopologyRecovery>;
  forceMasterFailover(clusterMaster: AnalysisEntry): Promise<TopologyRecovery>;
  forceMasterTakeover(clusterMaster: AnalysisEntry, designated: InstanceKey): Promise<TopologyRecovery>;
  /** ack-recovery: publishes the acknowledgement (selectors as in the reference's payload). */
  acknowledge(ack: AckSelector): Promise<unknown>;
  /**
   * Run by a new leader (and periodically): recoveries left running by another node are resolved
   * as failed and acknowledged, then resumed when the cluster still has no writable master.
   */
  resumeInterruptedRecoveries(): Promise<
    { uid: string; decision: ResumeDecision; resumed?: TopologyRecovery }[]
  >;
  /** Waits for background work (old-master read_only attempts) to settle. */
  drain(): Promise<void>;
  /** Recoveries this engine is running right now, by analyzed instance. */
  running(): string[];
}

export function createRecoveryContext(o: RecoveryEngineOptions): RecoveryContext {
  const config = resolveRecoveryConfig(o.config);
  return {
    config,
    node: o.node,
    leadership: o.leadership,
    publish: o.publish,
    reads: o.reads,
    mysql: o.mysql,
    hooks:
      o.hooks ??
      createHookRunner({ shell: config.ProcessesShellCommand, timeoutMs: config.HookTimeoutSeconds * 1000 }),
    clock: o.clock ?? { now: Date.now },
    newUID: o.newUID ?? randomUUID,
    recordBlocked: o.recordBlocked,
    log: o.log,
    kv: o.kv,
  };
}

export function createRecoveryEngine(o: RecoveryEngineOptions): RecoveryEngine {
  const ctx = createRecoveryContext(o);
  const startedAt = ctx.clock.now();
  const inFlight = new Set<string>();
  const clustersInFlight = new Set<string>();
  /** UIDs of the recoveries this engine is executing right now. */
  const runningUIDs = new Set<string>();
  const background: Promise<unknown>[] = [];

  const newRun = (
    entry: AnalysisEntry,
    kind: RecoveryKind,
    command: string,
    skipHooks: boolean,
    auto: boolean,
  ) =>
    new RecoveryRun(ctx, entry, {
      command,
      skipHooks,
      type: recoveryTypeFor(kind),
      autoMasterRecovery: auto && kind !== 'DeadIntermediateMaster',
      autoIntermediateMasterRecovery: auto && kind === 'DeadIntermediateMaster',
    });

  async function execute(
    run: RecoveryRun,
    kind: RecoveryKind,
    designated: InstanceKey | null,
  ): Promise<TopologyRecovery> {
    const id = keyOf(run.entry.AnalyzedInstanceKey);
    inFlight.add(id);
    runningUIDs.add(run.recovery.UID);
    try {
      await run.register();
      if (kind === 'DeadIntermediateMaster') await runIntermediateMasterRecovery(run);
      else if (kind === 'NoWriteableMaster') await runNonWriteableMaster(run);
      else if (kind === 'SemiSyncReplicas') await runSemiSyncRecovery(run);
      else {
        const mustPromoteCoMaster =
          kind === 'DeadCoMaster' &&
          ctx.config.CoMasterRecoveryMustPromoteOtherCoMaster &&
          run.entry.AnalyzedInstanceMasterKey.Hostname !== '';
        await runMasterFailover(run, {
          designated: designated ?? (mustPromoteCoMaster ? run.entry.AnalyzedInstanceMasterKey : null),
        });
      }
    } catch (error) {
      // The flows record their own failures; what reaches here is leadership loss or a failed
      // write-recovery proposal. Either way the recovery is returned as unsuccessful, never thrown
      // into the daemon's analysis loop.
      run.addError(error);
      ctx.log?.(`recovery ${run.recovery.UID} stopped: ${errorMessage(error)}`, {
        ...run.logFields(),
        event: 'recovery-step',
        error: errorMessage(error),
      });
    } finally {
      inFlight.delete(id);
      runningUIDs.delete(run.recovery.UID);
      background.push(...run.background);
    }
    return run.recovery;
  }

  /**
   * Registers the detection through raft; `id` is the detection_id the FSM assigned (or the one
   * already active for the instance), the same on every node, 0 if the FSM did not say.
   */
  async function registerDetection(entry: AnalysisEntry): Promise<{ hooksOk: boolean; id: number }> {
    const probe = newRun(entry, recoveryKindFor(entry.Analysis) ?? 'DeadMaster', '', false, true);
    const id = detectionIdOf(await ctx.publish('register-failure-detection', entry));
    try {
      await probe.runHooks('OnFailureDetectionProcesses');
      return { hooksOk: true, id };
    } catch (error) {
      ctx.log?.(`OnFailureDetectionProcesses failed: ${errorMessage(error)}`, {
        ...probe.logFields(),
        event: 'hook',
        hookList: 'OnFailureDetectionProcesses',
        error: errorMessage(error),
      });
      return { hooksOk: false, id };
    }
  }

  async function onEntry(
    entry: AnalysisEntry,
    snapshot: {
      disabled: boolean;
      detections: Awaited<ReturnType<RecoveryReads['activeDetections']>>;
      recoveries: Awaited<ReturnType<RecoveryReads['activeRecoveries']>>;
    },
  ): Promise<AnalysisOutcome> {
    const base = { key: entry.AnalyzedInstanceKey, analysis: entry.Analysis };
    const id = keyOf(entry.AnalyzedInstanceKey);
    const cluster = entry.ClusterDetails.ClusterName;
    if (inFlight.has(id) || clustersInFlight.has(cluster))
      return {
        ...base,
        outcome: 'skipped',
        reason: 'a recovery is already running on this instance or cluster',
      };
    // Claimed synchronously, before any await: overlapping analysis passes (every second, while
    // a recovery may take longer) must not start a second recovery before write-recovery applies.
    inFlight.add(id);
    clustersInFlight.add(cluster);
    try {
      return await gateAndRecover(entry, snapshot, base);
    } finally {
      inFlight.delete(id);
      clustersInFlight.delete(cluster);
    }
  }

  async function gateAndRecover(
    entry: AnalysisEntry,
    snapshot: {
      disabled: boolean;
      detections: Awaited<ReturnType<RecoveryReads['activeDetections']>>;
      recoveries: Awaited<ReturnType<RecoveryReads['activeRecoveries']>>;
    },
    base: { key: InstanceKey; analysis: string },
  ): Promise<AnalysisOutcome> {
    const verdict = evaluateGates({
      entry,
      config: ctx.config,
      now: ctx.clock.now(),
      startedAt,
      isLeader: ctx.leadership.isLeaderWithQuorum(),
      globalRecoveryDisabled: snapshot.disabled,
      activeDetections: snapshot.detections,
      activeRecoveries: snapshot.recoveries,
    });
    let detectionId = activeDetectionId(snapshot.detections, entry.AnalyzedInstanceKey);
    if (verdict.registerDetection) {
      const registration = await registerDetection(entry);
      if (!registration.hooksOk)
        return { ...base, outcome: 'skipped', reason: 'OnFailureDetectionProcesses failed' };
      if (registration.id > 0) detectionId = registration.id;
    }
    if (verdict.action === 'skip') return { ...base, outcome: 'skipped', reason: verdict.reason };
    if (verdict.action === 'blocked') {
      await ctx.recordBlocked?.(entry, verdict.blockingRecovery.Id);
      return { ...base, outcome: 'blocked', reason: verdict.reason };
    }
    const run = newRun(entry, verdict.kind, '', false, true);
    run.recovery.LastDetectionId = detectionId;
    const recovery = await execute(run, verdict.kind, null);
    return { ...base, outcome: recovery.IsSuccessful ? 'recovered' : 'failed', recovery };
  }

  async function manual(entry: AnalysisEntry, kind: RecoveryKind, command: string, skipHooks: boolean) {
    const recoveries = await ctx.reads.activeRecoveries();
    const gate = evaluateManualGates(entry, ctx.leadership.isLeaderWithQuorum(), recoveries);
    if (!gate.ok)
      throw new RecoveryError(
        gate.reason === 'not the raft leader' ? 'NOT_LEADER' : 'RECOVERY_BLOCKED',
        `Recovery not attempted: ${gate.reason}`,
      );
    const id = keyOf(entry.AnalyzedInstanceKey);
    if (inFlight.has(id))
      throw new RecoveryError(
        'RECOVERY_BLOCKED',
        'Recovery not attempted: a recovery is already running on this instance',
      );
    inFlight.add(id); // released by execute()/takeover(), or below on failure
    try {
      await ackCompleted(entry, recoveries, command);
    } catch (error) {
      inFlight.delete(id);
      throw error;
    }
    const run = newRun(entry, kind, command, skipHooks, false);
    // A manual recovery registers no detection; it records the instance's active one, if any.
    run.recovery.LastDetectionId = activeDetectionId(
      await ctx.reads.activeDetections().catch(() => []),
      entry.AnalyzedInstanceKey,
    );
    return run;
  }

  /** Manual recoveries auto-acknowledge completed ones on the same instance (reference §5.1 gate 5). */
  async function ackCompleted(
    entry: AnalysisEntry,
    recoveries: Awaited<ReturnType<RecoveryReads['activeRecoveries']>>,
    command: string,
  ): Promise<void> {
    for (const r of recoveries)
      if (
        r.RecoveryEndTimestamp !== '' &&
        !r.Acknowledged &&
        keyOf(r.AnalysisEntry.AnalyzedInstanceKey) === keyOf(entry.AnalyzedInstanceKey)
      )
        await ctx.publish(
          'ack-recovery',
          ackRecoveryPayload(
            { owner: 'orchestrator', comment: `superseded by ${command}`, id: r.Id, uid: r.UID },
            ctx.clock.now(),
          ),
        );
  }

  const withCommand = (entry: AnalysisEntry, analysis: string, command: string): AnalysisEntry => ({
    ...entry,
    Analysis: analysis,
    CommandHint: command,
  });

  return {
    config: ctx.config,
    async onAnalysis(entries) {
      if (!ctx.leadership.isLeaderWithQuorum())
        return entries.map((e) => ({
          key: e.AnalyzedInstanceKey,
          analysis: e.Analysis,
          outcome: 'skipped',
          reason: 'not the raft leader',
        }));
      const relevant = entries.filter((e) => recoveryKindFor(e.Analysis) !== undefined);
      if (relevant.length === 0) return [];
      const [disabled, detections, recoveries] = await Promise.all([
        ctx.reads.isGlobalRecoveryDisabled(),
        ctx.reads.activeDetections(),
        ctx.reads.activeRecoveries(),
      ]);
      // Entries of different clusters recover concurrently; one recovery per cluster at a time
      // (onEntry claims the instance and the cluster before its first await).
      return Promise.all(
        relevant.map((entry) =>
          onEntry(entry, { disabled, detections, recoveries }).catch(
            (error): AnalysisOutcome => ({
              key: entry.AnalyzedInstanceKey,
              analysis: entry.Analysis,
              outcome: 'skipped',
              reason: `error: ${errorMessage(error)}`,
            }),
          ),
        ),
      );
    },
    async recover(entry, opts = {}) {
      const kind = recoveryKindFor(entry.Analysis);
      if (!kind)
        throw new RecoveryError(
          'RECOVERY_REFUSED',
          `Recovery not attempted: no recovery for ${entry.Analysis}`,
        );
      const refusal = inPlaceRefusal(kind, entry.Analysis, ctx.config);
      if (refusal) throw new RecoveryError('RECOVERY_REFUSED', `Recovery not attempted: ${refusal}`);
      const run = await manual(entry, kind, opts.lite ? 'recover-lite' : 'recover', opts.lite === true);
      return execute(run, kind, opts.candidate ?? null);
    },
    async gracefulMasterTakeover(master, designated, auto) {
      const command = auto ? 'graceful-master-takeover-auto' : 'graceful-master-takeover';
      const entry = withCommand(master, 'DeadMaster', 'graceful-master-takeover');
      const run = await manual(entry, 'DeadMaster', 'graceful-master-takeover', false);
      return takeover(run, command, { designated, startOldMaster: auto, graceful: true });
    },
    async forceMasterFailover(master) {
      const entry = withCommand(master, 'DeadMaster', 'force-master-failover');
      const run = await manual(entry, 'DeadMaster', 'force-master-failover', false);
      return execute(run, 'DeadMaster', null);
    },
    async forceMasterTakeover(master, designated) {
      const entry = withCommand(master, 'DeadMaster', 'force-master-takeover');
      const run = await manual(entry, 'DeadMaster', 'force-master-takeover', false);
      return takeover(run, 'force-master-takeover', { designated, startOldMaster: false, graceful: false });
    },
    async acknowledge(ack) {
      if (!ctx.leadership.isLeaderWithQuorum()) throw new RecoveryError('NOT_LEADER', 'not the raft leader');
      if (ack.comment.trim() === '')
        throw new RecoveryError('INVALID_ARGUMENT', 'acknowledging requires a comment');
      return ctx.publish('ack-recovery', ackRecoveryPayload(ack, ctx.clock.now()));
    },
    async resumeInterruptedRecoveries() {
      if (!ctx.leadership.isLeaderWithQuorum()) return [];
      const interrupted = (await ctx.reads.activeRecoveries()).filter((r) =>
        isInterrupted(r, ctx.node, runningUIDs),
      );
      const results: { uid: string; decision: ResumeDecision; resumed?: TopologyRecovery }[] = [];
      for (const r of interrupted) {
        const id = keyOf(r.AnalysisEntry.AnalyzedInstanceKey);
        const cluster = r.AnalysisEntry.ClusterDetails.ClusterName;
        if (inFlight.has(id) || clustersInFlight.has(cluster)) continue;
        // Claimed before the first await and held until the resumed recovery ends: once the
        // interrupted recovery is acknowledged it no longer blocks the analysis loop, which would
        // otherwise start a second recovery of the same cluster alongside this one.
        inFlight.add(id);
        clustersInFlight.add(cluster);
        try {
          const result = await resumeOne(r);
          if (result) results.push(result);
        } finally {
          inFlight.delete(id);
          clustersInFlight.delete(cluster);
        }
      }
      return results;
    },
    async drain() {
      const pending = background.splice(0);
      await Promise.all(pending);
    },
    running: () => [...inFlight],
  };

  /** Closes one interrupted recovery and, when the cluster still needs it, runs it again. */
  async function resumeOne(
    r: Awaited<ReturnType<RecoveryReads['activeRecoveries']>>[number],
  ): Promise<{ uid: string; decision: ResumeDecision; resumed?: TopologyRecovery } | null> {
    // Another pass (the periodic one, or a new leadership's) may have closed it meanwhile.
    const current = (await ctx.reads.activeRecoveries()).find((x) => x.UID === r.UID);
    if (!current || !isInterrupted(current, ctx.node, runningUIDs)) return null;
    const entry = r.AnalysisEntry;
    const kind = recoveryKindFor(entry.Analysis) ?? 'DeadMaster';
    // The promoted replica may already count as a cluster of its own in the backend: the dead
    // master's replicas named in the analysis are checked too.
    const known = [
      ...(await ctx.reads.clusterInstances(entry.ClusterDetails.ClusterName)).map((i) => i.Key),
      ...(entry.Replicas ?? entry.SlaveHosts ?? []),
    ];
    const unique = known.filter((k, i) => known.findIndex((x) => keyOf(x) === keyOf(k)) === i);
    const writable =
      kind === 'DeadIntermediateMaster'
        ? null
        : await findWritableMaster(
            ctx.mysql,
            unique.map((Key) => ({ Key })),
          );
    const decision = decideResume(r, writable);
    await closeInterrupted(
      ctx.publish,
      r,
      ctx.node,
      ctx.clock.now(),
      decision.reason,
      decision.action === 'resolve' ? decision.writableMaster : null,
    );
    if (decision.action === 'resolve') {
      const promoted = decision.writableMaster;
      if (!promoted || keyOf(promoted) === keyOf(entry.AnalyzedInstanceKey)) return { uid: r.UID, decision };
      // A replica was promoted; siblings the previous leader had not moved yet are moved now.
      const run = newRun(entry, kind, entry.CommandHint ?? '', false, entry.CommandHint === undefined);
      run.recovery.RelatedRecoveryId = r.Id;
      if ((await replicasLeftBehind(run, promoted)).length === 0) return { uid: r.UID, decision };
      return { uid: r.UID, decision, resumed: await complete(run, promoted) };
    }
    const run = newRun(entry, kind, entry.CommandHint ?? '', false, entry.CommandHint === undefined);
    run.recovery.RelatedRecoveryId = r.Id;
    await run.audit(`resuming interrupted recovery ${r.UID}`);
    return { uid: r.UID, decision, resumed: await execute(run, kind, null) };
  }

  /** Registers a recovery that finishes an interrupted one whose replica was already promoted. */
  async function complete(run: RecoveryRun, promoted: InstanceKey): Promise<TopologyRecovery> {
    runningUIDs.add(run.recovery.UID);
    try {
      await run.register();
      await run.audit(`completing interrupted recovery ${run.recovery.RelatedRecoveryId}`);
      await runCompletion(run, promoted);
    } catch (error) {
      run.addError(error);
      ctx.log?.(`completion ${run.recovery.UID} stopped: ${errorMessage(error)}`, {
        ...run.logFields(),
        event: 'recovery-step',
        error: errorMessage(error),
      });
    } finally {
      runningUIDs.delete(run.recovery.UID);
      background.push(...run.background);
    }
    return run.recovery;
  }

  async function takeover(run: RecoveryRun, command: string, opts: Parameters<typeof runTakeover>[1]) {
    const id = keyOf(run.entry.AnalyzedInstanceKey);
    inFlight.add(id);
    runningUIDs.add(run.recovery.UID);
    try {
      ctx.log?.(`${command} on ${id}`, { ...run.logFields(), event: 'recovery-step', command });
      await run.register();
      await runTakeover(run, opts);
    } catch (error) {
      run.addError(error);
      ctx.log?.(`${command} ${run.recovery.UID} stopped: ${errorMessage(error)}`, {
        ...run.logFields(),
        event: 'recovery-step',
        error: errorMessage(error),
      });
    } finally {
      inFlight.delete(id);
      runningUIDs.delete(run.recovery.UID);
      background.push(...run.background);
    }
    return run.recovery;
  }
}

/** The detection id in register-failure-detection's FSM result ({ registered, id }); 0 when absent. */
function detectionIdOf(result: unknown): number {
  const id = (result as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'number' && Number.isInteger(id) && id > 0 ? id : 0;
}

/** The newest active detection on `key` (what the reference's max(detection_id) picks); 0 if none. */
function activeDetectionId(detections: readonly DetectionRecord[], key: InstanceKey): number {
  let id = 0;
  for (const d of detections) if (keyOf(d.Key) === keyOf(key) && d.Id > id) id = d.Id;
  return id;
}
