// Failure analysis (reference §4) as a pure function over the node's local view: the same
// instances, context, config and `now` always give the same entries. The condition ladder mirrors
// orchestrator's analysis: the first matching code wins.
import type { Instance } from '@orchestrator/model';
import { matchesAny, type ProberConfig } from '../config.js';
import { isValidKey, keyString } from '../keys.js';
import { deriveClusterFields } from './cluster.js';
import { describe } from './descriptions.js';
import {
  type Observation,
  observerDecision,
  orchestratorObservations,
  refusedEverywhere,
  replicaLinkVerdict,
  slowDetectionDetail,
} from './evidence.js';
import type { AnalysisCode, AnalysisContext, ReplicationAnalysis, StructureWarning } from './types.js';

/** The analysis inputs besides the instances. */
export interface AnalyzeParams extends AnalysisContext {
  config: Pick<
    ProberConfig,
    | 'InstancePollSeconds'
    | 'ReasonableInstanceCheckSeconds'
    | 'ReasonableReplicationLagSeconds'
    | 'ReasonableLockedSemiSyncMasterSeconds'
    | 'RecoveryIgnoreHostnameFilters'
    | 'RecoverNonWriteableMaster'
    | 'EnforceExactSemiSyncReplicas'
    | 'RecoverLockedSemiSyncMaster'
  >;
  /** Epoch milliseconds. */
  now: number;
}

function ms(ts: string): number | undefined {
  if (!ts) return undefined;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * orchestrator's IsLastCheckValid: the last check saw the server, and no attempt has been hanging
 * for longer than a poll interval plus ReasonableInstanceCheckSeconds since then.
 */
export function isLastCheckValid(inst: Instance, config: AnalyzeParams['config']): boolean {
  const seen = ms(inst.LastSeenTimestamp);
  if (seen === undefined) return false;
  const checked = ms(inst.LastCheckedTimestamp) ?? seen;
  const attempted = ms(inst.LastAttemptedCheckTimestamp) ?? seen;
  return (
    checked <= seen &&
    attempted <= seen + (config.InstancePollSeconds + config.ReasonableInstanceCheckSeconds) * 1000
  );
}

const FAILING_TO_CONNECT = /error .*connecting to (master|source)/i;

/** IO thread down, SQL thread up, and the IO error says it cannot connect. */
export function isFailingToConnectToMaster(inst: Instance): boolean {
  return (
    !inst.ReplicationIOThreadRuning &&
    inst.ReplicationSQLThreadRuning &&
    FAILING_TO_CONNECT.test(inst.LastIOError)
  );
}

function majorVersion(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

const REPLICA_CENTRIC: ReadonlySet<AnalysisCode> = new Set<AnalysisCode>([
  'MasterSingleReplicaNotReplicating',
  'MasterSingleReplicaDead',
  'AllMasterReplicasNotReplicating',
  'AllMasterReplicasNotReplicatingOrDead',
  'AllCoMasterReplicasNotReplicating',
  'AllIntermediateMasterReplicasNotReplicating',
  'AllIntermediateMasterReplicasFailingToConnectOrDead',
]);

/** Dead codes that other orchestrator nodes can hold back, and what they become meanwhile. */
const UNREACHABLE_INSTEAD: Partial<Record<AnalysisCode, AnalysisCode>> = {
  DeadMaster: 'UnreachableMaster',
  DeadMasterAndSomeReplicas: 'UnreachableMaster',
  DeadCoMaster: 'UnreachableCoMaster',
  DeadCoMasterAndSomeReplicas: 'UnreachableCoMaster',
  DeadIntermediateMasterWithSingleReplicaFailingToConnect: 'UnreachableIntermediateMaster',
  DeadIntermediateMaster: 'UnreachableIntermediateMaster',
  DeadIntermediateMasterAndSomeReplicas: 'UnreachableIntermediateMaster',
};

/** Every analysis entry for the instance set, sorted by analysed key. */
export function analyze(instances: readonly Instance[], params: AnalyzeParams): ReplicationAnalysis[] {
  const { config, now } = params;
  const derived = deriveClusterFields(instances);
  const valid = new Map<string, boolean>();
  for (const i of instances) valid.set(keyString(i.Key), isLastCheckValid(i, config));
  const replicasOf = new Map<string, Instance[]>();
  for (const i of instances) {
    if (!isValidKey(i.MasterKey)) continue;
    const m = keyString(i.MasterKey);
    const list = replicasOf.get(m);
    if (list) list.push(i);
    else replicasOf.set(m, [i]);
  }
  const downtimeEnd = new Map<string, number>();
  const noteDowntime = (id: string, end: number): void => {
    if (end > now) downtimeEnd.set(id, Math.max(end, downtimeEnd.get(id) ?? 0));
  };
  for (const d of params.downtimes ?? []) noteDowntime(keyString(d.Key), ms(d.EndTimestamp) ?? 0);
  for (const i of instances) {
    if (i.IsDowntimed) noteDowntime(keyString(i.Key), ms(i.DowntimeEndTimestamp) ?? Number.MAX_SAFE_INTEGER);
  }
  const maintenance = new Set((params.maintenance ?? []).map(keyString));
  const out: ReplicationAnalysis[] = [];

  for (const inst of instances) {
    const id = keyString(inst.Key);
    if (maintenance.has(id)) continue;
    const fields = derived.get(id);
    const replicas = replicasOf.get(id) ?? [];
    const lastCheckValid = valid.get(id) ?? false;
    const isMaster = !isValidKey(inst.MasterKey);
    const isCoMaster = fields?.IsCoMaster ?? false;
    const depth = fields?.ReplicationDepth ?? 0;
    const clusterName = fields?.ClusterName ?? id;

    let countValid = 0;
    let countValidReplicating = 0;
    let countFailingToConnect = 0;
    let countDowntimedReplicas = 0;
    let countLagging = 0;
    let countDelayed = 0;
    let countLogging = 0;
    let countStatement = 0;
    let countMixed = 0;
    let countRow = 0;
    let countSemiSync = 0;
    let countOracleGtid = 0;
    let countMariaGtid = 0;
    let countErrant = 0;
    const majors = new Set<string>();
    const gtidModes = new Set<string>();
    const replicaObservations: Observation[] = [];
    const slowDetails: string[] = [];
    for (const r of replicas) {
      const rid = keyString(r.Key);
      const rValid = valid.get(rid) ?? false;
      const link = rValid ? replicaLinkVerdict(r, params.replicaSilenceMs?.get(rid)) : undefined;
      replicaObservations.push({
        Observer: rid,
        Kind: 'replica',
        Verdict: link === undefined ? 'unreachable' : link.receiving ? 'receiving' : 'lost',
        Detail: link?.detail ?? 'cannot be reached by this node',
      });
      if (downtimeEnd.has(rid)) countDowntimedReplicas++;
      if (
        r.ReplicationLagSeconds.Valid &&
        r.ReplicationLagSeconds.Int64 > config.ReasonableReplicationLagSeconds
      )
        countLagging++;
      if (r.SQLDelay > 0) countDelayed++;
      if (r.GtidErrant) countErrant++;
      if (!rValid) continue;
      countValid++;
      if (link?.receiving) countValidReplicating++;
      const slow = slowDetectionDetail(r);
      if (slow) slowDetails.push(slow);
      if (isFailingToConnectToMaster(r)) countFailingToConnect++;
      if (r.SemiSyncReplicaEnabled) countSemiSync++;
      if (r.UsingOracleGTID) countOracleGtid++;
      if (r.UsingMariaDBGTID) countMariaGtid++;
      if (r.GTIDMode) gtidModes.add(r.GTIDMode.toUpperCase());
      if (r.LogBinEnabled && r.LogReplicationUpdatesEnabled) {
        countLogging++;
        const fmt = r.Binlog_format.toUpperCase();
        if (fmt === 'STATEMENT') countStatement++;
        else if (fmt === 'MIXED') countMixed++;
        else if (fmt === 'ROW') countRow++;
        majors.add(majorVersion(r.Version));
      }
    }
    const countReplicas = replicas.length;
    const isDowntimed = downtimeEnd.has(id);
    const a = {
      isMaster,
      isCoMaster,
      lastCheckValid,
      partial: inst.LastCheckPartialSuccess,
      countReplicas,
      countValid,
      countValidReplicating,
      countFailingToConnect,
      countLagging,
      countDelayed,
    };

    let code: AnalysisCode = 'NoProblem';
    let actionable = false;
    const semiSyncWait = inst.SemiSyncMasterWaitForReplicaCount;
    const semiSyncLocked =
      inst.SemiSyncMasterEnabled &&
      inst.SemiSyncMasterStatus &&
      semiSyncWait > 0 &&
      inst.SemiSyncMasterClients < semiSyncWait;
    const dead = !a.lastCheckValid;
    if (isMaster && dead && countReplicas === 0) code = 'DeadMasterWithoutReplicas';
    else if (isMaster && dead && countValid === countReplicas && countValidReplicating === 0) {
      code = 'DeadMaster';
      actionable = true;
    } else if (isMaster && dead && countValid === 0 && countValidReplicating === 0)
      code = 'DeadMasterAndReplicas';
    else if (
      isMaster &&
      dead &&
      countValid < countReplicas &&
      countValid > 0 &&
      countValidReplicating === 0
    ) {
      code = 'DeadMasterAndSomeReplicas';
      actionable = true;
    } else if (
      isMaster &&
      dead &&
      countLagging === countReplicas &&
      countDelayed < countReplicas &&
      countValidReplicating > 0
    ) {
      code = 'UnreachableMasterWithLaggingReplicas';
    } else if (isMaster && dead && !a.partial && countValid > 0 && countValidReplicating > 0)
      code = 'UnreachableMaster';
    else if (
      isMaster &&
      dead &&
      a.partial &&
      countFailingToConnect > 0 &&
      countValid > 0 &&
      countValidReplicating > 0
    ) {
      code = 'UnreachableMaster';
    } else if (isMaster && lastCheckValid && semiSyncLocked) {
      const since = params.binlogUnchangedSince?.get(id);
      const limit =
        (config.ReasonableLockedSemiSyncMasterSeconds || config.ReasonableReplicationLagSeconds) * 1000;
      if (since !== undefined && now - since > limit) {
        code = 'LockedSemiSyncMaster';
        actionable = config.EnforceExactSemiSyncReplicas || config.RecoverLockedSemiSyncMaster;
      } else code = 'LockedSemiSyncMasterHypothesis';
    } else if (
      isMaster &&
      lastCheckValid &&
      config.EnforceExactSemiSyncReplicas &&
      inst.SemiSyncMasterEnabled &&
      inst.SemiSyncMasterStatus &&
      semiSyncWait > 0 &&
      inst.SemiSyncMasterClients > semiSyncWait
    ) {
      code = 'MasterWithTooManySemiSyncReplicas';
      actionable = true;
    } else if (
      isMaster &&
      lastCheckValid &&
      inst.ReadOnly &&
      countValidReplicating > 0 &&
      config.RecoverNonWriteableMaster
    ) {
      code = 'NoWriteableMasterStructureWarning';
      actionable = true;
    } else if (
      isMaster &&
      lastCheckValid &&
      countReplicas === 1 &&
      countValid === countReplicas &&
      countValidReplicating === 0
    ) {
      code = 'MasterSingleReplicaNotReplicating';
    } else if (isMaster && lastCheckValid && countReplicas === 1 && countValid === 0)
      code = 'MasterSingleReplicaDead';
    else if (
      isMaster &&
      lastCheckValid &&
      countReplicas > 1 &&
      countValid === countReplicas &&
      countValidReplicating === 0
    ) {
      code = 'AllMasterReplicasNotReplicating';
    } else if (
      isMaster &&
      lastCheckValid &&
      countReplicas > 1 &&
      countValid < countReplicas &&
      countValid > 0 &&
      countValidReplicating === 0
    ) {
      code = 'AllMasterReplicasNotReplicatingOrDead';
    } else if (
      isCoMaster &&
      dead &&
      countReplicas > 0 &&
      countValid === countReplicas &&
      countValidReplicating === 0
    ) {
      code = 'DeadCoMaster';
      actionable = true;
    } else if (
      isCoMaster &&
      dead &&
      countReplicas > 0 &&
      countValid < countReplicas &&
      countValid > 0 &&
      countValidReplicating === 0
    ) {
      code = 'DeadCoMasterAndSomeReplicas';
      actionable = true;
    } else if (isCoMaster && dead && !a.partial && countValid > 0 && countValidReplicating > 0)
      code = 'UnreachableCoMaster';
    else if (isCoMaster && lastCheckValid && countReplicas > 0 && countValidReplicating === 0)
      code = 'AllCoMasterReplicasNotReplicating';
    else if (
      !isMaster &&
      dead &&
      countReplicas === 1 &&
      countValid === 1 &&
      countFailingToConnect === 1 &&
      countValidReplicating === 0
    ) {
      code = 'DeadIntermediateMasterWithSingleReplicaFailingToConnect';
      actionable = true;
    } else if (!isMaster && dead && countReplicas === 1 && countValid === 1 && countValidReplicating === 0) {
      code = 'DeadIntermediateMasterWithSingleReplica';
    } else if (
      !isMaster &&
      dead &&
      countReplicas > 1 &&
      countValid === countReplicas &&
      countValidReplicating === 0
    ) {
      code = 'DeadIntermediateMaster';
      actionable = true;
    } else if (
      !isMaster &&
      dead &&
      countReplicas > 0 &&
      countValid < countReplicas &&
      countValid > 0 &&
      countValidReplicating === 0
    ) {
      code = 'DeadIntermediateMasterAndSomeReplicas';
      actionable = true;
    } else if (!isMaster && dead && countReplicas > 0 && countValid === 0)
      code = 'DeadIntermediateMasterAndReplicas';
    else if (
      !isMaster &&
      dead &&
      countReplicas > 0 &&
      countLagging === countReplicas &&
      countDelayed < countReplicas &&
      countValidReplicating > 0
    ) {
      code = 'UnreachableIntermediateMasterWithLaggingReplicas';
    } else if (!isMaster && dead && countValid > 0 && countValidReplicating > 0)
      code = 'UnreachableIntermediateMaster';
    else if (
      !isMaster &&
      lastCheckValid &&
      countReplicas > 1 &&
      countValidReplicating === 0 &&
      countFailingToConnect > 0 &&
      countFailingToConnect === countValid
    ) {
      code = 'AllIntermediateMasterReplicasFailingToConnectOrDead';
      actionable = true;
    } else if (!isMaster && lastCheckValid && countReplicas > 0 && countValidReplicating === 0)
      code = 'AllIntermediateMasterReplicasNotReplicating';
    else if (!isMaster && lastCheckValid && depth === 1 && isFailingToConnectToMaster(inst))
      code = 'FirstTierReplicaFailingToConnectToMaster';

    // The other orchestrator nodes have a say before an unreachable instance is called dead.
    let hold = '';
    const portClosed = dead && refusedEverywhere(replicas, params.refusedConnections?.has(id) ?? false);
    const weaker = dead ? UNREACHABLE_INSTEAD[code] : undefined;
    if (weaker !== undefined) {
      const decision = observerDecision(params.observers, id, portClosed);
      if (!decision.dead) {
        code = weaker;
        actionable = false;
        hold =
          decision.why === 'waiting'
            ? 'waiting for the other orchestrator nodes to say whether they reach it'
            : `reachable from ${decision.from.join(', ')}`;
      }
    }

    const structure: StructureWarning[] = [];
    const structureDetails: string[] = [];
    if (slowDetails.length > 0) {
      structure.push('SlowReplicaHeartbeatStructureWarning');
      structureDetails.push(...slowDetails);
    }
    const deposed = params.formerMasters?.get(id);
    if (deposed && isMaster && lastCheckValid && !inst.ReadOnly) {
      // Split brain in the making: applications that still reach it can write to it.
      structure.push('DeposedMasterWritableStructureWarning');
      structureDetails.push(
        `${id} was replaced as master by ${deposed.successor} in recovery ${deposed.recoveryUID} (${deposed.at}) and is writable again: fence it (read_only, or take it out of service) before anything writes to it`,
      );
    }
    if (isMaster && countLogging === 0 && countReplicas > 1)
      structure.push('NoLoggingReplicasStructureWarning');
    const oracleTopology = countValid > 0 && countOracleGtid === countValid;
    const mariaTopology = countValid > 0 && countMariaGtid === countValid;
    if (isMaster && countValid > 0 && !oracleTopology && !mariaTopology)
      structure.push('NoFailoverSupportStructureWarning');
    if (countStatement > 0 && countMixed > 0)
      structure.push('StatementAndMixedLoggingReplicasStructureWarning');
    if (countStatement > 0 && countRow > 0) structure.push('StatementAndRowLoggingReplicasStructureWarning');
    if (countMixed > 0 && countRow > 0) structure.push('MixedAndRowLoggingReplicasStructureWarning');
    if (majors.size > 1) structure.push('MultipleMajorVersionsLoggingReplicasStructureWarning');
    if (gtidModes.size > 1) structure.push('DifferentGTIDModesStructureWarning');
    if (isMaster && countErrant > 0) structure.push('ErrantGTIDStructureWarning');
    if (isMaster && lastCheckValid && inst.ReadOnly && code !== 'NoWriteableMasterStructureWarning') {
      structure.push('NoWriteableMasterStructureWarning');
    }
    if (
      isMaster &&
      lastCheckValid &&
      inst.SemiSyncMasterEnabled &&
      semiSyncWait > 0 &&
      countSemiSync < semiSyncWait
    ) {
      structure.push('NotEnoughValidSemiSyncReplicasStructureWarning');
    }

    const isReplicasDowntimed = countReplicas > 0 && countDowntimedReplicas === countReplicas;
    if (matchesAny(inst.Key.Hostname, config.RecoveryIgnoreHostnameFilters)) continue;
    if (!params.includeDowntimed && isDowntimed) continue;
    if (!params.includeDowntimed && isReplicasDowntimed && REPLICA_CENTRIC.has(code)) continue;
    if (!params.includeNoProblem && code === 'NoProblem' && structure.length === 0) continue;

    const end = downtimeEnd.get(id);
    const replicaKeys = replicas.map((r) => ({ ...r.Key }));
    const modes = [...gtidModes].sort();
    out.push({
      AnalyzedInstanceKey: { ...inst.Key },
      AnalyzedInstanceMasterKey: { ...inst.MasterKey },
      ClusterDetails: {
        ClusterName: clusterName,
        ClusterAlias: params.clusterAliases?.get(clusterName) ?? inst.SuggestedClusterAlias,
        ClusterDomain: params.clusterDomains?.get(clusterName) ?? '',
      },
      AnalyzedInstanceDataCenter: inst.DataCenter,
      AnalyzedInstanceRegion: inst.Region,
      AnalyzedInstancePhysicalEnvironment: inst.PhysicalEnvironment,
      AnalyzedInstanceBinlogCoordinates: { ...inst.SelfBinlogCoordinates },
      IsMaster: isMaster,
      IsClusterMaster: isMaster,
      IsCoMaster: isCoMaster,
      LastCheckValid: lastCheckValid,
      LastCheckPartialSuccess: inst.LastCheckPartialSuccess,
      CountReplicas: countReplicas,
      CountValidReplicas: countValid,
      CountValidReplicatingReplicas: countValidReplicating,
      CountReplicasFailingToConnectToMaster: countFailingToConnect,
      CountDowntimedReplicas: countDowntimedReplicas,
      ReplicationDepth: depth,
      Replicas: replicaKeys,
      SlaveHosts: replicaKeys.map((k) => ({ ...k })),
      IsFailingToConnectToMaster: isFailingToConnectToMaster(inst),
      Analysis: code,
      Description: hold ? `${describe(code)}; ${hold}` : describe(code),
      StructureAnalysis: structure,
      ...(structureDetails.length > 0 ? { StructureDetails: structureDetails } : {}),
      ...(dead
        ? {
            Observations: [
              ...orchestratorObservations(params.observers, id, false, portClosed),
              ...replicaObservations,
            ],
          }
        : {}),
      IsDowntimed: isDowntimed,
      IsReplicasDowntimed: isReplicasDowntimed,
      DowntimeEndTimestamp:
        end !== undefined && end < Number.MAX_SAFE_INTEGER ? new Date(end).toISOString() : '',
      DowntimeRemainingSeconds:
        end !== undefined && end < Number.MAX_SAFE_INTEGER ? Math.ceil((end - now) / 1000) : 0,
      IsBinlogServer: false,
      OracleGTIDImmediateTopology: oracleTopology,
      MariaDBGTIDImmediateTopology: mariaTopology,
      BinlogServerImmediateTopology: false,
      PseudoGTIDImmediateTopology: false,
      SemiSyncMasterEnabled: inst.SemiSyncMasterEnabled,
      SemiSyncMasterStatus: inst.SemiSyncMasterStatus,
      SemiSyncMasterWaitForReplicaCount: semiSyncWait,
      SemiSyncMasterClients: inst.SemiSyncMasterClients,
      CountSemiSyncReplicasEnabled: countSemiSync,
      CountLoggingReplicas: countLogging,
      CountStatementBasedLoggingReplicas: countStatement,
      CountMixedBasedLoggingReplicas: countMixed,
      CountRowBasedLoggingReplicas: countRow,
      CountDistinctMajorVersionsLoggingReplicas: majors.size,
      CountDelayedReplicas: countDelayed,
      CountLaggingReplicas: countLagging,
      IsActionableRecovery: actionable,
      IsReadOnly: inst.ReadOnly,
      GTIDMode: inst.GTIDMode,
      MinReplicaGTIDMode: modes[0] ?? '',
      MaxReplicaGTIDMode: modes[modes.length - 1] ?? '',
      CountValidOracleGTIDReplicas: countOracleGtid,
      CountValidMariaDBGTIDReplicas: countMariaGtid,
      CountValidBinlogServerReplicas: 0,
      CountErrantGTIDReplicas: countErrant,
    });
  }
  out.sort((x, y) => keyString(x.AnalyzedInstanceKey).localeCompare(keyString(y.AnalyzedInstanceKey)));
  return out;
}
