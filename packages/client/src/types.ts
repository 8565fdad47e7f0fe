// The JSON shapes the client reads. They mirror orchestrator's HTTP API (PascalCase, misspellings
// included) and are copied here on purpose: the client depends only on the HTTP contract, never on
// another workspace package. Fields are optional where a server may legitimately omit them.

/** A MySQL server's address, as the API spells it. */
export interface InstanceKey {
  Hostname: string;
  Port: number;
}

/** Go's sql.NullInt64 JSON shape. */
export interface NullInt64 {
  Int64: number;
  Valid: boolean;
}

export interface BinlogCoordinates {
  LogFile: string;
  LogPos: number;
  Type: string;
}

export type PromotionRule = 'must' | 'prefer' | 'neutral' | 'prefer_not' | 'must_not';

/** -1 no replication thread, 0 stopped, 1 running, 2 other (e.g. connecting). */
export type ReplicationThreadState = -1 | 0 | 1 | 2;

/**
 * An instance as returned by `/api/instance/:host/:port` and the list endpoints. Only the fields the
 * client or its users commonly read are typed; the index signature keeps the rest reachable.
 */
export interface Instance {
  Key: InstanceKey;
  MasterKey: InstanceKey;
  InstanceAlias?: string;
  ServerID?: number;
  ServerUUID?: string;
  Version?: string;
  ReadOnly?: boolean;
  LogBinEnabled?: boolean;
  LogReplicationUpdatesEnabled?: boolean;
  SelfBinlogCoordinates?: BinlogCoordinates;
  ReplicationSQLThreadRuning?: boolean;
  ReplicationIOThreadRuning?: boolean;
  ReplicationSQLThreadState?: ReplicationThreadState;
  ReplicationIOThreadState?: ReplicationThreadState;
  UsingOracleGTID?: boolean;
  UsingMariaDBGTID?: boolean;
  ExecutedGtidSet?: string;
  GtidErrant?: string;
  LastSQLError?: string;
  LastIOError?: string;
  SecondsBehindMaster?: NullInt64;
  ReplicationLagSeconds?: NullInt64;
  Replicas?: InstanceKey[];
  ClusterName?: string;
  SuggestedClusterAlias?: string;
  DataCenter?: string;
  Region?: string;
  ReplicationDepth?: number;
  IsCoMaster?: boolean;
  IsLastCheckValid?: boolean;
  IsUpToDate?: boolean;
  IsCandidate?: boolean;
  PromotionRule?: PromotionRule;
  IsDowntimed?: boolean;
  DowntimeReason?: string;
  DowntimeOwner?: string;
  DowntimeEndTimestamp?: string;
  Problems?: string[];
  [field: string]: unknown;
}

/** One entry of `/api/clusters-info`, also the shape of `/api/cluster-info/:hint`. */
export interface ClusterInfo {
  ClusterName: string;
  ClusterAlias: string;
  ClusterDomain?: string;
  CountInstances?: number;
  HeuristicLag?: number;
  HasAutomatedMasterRecovery?: boolean;
  HasAutomatedIntermediateMasterRecovery?: boolean;
  [field: string]: unknown;
}

/** One entry of `/api/replication-analysis` Details. */
export interface ReplicationAnalysis {
  AnalyzedInstanceKey: InstanceKey;
  AnalyzedInstanceMasterKey?: InstanceKey;
  ClusterDetails: { ClusterName: string; ClusterAlias?: string; [field: string]: unknown };
  Analysis: string;
  StructureAnalysis?: string[] | null;
  Description?: string;
  IsDowntimed?: boolean;
  CountReplicas?: number;
  [field: string]: unknown;
}

/** A recovery record (Details of takeovers and failovers). `SuccessorKey` is the promoted server. */
export interface TopologyRecovery {
  Id?: number;
  UID?: string;
  AnalysisEntry?: ReplicationAnalysis;
  SuccessorKey: InstanceKey | null;
  SuccessorAlias?: string;
  IsActive?: boolean;
  IsSuccessful?: boolean;
  LostReplicas?: InstanceKey[];
  ParticipatingInstanceKeys?: InstanceKey[];
  AllErrors?: string[];
  RecoveryStartTimestamp?: string;
  RecoveryEndTimestamp?: string;
  [field: string]: unknown;
}

/** `/api/raft-status`. */
export interface RaftStatus {
  RaftBind: string;
  RaftAdvertise: string;
  State: string;
  Healthy: boolean;
  IsPartOfQuorum: boolean;
  Leader: string;
  LeaderURI: string;
  Peers: string[];
  [field: string]: unknown;
}

/** `Details` of `/api/status` and `/api/health`. */
export interface HealthStatus {
  Healthy: boolean;
  Hostname: string;
  Token?: string;
  IsActiveNode?: boolean;
  RaftLeader?: string;
  IsRaftLeader?: boolean;
  RaftLeaderURI?: string;
  RaftAdvertise?: string;
  RaftHealthyMembers?: string[];
  [field: string]: unknown;
}

/** An entry of `submit-masters-to-kv-stores` Details. */
export interface KVPair {
  Key: string;
  Value: string;
}

/** The action envelope. HTTP 200 for OK, 500 for ERROR. */
export interface Envelope<T = unknown> {
  Code: string;
  Message: string;
  Details: T;
}

/** A successful response: `raw` is the whole JSON body, `details` its `Details` when enveloped. */
export interface ApiResult<T = unknown> {
  raw: unknown;
  /** `Details` for an envelope; the body itself otherwise. */
  details: T;
  /** `Message` for an envelope; '' otherwise. */
  message: string;
  /** Whether the body was a `{Code,Message,Details}` envelope. */
  enveloped: boolean;
  /** The API base URL (ending in /api) that answered. */
  api: string;
}
