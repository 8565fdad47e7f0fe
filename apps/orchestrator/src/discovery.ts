// Discovery and analysis on this node (reference §1.7: every active node probes and analyses;
// a node outside a quorum does neither). Probe results go to the node's own backend; the latest
// analysis is kept in memory for /api/replication-analysis and the recovery engine.
import {
  analyze,
  DEFAULT_PROBER_CONFIG,
  DiscoveryLoop,
  type InstanceRepository,
  MySQLProber,
  type ProberConfig,
  type ReplicationAnalysis,
} from '@orchestrator/prober';
import type { InstanceKey, Store } from '@orchestrator/store';
import type { OrchestratorConfig } from './config/index.js';
import type { Logger } from './logger.js';
import type { RaftService } from './raft/service.js';

const ANALYSIS_INTERVAL_MS = 1000;
const ACTIVITY_CHECK_MS = 250;

export function proberConfigFrom(config: OrchestratorConfig): ProberConfig {
  return {
    ...DEFAULT_PROBER_CONFIG,
    InstancePollSeconds: config.InstancePollSeconds,
    ReasonableInstanceCheckSeconds: config.ReasonableInstanceCheckSeconds,
    DiscoveryMaxConcurrency: config.DiscoveryMaxConcurrency,
    DiscoverySeeds: [...config.DiscoverySeeds],
    DiscoverByShowSlaveHosts: config.DiscoverByShowSlaveHosts,
    MySQLTopologyUser: config.MySQLTopologyUser,
    MySQLTopologyPassword: config.MySQLTopologyPassword,
    MySQLConnectTimeoutSeconds: config.MySQLConnectTimeoutSeconds,
    MySQLDiscoveryReadTimeoutSeconds: config.MySQLDiscoveryReadTimeoutSeconds,
    UnseenInstanceForgetHours: config.UnseenInstanceForgetHours,
    ReasonableReplicationLagSeconds: config.ReasonableReplicationLagSeconds,
    DiscoveryIgnoreHostnameFilters: [...config.DiscoveryIgnoreHostnameFilters],
    DiscoveryIgnoreReplicaHostnameFilters: [...config.DiscoveryIgnoreReplicaHostnameFilters],
    DiscoveryIgnoreMasterHostnameFilters: [...config.DiscoveryIgnoreMasterHostnameFilters],
    RecoveryIgnoreHostnameFilters: [...config.RecoveryIgnoreHostnameFilters],
    MySQLHostnameResolveMethod: (config.MySQLHostnameResolveMethod ||
      'none') as ProberConfig['MySQLHostnameResolveMethod'],
    DetectDataCenterQuery: config.DetectDataCenterQuery,
    DetectRegionQuery: config.DetectRegionQuery,
    DetectPhysicalEnvironmentQuery: config.DetectPhysicalEnvironmentQuery,
    DetectInstanceAliasQuery: config.DetectInstanceAliasQuery,
    DetectPromotionRuleQuery: config.DetectPromotionRuleQuery,
    DetectClusterAliasQuery: config.DetectClusterAliasQuery,
    DetectSemiSyncEnforcedQuery: config.DetectSemiSyncEnforcedQuery,
    ReplicationLagQuery: config.ReplicationLagQuery,
    DataCenterPattern: config.DataCenterPattern,
    RegionPattern: config.RegionPattern,
    PhysicalEnvironmentPattern: config.PhysicalEnvironmentPattern,
    RecoverNonWriteableMaster: config.RecoverNonWriteableMaster,
  };
}

/** The prober's persistence port on the store's instance DAO. */
function repository(store: Store): InstanceRepository {
  const dao = store.instances;
  return {
    upsertInstances: async (batch) => {
      await dao.upsert(batch);
    },
    recordCheckFailures: async (batch) => {
      for (const f of batch) await dao.recordFailedCheck(f.key, false);
    },
    recordAttempts: async (keys) => {
      for (const k of keys) await dao.recordCheckAttempt(k);
    },
    readAll: () => dao.readAll(),
    forgetInstances: async (keys) => {
      for (const k of keys) await dao.forget(k);
    },
  };
}

export class Discovery {
  private loop: DiscoveryLoop | undefined;
  private readonly proberConfig: ProberConfig;
  private activityTimer: NodeJS.Timeout | undefined;
  private analysisTimer: NodeJS.Timeout | undefined;
  private transition: Promise<void> = Promise.resolve();
  private analysis: ReplicationAnalysis[] = [];
  private analysing = false;
  private readonly listeners: ((analysis: readonly ReplicationAnalysis[]) => void)[] = [];

  constructor(
    config: OrchestratorConfig,
    private readonly store: Store,
    private readonly raft: RaftService,
    private readonly log: Logger,
  ) {
    this.proberConfig = proberConfigFrom(config);
  }

  /** Starts following raft: probing runs only while this node is part of a quorum. */
  start(): void {
    this.activityTimer = setInterval(() => this.followQuorum(), ACTIVITY_CHECK_MS);
    this.analysisTimer = setInterval(() => void this.runAnalysis(), ANALYSIS_INTERVAL_MS);
    this.followQuorum();
  }

  async stop(): Promise<void> {
    clearInterval(this.activityTimer);
    clearInterval(this.analysisTimer);
    await this.transition;
    const loop = this.loop;
    this.loop = undefined;
    await loop?.stop();
  }

  /** Called with every new analysis (the recovery engine subscribes). */
  onAnalysis(listener: (analysis: readonly ReplicationAnalysis[]) => void): void {
    this.listeners.push(listener);
  }

  /** The discovery loop's latest probe of every known instance ([] while inactive). */
  instances() {
    return this.loop?.instances() ?? [];
  }

  latestAnalysis(): readonly ReplicationAnalysis[] {
    return this.analysis;
  }

  get active(): boolean {
    return this.loop !== undefined;
  }

  /** API discovery: probe now and resolve with the result. */
  async discover(key: InstanceKey) {
    const loop = this.loop;
    if (!loop) {
      return {
        ok: false as const,
        key,
        error: new Error('this node is not part of a raft quorum: discovery is paused'),
      };
    }
    return loop.discover(key);
  }

  /** The `discover` command from the raft log: probe in the background. */
  requestDiscovery(key: InstanceKey): void {
    void this.loop?.discover(key);
  }

  refresh(keys: readonly InstanceKey[]): void {
    this.loop?.refresh(keys);
  }

  forget(keys: readonly InstanceKey[]): void {
    this.loop?.forget(keys);
  }

  private followQuorum(): void {
    const shouldRun = this.raft.isPartOfQuorum();
    if (shouldRun === (this.loop !== undefined)) return;
    this.transition = this.transition.then(async () => {
      if (shouldRun && !this.loop) {
        const loop = new DiscoveryLoop({
          config: this.proberConfig,
          prober: new MySQLProber(this.proberConfig),
          repository: repository(this.store),
          onTopologyChange: () => void this.runAnalysis(),
        });
        this.loop = loop;
        await loop.start();
        this.log.info(
          { seeds: this.proberConfig.DiscoverySeeds },
          'part of a raft quorum: discovery started',
        );
      } else if (!shouldRun && this.loop) {
        const loop = this.loop;
        this.loop = undefined;
        await loop.stop();
        this.analysis = [];
        this.log.warn('not part of a raft quorum: discovery and analysis paused');
      }
    });
  }

  private async runAnalysis(): Promise<void> {
    const loop = this.loop;
    if (!loop || this.analysing) return;
    this.analysing = true;
    try {
      const now = Date.now();
      const [downtimes, maintenance, aliases] = await Promise.all([
        this.store.downtime.active(),
        this.store.maintenance.active(),
        this.store.clusterAliases.all(),
      ]);
      this.analysis = analyze(loop.instances(), {
        config: this.proberConfig,
        now,
        downtimes: downtimes.map((d) => ({ Key: d.Key, EndTimestamp: d.EndsAt })),
        maintenance: maintenance.map((m) => m.Key),
        clusterAliases: new Map(Object.entries(aliases)),
        includeDowntimed: true,
      });
      for (const listener of this.listeners) listener(this.analysis);
    } catch (err) {
      this.log.error({ error: (err as Error).message }, 'analysis failed');
    } finally {
      this.analysing = false;
    }
  }
}
