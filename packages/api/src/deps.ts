// The narrow interfaces the API handlers need. The daemon (apps/orchestrator) implements them on top
// of consensus, store and prober; tests implement them in memory. The API never imports those
// packages' implementations, only the store's model types.
import type { CommandProposer, Instance, InstanceKey } from '@orchestrator/model';

/** A value or a promise of it: fakes answer synchronously, real stores may not. */
export type Awaitable<T> = T | Promise<T>;

export type RaftState = 'Leader' | 'Follower' | 'Candidate' | 'Shutdown';

/** What this node knows about raft. Every method must be cheap: leader-check calls them per request. */
export interface RaftView {
  /** false when RaftEnabled is off: raft routes answer 500 and nothing is proxied. */
  readonly enabled: boolean;
  state(): RaftState;
  /** The leader's raft address (`host:port`), '' when unknown. */
  leader(): string;
  /** The URL the leader published with `leader-uri`, '' when unknown. */
  leaderURI(): string;
  /** Current membership, raft addresses. */
  peers(): string[];
  /** Leader or Follower, and a leader is known (reference §1.7). */
  isPartOfQuorum(): boolean;
  /** True only on a leader that currently holds a quorum (heard from a majority recently). */
  isLeaderWithQuorum(): Awaitable<boolean>;
  readonly raftBind: string;
  readonly raftAdvertise: string;
  /** This node's term and log positions (web interface); optional so fakes may omit it. */
  progress?(): RaftProgress;
  /** On a leader: every member as the leader sees it (web interface); [] elsewhere. Optional. */
  members?(): RaftMemberView[];
  /**
   * Why this node takes no part in raft right now — it cannot write its raft storage or its backend
   * — or undefined. raft-health answers unhealthy with it, raft-status shows it. Optional.
   */
  storageFault?(): string | undefined;
}

export interface RaftProgress {
  Term: number;
  CommitIndex: number;
  AppliedIndex: number;
  LastIndex: number;
  /** Members catching up before the leader promotes them to voter (ours). */
  Learners?: string[];
  /** This node started with an empty raft dir and is not admitted yet: it does not vote (ours). */
  Recovering?: boolean;
}

export interface RaftMemberView {
  /** Raft address (`host:port`). */
  Address: string;
  IsLeader: boolean;
  /** Highest log index the leader knows the member holds. */
  MatchIndex: number;
  /** Seconds since the leader last heard from it; null when never. */
  LastContactSeconds: number | null;
  /** Answered the leader's health-report request within the last 20 s. */
  Healthy: boolean;
  /** A voter (false: a learner catching up). Optional. */
  Voter?: boolean;
}

/** Raft operations the raft-* routes trigger. */
export interface RaftControl {
  /** Publishes `yield` for `node` (only when this node is the leader). */
  yield(node: string): Awaitable<void>;
  /** Publishes `yield-hint`. */
  yieldHint(hint: string): Awaitable<void>;
  /** Takes a local snapshot. */
  snapshot(): Awaitable<void>;
  /** Records a follower's health report; false (or a throw) when the token is unknown. */
  /** `httpURL` (ours): the reporting node's API base, so the leader can ask it what it sees. */
  reportHealth(token: string, raftBind: string, raftAdvertise: string, httpURL?: string): Awaitable<boolean>;
  /**
   * Adds a member; resolves with the normalised address. Refuses (an error with code
   * MEMBERSHIP_CHANGE_REFUSED and `details`) a change that leaves fewer reachable voters than a
   * quorum, unless `force`.
   */
  addPeer(addr: string, options?: { readonly force?: boolean }): Awaitable<string>;
  /** Removes a member; resolves with the normalised address. Refuses like addPeer. */
  removePeer(addr: string, options?: { readonly force?: boolean }): Awaitable<string>;
}

/**
 * Proposes a replicated command (reference §1.5) and resolves once it is committed and
 * applied on this node, with the applier's result. Throws an error with `code: 'NOT_LEADER'` when
 * this node is not the leader; the API answers that with 500 "Unauthorized".
 */
export type CommandPublisher = CommandProposer;

export interface ClusterInfo {
  ClusterName: string;
  ClusterAlias: string;
  ClusterDomain: string;
  CountInstances: number;
  HeuristicLag: number;
  HasAutomatedMasterRecovery: boolean;
  HasAutomatedIntermediateMasterRecovery: boolean;
}

/** Reads from this node's backend DB. */
export interface InstanceReads {
  instance(key: InstanceKey): Awaitable<Instance | null>;
  /** Direct replicas of `key`. */
  replicas(key: InstanceKey): Awaitable<Instance[]>;
  all(): Awaitable<Instance[]>;
  /** Instances whose hostname, cluster name or alias contains `s`. */
  search(s: string): Awaitable<Instance[]>;
  clusterInstances(clusterName: string): Awaitable<Instance[]>;
  clusters(): Awaitable<string[]>;
  clustersInfo(): Awaitable<ClusterInfo[]>;
}

export interface Discovery {
  /** Probes `key` now on this node and resolves with what was read (throws when unreachable). */
  discover(key: InstanceKey): Promise<Instance>;
  /** Re-probes a known instance now. */
  refresh(key: InstanceKey): Promise<void>;
  /**
   * Ours, asked by the leader: has this node reached `key` within `withinMs`, or can it now? Absent
   * where the deployment has a single node.
   */
  reachability?(key: InstanceKey, withinMs: number): Promise<{ Reachable: boolean; Detail: string }>;
}

/** Local (not replicated) maintenance locks. */
export interface MaintenanceStore {
  begin(key: InstanceKey, owner: string, reason: string, durationSeconds: number): Awaitable<void>;
  /** false when no active maintenance existed. */
  end(key: InstanceKey): Awaitable<boolean>;
  list(): Awaitable<unknown[]>;
}

export interface TagFilter {
  TagName: string;
  TagValue: string;
  HasValue: boolean;
  Negate: boolean;
}

export interface TagStore {
  /** `name` or `name=value` strings. */
  list(key: InstanceKey): Awaitable<string[]>;
  /** null when the instance does not have the tag. */
  value(key: InstanceKey, name: string): Awaitable<string | null>;
  /** Keys matching every filter. */
  tagged(filters: TagFilter[]): Awaitable<InstanceKey[]>;
  /** Local-only removal (reference quirk); resolves with the keys untagged. */
  untag(key: InstanceKey | null, tag: TagFilter): Awaitable<InstanceKey[]>;
}

export interface PoolReads {
  /** Instances of the cluster that belong to `pool` (all pools when undefined). */
  clusterPoolInstances(clusterName: string, pool: string | undefined): Awaitable<Instance[]>;
  /**
   * cluster-pool-instances: pool name → keys of the cluster's instances in it (only `pool` when
   * given). Optional: without it the route answers that pools cannot be listed here.
   */
  clusterPools?(clusterName: string, pool: string | undefined): Awaitable<Record<string, InstanceKey[]>>;
}

/** Rows as the store returns them (reference shapes); the API passes them through. */
export type Row = Record<string, unknown>;

export interface AnalysisReads {
  /** ReplicationAnalysis entries, downtimed included; filtered by cluster or instance when given. */
  replicationAnalysis(filter: { clusterName?: string; key?: InstanceKey }): Awaitable<Row[]>;
  /**
   * replication-analysis-changelog: per instance, its analysis changes as the reference's
   * `{AnalyzedInstanceKey, Changelog: ["<time>;<analysis>,", …]}`. Optional.
   */
  changelog?(): Awaitable<Row[]>;
}

export interface RecoveryReads {
  globalRecoveriesDisabled(): Awaitable<boolean>;
  recoveries(filter: {
    page?: number;
    id?: number;
    uid?: string;
    clusterName?: string;
    alias?: string;
  }): Awaitable<Row[]>;
  steps(uid: string): Awaitable<Row[]>;
  failureDetections(filter: { page?: number; id?: number; alias?: string }): Awaitable<Row[]>;
  blocked(clusterName?: string): Awaitable<Row[]>;
  /** Recoveries in their active period for the cluster. */
  active(clusterName: string): Awaitable<Row[]>;
  recentlyActiveCluster(clusterName: string): Awaitable<Row[]>;
  recentlyActiveInstance(key: InstanceKey): Awaitable<Row[]>;
}

export interface AuditReads {
  list(filter: { page: number; key?: InstanceKey }): Awaitable<Row[]>;
}

export interface NodeHealth {
  Hostname: string;
  Token: string;
  AppVersion: string;
  FirstSeenActive: string;
  LastSeenActive: string;
  ExtraInfo: string;
  Command: string;
  DBBackend: string;
  LastReported: string;
}

export interface HealthStatus {
  Healthy: boolean;
  Hostname: string;
  Token: string;
  IsActiveNode: boolean;
  ActiveNode: NodeHealth | null;
  Error: string | null;
  AvailableNodes: NodeHealth[];
  RaftLeader: string;
  IsRaftLeader: boolean;
  RaftLeaderURI: string;
  RaftAdvertise: string;
  RaftHealthyMembers: string[];
}

export interface HealthReads {
  /** This node's health (wrote node_health recently); cached by the implementation. */
  status(): Awaitable<HealthStatus>;
}

/** What reload-configuration did (ours: the reference answers only "Config reloaded"). */
export interface ConfigReloadReport {
  /** The file(s) read, in order. */
  Files: string[];
  /** Changed keys now in effect. */
  Applied: string[];
  /** Changed keys read once at start: they keep their running value until a restart. */
  RestartRequired: string[];
  /** Changed keys accepted for compatibility that have no effect here. */
  Ignored: string[];
}

/** reload-configuration: re-reads the config file; throws (naming every bad key) and applies nothing when it is invalid. */
export interface ConfigReloader {
  reload(extraFile?: string): Awaitable<ConfigReloadReport>;
}

/** hostname-resolve-cache: names learned from servers (MySQLHostnameResolveMethod) → the name they go by. */
export interface HostnameCache {
  entries(): Awaitable<Record<string, string>>;
  /** Forgets every entry (they are learned again on the next probes); resolves with how many. */
  reset(): Awaitable<number>;
}

/** The reference's discovery-metrics-* and discovery-queue-metrics-* (shapes in routes/monitoring.ts). */
export interface DiscoveryMetricsReads {
  /** Probes completed within the last `seconds`, oldest first. */
  raw(seconds: number): Awaitable<Row[]>;
  aggregated(seconds: number): Awaitable<Row>;
  /** Per-second samples of the discovery queue, the last `seconds` of them. */
  queueRaw(seconds: number): Awaitable<Row[]>;
  queueAggregated(seconds: number): Awaitable<Row>;
}

/** bulk-promotion-rules: every candidate_database_instance row. */
export interface CandidateReads {
  /** `{Hostname, Port, PromotionRule, LastSuggestedString, PromotionRuleExpiry}` per row. */
  all(): Awaitable<Row[]>;
}

/** Everything the built-in routes need. */
/** snapshot-topologies: records every known instance's master now, in this node's backend. */
export interface TopologyHistory {
  /** Returns how many instances were recorded. */
  snapshot(): Awaitable<number>;
}

/** Publishing masters for service discovery: kv_store and the external KV stores (ZooKeeper, etcd, Consul). */
export interface MasterKVPublisher {
  /**
   * Publishes each cluster's master: its pairs into kv_store through raft and into the external
   * stores. Resolves with the pairs and, for external stores whose first attempt failed (they keep
   * retrying), one message each.
   */
  submit(
    masters: readonly { ClusterName: string; ClusterAlias: string; Master: InstanceKey }[],
  ): Promise<{ pairs: { Key: string; Value: string }[]; errors: string[] }>;
}

export interface ApiDeps {
  raft: RaftView & RaftControl;
  commands: CommandPublisher;
  instances: InstanceReads;
  /** Absent: snapshot-topologies answers that this deployment keeps no topology history. */
  topologyHistory?: TopologyHistory;
  discovery: Discovery;
  maintenance: MaintenanceStore;
  tags: TagStore;
  pools: PoolReads;
  analysis: AnalysisReads;
  recoveries: RecoveryReads;
  audit: AuditReads;
  health: HealthReads;
  /** Absent: submit-masters-to-kv-stores writes kv_store only (three pairs per master). */
  kv?: MasterKVPublisher;
  /** Absent: reload-configuration answers that this deployment has no config file to reload. */
  config?: ConfigReloader;
  /** Absent: hostname-resolve-cache is empty. */
  hostnames?: HostnameCache;
  /** Absent: the discovery metrics routes answer that nothing is collected. */
  discoveryMetrics?: DiscoveryMetricsReads;
  /** Absent: bulk-promotion-rules is computed from nothing ([]). */
  candidates?: CandidateReads;
}
