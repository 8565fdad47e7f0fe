// Prober configuration: orchestrator's key names and defaults (reference §3.1, §8), so the daemon can
// hand over the relevant slice of its parsed config file unchanged.

export type HostnameResolveMethod = '@@hostname' | '@@report_host' | 'none';

export interface ProberConfig {
  /** Seconds between two probes of the same instance (default 5). */
  InstancePollSeconds: number;
  /** Extra seconds a check may take before the last check stops being valid (default 1). */
  ReasonableInstanceCheckSeconds: number;
  /** Probes in flight at once (default 300). */
  DiscoveryMaxConcurrency: number;
  /** host:port strings discovered at start. */
  DiscoverySeeds: string[];
  /** Find replicas with SHOW SLAVE HOSTS instead of the processlist (default false). */
  DiscoverByShowSlaveHosts: boolean;
  MySQLTopologyUser: string;
  MySQLTopologyPassword: string;
  /** TCP connect timeout (default 2). */
  MySQLConnectTimeoutSeconds: number;
  /** Per-probe query timeout (default 10). */
  MySQLDiscoveryReadTimeoutSeconds: number;
  /** Instances not seen for this long are forgotten (default 240). */
  UnseenInstanceForgetHours: number;
  /** Replicas lagging more than this count as lagging (default 10). */
  ReasonableReplicationLagSeconds: number;
  /** Seconds of unchanged master coordinates before a semi-sync master is deemed locked (0 → ReasonableReplicationLagSeconds). */
  ReasonableLockedSemiSyncMasterSeconds: number;
  /** Regexes: matching hostnames are never probed. */
  DiscoveryIgnoreHostnameFilters: string[];
  /** Regexes: matching replicas are not followed. */
  DiscoveryIgnoreReplicaHostnameFilters: string[];
  /** Regexes: matching masters are not followed. */
  DiscoveryIgnoreMasterHostnameFilters: string[];
  /** Regexes: analysis entries for matching hostnames are dropped. */
  RecoveryIgnoreHostnameFilters: string[];
  MySQLHostnameResolveMethod: HostnameResolveMethod;
  DetectDataCenterQuery: string;
  DetectRegionQuery: string;
  DetectPhysicalEnvironmentQuery: string;
  DetectInstanceAliasQuery: string;
  DetectPromotionRuleQuery: string;
  DetectClusterAliasQuery: string;
  DetectSemiSyncEnforcedQuery: string;
  /** Optional query returning one number: replication lag in seconds. */
  ReplicationLagQuery: string;
  /** Regex with one capture group applied to the hostname. */
  DataCenterPattern: string;
  RegionPattern: string;
  PhysicalEnvironmentPattern: string;
  /** Analysis raises NoWriteableMasterStructureWarning as the main code (default false). */
  RecoverNonWriteableMaster: boolean;
  /** Evaluate MasterWithTooManySemiSyncReplicas (default false). */
  EnforceExactSemiSyncReplicas: boolean;
  /** LockedSemiSyncMaster is actionable (default false). */
  RecoverLockedSemiSyncMaster: boolean;
}

export const DEFAULT_PROBER_CONFIG: Readonly<ProberConfig> = Object.freeze({
  InstancePollSeconds: 5,
  ReasonableInstanceCheckSeconds: 1,
  DiscoveryMaxConcurrency: 300,
  DiscoverySeeds: [],
  DiscoverByShowSlaveHosts: false,
  MySQLTopologyUser: '',
  MySQLTopologyPassword: '',
  MySQLConnectTimeoutSeconds: 2,
  MySQLDiscoveryReadTimeoutSeconds: 10,
  UnseenInstanceForgetHours: 240,
  ReasonableReplicationLagSeconds: 10,
  ReasonableLockedSemiSyncMasterSeconds: 0,
  DiscoveryIgnoreHostnameFilters: [],
  DiscoveryIgnoreReplicaHostnameFilters: [],
  DiscoveryIgnoreMasterHostnameFilters: [],
  RecoveryIgnoreHostnameFilters: [],
  MySQLHostnameResolveMethod: '@@hostname',
  DetectDataCenterQuery: '',
  DetectRegionQuery: '',
  DetectPhysicalEnvironmentQuery: '',
  DetectInstanceAliasQuery: '',
  DetectPromotionRuleQuery: '',
  DetectClusterAliasQuery: '',
  DetectSemiSyncEnforcedQuery: '',
  ReplicationLagQuery: '',
  DataCenterPattern: '',
  RegionPattern: '',
  PhysicalEnvironmentPattern: '',
  RecoverNonWriteableMaster: false,
  EnforceExactSemiSyncReplicas: false,
  RecoverLockedSemiSyncMaster: false,
});

/** Defaults overlaid with `partial`. */
export function proberConfig(partial: Partial<ProberConfig> = {}): ProberConfig {
  return { ...DEFAULT_PROBER_CONFIG, ...partial };
}

/** Every problem at once, each naming its key; empty when the config is usable. */
export function validateProberConfig(config: ProberConfig): string[] {
  const problems: string[] = [];
  const positive: (keyof ProberConfig)[] = [
    'InstancePollSeconds',
    'DiscoveryMaxConcurrency',
    'MySQLConnectTimeoutSeconds',
    'MySQLDiscoveryReadTimeoutSeconds',
  ];
  for (const key of positive) {
    const v = config[key];
    if (typeof v !== 'number' || !(v > 0))
      problems.push(`${key} must be a positive number, got ${String(v)}`);
  }
  const regexKeys: (keyof ProberConfig)[] = [
    'DiscoveryIgnoreHostnameFilters',
    'DiscoveryIgnoreReplicaHostnameFilters',
    'DiscoveryIgnoreMasterHostnameFilters',
    'RecoveryIgnoreHostnameFilters',
  ];
  for (const key of regexKeys) {
    for (const pattern of config[key] as string[]) {
      try {
        new RegExp(pattern);
      } catch {
        problems.push(`${key} holds an invalid regex: ${pattern}`);
      }
    }
  }
  for (const key of ['DataCenterPattern', 'RegionPattern', 'PhysicalEnvironmentPattern'] as const) {
    try {
      if (config[key]) new RegExp(config[key]);
    } catch {
      problems.push(`${key} is an invalid regex: ${config[key]}`);
    }
  }
  if (!['@@hostname', '@@report_host', 'none'].includes(config.MySQLHostnameResolveMethod)) {
    problems.push(
      `MySQLHostnameResolveMethod must be @@hostname, @@report_host or none, got ${config.MySQLHostnameResolveMethod}`,
    );
  }
  return problems;
}

/** True when `hostname` matches any of the regexes (orchestrator's filter semantics). */
export function matchesAny(hostname: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => new RegExp(p).test(hostname));
}
