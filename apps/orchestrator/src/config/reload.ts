// reload-configuration: which keys can change while the daemon runs. A key is reloadable only when
// every part of the daemon that uses it reads it at the moment of use, so a new value is in effect
// everywhere at once; every other key is read once at start (it built a connection pool, a timer,
// a listener, the raft node, or it is applied by the replicated state machine, where one node
// changing alone would make it diverge) and keeps its running value until a restart. Pure: the
// daemon (reload.ts beside daemon.ts) applies the result.
import type { KeyName, OrchestratorConfig } from './spec.js';

/** Keys whose new value takes effect at once (see apps/orchestrator/src/config/README.md). */
export const RELOADABLE_KEYS: ReadonlySet<KeyName> = new Set<KeyName>([
  // Recovery engine only: read from its config at every recovery step.
  'OnFailureDetectionProcesses',
  'PreGracefulTakeoverProcesses',
  'PreFailoverProcesses',
  'PostMasterFailoverProcesses',
  'PostIntermediateMasterFailoverProcesses',
  'PostFailoverProcesses',
  'PostUnsuccessfulFailoverProcesses',
  'PostGracefulTakeoverProcesses',
  'PostTakeMasterProcesses',
  'PromotionIgnoreHostnameFilters',
  'ApplyMySQLPromotionAfterMasterFailover',
  'DetachLostReplicasAfterMasterFailover',
  'PreventCrossDataCenterMasterFailover',
  'PreventCrossRegionMasterFailover',
  'FailMasterPromotionOnLagMinutes',
  'FailMasterPromotionIfSQLThreadNotUpToDate',
  'DelayMasterPromotionIfSQLThreadNotUpToDate',
  'CoMasterRecoveryMustPromoteOtherCoMaster',
  'MasterFailoverDetachReplicaMasterHost',
  'LostInRecoveryDowntimeSeconds',
  'PromotionCatchUpTimeoutSeconds',
  'OldMasterReadOnlyTimeoutSeconds',
  // Recovery engine, analysis and the API (automated-recovery-filters, clusters-info).
  'RecoverMasterClusterFilters',
  'RecoverIntermediateMasterClusterFilters',
  'RecoveryIgnoreHostnameFilters',
  'RecoverNonWriteableMaster',
  'RecoverLockedSemiSyncMaster',
  'EnforceExactSemiSyncReplicas',
  // Analysis and probing: read at every analysis pass and every probe.
  'ReasonableReplicationLagSeconds',
  'ReasonableLockedSemiSyncMasterSeconds',
  'DiscoveryIgnoreHostnameFilters',
  'DiscoveryIgnoreReplicaHostnameFilters',
  'DiscoveryIgnoreMasterHostnameFilters',
  'DiscoverByShowSlaveHosts',
  'DetectClusterAliasQuery',
  'DetectDataCenterQuery',
  'DetectRegionQuery',
  'DetectPhysicalEnvironmentQuery',
  'DetectInstanceAliasQuery',
  'DetectPromotionRuleQuery',
  'DetectSemiSyncEnforcedQuery',
  'ReplicationLagQuery',
  'DataCenterPattern',
  'RegionPattern',
  'PhysicalEnvironmentPattern',
  // The API, at every request.
  'ReadOnly',
  'OSCIgnoreHostnameFilters',
  // The logger.
  'LogLevel',
]);

/** Keys accepted for compatibility that nothing here reads: a change has no effect. */
export const NO_EFFECT_KEYS: ReadonlySet<KeyName> = new Set<KeyName>([
  'ExpectFailureAnalysisConcensus',
  'SSLValidOUs',
  'AuthUserHeader',
  'PowerAuthUsers',
  'ActiveNodeExpireSeconds',
  'MySQLTopologyCredentialsConfigFile',
  'MySQLTopologySSLPrivateKeyFile',
  'MySQLTopologySSLCertFile',
  'MySQLTopologySSLCAFile',
  'MySQLTopologySSLSkipVerify',
  'MySQLTopologyUseMutualTLS',
  'DiscoveryQueueCapacity',
  'BufferInstanceWrites',
  'InstanceWriteBufferSize',
  'InstanceFlushIntervalMilliseconds',
  'SkipMaxScaleCheck',
  'HostnameResolveMethod',
  'DetectClusterDomainQuery',
  'MasterFailoverLostInstancesDowntimeMinutes',
  'DetectPseudoGTIDQuery',
  'Debug',
  'EnableSyslog',
  'AuditLogFile',
  'AuditToBackendDB',
  'AuditToSyslog',
  'AuditPageSize',
]);

export interface ConfigChanges {
  /** Changed reloadable keys, with their new values. */
  applied: Partial<OrchestratorConfig>;
  /** Changed keys read once at start. */
  restartRequired: KeyName[];
  /** Changed keys that have no effect here. */
  ignored: KeyName[];
}

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}

/** What changes between the running config and a newly read one, sorted by what can apply. */
export function classifyChanges(running: OrchestratorConfig, next: OrchestratorConfig): ConfigChanges {
  const applied: Record<string, unknown> = {};
  const restartRequired: KeyName[] = [];
  const ignored: KeyName[] = [];
  for (const key of Object.keys(running) as KeyName[]) {
    if (same(running[key], next[key])) continue;
    if (RELOADABLE_KEYS.has(key)) {
      const value = next[key];
      applied[key] = Array.isArray(value) ? [...value] : value;
    } else if (NO_EFFECT_KEYS.has(key)) ignored.push(key);
    else restartRequired.push(key);
  }
  return { applied: applied as Partial<OrchestratorConfig>, restartRequired, ignored };
}
