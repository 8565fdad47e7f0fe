// Recovery configuration: orchestrator's key names and defaults (reference §5, §8), plus the few keys
// this port adds (marked "ours").
import { validatePseudoGtidConfig } from './pseudo-gtid/pattern.js';

export interface RecoveryConfig {
  /** Hook lists (reference §5.5). */
  OnFailureDetectionProcesses: string[];
  PreGracefulTakeoverProcesses: string[];
  PreFailoverProcesses: string[];
  PostMasterFailoverProcesses: string[];
  PostIntermediateMasterFailoverProcesses: string[];
  PostFailoverProcesses: string[];
  PostUnsuccessfulFailoverProcesses: string[];
  PostGracefulTakeoverProcesses: string[];
  PostTakeMasterProcesses: string[];
  /** Shell used for hooks. */
  ProcessesShellCommand: string;
  /** Ours: a hook running longer than this is killed (SIGKILL to its process group) and counts as failed. */
  HookTimeoutSeconds: number;

  RecoverMasterClusterFilters: string[];
  RecoverIntermediateMasterClusterFilters: string[];
  RecoveryIgnoreHostnameFilters: string[];
  PromotionIgnoreHostnameFilters: string[];

  FailureDetectionPeriodBlockMinutes: number;
  RecoveryPeriodBlockSeconds: number;
  /** Legacy; used only when RecoveryPeriodBlockSeconds is explicitly 0. */
  RecoveryPeriodBlockMinutes: number;
  CandidateInstanceExpireMinutes: number;
  InstancePollSeconds: number;
  /** Ours: analysis is ignored for this long after the engine starts. 0 → 3 × InstancePollSeconds (reference). */
  RecoveryWarmupSeconds: number;

  ApplyMySQLPromotionAfterMasterFailover: boolean;
  DetachLostReplicasAfterMasterFailover: boolean;
  LostInRecoveryDowntimeSeconds: number;
  MasterFailoverDetachReplicaMasterHost: boolean;
  CoMasterRecoveryMustPromoteOtherCoMaster: boolean;
  /** NoWriteableMaster: a master left read_only, with nothing else wrong, is made writable. */
  RecoverNonWriteableMaster: boolean;
  /** LockedSemiSyncMaster: enable semi-sync on enough replicas (never disables any). */
  RecoverLockedSemiSyncMaster: boolean;
  /** Exactly the master's wait count of replicas ack: enabled and disabled by priority (LockedSemiSyncMaster, MasterWithTooManySemiSyncReplicas). */
  EnforceExactSemiSyncReplicas: boolean;
  PreventCrossDataCenterMasterFailover: boolean;
  PreventCrossRegionMasterFailover: boolean;
  /** 0 disables the check. */
  FailMasterPromotionOnLagMinutes: number;
  FailMasterPromotionIfSQLThreadNotUpToDate: boolean;
  DelayMasterPromotionIfSQLThreadNotUpToDate: boolean;
  ReasonableMaintenanceReplicationLagSeconds: number;

  KVClusterMasterPrefix: string;

  /** Replication credentials used by CHANGE MASTER TO (orchestrator's names). */
  MySQLReplicaUser: string;
  MySQLReplicaPassword: string;
  /** Topology credentials the executor connects with. */
  MySQLTopologyUser: string;
  MySQLTopologyPassword: string;
  MySQLConnectTimeoutSeconds: number;
  /** Bounds each ordinary statement of a recovery or move (at most 10 s; waits have their own). */
  MySQLTopologyReadTimeoutSeconds: number;

  /** Ours: how long a "nice" stop waits for the SQL thread to apply the relay log. */
  StopReplicationNiceTimeoutSeconds: number;
  /** Ours: how long a candidate may take to apply everything before promotion. */
  PromotionCatchUpTimeoutSeconds: number;
  /** Ours: bound on the best-effort read_only=1 of the old master. */
  OldMasterReadOnlyTimeoutSeconds: number;

  /** Pseudo-GTID (reference keys; AutoPseudoGTID sets the pattern keys, see pseudo-gtid/pattern.ts). */
  AutoPseudoGTID: boolean;
  PseudoGTIDPattern: string;
  PseudoGTIDPatternIsFixedSubstring: boolean;
  PseudoGTIDMonotonicHint: string;
  BinlogEventsChunkSize: number;
  SkipBinlogEventsContaining: string[];
  /** Ours: how long matching one replica by Pseudo-GTID may take. */
  PseudoGTIDMatchTimeoutSeconds: number;
}

export const defaultRecoveryConfig: Readonly<RecoveryConfig> = Object.freeze({
  OnFailureDetectionProcesses: [],
  PreGracefulTakeoverProcesses: [],
  PreFailoverProcesses: [],
  PostMasterFailoverProcesses: [],
  PostIntermediateMasterFailoverProcesses: [],
  PostFailoverProcesses: [],
  PostUnsuccessfulFailoverProcesses: [],
  PostGracefulTakeoverProcesses: [],
  PostTakeMasterProcesses: [],
  ProcessesShellCommand: 'bash',
  HookTimeoutSeconds: 60,
  RecoverMasterClusterFilters: [],
  RecoverIntermediateMasterClusterFilters: [],
  RecoveryIgnoreHostnameFilters: [],
  PromotionIgnoreHostnameFilters: [],
  FailureDetectionPeriodBlockMinutes: 60,
  RecoveryPeriodBlockSeconds: 3600,
  RecoveryPeriodBlockMinutes: 60,
  CandidateInstanceExpireMinutes: 60,
  InstancePollSeconds: 5,
  RecoveryWarmupSeconds: 0,
  ApplyMySQLPromotionAfterMasterFailover: true,
  DetachLostReplicasAfterMasterFailover: true,
  LostInRecoveryDowntimeSeconds: 365 * 24 * 3600,
  MasterFailoverDetachReplicaMasterHost: false,
  CoMasterRecoveryMustPromoteOtherCoMaster: true,
  RecoverNonWriteableMaster: false,
  RecoverLockedSemiSyncMaster: false,
  EnforceExactSemiSyncReplicas: false,
  PreventCrossDataCenterMasterFailover: false,
  PreventCrossRegionMasterFailover: false,
  FailMasterPromotionOnLagMinutes: 0,
  FailMasterPromotionIfSQLThreadNotUpToDate: false,
  DelayMasterPromotionIfSQLThreadNotUpToDate: false,
  ReasonableMaintenanceReplicationLagSeconds: 20,
  KVClusterMasterPrefix: 'mysql/master',
  MySQLReplicaUser: '',
  MySQLReplicaPassword: '',
  MySQLTopologyUser: '',
  MySQLTopologyPassword: '',
  MySQLConnectTimeoutSeconds: 2,
  MySQLTopologyReadTimeoutSeconds: 600,
  StopReplicationNiceTimeoutSeconds: 5,
  PromotionCatchUpTimeoutSeconds: 30,
  OldMasterReadOnlyTimeoutSeconds: 3,
  AutoPseudoGTID: false,
  PseudoGTIDPattern: '',
  PseudoGTIDPatternIsFixedSubstring: false,
  PseudoGTIDMonotonicHint: '',
  BinlogEventsChunkSize: 10_000,
  SkipBinlogEventsContaining: [],
  PseudoGTIDMatchTimeoutSeconds: 60,
});

export function resolveRecoveryConfig(partial: Partial<RecoveryConfig> = {}): RecoveryConfig {
  return { ...defaultRecoveryConfig, ...partial };
}

/** The anti-flapping block period in seconds (legacy minutes only when Seconds is explicitly 0). */
export function recoveryBlockSeconds(config: RecoveryConfig): number {
  return config.RecoveryPeriodBlockSeconds === 0
    ? config.RecoveryPeriodBlockMinutes * 60
    : config.RecoveryPeriodBlockSeconds;
}

export function warmupSeconds(config: RecoveryConfig): number {
  return config.RecoveryWarmupSeconds > 0 ? config.RecoveryWarmupSeconds : 3 * config.InstancePollSeconds;
}

/** Returns every problem at once, each naming the key. */
export function validateRecoveryConfig(config: RecoveryConfig): string[] {
  const problems: string[] = [];
  const nonNegative: (keyof RecoveryConfig)[] = [
    'HookTimeoutSeconds',
    'FailureDetectionPeriodBlockMinutes',
    'RecoveryPeriodBlockSeconds',
    'RecoveryPeriodBlockMinutes',
    'CandidateInstanceExpireMinutes',
    'InstancePollSeconds',
    'RecoveryWarmupSeconds',
    'LostInRecoveryDowntimeSeconds',
    'FailMasterPromotionOnLagMinutes',
    'ReasonableMaintenanceReplicationLagSeconds',
    'StopReplicationNiceTimeoutSeconds',
    'PromotionCatchUpTimeoutSeconds',
    'OldMasterReadOnlyTimeoutSeconds',
    'PseudoGTIDMatchTimeoutSeconds',
  ];
  for (const key of nonNegative) {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      problems.push(`${key} must be a non-negative number, got ${JSON.stringify(value)}`);
  }
  for (const key of ['RecoverMasterClusterFilters', 'RecoverIntermediateMasterClusterFilters'] as const) {
    for (const filter of config[key]) {
      const pattern = filter.startsWith('alias~=') ? filter.slice(7) : filter;
      if (filter === '*' || filter.startsWith('alias=')) continue;
      try {
        new RegExp(pattern);
      } catch {
        problems.push(`${key} has an invalid regular expression: ${JSON.stringify(filter)}`);
      }
    }
  }
  if (config.HookTimeoutSeconds === 0) problems.push('HookTimeoutSeconds must be greater than 0');
  problems.push(...validatePseudoGtidConfig(config));
  if (config.ProcessesShellCommand.trim() === '') problems.push('ProcessesShellCommand must not be empty');
  return problems;
}
