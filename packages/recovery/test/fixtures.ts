// Test helpers: compact InstanceView and AnalysisEntry builders.
import type { AnalysisEntry, InstanceKey, InstanceView } from '../src/types.js';

export const key = (port: number, host = '127.0.0.1'): InstanceKey => ({ Hostname: host, Port: port });

export function view(port: number, over: Partial<InstanceView> = {}): InstanceView {
  return {
    Key: key(port),
    MasterKey: key(3306),
    ServerID: port,
    ServerUUID: '',
    Version: '10.11.6-MariaDB',
    ReadOnly: true,
    Binlog_format: 'ROW',
    LogBinEnabled: true,
    LogReplicationUpdatesEnabled: true,
    SelfBinlogCoordinates: { LogFile: 'bin.000001', LogPos: 4, Type: 'BinaryLog' },
    ReadBinlogCoordinates: { LogFile: 'bin.000001', LogPos: 100, Type: 'BinaryLog' },
    ExecBinlogCoordinates: { LogFile: 'bin.000001', LogPos: 100, Type: 'BinaryLog' },
    ReplicationSQLThreadRuning: false,
    ReplicationIOThreadRuning: false,
    UsingOracleGTID: false,
    UsingMariaDBGTID: true,
    SupportsOracleGTID: false,
    ExecutedGtidSet: '',
    GtidErrant: '',
    MariaDBGtidSlavePos: '0-1-10',
    MariaDBGtidCurrentPos: '0-1-10',
    MariaDBGtidBinlogPos: '0-1-10',
    SecondsBehindMaster: { Int64: 0, Valid: true },
    ReplicationLagSeconds: { Int64: 0, Valid: true },
    SQLDelay: 0,
    ClusterName: '127.0.0.1:3306',
    SuggestedClusterAlias: 'main',
    DataCenter: 'dc1',
    Region: 'r1',
    PhysicalEnvironment: 'prod',
    IsCoMaster: false,
    IsLastCheckValid: true,
    IsDowntimed: false,
    PromotionRule: 'neutral',
    ...over,
  };
}

export function entry(over: Partial<AnalysisEntry> = {}): AnalysisEntry {
  return {
    Analysis: 'DeadMaster',
    AnalyzedInstanceKey: key(3306),
    AnalyzedInstanceMasterKey: { Hostname: '', Port: 0 },
    ClusterDetails: { ClusterName: '127.0.0.1:3306', ClusterAlias: 'main', ClusterDomain: '' },
    IsMaster: true,
    IsCoMaster: false,
    CountReplicas: 2,
    IsDowntimed: false,
    IsActionableRecovery: true,
    ...over,
  };
}
