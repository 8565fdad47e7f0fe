// The instance model: what a probe learns about one MySQL/MariaDB server and what the API returns.
// Field names are orchestrator's JSON names on purpose (PascalCase, misspellings included): this
// object *is* the public contract of /api/instance and friends, so keeping one shape end to end
// removes a whole mapping layer where compatibility bugs would hide.

/** A MySQL server's address. Hostname as resolved by MySQLHostnameResolveMethod. */
export interface InstanceKey {
  Hostname: string;
  Port: number;
}

/** 'BinaryLog' for a server's own binlog, 'RelayLog' for relay-log positions. */
export interface BinlogCoordinates {
  LogFile: string;
  LogPos: number;
  Type: 'BinaryLog' | 'RelayLog';
}

/** Go's sql.NullInt64 JSON shape, kept for compatibility. */
export interface NullInt64 {
  Int64: number;
  Valid: boolean;
}

export type PromotionRule = 'must' | 'prefer' | 'neutral' | 'prefer_not' | 'must_not';

/**
 * Ours: what a replica itself says about its link to its master, the evidence failure detection
 * uses besides the IO thread's state (a hung or cut-off master keeps the IO thread "Yes" until
 * slave_net_timeout expires, but its heartbeats stop at once).
 */
export interface ReplicationLink {
  /** @@slave_net_timeout, seconds (0: unknown). */
  NetTimeoutSeconds: number;
  /** The master sends a heartbeat after this many idle seconds (0: none or unknown). */
  HeartbeatPeriodSeconds: number;
  /** Heartbeats received on the current master connection (MariaDB Slave_received_heartbeats, MySQL COUNT_RECEIVED_HEARTBEATS). */
  HeartbeatsReceived: number;
  /** MariaDB Gtid_IO_Pos: moves with every GTID event the IO thread receives. */
  GtidIOPos: string;
  /** MySQL 8: milliseconds since the replica last received a heartbeat or an event, on its own clock. */
  LastReceivedAgeMs: NullInt64;
}

/** -1 no replication thread, 0 stopped ("No"), 1 running ("Yes"), 2 other (e.g. "Connecting"). */
export type ReplicationThreadState = -1 | 0 | 1 | 2;

export interface Instance {
  Key: InstanceKey;
  InstanceAlias: string;
  Uptime: number;
  ServerID: number;
  ServerUUID: string;
  Version: string;
  VersionComment: string;
  FlavorName: string;
  ReadOnly: boolean;
  Binlog_format: string;
  BinlogRowImage: string;
  LogBinEnabled: boolean;
  LogReplicationUpdatesEnabled: boolean;
  SelfBinlogCoordinates: BinlogCoordinates;
  MasterKey: InstanceKey;
  MasterUUID: string;
  AncestryUUID: string;
  IsDetachedMaster: boolean;

  ReplicationSQLThreadRuning: boolean;
  ReplicationIOThreadRuning: boolean;
  ReplicationSQLThreadState: ReplicationThreadState;
  ReplicationIOThreadState: ReplicationThreadState;
  /** Raw Slave_IO_Running text ("Yes", "No", "Connecting", "" when not a replica). */
  SlaveIORunningText: string;
  HasReplicationFilters: boolean;
  GTIDMode: string;
  SupportsOracleGTID: boolean;
  UsingOracleGTID: boolean;
  UsingMariaDBGTID: boolean;
  UsingPseudoGTID: boolean;
  ReadBinlogCoordinates: BinlogCoordinates;
  ExecBinlogCoordinates: BinlogCoordinates;
  IsDetached: boolean;
  RelaylogCoordinates: BinlogCoordinates;
  LastSQLError: string;
  LastIOError: string;
  /** Last_IO_Errno / Last_SQL_Errno as reported (0 when none). */
  LastIOErrno: number;
  LastSQLErrno: number;
  SecondsBehindMaster: NullInt64;
  SQLDelay: number;
  ExecutedGtidSet: string;
  GtidPurged: string;
  GtidErrant: string;
  /** MariaDB: @@gtid_current_pos / @@gtid_slave_pos / @@gtid_binlog_pos. Empty elsewhere. */
  MariaDBGtidCurrentPos: string;
  MariaDBGtidSlavePos: string;
  MariaDBGtidBinlogPos: string;

  MasterExecutedGtidSet: string;
  ReplicationLagSeconds: NullInt64;
  Replicas: InstanceKey[];
  ClusterName: string;
  SuggestedClusterAlias: string;
  DataCenter: string;
  Region: string;
  PhysicalEnvironment: string;
  ReplicationDepth: number;
  IsCoMaster: boolean;
  HasReplicationCredentials: boolean;
  ReplicationCredentialsAvailable: boolean;
  SemiSyncAvailable: boolean;
  SemiSyncEnforced: boolean;
  SemiSyncMasterEnabled: boolean;
  SemiSyncReplicaEnabled: boolean;
  SemiSyncMasterTimeout: number;
  SemiSyncMasterWaitForReplicaCount: number;
  SemiSyncMasterStatus: boolean;
  SemiSyncMasterClients: number;
  SemiSyncReplicaStatus: boolean;

  /** ISO-8601 UTC timestamps; '' when never. */
  LastSeenTimestamp: string;
  LastCheckedTimestamp: string;
  LastAttemptedCheckTimestamp: string;
  IsLastCheckValid: boolean;
  IsUpToDate: boolean;
  IsRecentlyChecked: boolean;
  SecondsSinceLastSeen: NullInt64;
  LastCheckPartialSuccess: boolean;

  IsCandidate: boolean;
  PromotionRule: PromotionRule;
  IsDowntimed: boolean;
  DowntimeReason: string;
  DowntimeOwner: string;
  DowntimeEndTimestamp: string;
  UnresolvedHostname: string;
  AllowTLS: boolean;
  Problems: string[];
  ReplicationLink: ReplicationLink;
}

export function instanceKeyString(key: InstanceKey): string {
  return `${key.Hostname}:${key.Port}`;
}

export function sameKey(a: InstanceKey, b: InstanceKey): boolean {
  return a.Hostname === b.Hostname && a.Port === b.Port;
}

const emptyCoordinates = (type: BinlogCoordinates['Type']): BinlogCoordinates => ({
  LogFile: '',
  LogPos: 0,
  Type: type,
});

/** A blank instance for `key`: the starting point a probe fills in. */
export function emptyInstance(key: InstanceKey): Instance {
  return {
    Key: { ...key },
    InstanceAlias: '',
    Uptime: 0,
    ServerID: 0,
    ServerUUID: '',
    Version: '',
    VersionComment: '',
    FlavorName: '',
    ReadOnly: false,
    Binlog_format: '',
    BinlogRowImage: '',
    LogBinEnabled: false,
    LogReplicationUpdatesEnabled: false,
    SelfBinlogCoordinates: emptyCoordinates('BinaryLog'),
    MasterKey: { Hostname: '', Port: 0 },
    MasterUUID: '',
    AncestryUUID: '',
    IsDetachedMaster: false,
    ReplicationSQLThreadRuning: false,
    ReplicationIOThreadRuning: false,
    ReplicationSQLThreadState: -1,
    ReplicationIOThreadState: -1,
    SlaveIORunningText: '',
    HasReplicationFilters: false,
    GTIDMode: '',
    SupportsOracleGTID: false,
    UsingOracleGTID: false,
    UsingMariaDBGTID: false,
    UsingPseudoGTID: false,
    ReadBinlogCoordinates: emptyCoordinates('BinaryLog'),
    ExecBinlogCoordinates: emptyCoordinates('BinaryLog'),
    IsDetached: false,
    RelaylogCoordinates: emptyCoordinates('RelayLog'),
    LastSQLError: '',
    LastIOError: '',
    LastIOErrno: 0,
    LastSQLErrno: 0,
    SecondsBehindMaster: { Int64: 0, Valid: false },
    SQLDelay: 0,
    ExecutedGtidSet: '',
    GtidPurged: '',
    GtidErrant: '',
    MariaDBGtidCurrentPos: '',
    MariaDBGtidSlavePos: '',
    MariaDBGtidBinlogPos: '',
    MasterExecutedGtidSet: '',
    ReplicationLagSeconds: { Int64: 0, Valid: false },
    Replicas: [],
    ClusterName: '',
    SuggestedClusterAlias: '',
    DataCenter: '',
    Region: '',
    PhysicalEnvironment: '',
    ReplicationDepth: 0,
    IsCoMaster: false,
    HasReplicationCredentials: false,
    ReplicationCredentialsAvailable: false,
    SemiSyncAvailable: false,
    SemiSyncEnforced: false,
    SemiSyncMasterEnabled: false,
    SemiSyncReplicaEnabled: false,
    SemiSyncMasterTimeout: 0,
    SemiSyncMasterWaitForReplicaCount: 0,
    SemiSyncMasterStatus: false,
    SemiSyncMasterClients: 0,
    SemiSyncReplicaStatus: false,
    LastSeenTimestamp: '',
    LastCheckedTimestamp: '',
    LastAttemptedCheckTimestamp: '',
    IsLastCheckValid: false,
    IsUpToDate: false,
    IsRecentlyChecked: false,
    SecondsSinceLastSeen: { Int64: 0, Valid: false },
    LastCheckPartialSuccess: false,
    IsCandidate: false,
    PromotionRule: 'neutral',
    IsDowntimed: false,
    DowntimeReason: '',
    DowntimeOwner: '',
    DowntimeEndTimestamp: '',
    UnresolvedHostname: '',
    AllowTLS: false,
    Problems: [],
    ReplicationLink: {
      NetTimeoutSeconds: 0,
      HeartbeatPeriodSeconds: 0,
      HeartbeatsReceived: 0,
      GtidIOPos: '',
      LastReceivedAgeMs: { Int64: 0, Valid: false },
    },
  };
}
