// Discovery and analysis on this node (reference §1.7: every active node probes and analyses;
// a node outside a quorum does neither). Probe results go to the node's own backend; the latest
// analysis is kept in memory for /api/replication-analysis and the recovery engine.
import {
  analyze,
  DEFAULT_PROBER_CONFIG,
  DiscoveryLoop,
  type FormerMaster,
  type InstanceRepository,
  MySQLProber,
  type ProberConfig,
  type ProbeTiming,
  type ReplicationAnalysis,
} from '@orchestrator/prober';
import type { Instance, InstanceKey, Store } from '@orchestrator/store';
import type { OrchestratorConfig } from './config/index.js';
import { AnalysisChangelog, DiscoveryMetrics } from './discovery-metrics.js';
import type { Logger } from './logger.js';
import { type AskMember, type Member, ObserverPanel } from './observers.js';
import type { RaftService } from './raft/service.js';
import { getJson, httpsClientOptions, nodeAuthHeaders } from './tls.js';

const ANALYSIS_INTERVAL_MS = 1000;
const FORMER_MASTERS_CACHE_MS = 5000;
// A fallback: raft role changes start and stop discovery at once; this catches quorum loss, which
// raft reports through no event.
const ACTIVITY_CHECK_MS = 250;

/** Discovery cannot run on this node right now (not part of a quorum): retry shortly (HTTP 503). */
export class DiscoveryPausedError extends Error {
  readonly code = 'NOT_READY';
  override readonly name = 'DiscoveryPausedError';
}

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
    RecoverLockedSemiSyncMaster: config.RecoverLockedSemiSyncMaster,
    EnforceExactSemiSyncReplicas: config.EnforceExactSemiSyncReplicas,
    ReasonableLockedSemiSyncMasterSeconds: config.ReasonableLockedSemiSyncMasterSeconds,
  };
}

/**
 * Masters that recent successful recoveries replaced (newest first wins): analysis reports one
 * that comes back writable.
 */
export async function readFormerMasters(store: Store): Promise<Map<string, FormerMaster>> {
  const value = new Map<string, FormerMaster>();
  for (const r of await store.recoveries.read({ pageSize: 200 })) {
    const failed = r.AnalysisEntry.AnalyzedInstanceKey as InstanceKey | undefined;
    if (!r.IsSuccessful || !r.SuccessorKey || !failed || !/Master/.test(String(r.AnalysisEntry.Analysis)))
      continue;
    const id = `${failed.Hostname}:${failed.Port}`;
    if (value.has(id)) continue;
    value.set(id, {
      successor: `${r.SuccessorKey.Hostname}:${r.SuccessorKey.Port}`,
      recoveryUID: r.UID,
      at: r.RecoveryStartTimestamp,
    });
  }
  return value;
}

/**
 * Analysis of a discovery loop's view with everything the backend adds (downtimes, maintenance,
 * aliases): what the daemon runs every second, and the command line once after probing.
 */
export async function analyzeLoop(
  store: Store,
  loop: DiscoveryLoop,
  config: ProberConfig,
  now: number,
  extra: {
    formerMasters: ReadonlyMap<string, FormerMaster>;
    observers?: Parameters<typeof analyze>[1]['observers'];
    includeDowntimed?: boolean;
  },
): Promise<ReplicationAnalysis[]> {
  const [downtimes, maintenance, aliases] = await Promise.all([
    store.downtime.active(),
    store.maintenance.active(),
    store.clusterAliases.all(),
  ]);
  return analyze(loop.instances(), {
    config,
    now,
    downtimes: downtimes.map((d) => ({ Key: d.Key, EndTimestamp: d.EndsAt })),
    maintenance: maintenance.map((m) => m.Key),
    clusterAliases: new Map(Object.entries(aliases)),
    includeDowntimed: extra.includeDowntimed ?? true,
    replicaSilenceMs: loop.replicaSilence(),
    refusedConnections: loop.refusedInstances(),
    formerMasters: extra.formerMasters,
    binlogUnchangedSince: loop.binlogUnchangedSince(),
    observers: extra.observers,
  });
}

/** What discovery reports for metrics (metrics/prober-metrics.ts, metrics/store-metrics.ts). */
export interface DiscoveryInstruments {
  probe(timing: ProbeTiming): void;
  /** Seconds one batch of probe results took to write to the backend. */
  write(seconds: number): void;
}

/** The prober's persistence port on the store's instance DAO. */
export function repository(store: Store, observeWrite?: (seconds: number) => void): InstanceRepository {
  const dao = store.instances;
  return {
    upsertInstances: async (batch) => {
      const started = performance.now();
      await dao.upsert(batch);
      observeWrite?.((performance.now() - started) / 1000);
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
  private analyseAgain = false;
  private formerMastersCache: { at: number; value: ReadonlyMap<string, FormerMaster> } | undefined;
  private readonly listeners: ((analysis: readonly ReplicationAnalysis[]) => void)[] = [];
  private queueTimer: NodeJS.Timeout | undefined;
  /** discovery-metrics-* and discovery-queue-metrics-*. */
  readonly metrics: DiscoveryMetrics;
  /** replication-analysis-changelog. */
  readonly changelog: AnalysisChangelog;

  /** On the leader: the other orchestrator nodes' views of instances this node cannot reach. */
  private readonly observers: ObserverPanel;

  constructor(
    config: OrchestratorConfig,
    private readonly store: Store,
    private readonly raft: RaftService,
    private readonly log: Logger,
    urlPrefix = '',
    /** Epoch ms for analysis and the discovery loop: the daemon's jump-free clock (clock.ts). */
    private readonly now: () => number = Date.now,
    private readonly instruments?: DiscoveryInstruments,
  ) {
    this.proberConfig = proberConfigFrom(config);
    this.metrics = new DiscoveryMetrics(now);
    this.changelog = new AnalysisChangelog(config.UnseenInstanceForgetHours);
    this.observers = new ObserverPanel({
      self: raft.raftAdvertise,
      others: () =>
        raft.enabled
          ? raft
              .peers()
              .filter((id) => id !== raft.raftAdvertise)
              .map((id): Member => ({ id, httpURL: raft.healthReports.httpURLOf(id) }))
          : [],
      ask: askMember(config, urlPrefix),
      onComplete: () => void this.runAnalysis(),
    });
  }

  private readonly onRaftChange = (): void => this.followQuorum();

  /** Starts following raft: probing runs only while this node is part of a quorum. */
  start(): void {
    this.activityTimer = setInterval(() => this.followQuorum(), ACTIVITY_CHECK_MS);
    this.analysisTimer = setInterval(() => void this.runAnalysis(), ANALYSIS_INTERVAL_MS);
    this.queueTimer = setInterval(() => {
      const loop = this.loop;
      if (loop) this.metrics.sampleQueue(loop.active(), loop.backlog());
    }, 1000);
    this.raft.node.on('stateChanged', this.onRaftChange);
    this.raft.node.on('leaderChanged', this.onRaftChange);
    this.followQuorum();
  }

  async stop(): Promise<void> {
    this.raft.node.off('stateChanged', this.onRaftChange);
    this.raft.node.off('leaderChanged', this.onRaftChange);
    clearInterval(this.activityTimer);
    clearInterval(this.analysisTimer);
    clearInterval(this.queueTimer);
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

  /** The discovery queue right now, undefined while this node does not probe (for metrics). */
  queue(): { backlog: number; active: number; slowLane: number } | undefined {
    const loop = this.loop;
    return loop && { backlog: loop.backlog(), active: loop.active(), slowLane: loop.slowLane() };
  }

  /**
   * reload-configuration: new values of prober keys that are read on use (analysis thresholds and
   * filters, discovery filters, Detect*Query). The loop and the prober share this object.
   */
  updateConfig(changes: Partial<ProberConfig>): void {
    Object.assign(this.proberConfig, changes);
  }

  /** hostname-resolve-cache: names servers reported for themselves (empty while inactive). */
  hostnameCache(): Record<string, string> {
    return Object.fromEntries(this.loop?.hostnameCache() ?? []);
  }

  resetHostnameCache(): number {
    return this.loop?.resetHostnameCache() ?? 0;
  }

  /**
   * API discovery: probe now and resolve with the result. A node that is part of a quorum but has
   * not started its loop yet (it won an election a moment ago) starts it first, so a leader that
   * answers leader-check 200 accepts discovery at once.
   */
  async discover(key: InstanceKey) {
    let loop = this.loop;
    if (!loop && this.raft.isPartOfQuorum()) {
      this.followQuorum();
      await this.transition;
      loop = this.loop;
    }
    if (!loop) {
      throw new DiscoveryPausedError(
        'this node is not part of a raft quorum: discovery is paused; retry when a leader is elected',
      );
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
          repository: repository(this.store, this.instruments?.write),
          now: this.now,
          onTopologyChange: () => void this.runAnalysis(),
          onProbe: (p) => {
            this.metrics.recordProbe(p);
            this.instruments?.probe(p);
          },
          // The leader starts asking the other nodes at the first sign of trouble, in parallel with
          // watching the replicas, so their answers are in by the time the replicas' evidence is.
          onSuspicion: (key, since) => {
            if (this.raft.isLeader()) this.observers.consult(key, since);
          },
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

  /**
   * Masters that recent successful recoveries replaced (newest first wins), read at most every few
   * seconds: analysis reports one that comes back writable.
   */
  private async formerMasters(): Promise<ReadonlyMap<string, FormerMaster>> {
    const now = Date.now();
    if (this.formerMastersCache && now - this.formerMastersCache.at < FORMER_MASTERS_CACHE_MS)
      return this.formerMastersCache.value;
    const value = await readFormerMasters(this.store);
    this.formerMastersCache = { at: now, value };
    return value;
  }

  /**
   * Makes sure the other nodes are asked about every instance with replicas that this node cannot
   * reach (a new leader asks about suspicions older than its leadership too), and forgets the rest.
   */
  private consultObservers(loop: DiscoveryLoop, instances: readonly Instance[]) {
    const replicated = new Set<string>();
    for (const i of instances)
      if (i.MasterKey.Hostname) replicated.add(`${i.MasterKey.Hostname}:${i.MasterKey.Port}`);
    const suspected = new Set<string>();
    for (const i of instances) {
      const id = `${i.Key.Hostname}:${i.Key.Port}`;
      const suspectedSince = loop.suspectedSince(i.Key);
      if (!replicated.has(id) || (i.IsLastCheckValid && suspectedSince === undefined)) continue;
      suspected.add(id);
      this.observers.consult(i.Key, suspectedSince ?? (Date.parse(i.LastSeenTimestamp) || this.now()));
    }
    this.observers.retain(suspected);
    return this.observers.views();
  }

  /**
   * instance-reachability, asked by the leader: has this node reached `key` within `withinMs`, or
   * does it answer a ping now (bounded by MySQLConnectTimeoutSeconds)?
   */
  async reachability(key: InstanceKey, withinMs: number): Promise<{ Reachable: boolean; Detail: string }> {
    const loop = this.loop;
    if (!loop) throw new DiscoveryPausedError('this node is not part of a raft quorum: it is not probing');
    const ago = loop.lastSeenAgo(key);
    if (ago !== undefined && ago <= withinMs) {
      return { Reachable: true, Detail: `a probe begun ${ago} ms ago succeeded` };
    }
    if (await loop.checkNow(key)) return { Reachable: true, Detail: 'answered a ping just now' };
    return {
      Reachable: false,
      Detail: `no answer to a ping${ago === undefined ? '' : `; last probed successfully ${(ago / 1000).toFixed(1)} s ago`}`,
    };
  }

  private async runAnalysis(): Promise<void> {
    const loop = this.loop;
    if (!loop) return;
    if (this.analysing) {
      // Something changed while an analysis runs: run once more right after, never drop the news.
      this.analyseAgain = true;
      return;
    }
    this.analysing = true;
    this.analyseAgain = false;
    try {
      const now = this.now();
      const formerMasters = await this.formerMasters();
      const observers = this.raft.isLeader() ? this.consultObservers(loop, loop.instances()) : undefined;
      this.analysis = await analyzeLoop(this.store, loop, this.proberConfig, now, {
        formerMasters,
        observers,
      });
      this.changelog.update(this.analysis, now);
      for (const listener of this.listeners) listener(this.analysis);
    } catch (err) {
      this.log.error({ error: (err as Error).message }, 'analysis failed');
    } finally {
      this.analysing = false;
      if (this.analyseAgain) void this.runAnalysis();
    }
  }
}

/** Asks another node's /api/instance-reachability, bounded by its ping deadline plus a second. */
function askMember(config: OrchestratorConfig, urlPrefix: string): AskMember {
  const timeoutMs = config.MySQLConnectTimeoutSeconds * 1000 + 1000;
  return async (member, key, withinMs) => {
    const url = `${member.httpURL}${urlPrefix}/api/instance-reachability/${encodeURIComponent(key.Hostname)}/${key.Port}?within=${Math.round(withinMs)}`;
    const { status, body } = await getJson(url, {
      headers: nodeAuthHeaders(config),
      timeoutMs,
      tls: httpsClientOptions(config),
    });
    const answer = body as { Reachable?: unknown; Detail?: unknown } | undefined;
    if (status !== 200 || typeof answer?.Reachable !== 'boolean') throw new Error(`HTTP ${status}`);
    return { Reachable: answer.Reachable, Detail: String(answer.Detail ?? '') };
  };
}
