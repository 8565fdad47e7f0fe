// Key specifications: type, default and range for every supported orchestrator.conf.json key.
// Defaults are the reference's (orchestrator-reference.md §1.1, §2, §3.1, §5, §8) unless marked ours.

export type KeySpec =
  | { kind: 'bool'; default: boolean }
  | { kind: 'int'; default: number; min: number; max: number }
  | { kind: 'string'; default: string; oneOf?: readonly string[]; env?: boolean; regex?: boolean }
  | { kind: 'strings'; default: readonly string[]; regex?: boolean; filters?: boolean };

const bool = (d: boolean) => ({ kind: 'bool', default: d }) as const;
const int = (d: number, min = 0, max = 2 ** 31 - 1) => ({ kind: 'int', default: d, min, max }) as const;
const str = (d = '') => ({ kind: 'string', default: d }) as const;
const oneOf = <T extends string>(d: T, values: readonly T[]) =>
  ({ kind: 'string', default: d, oneOf: values }) as const;
/** A password that may be given as `${ENV_VAR}` (the reference expands these two). */
const secret = () => ({ kind: 'string', default: '', env: true }) as const;
const regex = () => ({ kind: 'string', default: '', regex: true }) as const;
const strings = (d: readonly string[] = []) => ({ kind: 'strings', default: d }) as const;
const regexes = () => ({ kind: 'strings', default: [], regex: true }) as const;
/** Recovery cluster filters: `*`, `alias=X`, `alias~=regex`, an exact name, or a regex. */
const filters = () => ({ kind: 'strings', default: [], filters: true }) as const;
const hooks = () => strings();

const PORT_MAX = 65535;

export const KEYS = {
  // §1.1 raft
  RaftEnabled: bool(false),
  RaftDataDir: str(),
  RaftBind: str('127.0.0.1:10008'),
  RaftAdvertise: str(),
  DefaultRaftPort: int(10008, 1, PORT_MAX),
  RaftNodes: strings(),
  HTTPAdvertise: str(),
  ExpectFailureAnalysisConcensus: bool(true),
  RaftHealthPollSeconds: int(10, 1, 3600),
  // ours: raft timing (the consensus package's defaults: 50 ms ticks, elections after 8–16 ticks)
  RaftTickMilliseconds: int(50, 1, 10_000),
  RaftElectionTicks: int(8, 2, 1000),
  RaftHeartbeatTicks: int(2, 1, 1000),
  // ours: log compaction — a snapshot every N applied entries, keeping M entries behind it so a
  // slightly lagging follower needs no InstallSnapshot (the consensus package's defaults)
  RaftSnapshotThreshold: int(10_000, 1, 1_000_000_000),
  RaftSnapshotTrailingEntries: int(1_000, 0, 1_000_000_000),
  // ours: TLS on the raft port (PEM files); mutual TLS when RaftTLSRequireClientCert
  RaftTLSCertFile: str(),
  RaftTLSKeyFile: str(),
  RaftTLSCAFile: str(),
  RaftTLSRequireClientCert: bool(false),
  // HTTP
  ListenAddress: str(':3000'),
  URLPrefix: str(),
  UseSSL: bool(false),
  SSLSkipVerify: bool(false),
  // ours: instance and cluster reads are served from a cache while nothing was written, for at most
  // this long (it bounds read-time fields such as SecondsSinceLastSeen); 0 turns the cache off
  APIReadCacheMilliseconds: int(500, 0, 60_000),
  SSLCertFile: str(),
  SSLPrivateKeyFile: str(),
  SSLCAFile: str(),
  UseMutualTLS: bool(false),
  SSLValidOUs: strings(),
  AuthenticationMethod: oneOf('', ['', 'basic', 'multi', 'proxy', 'token']),
  HTTPAuthUser: str(),
  HTTPAuthPassword: str(),
  AuthUserHeader: str('X-Forwarded-User'),
  PowerAuthUsers: strings(['*']),
  ReadOnly: bool(false),
  StatusEndpoint: str('/api/status'),
  ActiveNodeExpireSeconds: int(5, 1, 3600),
  // §2 backend
  BackendDB: str('mysql'),
  SQLite3DataFile: str(),
  MySQLOrchestratorHost: str(),
  MySQLOrchestratorPort: int(3306, 1, PORT_MAX),
  MySQLOrchestratorDatabase: str(),
  MySQLOrchestratorUser: str(),
  MySQLOrchestratorPassword: secret(),
  MySQLOrchestratorCredentialsConfigFile: str(),
  MySQLOrchestratorMaxPoolConnections: int(128, 1, 100_000),
  MySQLOrchestratorReadTimeoutSeconds: int(30, 1, 86_400),
  MySQLOrchestratorRejectReadOnly: bool(false),
  MySQLOrchestratorSSLPrivateKeyFile: str(),
  MySQLOrchestratorSSLCertFile: str(),
  MySQLOrchestratorSSLCAFile: str(),
  MySQLOrchestratorSSLSkipVerify: bool(false),
  MySQLOrchestratorUseMutualTLS: bool(false),
  // §3.1 topology access and discovery
  MySQLTopologyUser: str(),
  MySQLTopologyPassword: secret(),
  MySQLTopologyCredentialsConfigFile: str(),
  MySQLTopologySSLPrivateKeyFile: str(),
  MySQLTopologySSLCertFile: str(),
  MySQLTopologySSLCAFile: str(),
  MySQLTopologySSLSkipVerify: bool(true),
  MySQLTopologyUseMutualTLS: bool(false),
  MySQLTopologyReadTimeoutSeconds: int(600, 1, 86_400),
  MySQLConnectTimeoutSeconds: int(2, 1, 3600),
  MySQLDiscoveryReadTimeoutSeconds: int(10, 1, 3600),
  InstancePollSeconds: int(5, 1, 86_400),
  ReasonableInstanceCheckSeconds: int(1, 1, 3600),
  DiscoveryQueueCapacity: int(100_000, 1, 100_000_000),
  DiscoveryMaxConcurrency: int(300, 1, 100_000),
  DiscoverySeeds: strings(),
  DiscoverByShowSlaveHosts: bool(false),
  DiscoveryIgnoreHostnameFilters: regexes(),
  DiscoveryIgnoreReplicaHostnameFilters: regexes(),
  DiscoveryIgnoreMasterHostnameFilters: regexes(),
  UnseenInstanceForgetHours: int(240, 1, 1_000_000),
  BufferInstanceWrites: bool(false),
  InstanceWriteBufferSize: int(100, 1, 1_000_000),
  InstanceFlushIntervalMilliseconds: int(100, 1, 3_600_000),
  SkipMaxScaleCheck: bool(true),
  HostnameResolveMethod: oneOf('default', ['default', 'cname', 'none']),
  MySQLHostnameResolveMethod: oneOf('@@hostname', ['@@hostname', '@@report_host', 'none', '']),
  DataCenterPattern: regex(),
  RegionPattern: regex(),
  PhysicalEnvironmentPattern: regex(),
  DetectClusterAliasQuery: str(),
  DetectClusterDomainQuery: str(),
  DetectDataCenterQuery: str(),
  DetectRegionQuery: str(),
  DetectPhysicalEnvironmentQuery: str(),
  DetectInstanceAliasQuery: str(),
  DetectPromotionRuleQuery: str(),
  DetectSemiSyncEnforcedQuery: str(),
  ReplicationLagQuery: str(),
  ReasonableReplicationLagSeconds: int(10, 0, 86_400),
  ReasonableMaintenanceReplicationLagSeconds: int(20, 0, 86_400),
  MaxConcurrentReplicaOperations: int(5, 1, 1000),
  // §5 recovery
  RecoveryPeriodBlockSeconds: int(3600, 0, 10 * 86_400 * 365),
  RecoveryPeriodBlockMinutes: int(60, 0, 10 * 1440 * 365),
  FailureDetectionPeriodBlockMinutes: int(60, 0, 10 * 1440 * 365),
  RecoverMasterClusterFilters: filters(),
  RecoverIntermediateMasterClusterFilters: filters(),
  RecoveryIgnoreHostnameFilters: regexes(),
  OSCIgnoreHostnameFilters: regexes(),
  PromotionIgnoreHostnameFilters: regexes(),
  CandidateInstanceExpireMinutes: int(60, 1, 10 * 1440 * 365),
  ApplyMySQLPromotionAfterMasterFailover: bool(true),
  DetachLostReplicasAfterMasterFailover: bool(true),
  PreventCrossDataCenterMasterFailover: bool(false),
  PreventCrossRegionMasterFailover: bool(false),
  FailMasterPromotionOnLagMinutes: int(0, 0, 1_000_000),
  FailMasterPromotionIfSQLThreadNotUpToDate: bool(false),
  DelayMasterPromotionIfSQLThreadNotUpToDate: bool(true),
  CoMasterRecoveryMustPromoteOtherCoMaster: bool(true),
  RecoverNonWriteableMaster: bool(false),
  // semi-sync recoveries (LockedSemiSyncMaster, MasterWithTooManySemiSyncReplicas)
  RecoverLockedSemiSyncMaster: bool(false),
  EnforceExactSemiSyncReplicas: bool(false),
  ReasonableLockedSemiSyncMasterSeconds: int(0, 0, 86_400),
  // Pseudo-GTID (reference keys; PseudoGTIDIntervalSeconds and PseudoGTIDMatchTimeoutSeconds are ours)
  AutoPseudoGTID: bool(false),
  PseudoGTIDPattern: str(),
  PseudoGTIDPatternIsFixedSubstring: bool(false),
  PseudoGTIDMonotonicHint: str(),
  BinlogEventsChunkSize: int(10_000, 1, 1_000_000),
  SkipBinlogEventsContaining: strings(),
  PseudoGTIDIntervalSeconds: int(5, 1, 3600),
  PseudoGTIDMatchTimeoutSeconds: int(60, 1, 86_400),
  MasterFailoverLostInstancesDowntimeMinutes: int(0, 0, 1_000_000),
  KVClusterMasterPrefix: str('mysql/master'),
  // KV stores the masters are published to (packages/kv); EtcdEndpoints is ours
  ZkAddress: str(),
  EtcdEndpoints: strings(),
  ConsulAddress: str(),
  ConsulScheme: oneOf('http', ['http', 'https']),
  ConsulAclToken: str(),
  ConsulKVStoreProvider: oneOf('consul', ['consul', 'consul-txn']),
  ConsulCrossDataCenterDistribution: bool(false),
  ConsulMaxKVsPerTransaction: int(5, 5, 64),
  OnFailureDetectionProcesses: hooks(),
  PreGracefulTakeoverProcesses: hooks(),
  PreFailoverProcesses: hooks(),
  PostMasterFailoverProcesses: hooks(),
  PostIntermediateMasterFailoverProcesses: hooks(),
  PostFailoverProcesses: hooks(),
  PostUnsuccessfulFailoverProcesses: hooks(),
  PostGracefulTakeoverProcesses: hooks(),
  PostTakeMasterProcesses: hooks(),
  ProcessesShellCommand: str('bash'),
  MasterFailoverDetachReplicaMasterHost: bool(false),
  /** Replication credentials for CHANGE MASTER TO during recoveries (MariaDB cannot read them back). */
  MySQLReplicaUser: str(),
  MySQLReplicaPassword: secret(),
  // ours: recovery bounds (packages/recovery README)
  HookTimeoutSeconds: int(60, 1, 86_400),
  RecoveryWarmupSeconds: int(0, 0, 86_400),
  LostInRecoveryDowntimeSeconds: int(365 * 24 * 3600, 0, 10 * 365 * 24 * 3600),
  StopReplicationNiceTimeoutSeconds: int(5, 0, 3600),
  PromotionCatchUpTimeoutSeconds: int(30, 1, 86_400),
  OldMasterReadOnlyTimeoutSeconds: int(3, 1, 3600),
  // ours: logging
  LogLevel: oneOf('info', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
  LogFormat: oneOf('auto', ['auto', 'json', 'pretty']),
  // accepted for compatibility; no effect here
  DetectPseudoGTIDQuery: str(),
  Debug: bool(false),
  EnableSyslog: bool(false),
  AuditLogFile: str(),
  AuditToBackendDB: bool(false),
  AuditToSyslog: bool(false),
  AuditPageSize: int(20, 1, 10_000),
} as const satisfies Record<string, KeySpec>;

export type KeyName = keyof typeof KEYS;

type ValueOf<S> = S extends { kind: 'bool' }
  ? boolean
  : S extends { kind: 'int' }
    ? number
    : S extends { kind: 'strings' }
      ? string[]
      : string;

/** Every key with its (normalised) value. Names are orchestrator's, so operators recognise them. */
export type OrchestratorConfig = { -readonly [K in KeyName]: ValueOf<(typeof KEYS)[K]> };

/** The defaults of every key, as a fresh object. */
export function defaultConfig(): OrchestratorConfig {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(KEYS) as [string, KeySpec][]) {
    out[key] = spec.kind === 'strings' ? [...spec.default] : spec.default;
  }
  return out as OrchestratorConfig;
}
