// Realistic API payloads for the contract fixtures: cluster "db-1:3306" (alias "main") with master
// db-1 and replicas db-2, db-3 (a candidate with errant GTID) and db-4 (SQL thread stopped on an
// error, downtimed); cluster "db-9:3306" (alias "reporting") with a lone master.
import type { ClusterInfo, Instance, InstanceKey, ReplicationAnalysis, TopologyRecovery } from '../types.js';

export const key = (host: string, port = 3306): InstanceKey => ({ Hostname: host, Port: port });

const NO_KEY = key('', 0);

/** An Instance with the fields orchestrator returns, master-replica relations filled in. */
export function sampleInstance(host: string, overrides: Partial<Instance> = {}): Instance {
  const isMaster = host === 'db-1' || host === 'db-9';
  const serverId = Number(host.replace(/\D/g, '')) || 1;
  const base: Instance = {
    Key: key(host),
    InstanceAlias: '',
    Uptime: 86_400,
    ServerID: serverId,
    ServerUUID: '',
    Version: '10.11.6-MariaDB-log',
    VersionComment: 'MariaDB Server',
    FlavorName: 'MariaDB',
    ReadOnly: !isMaster,
    Binlog_format: 'ROW',
    BinlogRowImage: 'FULL',
    LogBinEnabled: true,
    LogReplicationUpdatesEnabled: true,
    SelfBinlogCoordinates: { LogFile: 'mysql-bin.000012', LogPos: 4_711, Type: 'BinaryLog' },
    MasterKey: isMaster ? NO_KEY : key('db-1'),
    MasterUUID: '',
    AncestryUUID: '',
    IsDetachedMaster: false,
    ReplicationSQLThreadRuning: !isMaster,
    ReplicationIOThreadRuning: !isMaster,
    ReplicationSQLThreadState: isMaster ? -1 : 1,
    ReplicationIOThreadState: isMaster ? -1 : 1,
    HasReplicationFilters: false,
    GTIDMode: 'OFF',
    SupportsOracleGTID: false,
    UsingOracleGTID: false,
    UsingMariaDBGTID: !isMaster,
    UsingPseudoGTID: false,
    ReadBinlogCoordinates: {
      LogFile: isMaster ? '' : 'mysql-bin.000012',
      LogPos: isMaster ? 0 : 4_711,
      Type: 'BinaryLog',
    },
    ExecBinlogCoordinates: {
      LogFile: isMaster ? '' : 'mysql-bin.000012',
      LogPos: isMaster ? 0 : 4_711,
      Type: 'BinaryLog',
    },
    IsDetached: false,
    RelaylogCoordinates: {
      LogFile: isMaster ? '' : 'relay-bin.000002',
      LogPos: isMaster ? 0 : 1_024,
      Type: 'RelayLog',
    },
    LastSQLError: '',
    LastIOError: '',
    SecondsBehindMaster: { Int64: 0, Valid: !isMaster },
    SQLDelay: 0,
    ExecutedGtidSet: '',
    GtidPurged: '',
    GtidErrant: '',
    MariaDBGtidCurrentPos: '0-1-1042',
    ReplicationLagSeconds: { Int64: 0, Valid: true },
    Replicas: host === 'db-1' ? [key('db-2'), key('db-3'), key('db-4')] : [],
    ClusterName: host === 'db-9' ? 'db-9:3306' : 'db-1:3306',
    SuggestedClusterAlias: host === 'db-9' ? 'reporting' : 'main',
    DataCenter: host === 'db-9' ? 'dc2' : 'dc1',
    Region: 'eu',
    PhysicalEnvironment: 'prod',
    ReplicationDepth: isMaster ? 0 : 1,
    IsCoMaster: false,
    SemiSyncMasterEnabled: false,
    SemiSyncReplicaEnabled: false,
    LastSeenTimestamp: '2026-11-25T10:00:00Z',
    IsLastCheckValid: true,
    IsUpToDate: true,
    IsRecentlyChecked: true,
    SecondsSinceLastSeen: { Int64: 1, Valid: true },
    IsCandidate: false,
    PromotionRule: 'neutral',
    IsDowntimed: false,
    DowntimeReason: '',
    DowntimeOwner: '',
    DowntimeEndTimestamp: '',
    UnresolvedHostname: '',
    Problems: [],
  };
  return { ...base, ...overrides };
}

export const db1 = sampleInstance('db-1');
export const db2 = sampleInstance('db-2');
export const db3 = sampleInstance('db-3', {
  IsCandidate: true,
  PromotionRule: 'prefer',
  GtidErrant: '0-3-17',
  DataCenter: 'dc1',
});
export const db4 = sampleInstance('db-4', {
  ReplicationSQLThreadRuning: false,
  ReplicationSQLThreadState: 0,
  LastSQLError: "Error 'Duplicate entry '7' for key 'PRIMARY'' on query",
  IsDowntimed: true,
  DowntimeOwner: 'alice',
  DowntimeReason: 'disk replacement',
  DowntimeEndTimestamp: '2026-11-25T11:00:00Z',
  Problems: ['not_replicating'],
});
export const db9 = sampleInstance('db-9');

export const mainCluster: ClusterInfo = {
  ClusterName: 'db-1:3306',
  ClusterAlias: 'main',
  ClusterDomain: '',
  CountInstances: 4,
  HeuristicLag: 0,
  HasAutomatedMasterRecovery: true,
  HasAutomatedIntermediateMasterRecovery: true,
};
export const reportingCluster: ClusterInfo = {
  ClusterName: 'db-9:3306',
  ClusterAlias: 'reporting',
  ClusterDomain: '',
  CountInstances: 1,
  HeuristicLag: 0,
  HasAutomatedMasterRecovery: true,
  HasAutomatedIntermediateMasterRecovery: true,
};

/** An OK envelope. */
export const ok = (Details: unknown, Message = '') => ({ body: { Code: 'OK', Message, Details } });
/** An ERROR envelope, HTTP 500 as orchestrator sends it. */
export const fail = (Message: string, Details: unknown = null) => ({
  status: 500,
  body: { Code: 'ERROR', Message, Details },
});

/** `inst` after a move below `master`. */
export const movedBelow = (inst: Instance, master: InstanceKey): Instance => ({
  ...inst,
  MasterKey: master,
  ReplicationDepth: 2,
});

export const ASCII_TOPOLOGY = [
  'db-1:3306   [0s,ok,10.11.6-MariaDB-log,rw,ROW,>>]',
  '+ db-2:3306 [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]',
  '+ db-3:3306 [0s,ok,10.11.6-MariaDB-log,ro,ROW,>>,GTID]',
  '- db-4:3306 [null,nonreplicating,10.11.6-MariaDB-log,ro,ROW,>>,GTID,downtimed]',
  '',
].join('\n');

export function sampleAnalysis(
  host: string,
  analysis: string,
  structure: string[] = [],
  clusterName = 'db-1:3306',
): ReplicationAnalysis {
  return {
    AnalyzedInstanceKey: key(host),
    AnalyzedInstanceMasterKey: NO_KEY,
    ClusterDetails: {
      ClusterName: clusterName,
      ClusterAlias: clusterName === 'db-1:3306' ? 'main' : 'reporting',
    },
    Analysis: analysis,
    Description:
      analysis === 'DeadMaster'
        ? 'Master cannot be reached by orchestrator and none of its replicas is replicating'
        : '',
    StructureAnalysis: structure,
    IsDowntimed: false,
    CountReplicas: analysis === 'DeadMaster' ? 3 : 0,
  };
}

export function sampleRecovery(successor: InstanceKey, analysis = 'DeadMaster'): TopologyRecovery {
  return {
    Id: 7,
    UID: 'orc-1:1732530000:0001',
    AnalysisEntry: sampleAnalysis('db-1', analysis),
    SuccessorKey: successor,
    SuccessorAlias: '',
    IsActive: false,
    IsSuccessful: true,
    LostReplicas: [],
    ParticipatingInstanceKeys: [key('db-1'), successor],
    AllErrors: [],
    RecoveryStartTimestamp: '2026-11-25T10:01:00Z',
    RecoveryEndTimestamp: '2026-11-25T10:01:04Z',
  };
}
