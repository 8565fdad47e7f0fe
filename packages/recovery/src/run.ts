// One recovery in flight: its TopologyRecovery record, the audit trail (write-recovery-step through
// raft), the leadership guard, hook execution, and the final resolve-recovery.
import type { RecoveryConfig } from './config.js';
import { errorMessage, HookFailedError, LeadershipLostError } from './errors.js';
import { abortingHookLists, type HookData, type HookList, type HookRunner, hookFailed } from './hooks.js';
import type { MySQLOperations } from './mysql/operations.js';
import type {
  AnalysisEntry,
  Clock,
  InstanceKey,
  Leadership,
  MasterKVHook,
  NodeIdentity,
  Publish,
  RecoveryReads,
  TopologyRecovery,
} from './types.js';

/** Everything a recovery needs from the daemon (ports, so tests can run with fakes). */
export interface RecoveryContext {
  config: RecoveryConfig;
  node: NodeIdentity;
  leadership: Leadership;
  publish: Publish;
  reads: RecoveryReads;
  mysql: MySQLOperations;
  hooks: HookRunner;
  clock: Clock;
  newUID: () => string;
  /** Local (not replicated) record of a blocked recovery: blocked_topology_recovery. */
  recordBlocked?: (entry: AnalysisEntry, blockingRecoveryId: number) => Promise<void> | void;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Publishes a new master to the external KV stores (the daemon's); absent: kv_store only. */
  kv?: MasterKVHook;
}

const iso = (ms: number) => new Date(ms).toISOString();
const keyOf = (k: InstanceKey) => `${k.Hostname}:${k.Port}`;

let lastId = 0;
/** Recovery ids: the FSM may return its own; otherwise a millisecond-based, process-unique number. */
function localId(now: number): number {
  lastId = Math.max(lastId + 1, now);
  return lastId;
}

export interface RunOptions {
  command: string;
  skipHooks: boolean;
  type: TopologyRecovery['Type'];
  autoMasterRecovery: boolean;
  autoIntermediateMasterRecovery: boolean;
}

export class RecoveryRun {
  readonly recovery: TopologyRecovery;
  /** Best-effort work started in the background (old master read_only); awaited by the engine on close. */
  readonly background: Promise<unknown>[] = [];
  /** Audit proposals not yet known to be recorded. */
  private readonly auditsInFlight: Promise<void>[] = [];

  constructor(
    readonly ctx: RecoveryContext,
    readonly entry: AnalysisEntry,
    readonly opts: RunOptions,
  ) {
    const now = ctx.clock.now();
    this.recovery = {
      Id: 0,
      UID: ctx.newUID(),
      AnalysisEntry: entry,
      SuccessorKey: null,
      SuccessorAlias: '',
      SuccessorBinlogCoordinates: null,
      IsActive: true,
      IsSuccessful: false,
      LostReplicas: [],
      ParticipatingInstanceKeys: [],
      AllErrors: [],
      RecoveryStartTimestamp: iso(now),
      RecoveryEndTimestamp: '',
      ProcessingNodeHostname: ctx.node.hostname,
      ProcessingNodeToken: ctx.node.token,
      Acknowledged: false,
      AcknowledgedAt: '',
      AcknowledgedBy: '',
      AcknowledgedComment: '',
      LastDetectionId: 0,
      RelatedRecoveryId: 0,
      Type: opts.type,
      RecoveryType: '',
    };
  }

  get config(): RecoveryConfig {
    return this.ctx.config;
  }

  /** Throws LeadershipLostError unless this node is still leader with a quorum. */
  guard = (step: string): void => {
    if (!this.ctx.leadership.isLeaderWithQuorum()) throw new LeadershipLostError(step);
  };

  /** Publishes write-recovery (the registration). */
  async register(): Promise<void> {
    this.guard('register recovery');
    const result = await this.ctx.publish('write-recovery', this.recovery);
    const id =
      typeof result === 'number'
        ? result
        : typeof (result as { Id?: unknown } | null)?.Id === 'number'
          ? (result as { Id: number }).Id
          : 0;
    this.recovery.Id = id > 0 ? id : localId(this.ctx.clock.now());
  }

  /** Appends a step to topology_recovery_steps through raft. Never throws: the audit must not stop a recovery. */
  /**
   * Records a step. The recovery does not wait for it: raft appends proposals in the order they are
   * made, so the trail stays in order, and `resolve()` waits for all of them before the outcome is
   * recorded. (Waiting for each commit cost a raft round trip per step on the failover's path.)
   */
  audit(message: string, fields?: Record<string, unknown>): Promise<void> {
    this.ctx.log?.(message, { ...this.logFields(), event: 'recovery-step', ...fields });
    const recorded = this.ctx
      .publish('write-recovery-step', {
        Id: 0,
        RecoveryUID: this.recovery.UID,
        AuditAt: iso(this.ctx.clock.now()),
        Message: message,
      })
      .then(
        () => undefined,
        (error: unknown) =>
          this.ctx.log?.(`audit not recorded: ${errorMessage(error)}`, {
            ...this.logFields(),
            event: 'recovery-step',
            error: errorMessage(error),
          }),
      );
    this.auditsInFlight.push(recorded);
    return Promise.resolve();
  }

  /** Fields every log line of this recovery carries (README "Logs"). */
  logFields(): Record<string, unknown> {
    const key = this.entry.AnalyzedInstanceKey;
    return {
      recoveryUID: this.recovery.UID,
      analysis: this.entry.Analysis,
      instance: `${key.Hostname}:${key.Port}`,
      cluster: this.entry.ClusterDetails.ClusterName,
    };
  }

  /** Waits until every step audited so far is recorded (or failed to be). */
  async flushAudits(): Promise<void> {
    while (this.auditsInFlight.length > 0) await Promise.all(this.auditsInFlight.splice(0));
  }

  addError(error: unknown): void {
    this.recovery.AllErrors.push(errorMessage(error));
  }

  participate(key: InstanceKey): void {
    if (!this.recovery.ParticipatingInstanceKeys.some((k) => keyOf(k) === keyOf(key)))
      this.recovery.ParticipatingInstanceKeys.push(key);
  }

  hookData(): HookData {
    const e = this.entry;
    const r = this.recovery;
    return {
      failureType: e.Analysis,
      instanceType: e.IsMaster ? 'master' : e.IsCoMaster ? 'co-master' : 'intermediate-master',
      isMaster: e.IsMaster,
      isCoMaster: e.IsCoMaster,
      failureDescription: e.Description ?? '',
      command: this.opts.command,
      failedHost: e.AnalyzedInstanceKey.Hostname,
      failedPort: e.AnalyzedInstanceKey.Port,
      failureCluster: e.ClusterDetails.ClusterName,
      failureClusterAlias: e.ClusterDetails.ClusterAlias,
      failureClusterDomain: e.ClusterDetails.ClusterDomain,
      countReplicas: e.CountReplicas,
      isDowntimed: e.IsDowntimed,
      autoMasterRecovery: this.opts.autoMasterRecovery,
      autoIntermediateMasterRecovery: this.opts.autoIntermediateMasterRecovery,
      orchestratorHost: this.ctx.node.hostname,
      recoveryUID: r.UID,
      isSuccessful: r.IsSuccessful,
      lostReplicas: r.LostReplicas,
      replicaHosts: e.Replicas ?? e.SlaveHosts ?? [],
      successor: r.SuccessorKey
        ? {
            key: r.SuccessorKey,
            alias: r.SuccessorAlias,
            binlogCoordinates: r.SuccessorBinlogCoordinates
              ? `${r.SuccessorBinlogCoordinates.LogFile}:${r.SuccessorBinlogCoordinates.LogPos}`
              : '',
          }
        : null,
    };
  }

  /**
   * Runs a hook list (unless hooks are skipped, as in recover-lite) and records every run as a step.
   * A failure in an aborting list throws HookFailedError.
   */
  async runHooks(list: HookList): Promise<void> {
    const templates = this.config[list];
    if (this.opts.skipHooks || templates.length === 0) return;
    const runs = await this.ctx.hooks.run(list, templates, this.hookData());
    for (const run of runs) {
      const outcome = run.async
        ? 'started asynchronously'
        : run.timedOut
          ? `timed out after ${run.durationMs} ms (HookTimeoutSeconds)`
          : `exit code ${run.exitCode}`;
      const tail = run.outputTail.trim() === '' ? '' : `; output: ${run.outputTail.trim().slice(-1000)}`;
      await this.audit(`${list}: ${run.command}: ${outcome}${tail}`, {
        event: 'hook',
        hookList: list,
        command: run.command,
        async: run.async,
        exitCode: run.exitCode,
        timedOut: run.timedOut,
        durationMs: run.durationMs,
      });
      if (hookFailed(run)) {
        const error = new HookFailedError(list, run.exitCode, `${list} failed: ${run.command}: ${outcome}`);
        this.addError(error);
        if (abortingHookLists.has(list)) throw error;
      }
    }
  }

  /** Publishes resolve-recovery with the end time, successor and success flag. */
  async resolve(successful: boolean): Promise<void> {
    await this.flushAudits();
    this.recovery.IsSuccessful = successful;
    this.recovery.RecoveryEndTimestamp = iso(this.ctx.clock.now());
    try {
      await this.ctx.publish('resolve-recovery', this.recovery);
    } catch (error) {
      // Without leadership nothing more can be recorded; the new leader's
      // resumeInterruptedRecoveries resolves this recovery.
      this.addError(error);
      this.ctx.log?.(`resolve-recovery not recorded: ${errorMessage(error)}`, {
        ...this.logFields(),
        event: 'recovery-step',
        error: errorMessage(error),
      });
    }
  }

  async beginDowntime(key: InstanceKey, reason: string, seconds: number): Promise<void> {
    const now = this.ctx.clock.now();
    const end = now + seconds * 1000;
    await this.ctx.publish('begin-downtime', {
      Key: key,
      Owner: 'orchestrator',
      Reason: reason,
      Duration: seconds * 1e9,
      BeginsAt: iso(now),
      EndsAt: iso(end),
      BeginsAtString: iso(now).replace('T', ' ').slice(0, 19),
      EndsAtString: iso(end).replace('T', ' ').slice(0, 19),
    });
  }
}
