// Recovery bookkeeping reads (topology_recovery, its steps, failure detections) shaped like
// orchestrator's JSON, and the local blocked_topology_recovery audit.
import type { TopologyRecoveryRecord } from '@orchestrator/model';
import type { Backend } from '../backend/types.js';
import type { Timings } from '../config.js';
import type { InstanceKey } from '../model/instance.js';
import { type Clock, dbTime, fromDbTime } from '../time.js';
import { parseKeyList, rowKey } from './keys.js';

export type { TopologyRecoveryRecord };

export interface RecoveryStep {
  Id: number;
  RecoveryUID: string;
  AuditAt: string;
  Message: string;
}

export interface FailureDetectionRecord {
  Id: number;
  AnalysisEntry: Record<string, unknown>;
  Key: InstanceKey;
  Analysis: string;
  ClusterName: string;
  ClusterAlias: string;
  CountAffectedReplicas: number;
  IsActive: boolean;
  IsActionable: boolean;
  RecoveryStartTimestamp: string;
  ProcessingNodeHostname: string;
  ProcessingNodeToken: string;
}

export interface BlockedRecovery {
  FailedInstanceKey: InstanceKey;
  ClusterName: string;
  Analysis: string;
  LastBlockedTimestamp: string;
  BlockingRecoveryId: number;
}

const json = (v: unknown): Record<string, unknown> =>
  v ? (JSON.parse(String(v)) as Record<string, unknown>) : {};

function toRecovery(r: Record<string, unknown>): TopologyRecoveryRecord {
  return {
    Id: Number(r.recovery_id),
    UID: String(r.uid),
    AnalysisEntry: json(r.analysis_json),
    SuccessorKey: r.successor_hostname
      ? { Hostname: String(r.successor_hostname), Port: Number(r.successor_port) }
      : null,
    SuccessorAlias: String(r.successor_alias),
    IsActive: Number(r.in_active_period) === 1,
    IsSuccessful: Number(r.is_successful) === 1,
    LostReplicas: parseKeyList(r.lost_slaves),
    ParticipatingInstanceKeys: parseKeyList(r.participating_instances),
    AllErrors: String(r.all_errors ?? '')
      .split('\n')
      .filter((s) => s),
    RecoveryStartTimestamp: fromDbTime(r.start_active_period),
    RecoveryEndTimestamp: fromDbTime(r.end_recovery),
    ProcessingNodeHostname: String(r.processing_node_hostname),
    ProcessingNodeToken: String(r.processcing_node_token),
    Acknowledged: Number(r.acknowledged) === 1,
    AcknowledgedAt: fromDbTime(r.acknowledged_at),
    AcknowledgedBy: String(r.acknowledged_by),
    AcknowledgedComment: String(r.acknowledged_comment),
    LastDetectionId: Number(r.last_detection_id),
    RelatedRecoveryId: Number(r.related_recovery_id),
    Type: String(r.recovery_type),
  };
}

function toDetection(r: Record<string, unknown>): FailureDetectionRecord {
  return {
    Id: Number(r.detection_id),
    AnalysisEntry: json(r.analysis_json),
    Key: rowKey(r),
    Analysis: String(r.analysis),
    ClusterName: String(r.cluster_name),
    ClusterAlias: String(r.cluster_alias),
    CountAffectedReplicas: Number(r.count_affected_slaves),
    IsActive: Number(r.in_active_period) === 1,
    IsActionable: Number(r.is_actionable) === 1,
    RecoveryStartTimestamp: fromDbTime(r.start_active_period),
    ProcessingNodeHostname: String(r.processing_node_hostname),
    ProcessingNodeToken: String(r.processcing_node_token),
  };
}

export interface RecoveryQuery {
  id?: number;
  uid?: string;
  clusterName?: string;
  key?: InstanceKey;
  /** 0-based page of `pageSize` rows, newest first. */
  page?: number;
  pageSize?: number;
}

export function createRecoveryDao(backend: Backend, clock: Clock, timings: Timings) {
  const where = (q: RecoveryQuery): [string, unknown[]] => {
    const parts: string[] = [];
    const args: unknown[] = [];
    if (q.id !== undefined) parts.push('recovery_id = ?') && args.push(q.id);
    if (q.uid !== undefined) parts.push('uid = ?') && args.push(q.uid);
    if (q.clusterName !== undefined) parts.push('cluster_name = ?') && args.push(q.clusterName);
    if (q.key) parts.push('hostname = ? AND port = ?') && args.push(q.key.Hostname, q.key.Port);
    return [parts.length ? `WHERE ${parts.join(' AND ')}` : '', args];
  };
  const blockStart = () => dbTime(clock() - timings.RecoveryPeriodBlockSeconds * 1000);
  return {
    /** audit-recovery: newest first, paged. */
    async read(q: RecoveryQuery = {}): Promise<TopologyRecoveryRecord[]> {
      const [w, args] = where(q);
      const size = q.pageSize ?? 50;
      const rows = await backend.query(
        `SELECT * FROM topology_recovery ${w} ORDER BY recovery_id DESC LIMIT ${size} OFFSET ${(q.page ?? 0) * size}`,
        args,
      );
      return rows.map(toRecovery);
    },
    /** In their active period: not acknowledged and RecoveryPeriodBlockSeconds not elapsed. */
    async active(q: { clusterName?: string; key?: InstanceKey } = {}): Promise<TopologyRecoveryRecord[]> {
      const [w, args] = where(q);
      const rows = await backend.query(
        `SELECT * FROM topology_recovery ${w ? `${w} AND` : 'WHERE'} in_active_period = 1 AND start_active_period >= ? ORDER BY recovery_id DESC`,
        [...args, blockStart()],
      );
      return rows.map(toRecovery);
    },
    /** Started but not yet resolved (end_recovery unset). */
    async running(): Promise<TopologyRecoveryRecord[]> {
      const rows = await backend.query(
        'SELECT * FROM topology_recovery WHERE end_recovery IS NULL ORDER BY recovery_id',
      );
      return rows.map(toRecovery);
    },
    async steps(uid: string): Promise<RecoveryStep[]> {
      const rows = await backend.query(
        'SELECT * FROM topology_recovery_steps WHERE recovery_uid = ? ORDER BY recovery_step_id',
        [uid],
      );
      return rows.map((r) => ({
        Id: Number(r.recovery_step_id),
        RecoveryUID: String(r.recovery_uid),
        AuditAt: fromDbTime(r.audit_at),
        Message: String(r.message),
      }));
    },
    /** audit-failure-detection: newest first, paged. */
    async detections(
      q: { id?: number; clusterAlias?: string; page?: number; pageSize?: number } = {},
    ): Promise<FailureDetectionRecord[]> {
      const parts: string[] = [];
      const args: unknown[] = [];
      if (q.id !== undefined) parts.push('detection_id = ?') && args.push(q.id);
      if (q.clusterAlias !== undefined) parts.push('cluster_alias = ?') && args.push(q.clusterAlias);
      const size = q.pageSize ?? 50;
      const rows = await backend.query(
        `SELECT * FROM topology_failure_detection ${parts.length ? `WHERE ${parts.join(' AND ')}` : ''} ORDER BY detection_id DESC LIMIT ${size} OFFSET ${(q.page ?? 0) * size}`,
        args,
      );
      return rows.map(toDetection);
    },
    /** Detections in their active period (FailureDetectionPeriodBlockMinutes not elapsed). */
    async activeDetections(): Promise<FailureDetectionRecord[]> {
      const rows = await backend.query(
        'SELECT * FROM topology_failure_detection WHERE in_active_period = 1 AND start_active_period >= ? ORDER BY detection_id',
        [dbTime(clock() - timings.FailureDetectionPeriodBlockMinutes * 60_000)],
      );
      return rows.map(toDetection);
    },
    /** Records a blocked recovery attempt (local audit, like orchestrator). */
    async registerBlocked(
      key: InstanceKey,
      clusterName: string,
      analysis: string,
      blockingRecoveryId: number,
    ): Promise<void> {
      const cols = [
        'hostname',
        'port',
        'cluster_name',
        'analysis',
        'last_blocked_timestamp',
        'blocking_recovery_id',
      ];
      const sql = backend.dialect.upsert(
        'blocked_topology_recovery',
        cols,
        ['hostname', 'port'],
        cols.slice(2),
      );
      await backend.exec(sql, [
        key.Hostname,
        key.Port,
        clusterName,
        analysis,
        dbTime(clock()),
        blockingRecoveryId,
      ]);
    },
    async blocked(clusterName?: string): Promise<BlockedRecovery[]> {
      const rows = await backend.query(
        `SELECT * FROM blocked_topology_recovery ${clusterName === undefined ? '' : 'WHERE cluster_name = ?'} ORDER BY last_blocked_timestamp DESC, hostname, port`,
        clusterName === undefined ? [] : [clusterName],
      );
      return rows.map((r) => ({
        FailedInstanceKey: rowKey(r),
        ClusterName: String(r.cluster_name),
        Analysis: String(r.analysis),
        LastBlockedTimestamp: fromDbTime(r.last_blocked_timestamp),
        BlockingRecoveryId: Number(r.blocking_recovery_id),
      }));
    },
    /** Drops blocked-recovery rows older than `seconds`. */
    async expireBlocked(seconds: number): Promise<number> {
      const r = await backend.exec('DELETE FROM blocked_topology_recovery WHERE last_blocked_timestamp < ?', [
        dbTime(clock() - seconds * 1000),
      ]);
      return r.changes;
    },
  };
}
