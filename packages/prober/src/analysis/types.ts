import type { BinlogCoordinates, InstanceKey } from '@orchestrator/model';
import type { Observation, ObserverViews } from './evidence.js';

/** Orchestrator's analysis codes (reference §4), in evaluation order. */
export const ANALYSIS_CODES = [
  'NoProblem',
  'DeadMasterWithoutReplicas',
  'DeadMaster',
  'DeadMasterAndReplicas',
  'DeadMasterAndSomeReplicas',
  'UnreachableMasterWithLaggingReplicas',
  'UnreachableMaster',
  'LockedSemiSyncMasterHypothesis',
  'LockedSemiSyncMaster',
  'MasterWithTooManySemiSyncReplicas',
  'NoWriteableMasterStructureWarning',
  'MasterSingleReplicaNotReplicating',
  'MasterSingleReplicaDead',
  'AllMasterReplicasNotReplicating',
  'AllMasterReplicasNotReplicatingOrDead',
  'DeadCoMaster',
  'DeadCoMasterAndSomeReplicas',
  'UnreachableCoMaster',
  'AllCoMasterReplicasNotReplicating',
  'DeadIntermediateMasterWithSingleReplicaFailingToConnect',
  'DeadIntermediateMasterWithSingleReplica',
  'DeadIntermediateMaster',
  'DeadIntermediateMasterAndSomeReplicas',
  'DeadIntermediateMasterAndReplicas',
  'UnreachableIntermediateMasterWithLaggingReplicas',
  'UnreachableIntermediateMaster',
  'AllIntermediateMasterReplicasFailingToConnectOrDead',
  'AllIntermediateMasterReplicasNotReplicating',
  'BinlogServerFailingToConnectToMaster',
  'FirstTierReplicaFailingToConnectToMaster',
] as const;
export type AnalysisCode = (typeof ANALYSIS_CODES)[number];

export const STRUCTURE_WARNINGS = [
  'NoLoggingReplicasStructureWarning',
  'NoFailoverSupportStructureWarning',
  'StatementAndMixedLoggingReplicasStructureWarning',
  'StatementAndRowLoggingReplicasStructureWarning',
  'MixedAndRowLoggingReplicasStructureWarning',
  'MultipleMajorVersionsLoggingReplicasStructureWarning',
  'DifferentGTIDModesStructureWarning',
  'ErrantGTIDStructureWarning',
  'NoWriteableMasterStructureWarning',
  'NotEnoughValidSemiSyncReplicasStructureWarning',
  // Ours: a replica's heartbeat settings make a hung or cut-off master slow to detect.
  'SlowReplicaHeartbeatStructureWarning',
  // Ours: a master that a recovery replaced is back and writable: fence it.
  'DeposedMasterWritableStructureWarning',
] as const;
export type StructureWarning = (typeof STRUCTURE_WARNINGS)[number];

export interface ClusterDetails {
  ClusterName: string;
  ClusterAlias: string;
  ClusterDomain: string;
}

/** One analysis entry, in the JSON shape of orchestrator's /api/replication-analysis. */
export interface ReplicationAnalysis {
  AnalyzedInstanceKey: InstanceKey;
  AnalyzedInstanceMasterKey: InstanceKey;
  ClusterDetails: ClusterDetails;
  AnalyzedInstanceDataCenter: string;
  AnalyzedInstanceRegion: string;
  AnalyzedInstancePhysicalEnvironment: string;
  AnalyzedInstanceBinlogCoordinates: BinlogCoordinates;
  IsMaster: boolean;
  IsClusterMaster: boolean;
  IsCoMaster: boolean;
  LastCheckValid: boolean;
  LastCheckPartialSuccess: boolean;
  CountReplicas: number;
  CountValidReplicas: number;
  CountValidReplicatingReplicas: number;
  CountReplicasFailingToConnectToMaster: number;
  CountDowntimedReplicas: number;
  ReplicationDepth: number;
  Replicas: InstanceKey[];
  SlaveHosts: InstanceKey[];
  IsFailingToConnectToMaster: boolean;
  Analysis: AnalysisCode;
  Description: string;
  StructureAnalysis: StructureWarning[];
  IsDowntimed: boolean;
  IsReplicasDowntimed: boolean;
  DowntimeEndTimestamp: string;
  DowntimeRemainingSeconds: number;
  IsBinlogServer: boolean;
  OracleGTIDImmediateTopology: boolean;
  MariaDBGTIDImmediateTopology: boolean;
  BinlogServerImmediateTopology: boolean;
  PseudoGTIDImmediateTopology: boolean;
  SemiSyncMasterEnabled: boolean;
  SemiSyncMasterStatus: boolean;
  SemiSyncMasterWaitForReplicaCount: number;
  SemiSyncMasterClients: number;
  CountSemiSyncReplicasEnabled: number;
  CountLoggingReplicas: number;
  CountStatementBasedLoggingReplicas: number;
  CountMixedBasedLoggingReplicas: number;
  CountRowBasedLoggingReplicas: number;
  CountDistinctMajorVersionsLoggingReplicas: number;
  CountDelayedReplicas: number;
  CountLaggingReplicas: number;
  IsActionableRecovery: boolean;
  IsReadOnly: boolean;
  GTIDMode: string;
  MinReplicaGTIDMode: string;
  MaxReplicaGTIDMode: string;
  CountValidOracleGTIDReplicas: number;
  CountValidMariaDBGTIDReplicas: number;
  CountValidBinlogServerReplicas: number;
  /** Number of replicas with errant GTIDs. */
  CountErrantGTIDReplicas: number;
  /** Ours: who saw what (this node, the other orchestrator nodes, each replica), when the instance is unreachable from here. */
  Observations?: Observation[];
  /** Ours: what each structure warning is about, naming the instance and the setting. */
  StructureDetails?: string[];
}

/** A master a recovery replaced: who took over, in which recovery, when. */
export interface FormerMaster {
  readonly successor: string;
  readonly recoveryUID: string;
  /** ISO-8601. */
  readonly at: string;
}

/** An active downtime on one instance. */
export interface Downtime {
  Key: InstanceKey;
  /** ISO-8601; the downtime ends then. */
  EndTimestamp: string;
}

/** Everything besides the instances that analysis consults. */
export interface AnalysisContext {
  downtimes?: readonly Downtime[];
  /** Keys with active maintenance: entries analysing them are dropped. */
  maintenance?: readonly InstanceKey[];
  /** ClusterName → alias (cluster_alias table); falls back to the master's SuggestedClusterAlias. */
  clusterAliases?: ReadonlyMap<string, string>;
  /** ClusterName → domain. */
  clusterDomains?: ReadonlyMap<string, string>;
  /** keyString → epoch ms since which the instance's SelfBinlogCoordinates have not moved. */
  binlogUnchangedSince?: ReadonlyMap<string, number>;
  /** keyString of a replica → how long it has provably received nothing from its master (ms, as of its latest probe). */
  replicaSilenceMs?: ReadonlyMap<string, number>;
  /** The other orchestrator nodes' views of instances this node cannot reach. */
  observers?: ObserverViews;
  /** keyString of instances whose latest failed check here was a refused connection. */
  refusedConnections?: ReadonlySet<string>;
  /** keyString of a master that a successful recovery replaced → that recovery (newest first wins). */
  formerMasters?: ReadonlyMap<string, FormerMaster>;
  /** Keep downtimed entries (default false: they are skipped, as orchestrator's default hints). */
  includeDowntimed?: boolean;
  /** Keep NoProblem entries without structure warnings (default false). */
  includeNoProblem?: boolean;
}
