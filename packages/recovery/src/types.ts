// The narrow shapes recovery needs from the rest of the system. Field names follow orchestrator's
// JSON (PascalCase) so the objects the prober, store and API already carry fit without mapping.
import type {
  CommandProposer,
  Instance,
  InstanceKey,
  PromotionRule,
  TopologyRecoveryRecord,
} from '@orchestrator/model';

export type { Instance, InstanceKey, PromotionRule };

/**
 * The instance fields recovery reads. Every `Instance` from the store satisfies it; tests and the
 * live MySQL reader build it directly. The semi-sync fields are optional (the backend's view has them;
 * a live read keeps what the backend said).
 */
export type InstanceView = Pick<
  Instance,
  | 'Key'
  | 'MasterKey'
  | 'ServerID'
  | 'ServerUUID'
  | 'Version'
  | 'ReadOnly'
  | 'Binlog_format'
  | 'LogBinEnabled'
  | 'LogReplicationUpdatesEnabled'
  | 'SelfBinlogCoordinates'
  | 'ReadBinlogCoordinates'
  | 'ExecBinlogCoordinates'
  | 'ReplicationSQLThreadRuning'
  | 'ReplicationIOThreadRuning'
  | 'UsingOracleGTID'
  | 'UsingMariaDBGTID'
  | 'SupportsOracleGTID'
  | 'ExecutedGtidSet'
  | 'GtidErrant'
  | 'MariaDBGtidSlavePos'
  | 'MariaDBGtidCurrentPos'
  | 'MariaDBGtidBinlogPos'
  | 'SecondsBehindMaster'
  | 'ReplicationLagSeconds'
  | 'SQLDelay'
  | 'ClusterName'
  | 'SuggestedClusterAlias'
  | 'DataCenter'
  | 'Region'
  | 'PhysicalEnvironment'
  | 'IsCoMaster'
  | 'IsLastCheckValid'
  | 'IsDowntimed'
  | 'PromotionRule'
> &
  Partial<
    Pick<
      Instance,
      'SemiSyncEnforced' | 'SemiSyncReplicaEnabled' | 'SemiSyncMasterEnabled' | 'SemiSyncAvailable'
    >
  >;

export interface ClusterDetails {
  ClusterName: string;
  ClusterAlias: string;
  ClusterDomain: string;
}

/** One ReplicationAnalysis entry (reference §4), the fields recovery reads. */
export interface AnalysisEntry {
  Analysis: string;
  AnalyzedInstanceKey: InstanceKey;
  AnalyzedInstanceMasterKey: InstanceKey;
  ClusterDetails: ClusterDetails;
  Description?: string;
  IsMaster: boolean;
  IsCoMaster: boolean;
  CountReplicas: number;
  CountValidReplicas?: number;
  CountValidReplicatingReplicas?: number;
  Replicas?: InstanceKey[];
  SlaveHosts?: InstanceKey[];
  IsDowntimed: boolean;
  IsActionableRecovery: boolean;
  OracleGTIDImmediateTopology?: boolean;
  MariaDBGTIDImmediateTopology?: boolean;
  AnalyzedInstanceDataCenter?: string;
  AnalyzedInstanceRegion?: string;
  AnalyzedInstancePhysicalEnvironment?: string;
  StructureAnalysis?: string[];
  /** Set by manual commands: graceful-master-takeover, force-master-failover, force-master-takeover. */
  CommandHint?: string;
  [extra: string]: unknown;
}

/**
 * The reference's TopologyRecovery JSON (what /api/audit-recovery and force-* return): the store's
 * record shape, with the analysis entry and the recovery type typed, plus what a run also reports.
 */
export interface TopologyRecovery extends Omit<TopologyRecoveryRecord, 'AnalysisEntry' | 'Type'> {
  AnalysisEntry: AnalysisEntry;
  SuccessorBinlogCoordinates: { LogFile: string; LogPos: number; Type: string } | null;
  Type: 'MasterRecovery' | 'IntermediateMasterRecovery' | 'CoMasterRecovery' | 'NotMasterRecovery';
  RecoveryType: 'MasterRecoveryGTID' | 'MasterRecoveryPseudoGTID' | 'MasterRecoveryBinlogServer' | '';
}

/** A row of candidate_database_instance (register-candidate). */
export interface CandidateRegistration {
  Key: InstanceKey;
  PromotionRule: PromotionRule;
  /** ISO-8601 UTC time of the last registration; the rule expires CandidateInstanceExpireMinutes later. */
  LastSuggestedTimestamp: string;
}

/** A recovery row as the store returns it (enough to decide anti-flapping and resumption). */
export interface RecoveryRecord {
  Id: number;
  UID: string;
  AnalysisEntry: AnalysisEntry;
  SuccessorKey: InstanceKey | null;
  IsActive: boolean;
  IsSuccessful: boolean;
  Acknowledged: boolean;
  RecoveryStartTimestamp: string;
  /** '' while the recovery is running. */
  RecoveryEndTimestamp: string;
  ProcessingNodeHostname: string;
  ProcessingNodeToken: string;
}

/** An active row of topology_failure_detection. */
export interface DetectionRecord {
  Id: number;
  Key: InstanceKey;
  Analysis: string;
  ClusterName: string;
  /** ISO-8601 UTC. */
  StartActivePeriod: string;
  Acknowledged: boolean;
}

/** What the daemon gives recovery to read the replicated and local state (the node's own backend). */
export interface RecoveryReads {
  /** Every known instance of the cluster, master included. */
  clusterInstances(clusterName: string): Promise<InstanceView[]>;
  instance(key: InstanceKey): Promise<InstanceView | null>;
  candidates(): Promise<CandidateRegistration[]>;
  /** Recoveries in their active period (not acknowledged, block not expired) or still running. */
  activeRecoveries(): Promise<RecoveryRecord[]>;
  /** Active failure detections (in_active_period). */
  activeDetections(): Promise<DetectionRecord[]>;
  isGlobalRecoveryDisabled(): Promise<boolean>;
  /** Whether the cluster alias was set by set-cluster-alias (cluster_alias_override). */
  isClusterAliasManual?(clusterName: string): Promise<boolean>;
}

/** Raft proposal of a replicated command (reference §1.5); resolves with the FSM's result. */
export type Publish = CommandProposer['propose'];

/**
 * Publishing a new master for service discovery (the daemon's external KV stores). Optional:
 * without it the default three pairs go to kv_store only.
 */
export interface MasterKVHook {
  /** The pairs naming `master` the master of cluster `alias` (the reference's five keys). */
  pairs(alias: string, master: InstanceKey): Promise<{ Key: string; Value: string }[]>;
  /**
   * Writes `pairs` to the external stores in the background, retrying with backoff; every attempt
   * is reported through `audit`. Returns at once and never throws: it must not delay a recovery.
   */
  distribute(pairs: readonly { Key: string; Value: string }[], audit: (message: string) => void): void;
}

export interface Leadership {
  /** True only while this node is raft leader and holds a quorum. Must be cheap: called before every step. */
  isLeaderWithQuorum(): boolean;
}

export interface Clock {
  now(): number;
}

/** Identity of this orchestrator node, recorded in ProcessingNodeHostname/Token. */
export interface NodeIdentity {
  hostname: string;
  token: string;
}
