// OrchestratorClient: typed methods over the HTTP API (§6), one per route the orchestrator-client
// command uses. Reads return the body; actions return the envelope's Details. Errors: ApiError for
// ERROR envelopes, NoLeaderError, UnauthorizedError, UnreachableError, InvalidResponseError.
import { ApiConnection, type CallOptions, type ClientOptions } from './connection.js';
import { keyOf } from './keys.js';
import { keyPath, query, seg } from './routes.js';
import type {
  ApiResult,
  ClusterInfo,
  HealthStatus,
  Instance,
  InstanceKey,
  KVPair,
  PromotionRule,
  RaftStatus,
  ReplicationAnalysis,
  TopologyRecovery,
} from './types.js';

/** Moves of one instance below another: `<command>/H/P/DH/DP`, Details = the moved Instance. */
export type MoveBelowCommand =
  | 'relocate'
  | 'match'
  | 'match-below'
  | 'move-below'
  | 'move-equivalent'
  | 'move-below-gtid'
  | 'repoint';

/** Moves of one instance with no destination: `<command>/H/P`, Details = the moved Instance. */
export type MoveCommand = 'move-up' | 'match-up' | 'make-co-master' | 'take-master' | 'take-siblings';

/** Moves of an instance's replicas: `<command>/H/P[/DH/DP]`, Details = the moved Instance[]. */
export type MoveReplicasCommand =
  | 'relocate-replicas'
  | 'move-replicas-gtid'
  | 'repoint-replicas'
  | 'move-up-replicas'
  | 'match-up-replicas'
  | 'match-replicas';

/** Actions on one server: `<command>/H/P`, Details = the Instance after the action. */
export type InstanceCommand =
  | 'stop-replica'
  | 'stop-replica-nice'
  | 'start-replica'
  | 'restart-replica'
  | 'reset-replica'
  | 'detach-replica'
  | 'reattach-replica'
  | 'detach-replica-master-host'
  | 'reattach-replica-master-host'
  | 'skip-query'
  | 'set-read-only'
  | 'set-writeable'
  | 'flush-binary-logs'
  | 'enable-gtid'
  | 'disable-gtid'
  | 'gtid-errant-reset-master'
  | 'gtid-errant-inject-empty'
  | 'enable-semi-sync-master'
  | 'disable-semi-sync-master'
  | 'enable-semi-sync-replica'
  | 'disable-semi-sync-replica';

export type TopologyVariant = 'topology' | 'topology-tabulated' | 'topology-tags';

const hostPortTail = (key?: InstanceKey) => (key ? `/${keyPath(key)}` : '');

export class OrchestratorClient {
  private readonly connection: ApiConnection;

  constructor(options: ClientOptions) {
    this.connection = new ApiConnection(options);
  }

  /** The normalised API URLs given. */
  get apis(): readonly string[] {
    return this.connection.apis;
  }

  /** The API URL in use: the single URL, or the detected leader (detecting it if needed). */
  leader(): Promise<string> {
    return this.connection.leader();
  }

  /** GETs any API path; returns the full result (raw body, Details, Message). */
  call<T = unknown>(path: string, options?: CallOptions): Promise<ApiResult<T>> {
    return this.connection.call<T>(path, options);
  }

  /** GETs any API path and returns the raw JSON body (ERROR envelopes still throw ApiError). */
  async get<T = unknown>(path: string, options?: CallOptions): Promise<T> {
    return (await this.connection.call(path, options)).raw as T;
  }

  private async details<T>(path: string): Promise<T> {
    return (await this.connection.call<T>(path)).details;
  }

  // --- discovery and instances -------------------------------------------------------------

  instance(key: InstanceKey): Promise<Instance> {
    return this.get(`instance/${keyPath(key)}`);
  }
  instanceReplicas(key: InstanceKey): Promise<Instance[]> {
    return this.get(`instance-replicas/${keyPath(key)}`);
  }
  allInstances(): Promise<Instance[]> {
    return this.get('all-instances');
  }
  search(text: string): Promise<Instance[]> {
    return this.get(`search${query('s', text)}`);
  }
  discover(key: InstanceKey): Promise<Instance> {
    return this.details(`discover/${keyPath(key)}`);
  }
  /** Starts a background probe; Details is whatever the server reports (a key in orchestrator). */
  asyncDiscover(key: InstanceKey): Promise<unknown> {
    return this.details(`async-discover/${keyPath(key)}`);
  }
  /** Returns the forgotten key (Details), or null. */
  async forget(key: InstanceKey): Promise<InstanceKey | null> {
    return keyOf(await this.details(`forget/${keyPath(key)}`));
  }
  forgetCluster(hint: string): Promise<unknown> {
    return this.details(`forget-cluster/${seg(hint)}`);
  }

  // --- clusters -----------------------------------------------------------------------------

  /** Cluster names (the server's `null` for none becomes []). */
  async clusters(): Promise<string[]> {
    return (await this.get<string[] | null>('clusters')) ?? [];
  }
  clustersInfo(): Promise<ClusterInfo[]> {
    return this.get('clusters-info');
  }
  clusterInfo(hint: string): Promise<ClusterInfo> {
    return this.get(`cluster-info/${seg(hint)}`);
  }
  /** The instances of a cluster given by name, alias or `host:port` of a member. */
  cluster(hint: string): Promise<Instance[]> {
    return this.get(`cluster/${seg(hint)}`);
  }
  clusterOSCReplicas(hint: string): Promise<Instance[]> {
    return this.get(`cluster-osc-replicas/${seg(hint)}`);
  }
  masters(): Promise<Instance[]> {
    return this.get('masters');
  }
  master(hint: string): Promise<Instance> {
    return this.get(`master/${seg(hint)}`);
  }
  /** The ASCII tree of a cluster (Details of `topology*`). */
  topology(hint: string, variant: TopologyVariant = 'topology'): Promise<string> {
    return this.details(`${variant}/${seg(hint)}`);
  }
  /** Downtimed instances, of one cluster or (no hint) of all. */
  downtimed(hint = ''): Promise<Instance[]> {
    return this.get(`downtimed/${seg(hint)}`);
  }
  snapshotTopologies(): Promise<unknown> {
    return this.details('snapshot-topologies');
  }

  // --- downtime, maintenance, candidates, tags, pools ----------------------------------------

  /** `duration` like "10m" or "1h"; returns the downtimed key. */
  async beginDowntime(
    key: InstanceKey,
    owner: string,
    reason: string,
    duration = '10m',
  ): Promise<InstanceKey | null> {
    return keyOf(
      await this.details(`begin-downtime/${keyPath(key)}/${seg(owner)}/${seg(reason)}/${seg(duration)}`),
    );
  }
  async endDowntime(key: InstanceKey): Promise<InstanceKey | null> {
    return keyOf(await this.details(`end-downtime/${keyPath(key)}`));
  }
  async beginMaintenance(key: InstanceKey, owner: string, reason: string): Promise<InstanceKey | null> {
    return keyOf(await this.details(`begin-maintenance/${keyPath(key)}/${seg(owner)}/${seg(reason)}`));
  }
  async endMaintenance(key: InstanceKey): Promise<InstanceKey | null> {
    return keyOf(await this.details(`end-maintenance/${keyPath(key)}`));
  }
  async registerCandidate(key: InstanceKey, rule: PromotionRule | string): Promise<InstanceKey | null> {
    return keyOf(await this.details(`register-candidate/${keyPath(key)}/${seg(rule)}`));
  }
  async registerHostnameUnresolve(key: InstanceKey, hostname: string): Promise<InstanceKey | null> {
    return keyOf(await this.details(`register-hostname-unresolve/${keyPath(key)}/${seg(hostname)}`));
  }
  async deregisterHostnameUnresolve(key: InstanceKey): Promise<InstanceKey | null> {
    return keyOf(await this.details(`deregister-hostname-unresolve/${keyPath(key)}`));
  }
  async tags(key: InstanceKey): Promise<string[]> {
    return (await this.get<string[] | null>(`tags/${keyPath(key)}`)) ?? [];
  }
  tagValue(key: InstanceKey, tag: string): Promise<string> {
    return this.get(`tag-value/${keyPath(key)}${query('tag', tag)}`);
  }
  /** `tag` is "name" or "name=value"; returns the tagged key. */
  async tag(key: InstanceKey, tag: string): Promise<InstanceKey | null> {
    return keyOf(await this.details(`tag/${keyPath(key)}${query('tag', tag)}`));
  }
  async untag(key: InstanceKey, tag: string): Promise<InstanceKey[]> {
    return (await this.details<InstanceKey[] | null>(`untag/${keyPath(key)}${query('tag', tag)}`)) ?? [];
  }
  async untagAll(tag: string): Promise<InstanceKey[]> {
    return (await this.details<InstanceKey[] | null>(`untag-all${query('tag', tag)}`)) ?? [];
  }
  /** Keys of the instances carrying `tag` ("name", "name=value", or a comma-separated intersection). */
  async tagged(tag: string): Promise<InstanceKey[]> {
    return (await this.get<InstanceKey[] | null>(`tagged/${query('tag', tag)}`)) ?? [];
  }
  /** `instances` as "a:3306,b:3306" or a list of such strings. */
  submitPoolInstances(pool: string, instances: string | string[]): Promise<unknown> {
    const list = Array.isArray(instances) ? instances.join(',') : instances;
    return this.details(`submit-pool-instances/${seg(pool)}${query('instances', list)}`);
  }
  heuristicClusterPoolInstances(hint: string, pool = ''): Promise<Instance[]> {
    return this.details(`heuristic-cluster-pool-instances/${seg(hint)}/${seg(pool)}`);
  }
  async submitMastersToKvStores(hint = ''): Promise<KVPair[]> {
    return (await this.details<KVPair[] | null>(`submit-masters-to-kv-stores/${seg(hint)}`)) ?? [];
  }

  // --- topology refactoring -----------------------------------------------------------------

  /** Moves `key` below `destination`; returns the moved Instance (Key, MasterKey). */
  moveBelow(command: MoveBelowCommand, key: InstanceKey, destination: InstanceKey): Promise<Instance> {
    return this.details(`${command}/${keyPath(key)}/${keyPath(destination)}`);
  }
  relocate(key: InstanceKey, destination: InstanceKey): Promise<Instance> {
    return this.moveBelow('relocate', key, destination);
  }
  /** Moves with no destination (move-up, take-master, …); returns the moved Instance. */
  move(command: MoveCommand, key: InstanceKey): Promise<Instance> {
    return this.details(`${command}/${keyPath(key)}`);
  }
  /**
   * Moves the replicas of `key` (below `destination` when given). Without a destination the path
   * ends in `/`, as the reference client sends it.
   */
  async moveReplicas(
    command: MoveReplicasCommand,
    key: InstanceKey,
    destination?: InstanceKey,
  ): Promise<Instance[]> {
    const tail = destination ? keyPath(destination) : '';
    return (await this.details<Instance[] | null>(`${command}/${keyPath(key)}/${tail}`)) ?? [];
  }
  /** Regroups the replicas of `key` below the most advanced one; Details = the promoted replica. */
  regroupReplicas(key: InstanceKey): Promise<unknown> {
    return this.details(`regroup-replicas/${keyPath(key)}`);
  }

  // --- replication control ------------------------------------------------------------------

  instanceCommand(command: InstanceCommand, key: InstanceKey): Promise<Instance> {
    return this.details(`${command}/${keyPath(key)}`);
  }
  purgeBinaryLogs(key: InstanceKey, logFile: string): Promise<Instance> {
    return this.details(`purge-binary-logs/${keyPath(key)}/${seg(logFile)}`);
  }
  delayReplication(key: InstanceKey, seconds: number | string): Promise<Instance> {
    return this.details(`delay-replication/${keyPath(key)}/${seg(seconds)}`);
  }
  async restartReplicaStatements(key: InstanceKey, statement: string): Promise<unknown> {
    return this.details(`restart-replica-statements/${keyPath(key)}${query('q', statement)}`);
  }
  /** Whether `key` could replicate from `destination` (the envelope's Message says "true"). */
  async canReplicateFrom(
    key: InstanceKey,
    destination: InstanceKey,
    gtid = false,
  ): Promise<{ canReplicate: boolean; key: InstanceKey | null }> {
    const route = gtid ? 'can-replicate-from-gtid' : 'can-replicate-from';
    const result = await this.call(`${route}/${keyPath(key)}/${keyPath(destination)}`);
    return { canReplicate: result.message.includes('true'), key: keyOf(result.details) };
  }
  async locateGtidErrant(key: InstanceKey): Promise<string[]> {
    return (await this.details<string[] | null>(`locate-gtid-errant/${keyPath(key)}`)) ?? [];
  }
  lastPseudoGtid(key: InstanceKey): Promise<unknown> {
    return this.details(`last-pseudo-gtid/${keyPath(key)}`);
  }

  // --- failure detection and recovery -------------------------------------------------------

  /** All current analyses (downtimed ones included), or those of one cluster. */
  async replicationAnalysis(clusterName?: string): Promise<ReplicationAnalysis[]> {
    const path =
      clusterName === undefined ? 'replication-analysis' : `replication-analysis/${seg(clusterName)}`;
    return (await this.details<ReplicationAnalysis[] | null>(path)) ?? [];
  }
  /**
   * Recovers a failed instance now (overriding blocks); returns Details, the promoted server's key
   * in orchestrator. `lite` runs no hooks.
   */
  recover(key: InstanceKey, options: { candidate?: InstanceKey; lite?: boolean } = {}): Promise<unknown> {
    return this.details(
      `${options.lite ? 'recover-lite' : 'recover'}/${keyPath(key)}${hostPortTail(options.candidate)}`,
    );
  }
  /** Planned promotion; `auto` lets the server choose when no designated replica is given. */
  gracefulMasterTakeover(hint: string, designated?: InstanceKey, auto = false): Promise<TopologyRecovery> {
    const route = auto ? 'graceful-master-takeover-auto' : 'graceful-master-takeover';
    return this.details(`${route}/${seg(hint)}${hostPortTail(designated)}`);
  }
  forceMasterFailover(hint: string): Promise<TopologyRecovery> {
    return this.details(`force-master-failover/${seg(hint)}`);
  }
  forceMasterTakeover(hint: string, designated: InstanceKey): Promise<TopologyRecovery> {
    return this.details(`force-master-takeover/${seg(hint)}/${keyPath(designated)}`);
  }
  ackClusterRecoveries(hint: string, comment: string): Promise<unknown> {
    return this.details(`ack-recovery/cluster/${seg(hint)}${query('comment', comment)}`);
  }
  ackInstanceRecoveries(key: InstanceKey, comment: string): Promise<unknown> {
    return this.details(`ack-recovery/instance/${keyPath(key)}${query('comment', comment)}`);
  }
  ackAllRecoveries(comment: string): Promise<unknown> {
    return this.details(`ack-all-recoveries${query('comment', comment)}`);
  }
  disableGlobalRecoveries(): Promise<string> {
    return this.details('disable-global-recoveries');
  }
  enableGlobalRecoveries(): Promise<string> {
    return this.details('enable-global-recoveries');
  }
  /** "enabled" or "disabled". */
  checkGlobalRecoveries(): Promise<string> {
    return this.details('check-global-recoveries');
  }

  // --- raft and health ----------------------------------------------------------------------

  /** "Leader", "Follower", "Candidate" or "Shutdown": the state of the node that answers. */
  raftState(): Promise<string> {
    return this.get('raft-state');
  }
  /** The leader's raft address "ip:port" ("" if unknown), as the answering node sees it. */
  raftLeader(): Promise<string> {
    return this.get('raft-leader');
  }
  /** "healthy"; an unhealthy node answers an ERROR envelope (ApiError "unhealthy"). */
  raftHealth(): Promise<string> {
    return this.get('raft-health');
  }
  raftStatus(): Promise<RaftStatus> {
    return this.get('raft-status');
  }
  async raftPeers(): Promise<string[]> {
    return (await this.get<string[] | null>('raft-peers')) ?? [];
  }
  /** Asks the leader to step down in favour of a node whose address contains `hint`. */
  raftYieldHint(hint: string): Promise<unknown> {
    return this.details(`raft-yield-hint/${seg(hint)}`);
  }
  /** `/api/status`: the answering node's health; Details. */
  status(): Promise<HealthStatus> {
    return this.details('status');
  }
  health(): Promise<HealthStatus> {
    return this.details('health');
  }
}
