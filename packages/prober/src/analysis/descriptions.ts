import type { AnalysisCode } from './types.js';

const TEXT: Record<AnalysisCode, string> = {
  NoProblem: '',
  DeadMasterWithoutReplicas: 'Master cannot be reached by orchestrator and has no replica',
  DeadMaster: 'Master cannot be reached by orchestrator and none of its replicas is replicating',
  DeadMasterAndReplicas: 'Master cannot be reached by orchestrator and none of its replicas is replicating',
  DeadMasterAndSomeReplicas:
    'Master cannot be reached by orchestrator; some of its replicas are unreachable and none of its replicas is replicating',
  UnreachableMasterWithLaggingReplicas:
    'Master cannot be reached by orchestrator and all of its replicas are lagging',
  UnreachableMaster:
    'Master cannot be reached by orchestrator but it has replicating replicas; possibly a network/host issue',
  LockedSemiSyncMasterHypothesis:
    "Semi sync master is locked since it doesn't get enough replica acknowledgements",
  LockedSemiSyncMaster: "Semi sync master is locked since it doesn't get enough replica acknowledgements",
  MasterWithTooManySemiSyncReplicas: 'Semi sync master has more semi sync replicas than configured',
  NoWriteableMasterStructureWarning: 'Master is read-only',
  MasterSingleReplicaNotReplicating: 'Master is reachable but its single replica is not replicating',
  MasterSingleReplicaDead: 'Master is reachable but its single replica is dead',
  AllMasterReplicasNotReplicating: 'Master is reachable but none of its replicas is replicating',
  AllMasterReplicasNotReplicatingOrDead: 'Master is reachable but none of its replicas is replicating',
  DeadCoMaster: 'Co-master cannot be reached by orchestrator and none of its replicas is replicating',
  DeadCoMasterAndSomeReplicas:
    'Co-master cannot be reached by orchestrator; some of its replicas are unreachable and none of its replicas is replicating',
  UnreachableCoMaster:
    'Co-master cannot be reached by orchestrator but it has replicating replicas; possibly a network/host issue',
  AllCoMasterReplicasNotReplicating: 'Co-master is reachable but none of its replicas is replicating',
  DeadIntermediateMasterWithSingleReplicaFailingToConnect:
    'Intermediate master cannot be reached by orchestrator and its (single) replica is failing to connect',
  DeadIntermediateMasterWithSingleReplica:
    'Intermediate master cannot be reached by orchestrator and its (single) replica is not replicating',
  DeadIntermediateMaster:
    'Intermediate master cannot be reached by orchestrator and none of its replicas is replicating',
  DeadIntermediateMasterAndSomeReplicas:
    'Intermediate master cannot be reached by orchestrator; some of its replicas are unreachable and none of its replicas is replicating',
  DeadIntermediateMasterAndReplicas:
    'Intermediate master cannot be reached by orchestrator and all of its replicas are unreachable',
  UnreachableIntermediateMasterWithLaggingReplicas:
    'Intermediate master cannot be reached by orchestrator and all of its replicas are lagging',
  UnreachableIntermediateMaster:
    'Intermediate master cannot be reached by orchestrator but it has replicating replicas; possibly a network/host issue',
  AllIntermediateMasterReplicasFailingToConnectOrDead:
    'Intermediate master is reachable but all of its replicas are failing to connect',
  AllIntermediateMasterReplicasNotReplicating:
    'Intermediate master is reachable but none of its replicas is replicating',
  BinlogServerFailingToConnectToMaster: 'Binlog server is unable to connect to its master',
  FirstTierReplicaFailingToConnectToMaster: 'Replica is unable to connect to its master',
};

/** Human text for a code, as shown by the API and hooks. */
export function describe(code: AnalysisCode): string {
  return TEXT[code];
}
