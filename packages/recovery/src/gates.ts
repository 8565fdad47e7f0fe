// The gates in front of every recovery (reference §5.1, §5.4), as pure decisions over a snapshot of
// the state. The engine gathers the snapshot, calls these, and acts on the verdict.
import type { RecoveryConfig } from './config.js';
import { recoveryBlockSeconds, warmupSeconds } from './config.js';
import { clusterMatchesFilters, hostnameMatchesFilters } from './filters.js';
import type {
  AnalysisEntry,
  DetectionRecord,
  InstanceKey,
  RecoveryRecord,
  TopologyRecovery,
} from './types.js';

export type RecoveryKind =
  | 'DeadMaster'
  | 'DeadCoMaster'
  | 'DeadIntermediateMaster'
  /** NoWriteableMasterStructureWarning as the main code (RecoverNonWriteableMaster): read_only=0. */
  | 'NoWriteableMaster'
  /** LockedSemiSyncMaster / MasterWithTooManySemiSyncReplicas: the replicas' semi-sync flags. */
  | 'SemiSyncReplicas';

/** Kinds that repair a master in place (no promotion): guarded by their own config keys, not by cluster filters. */
export const inPlaceKinds: ReadonlySet<RecoveryKind> = new Set(['NoWriteableMaster', 'SemiSyncReplicas']);

/** Which recovery handles an analysis code; undefined when orchestrator only logs it (✗ in §4). */
export function recoveryKindFor(analysis: string): RecoveryKind | undefined {
  switch (analysis) {
    case 'DeadMaster':
    case 'DeadMasterAndSomeReplicas':
      return 'DeadMaster';
    case 'DeadCoMaster':
    case 'DeadCoMasterAndSomeReplicas':
      return 'DeadCoMaster';
    case 'DeadIntermediateMaster':
    case 'DeadIntermediateMasterAndSomeReplicas':
    case 'DeadIntermediateMasterWithSingleReplicaFailingToConnect':
    case 'AllIntermediateMasterReplicasFailingToConnectOrDead':
    case 'DeadReplicationGroupMemberWithReplicas':
      return 'DeadIntermediateMaster';
    case 'NoWriteableMasterStructureWarning':
      return 'NoWriteableMaster';
    case 'LockedSemiSyncMaster':
    case 'MasterWithTooManySemiSyncReplicas':
      return 'SemiSyncReplicas';
    default:
      return undefined;
  }
}

/**
 * Why an in-place recovery may not run under this config (the reference's checkAndRecover* guards),
 * or undefined when it may.
 */
export function inPlaceRefusal(
  kind: RecoveryKind,
  analysis: string,
  config: Pick<
    RecoveryConfig,
    'RecoverNonWriteableMaster' | 'RecoverLockedSemiSyncMaster' | 'EnforceExactSemiSyncReplicas'
  >,
): string | undefined {
  if (kind === 'NoWriteableMaster' && !config.RecoverNonWriteableMaster)
    return 'RecoverNonWriteableMaster is off: a read-only master is left as it is';
  if (kind !== 'SemiSyncReplicas' || config.EnforceExactSemiSyncReplicas) return undefined;
  if (analysis === 'LockedSemiSyncMaster')
    return config.RecoverLockedSemiSyncMaster
      ? undefined
      : 'no action taken to recover a locked semi-sync master: enable RecoverLockedSemiSyncMaster or EnforceExactSemiSyncReplicas';
  return `${analysis} is recovered only with EnforceExactSemiSyncReplicas`;
}

export function recoveryTypeFor(kind: RecoveryKind): TopologyRecovery['Type'] {
  if (kind === 'DeadMaster') return 'MasterRecovery';
  if (kind === 'DeadCoMaster') return 'CoMasterRecovery';
  if (kind === 'DeadIntermediateMaster') return 'IntermediateMasterRecovery';
  return 'NotMasterRecovery';
}

const sameKey = (a: InstanceKey, b: InstanceKey | null | undefined): boolean =>
  !!b && a.Hostname === b.Hostname && a.Port === b.Port;

const ms = (iso: string): number => (iso ? Date.parse(iso) : Number.NaN);

export interface GateSnapshot {
  entry: AnalysisEntry;
  config: RecoveryConfig;
  now: number;
  /** When this engine started (ms); the warm-up counts from here. */
  startedAt: number;
  isLeader: boolean;
  globalRecoveryDisabled: boolean;
  activeDetections: readonly DetectionRecord[];
  activeRecoveries: readonly RecoveryRecord[];
}

export type GateVerdict =
  | { action: 'recover'; kind: RecoveryKind; registerDetection: boolean }
  | { action: 'skip'; reason: string; registerDetection: boolean }
  | { action: 'blocked'; reason: string; blockingRecovery: RecoveryRecord; registerDetection: boolean };

/** Whether a detection on this instance is still in its active period (one registration per detection). */
export function hasActiveDetection(
  detections: readonly DetectionRecord[],
  key: InstanceKey,
  config: RecoveryConfig,
  now: number,
): boolean {
  const windowMs = config.FailureDetectionPeriodBlockMinutes * 60_000;
  return detections.some(
    (d) => sameKey(key, d.Key) && !d.Acknowledged && now - ms(d.StartActivePeriod) < windowMs,
  );
}

/** A recovery still running (no end) on the instance: blocks even manual recoveries. */
export function runningRecoveryOn(
  recoveries: readonly RecoveryRecord[],
  key: InstanceKey,
): RecoveryRecord | undefined {
  return recoveries.find(
    (r) => r.RecoveryEndTimestamp === '' && sameKey(key, r.AnalysisEntry.AnalyzedInstanceKey),
  );
}

/** Anti-flapping (§5.4): the recovery that blocks a new one on this entry's cluster, if any. */
export function blockingRecovery(
  recoveries: readonly RecoveryRecord[],
  entry: AnalysisEntry,
  config: RecoveryConfig,
  now: number,
): RecoveryRecord | undefined {
  const blockMs = recoveryBlockSeconds(config) * 1000;
  const inActivePeriod = (r: RecoveryRecord) =>
    !r.Acknowledged && (r.RecoveryEndTimestamp === '' || now - ms(r.RecoveryStartTimestamp) < blockMs);
  return (
    recoveries.find((r) => inActivePeriod(r) && sameKey(entry.AnalyzedInstanceKey, r.SuccessorKey)) ??
    recoveries.find(
      (r) =>
        inActivePeriod(r) && r.AnalysisEntry.ClusterDetails.ClusterName === entry.ClusterDetails.ClusterName,
    )
  );
}

/** The automatic-recovery gates, in the reference's order. */
export function evaluateGates(s: GateSnapshot): GateVerdict {
  const { entry, config } = s;
  const kind = recoveryKindFor(entry.Analysis);
  if (!s.isLeader) return { action: 'skip', reason: 'not the raft leader', registerDetection: false };
  if (s.now - s.startedAt < warmupSeconds(config) * 1000)
    return { action: 'skip', reason: 'warming up after start', registerDetection: false };
  if (!kind) return { action: 'skip', reason: `no recovery for ${entry.Analysis}`, registerDetection: false };
  const refusal = inPlaceRefusal(kind, entry.Analysis, config);
  if (refusal) return { action: 'skip', reason: refusal, registerDetection: false };
  if (hostnameMatchesFilters(config.RecoveryIgnoreHostnameFilters, entry.AnalyzedInstanceKey.Hostname))
    return { action: 'skip', reason: 'matches RecoveryIgnoreHostnameFilters', registerDetection: false };
  const registerDetection =
    entry.IsActionableRecovery &&
    !hasActiveDetection(s.activeDetections, entry.AnalyzedInstanceKey, config, s.now);
  if (!entry.IsActionableRecovery)
    return { action: 'skip', reason: 'analysis is not actionable', registerDetection };
  if (entry.IsDowntimed) return { action: 'skip', reason: 'instance is downtimed', registerDetection };
  if (s.globalRecoveryDisabled)
    return { action: 'skip', reason: 'recoveries are globally disabled', registerDetection };
  // NoWriteableMaster and the semi-sync recoveries are switched on by their own keys (the reference
  // applies no cluster filter to them): the analysis is actionable only when they are on.
  const filters =
    kind === 'DeadIntermediateMaster'
      ? config.RecoverIntermediateMasterClusterFilters
      : config.RecoverMasterClusterFilters;
  const filterName =
    kind === 'DeadIntermediateMaster'
      ? 'RecoverIntermediateMasterClusterFilters'
      : 'RecoverMasterClusterFilters';
  if (
    !inPlaceKinds.has(kind) &&
    !clusterMatchesFilters(filters, entry.ClusterDetails.ClusterName, entry.ClusterDetails.ClusterAlias)
  )
    return { action: 'skip', reason: `cluster does not match ${filterName}`, registerDetection };
  const blocker = blockingRecovery(s.activeRecoveries, entry, config, s.now);
  if (blocker)
    return {
      action: 'blocked',
      reason: `blocked by recovery ${blocker.Id} (${blocker.UID}) in its active period`,
      blockingRecovery: blocker,
      registerDetection,
    };
  return { action: 'recover', kind, registerDetection };
}

/** Manual recoveries skip filters, downtime, global disable and the block period (§5.4). */
export function evaluateManualGates(
  entry: AnalysisEntry,
  isLeader: boolean,
  activeRecoveries: readonly RecoveryRecord[],
): { ok: true } | { ok: false; reason: string } {
  if (!isLeader) return { ok: false, reason: 'not the raft leader' };
  const running = runningRecoveryOn(activeRecoveries, entry.AnalyzedInstanceKey);
  if (running)
    return { ok: false, reason: `recovery ${running.Id} (${running.UID}) is still running on this instance` };
  return { ok: true };
}
