// Recoveries a previous leader left unfinished (it crashed or lost leadership mid-way): raft
// leadership is not a lock, so a new leader must not wait for a recovery nobody is running. Each
// one is resolved as failed with an explanatory step and acknowledged (so it no longer blocks the
// cluster), and, when the cluster still has no writable master, recovered again from scratch.
import { ackRecoveryPayload } from './acks.js';
import { errorMessage } from './errors.js';
import type { MySQLOperations } from './mysql/operations.js';
import type { InstanceKey, InstanceView, NodeIdentity, Publish, RecoveryRecord } from './types.js';

const keyOf = (k: InstanceKey) => `${k.Hostname}:${k.Port}`;

/**
 * Running (no end time) and processed by another node, or by an earlier process of this host, or by
 * this very process but no longer running in it (`runningHere`: UIDs this engine is executing) —
 * a recovery that stopped when leadership was lost for a moment and came back.
 */
export function isInterrupted(
  r: RecoveryRecord,
  self: NodeIdentity,
  runningHere?: ReadonlySet<string>,
): boolean {
  if (r.RecoveryEndTimestamp !== '') return false;
  const mine = r.ProcessingNodeHostname === self.hostname && r.ProcessingNodeToken === self.token;
  return !mine || (runningHere !== undefined && !runningHere.has(r.UID));
}

export type ResumeDecision =
  | { action: 'resume'; reason: string }
  | { action: 'resolve'; reason: string; writableMaster: InstanceKey | null };

/**
 * Pure decision: master recoveries are resumed only when the cluster still has no writable master
 * (graceful takeovers never are);
 * intermediate-master recoveries are always resumed (moving replicas that already moved is refused
 * harmlessly by the planner).
 */
export function decideResume(r: RecoveryRecord, writableMaster: InstanceKey | null): ResumeDecision {
  // Redone as a failover it would promote without the old master's last writes having reached the
  // replica: a graceful takeover promises no lost rows, so the operator runs it again instead.
  if (r.AnalysisEntry.CommandHint === 'graceful-master-takeover')
    return {
      action: 'resolve',
      reason: 'an interrupted graceful takeover is not redone automatically; run it again',
      writableMaster,
    };
  const kind = r.AnalysisEntry.IsMaster || r.AnalysisEntry.IsCoMaster ? 'master' : 'intermediate';
  if (kind === 'intermediate')
    return { action: 'resume', reason: 'intermediate-master recovery is safe to redo' };
  if (writableMaster)
    return {
      action: 'resolve',
      reason: `cluster already has a writable master ${keyOf(writableMaster)}`,
      writableMaster,
    };
  return { action: 'resume', reason: 'cluster still has no writable master' };
}

/** Live check: the first reachable instance of the cluster that is writable and replicates from nobody. */
export async function findWritableMaster(
  mysql: MySQLOperations,
  instances: readonly Pick<InstanceView, 'Key'>[],
): Promise<InstanceKey | null> {
  const checks = await Promise.all(
    instances.map(async (i) => {
      try {
        const s = await mysql.readState(i.Key);
        return !s.readOnly && !s.replica ? i.Key : null;
      } catch {
        return null;
      }
    }),
  );
  return checks.find((k) => k !== null) ?? null;
}

/** Records the end of an interrupted recovery: a step, resolve-recovery (failed), and an ack. */
export async function closeInterrupted(
  publish: Publish,
  r: RecoveryRecord,
  self: NodeIdentity,
  now: number,
  reason: string,
  successor: InstanceKey | null,
): Promise<void> {
  const at = new Date(now).toISOString();
  const message = `interrupted: processing node ${r.ProcessingNodeHostname} (${r.ProcessingNodeToken}) stopped before the end; closed by ${self.hostname}: ${reason}`;
  await publish('write-recovery-step', { Id: 0, RecoveryUID: r.UID, AuditAt: at, Message: message });
  await publish('resolve-recovery', {
    ...r,
    SuccessorKey: successor,
    SuccessorAlias: '',
    SuccessorBinlogCoordinates: null,
    IsActive: false,
    IsSuccessful: false,
    RecoveryEndTimestamp: at,
    LostReplicas: [],
    ParticipatingInstanceKeys: [],
    AllErrors: [message],
  });
  await publish(
    'ack-recovery',
    ackRecoveryPayload(
      {
        owner: 'orchestrator',
        comment: `interrupted recovery closed by ${self.hostname}`,
        id: r.Id,
        uid: r.UID,
      },
      now,
    ),
  ).catch((error) => {
    throw new Error(`could not acknowledge interrupted recovery ${r.UID}: ${errorMessage(error)}`);
  });
}
