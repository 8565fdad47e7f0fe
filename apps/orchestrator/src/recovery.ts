// Recovery on this node: the engine runs only while this node leads with a quorum (reference §1.7:
// "only the leader runs recoveries"). Every analysis pass is handed to it; a new leader first
// closes or resumes recoveries a previous leader left unfinished.
import type { AnalysisPayload, CommandProposer } from '@orchestrator/model';

type Publish = CommandProposer['propose'];

import type { ReplicationAnalysis } from '@orchestrator/prober';
import { deriveClusterFields, keyString } from '@orchestrator/prober';
import {
  type AnalysisEntry,
  createMySQLOperations,
  createRecoveryEngine,
  effectivePseudoGtid,
  type MasterKVHook,
  type PseudoGtidConfig,
  type RecoveryConfig,
  type RecoveryEngine,
  type RecoveryReads,
} from '@orchestrator/recovery';
import type { Instance, Store } from '@orchestrator/store';
import type { DerivedConfig, OrchestratorConfig } from './config/index.js';
import type { Discovery } from './discovery.js';
import type { Logger } from './logger.js';
import type { RecoveryMetrics } from './metrics/recovery-metrics.js';
import { PseudoGtidInjector } from './pseudo-gtid.js';
import type { RaftService } from './raft/service.js';

// Also picks up a recovery this node stopped when its leadership check failed for a moment.
const RESUME_INTERVAL_MS = 5_000;

export function recoveryConfigFrom(
  config: OrchestratorConfig,
  derived: DerivedConfig,
): Partial<RecoveryConfig> {
  return {
    OnFailureDetectionProcesses: config.OnFailureDetectionProcesses,
    PreGracefulTakeoverProcesses: config.PreGracefulTakeoverProcesses,
    PreFailoverProcesses: config.PreFailoverProcesses,
    PostMasterFailoverProcesses: config.PostMasterFailoverProcesses,
    PostIntermediateMasterFailoverProcesses: config.PostIntermediateMasterFailoverProcesses,
    PostFailoverProcesses: config.PostFailoverProcesses,
    PostUnsuccessfulFailoverProcesses: config.PostUnsuccessfulFailoverProcesses,
    PostGracefulTakeoverProcesses: config.PostGracefulTakeoverProcesses,
    PostTakeMasterProcesses: config.PostTakeMasterProcesses,
    ProcessesShellCommand: config.ProcessesShellCommand,
    HookTimeoutSeconds: config.HookTimeoutSeconds,
    RecoverMasterClusterFilters: config.RecoverMasterClusterFilters,
    RecoverIntermediateMasterClusterFilters: config.RecoverIntermediateMasterClusterFilters,
    RecoveryIgnoreHostnameFilters: config.RecoveryIgnoreHostnameFilters,
    PromotionIgnoreHostnameFilters: config.PromotionIgnoreHostnameFilters,
    FailureDetectionPeriodBlockMinutes: config.FailureDetectionPeriodBlockMinutes,
    RecoveryPeriodBlockSeconds: derived.recoveryPeriodBlockSeconds,
    RecoveryPeriodBlockMinutes: config.RecoveryPeriodBlockMinutes,
    CandidateInstanceExpireMinutes: config.CandidateInstanceExpireMinutes,
    InstancePollSeconds: config.InstancePollSeconds,
    RecoveryWarmupSeconds: config.RecoveryWarmupSeconds,
    ApplyMySQLPromotionAfterMasterFailover: config.ApplyMySQLPromotionAfterMasterFailover,
    DetachLostReplicasAfterMasterFailover: config.DetachLostReplicasAfterMasterFailover,
    LostInRecoveryDowntimeSeconds: config.LostInRecoveryDowntimeSeconds,
    MasterFailoverDetachReplicaMasterHost: config.MasterFailoverDetachReplicaMasterHost,
    CoMasterRecoveryMustPromoteOtherCoMaster: config.CoMasterRecoveryMustPromoteOtherCoMaster,
    RecoverNonWriteableMaster: config.RecoverNonWriteableMaster,
    RecoverLockedSemiSyncMaster: config.RecoverLockedSemiSyncMaster,
    EnforceExactSemiSyncReplicas: config.EnforceExactSemiSyncReplicas,
    PreventCrossDataCenterMasterFailover: config.PreventCrossDataCenterMasterFailover,
    PreventCrossRegionMasterFailover: config.PreventCrossRegionMasterFailover,
    FailMasterPromotionOnLagMinutes: config.FailMasterPromotionOnLagMinutes,
    FailMasterPromotionIfSQLThreadNotUpToDate: config.FailMasterPromotionIfSQLThreadNotUpToDate,
    DelayMasterPromotionIfSQLThreadNotUpToDate: config.DelayMasterPromotionIfSQLThreadNotUpToDate,
    ReasonableMaintenanceReplicationLagSeconds: config.ReasonableMaintenanceReplicationLagSeconds,
    KVClusterMasterPrefix: config.KVClusterMasterPrefix,
    MySQLReplicaUser: config.MySQLReplicaUser,
    MySQLReplicaPassword: config.MySQLReplicaPassword,
    MySQLTopologyUser: config.MySQLTopologyUser,
    MySQLTopologyPassword: config.MySQLTopologyPassword,
    MySQLConnectTimeoutSeconds: config.MySQLConnectTimeoutSeconds,
    MySQLTopologyReadTimeoutSeconds: config.MySQLTopologyReadTimeoutSeconds,
    StopReplicationNiceTimeoutSeconds: config.StopReplicationNiceTimeoutSeconds,
    PromotionCatchUpTimeoutSeconds: config.PromotionCatchUpTimeoutSeconds,
    OldMasterReadOnlyTimeoutSeconds: config.OldMasterReadOnlyTimeoutSeconds,
    ...pseudoGtidConfigFrom(config),
  };
}

/** The Pseudo-GTID keys recovery and topology moves use (AutoPseudoGTID sets the pattern keys). */
export function pseudoGtidConfigFrom(
  config: OrchestratorConfig,
): Partial<PseudoGtidConfig> & { PseudoGTIDMatchTimeoutSeconds: number } {
  return effectivePseudoGtid({
    AutoPseudoGTID: config.AutoPseudoGTID,
    PseudoGTIDPattern: config.PseudoGTIDPattern,
    PseudoGTIDPatternIsFixedSubstring: config.PseudoGTIDPatternIsFixedSubstring,
    PseudoGTIDMonotonicHint: config.PseudoGTIDMonotonicHint,
    BinlogEventsChunkSize: config.BinlogEventsChunkSize,
    SkipBinlogEventsContaining: [...config.SkipBinlogEventsContaining],
    PseudoGTIDMatchTimeoutSeconds: config.PseudoGTIDMatchTimeoutSeconds,
  });
}

/** The freshest view of a cluster: the discovery loop's probes, with cluster fields derived. */
export function clusterView(instances: readonly Instance[]): Map<string, Instance[]> {
  const fields = deriveClusterFields(instances);
  const byCluster = new Map<string, Instance[]>();
  for (const i of instances) {
    const f = fields.get(keyString(i.Key));
    const view = f
      ? { ...i, ClusterName: f.ClusterName, ReplicationDepth: f.ReplicationDepth, IsCoMaster: f.IsCoMaster }
      : i;
    const list = byCluster.get(view.ClusterName);
    if (list) list.push(view);
    else byCluster.set(view.ClusterName, [view]);
  }
  return byCluster;
}

/** Where the freshest probes are: the discovery loop's view (empty while it does not run). */
export interface LiveInstances {
  instances(): Instance[];
}

function recoveryReads(store: Store, discovery: LiveInstances): RecoveryReads {
  const fresh = async (): Promise<Instance[]> => {
    const live = discovery.instances();
    return live.length > 0 ? live : store.instances.readAll();
  };
  return {
    async clusterInstances(clusterName) {
      return clusterView(await fresh()).get(clusterName) ?? [];
    },
    async instance(key) {
      const live = (await fresh()).find((i) => i.Key.Hostname === key.Hostname && i.Key.Port === key.Port);
      return live ?? (await store.instances.read(key)) ?? null;
    },
    async candidates() {
      return (await store.candidates.active()).map((c) => ({
        Key: c.Key,
        PromotionRule: c.PromotionRule,
        LastSuggestedTimestamp: c.LastSuggestedTimestamp,
      }));
    },
    async activeRecoveries() {
      const [active, running] = await Promise.all([store.recoveries.active(), store.recoveries.running()]);
      const byUid = new Map([...active, ...running].map((r) => [r.UID, r]));
      return [...byUid.values()].map((r) => ({
        ...r,
        AnalysisEntry: r.AnalysisEntry as unknown as AnalysisEntry,
      }));
    },
    async activeDetections() {
      return (await store.recoveries.activeDetections()).map((d) => ({
        Id: d.Id,
        Key: d.Key,
        Analysis: d.Analysis,
        ClusterName: d.ClusterName,
        StartActivePeriod: d.RecoveryStartTimestamp,
        Acknowledged: !d.IsActive,
      }));
    },
    isGlobalRecoveryDisabled: () => store.globalRecovery.isDisabled(),
  };
}

export interface RecoveryEngineWiring {
  config: OrchestratorConfig;
  derived: DerivedConfig;
  store: Store;
  /** Leadership checked before every step, and where replicated commands are proposed. */
  raft: { isLeaderWithQuorum(): boolean } & CommandProposer;
  live: LiveInstances;
  node: { hostname: string; token: string };
  log: Logger;
  kv?: MasterKVHook;
  now: () => number;
  /** Counts registered detections, resolved and blocked recoveries from what the engine publishes. */
  metrics?: RecoveryMetrics;
}

/** Publishes through raft, telling `metrics` about detections registered and recoveries resolved. */
function instrumentedPublish(publish: Publish, metrics: RecoveryMetrics | undefined): Publish {
  if (!metrics) return publish;
  return (op, payload) => {
    if (op === 'register-failure-detection')
      metrics.detectionRegistered(String((payload as AnalysisPayload).Analysis ?? 'unknown'));
    else if (op === 'resolve-recovery')
      metrics.resolved(payload as unknown as Parameters<RecoveryMetrics['resolved']>[0]);
    return publish(op, payload);
  };
}

/** The recovery engine on this node's backend, its MySQL operations guarded by `raft`'s leadership. */
export function createEngine(w: RecoveryEngineWiring): {
  engine: RecoveryEngine;
  mysql: ReturnType<typeof createMySQLOperations>['mysql'];
  close: () => Promise<void>;
} {
  const recoveryConfig = recoveryConfigFrom(w.config, w.derived);
  const { mysql, close } = createMySQLOperations(recoveryConfig, w.raft);
  const engine = createRecoveryEngine({
    config: recoveryConfig,
    node: w.node,
    leadership: w.raft,
    publish: instrumentedPublish((op, payload) => w.raft.propose(op, payload), w.metrics),
    reads: recoveryReads(w.store, w.live),
    mysql,
    recordBlocked: (entry, blockingId) => {
      w.metrics?.blockedRecovery(entry.Analysis);
      return w.store.recoveries.registerBlocked(
        entry.AnalyzedInstanceKey,
        entry.ClusterDetails.ClusterName,
        entry.Analysis,
        blockingId,
      );
    },
    // A step that failed (its fields carry `error`) is a warning; every other step and hook run, info.
    log: (message, fields) =>
      fields?.error === undefined ? w.log.info(fields ?? {}, message) : w.log.warn(fields, message),
    kv: w.kv,
    clock: { now: w.now },
  });
  return { engine, mysql, close };
}

export class RecoveryService {
  readonly engine: RecoveryEngine;
  private readonly closeMySQL: () => Promise<void>;
  private resumeTimer: NodeJS.Timeout | undefined;
  private leading = false;
  /** AutoPseudoGTID: writes Pseudo-GTID entries on the writable masters while this node leads. */
  private readonly pseudoGtid: PseudoGtidInjector | undefined;

  constructor(
    config: OrchestratorConfig,
    derived: DerivedConfig,
    store: Store,
    private readonly raft: RaftService,
    private readonly discovery: Discovery,
    node: { hostname: string; token: string },
    private readonly log: Logger,
    /** Publishes a promoted master to the external KV stores (kv.ts). */
    kv?: MasterKVHook,
    /** Epoch ms for anti-flapping, detection windows and warm-up: the daemon's jump-free clock. */
    now: () => number = Date.now,
    metrics?: RecoveryMetrics,
  ) {
    const { engine, mysql, close } = createEngine({
      config,
      derived,
      store,
      raft,
      live: discovery,
      node,
      log,
      kv,
      now,
      metrics,
    });
    this.closeMySQL = close;
    this.engine = engine;
    if (config.AutoPseudoGTID)
      this.pseudoGtid = new PseudoGtidInjector({
        mysql,
        isLeader: () => raft.isLeaderWithQuorum(),
        instances: () => [...clusterView(discovery.instances()).values()].flat(),
        publish: (op, payload) => raft.propose(op, payload),
        log,
        intervalSeconds: config.PseudoGTIDIntervalSeconds,
        now,
      });
  }

  start(): void {
    this.discovery.onAnalysis((analysis) => this.onAnalysis(analysis));
    this.resumeTimer = setInterval(() => void this.resume(), RESUME_INTERVAL_MS);
    this.pseudoGtid?.start();
  }

  /** Called when this node has become leader (after leader-uri is published). */
  onLeading(): void {
    void this.resume();
  }

  async stop(): Promise<void> {
    clearInterval(this.resumeTimer);
    this.pseudoGtid?.stop();
    await Promise.race([this.engine.drain(), new Promise((r) => setTimeout(r, 500).unref())]);
    await this.closeMySQL();
  }

  private onAnalysis(analysis: readonly ReplicationAnalysis[]): void {
    const leading = this.raft.isLeaderWithQuorum();
    if (leading !== this.leading) this.leading = leading;
    if (!leading) return;
    const entries = analysis as unknown as AnalysisEntry[];
    void this.engine.onAnalysis(entries).then(
      (outcomes) => {
        for (const o of outcomes) {
          if (o.outcome === 'recovered' || o.outcome === 'failed') {
            this.log.info(
              { analysis: o.analysis, key: o.key, outcome: o.outcome, successor: o.recovery.SuccessorKey },
              'recovery finished',
            );
            // Re-probe the cluster now so the API shows the new topology without waiting for a poll.
            this.discovery.refresh([...o.recovery.ParticipatingInstanceKeys, o.key]);
          }
        }
      },
      (err: Error) => this.log.error({ error: err.message }, 'recovery engine failed'),
    );
  }

  private async resume(): Promise<void> {
    if (!this.raft.isLeaderWithQuorum()) return;
    try {
      const results = await this.engine.resumeInterruptedRecoveries();
      for (const r of results)
        this.log.warn({ uid: r.uid, decision: r.decision }, 'handled an interrupted recovery');
    } catch (err) {
      this.log.error({ error: (err as Error).message }, 'resuming interrupted recoveries failed');
    }
  }
}
