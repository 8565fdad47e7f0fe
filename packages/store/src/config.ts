// Configuration keys the store reads, with orchestrator's names and defaults. The daemon loads and
// validates the whole config file; this package only takes the subset it needs.

export interface StoreConfig {
  /** "mysql" (default) or anything containing "sqlite". */
  BackendDB?: string;
  /** SQLite file; created if missing (its directory must exist). Required for SQLite. */
  SQLite3DataFile?: string;
  /** SQLite busy timeout, milliseconds (default 5000). Not an orchestrator key. */
  SQLite3BusyTimeoutMillis?: number;
  MySQLOrchestratorHost?: string;
  MySQLOrchestratorPort?: number;
  MySQLOrchestratorDatabase?: string;
  MySQLOrchestratorUser?: string;
  MySQLOrchestratorPassword?: string;
  /** my.cnf-style file whose [client] section holds user and password. */
  MySQLOrchestratorCredentialsConfigFile?: string;
  MySQLOrchestratorMaxPoolConnections?: number;
  MySQLConnectTimeoutSeconds?: number;
  MySQLOrchestratorReadTimeoutSeconds?: number;
  MySQLOrchestratorUseMutualTLS?: boolean;
  MySQLOrchestratorSSLCAFile?: string;
  MySQLOrchestratorSSLCertFile?: string;
  MySQLOrchestratorSSLPrivateKeyFile?: string;
  MySQLOrchestratorSSLSkipVerify?: boolean;
  /** Refuse to open a backend server that is read-only (e.g. a replica behind a stale VIP). */
  MySQLOrchestratorRejectReadOnly?: boolean;
  /** Create the database when it does not exist (default true). Not an orchestrator key. */
  MySQLOrchestratorCreateDatabase?: boolean;

  // Timing keys used by the DAOs and the FSM (they must be equal on every node for the FSM).
  InstancePollSeconds?: number;
  ReasonableInstanceCheckSeconds?: number;
  CandidateInstanceExpireMinutes?: number;
  FailureDetectionPeriodBlockMinutes?: number;
  RecoveryPeriodBlockSeconds?: number;
  MaintenanceExpireMinutes?: number;
  /** Instance reads name lag beyond SQL_Delay above this a `replication_lag` problem. */
  ReasonableReplicationLagSeconds?: number;
}

export const storeDefaults = {
  BackendDB: 'mysql',
  SQLite3BusyTimeoutMillis: 5000,
  MySQLOrchestratorHost: '127.0.0.1',
  MySQLOrchestratorPort: 3306,
  MySQLOrchestratorDatabase: 'orchestrator',
  MySQLOrchestratorMaxPoolConnections: 128,
  MySQLConnectTimeoutSeconds: 2,
  MySQLOrchestratorReadTimeoutSeconds: 30,
  MySQLOrchestratorCreateDatabase: true,
  InstancePollSeconds: 5,
  ReasonableInstanceCheckSeconds: 1,
  CandidateInstanceExpireMinutes: 60,
  FailureDetectionPeriodBlockMinutes: 60,
  RecoveryPeriodBlockSeconds: 3600,
  MaintenanceExpireMinutes: 10,
  ReasonableReplicationLagSeconds: 10,
} as const;

/** The timing settings DAOs and the FSM use, defaults applied. */
export interface Timings {
  InstancePollSeconds: number;
  ReasonableInstanceCheckSeconds: number;
  CandidateInstanceExpireMinutes: number;
  FailureDetectionPeriodBlockMinutes: number;
  RecoveryPeriodBlockSeconds: number;
  MaintenanceExpireMinutes: number;
  ReasonableReplicationLagSeconds: number;
}

export function timingsFrom(config: StoreConfig): Timings {
  return {
    InstancePollSeconds: config.InstancePollSeconds ?? storeDefaults.InstancePollSeconds,
    ReasonableInstanceCheckSeconds:
      config.ReasonableInstanceCheckSeconds ?? storeDefaults.ReasonableInstanceCheckSeconds,
    CandidateInstanceExpireMinutes:
      config.CandidateInstanceExpireMinutes ?? storeDefaults.CandidateInstanceExpireMinutes,
    FailureDetectionPeriodBlockMinutes:
      config.FailureDetectionPeriodBlockMinutes ?? storeDefaults.FailureDetectionPeriodBlockMinutes,
    RecoveryPeriodBlockSeconds: config.RecoveryPeriodBlockSeconds ?? storeDefaults.RecoveryPeriodBlockSeconds,
    MaintenanceExpireMinutes: config.MaintenanceExpireMinutes ?? storeDefaults.MaintenanceExpireMinutes,
    ReasonableReplicationLagSeconds:
      config.ReasonableReplicationLagSeconds ?? storeDefaults.ReasonableReplicationLagSeconds,
  };
}
