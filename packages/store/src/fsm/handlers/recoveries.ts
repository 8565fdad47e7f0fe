import type { AnalysisPayload, CommandOp, TopologyRecoveryPayload } from '../commands.js';
import {
  boolField,
  instanceKey,
  int,
  keyList,
  obj,
  optionalKey,
  PayloadError,
  str,
  timeField,
} from '../decode.js';

import { expireActive, type Handler, keyStr, nextId, none, noPayload, unix, upsert } from './handler.js';

function decodeAnalysis(v: unknown, what: string): StoredAnalysis {
  const o = obj(v, what);
  instanceKey(o.AnalyzedInstanceKey, `${what}.AnalyzedInstanceKey`);
  str(o, 'Analysis', { nonEmpty: true });
  if (o.ClusterDetails !== undefined && o.ClusterDetails !== null)
    obj(o.ClusterDetails, `${what}.ClusterDetails`);
  keyList(o.Replicas, `${what}.Replicas`);
  keyList(o.SlaveHosts, `${what}.SlaveHosts`);
  if (o.DetectedAt !== undefined) timeField(o, 'DetectedAt', false);
  return o as StoredAnalysis;
}

/** A decoded payload: the typed fields, and every other field kept as it came (stored as JSON). */
type StoredAnalysis = AnalysisPayload & Record<string, unknown>;
type StoredRecovery = TopologyRecoveryPayload & Record<string, unknown>;

function analysisColumns(a: AnalysisPayload) {
  const replicas = (a.SlaveHosts?.length ? a.SlaveHosts : a.Replicas) ?? [];
  return {
    hostname: a.AnalyzedInstanceKey.Hostname,
    port: a.AnalyzedInstanceKey.Port,
    analysis: a.Analysis,
    cluster_name: String(a.ClusterDetails?.ClusterName ?? ''),
    cluster_alias: String(a.ClusterDetails?.ClusterAlias ?? ''),
    count_affected_slaves: Number(a.CountReplicas ?? replicas.length),
    slave_hosts: replicas.map(keyStr).join(','),
  };
}

function decodeRecovery(v: unknown): StoredRecovery {
  const o = obj(v);
  str(o, 'UID', { nonEmpty: true });
  decodeAnalysis(o.AnalysisEntry, 'AnalysisEntry');
  int(o, 'Id');
  if (o.SuccessorKey) instanceKey(o.SuccessorKey, 'SuccessorKey');
  keyList(o.LostReplicas, 'LostReplicas');
  keyList(o.ParticipatingInstanceKeys, 'ParticipatingInstanceKeys');
  if (o.AllErrors !== undefined && o.AllErrors !== null && !Array.isArray(o.AllErrors)) {
    throw new PayloadError('AllErrors must be an array of strings');
  }
  timeField(o, 'RecoveryStartTimestamp', false);
  timeField(o, 'RecoveryEndTimestamp', false);
  return o as StoredRecovery;
}

function recoveryColumns(r: TopologyRecoveryPayload) {
  return {
    processing_node_hostname: String(r.ProcessingNodeHostname ?? ''),
    processcing_node_token: String(r.ProcessingNodeToken ?? ''),
    successor_hostname: r.SuccessorKey?.Hostname ?? '',
    successor_port: r.SuccessorKey?.Port ?? 0,
    successor_alias: String(r.SuccessorAlias ?? ''),
    is_successful: r.IsSuccessful ? 1 : 0,
    lost_slaves: (r.LostReplicas ?? []).map(keyStr).join(','),
    participating_instances: (r.ParticipatingInstanceKeys ?? []).map(keyStr).join(','),
    all_errors: (r.AllErrors ?? []).map(String).join('\n'),
    last_detection_id: Number(r.LastDetectionId ?? 0),
    related_recovery_id: Number(r.RelatedRecoveryId ?? 0),
    recovery_type: String(r.Type ?? ''),
    analysis_json: JSON.stringify(r.AnalysisEntry),
  };
}

export const recoveriesHandlers = {
  'ack-recovery': {
    decode(v) {
      const o = obj(v);
      const at = timeField(o, 'CreatedAt', true)!;
      const base = { at, owner: str(o, 'Owner'), comment: str(o, 'Comment') };
      if (boolField(o, 'AllRecoveries')) return { ...base, where: '1 = 1', args: [] };
      const cluster = str(o, 'ClusterName');
      if (cluster) return { ...base, where: 'cluster_name = ?', args: [cluster] };
      const key = optionalKey(o.Key);
      if (key) return { ...base, where: 'hostname = ? AND port = ?', args: [key.Hostname, key.Port] };
      const id = int(o, 'Id');
      if (id > 0) return { ...base, where: 'recovery_id = ?', args: [id] };
      const uid = str(o, 'UID');
      if (uid) return { ...base, where: 'uid = ?', args: [uid] };
      throw new PayloadError('no selector: set AllRecoveries, ClusterName, Key, Id or UID');
    },
    async apply(ctx, p: { at: string; owner: string; comment: string; where: string; args: unknown[] }) {
      const r = await ctx.tx.exec(
        `UPDATE topology_recovery SET in_active_period = 0,
           end_active_period_unixtime = CASE WHEN end_active_period_unixtime = 0 THEN ? ELSE end_active_period_unixtime END,
           acknowledged = 1, acknowledged_at = ?, acknowledged_by = ?, acknowledged_comment = ?
         WHERE acknowledged = 0 AND ${p.where}`,
        [unix(p.at), p.at, p.owner, p.comment, ...p.args],
      );
      return none(r.changes);
    },
  },
  'register-failure-detection': {
    decode: (v) => decodeAnalysis(v, 'payload'),
    async apply(ctx, a: StoredAnalysis) {
      const at = (a.DetectedAt ? timeField(a, 'DetectedAt', false) : null) ?? ctx.fallbackTime;
      await expireActive(
        ctx,
        'topology_failure_detection',
        'detection_id',
        at,
        ctx.timings.FailureDetectionPeriodBlockMinutes * 60,
      );
      const cols = analysisColumns(a);
      const actionable = a.IsActionableRecovery ? 1 : 0;
      const active = await ctx.tx.query<{ detection_id: number }>(
        'SELECT detection_id FROM topology_failure_detection WHERE hostname = ? AND port = ? AND in_active_period = 1 AND is_actionable = ?',
        [cols.hostname, cols.port, actionable],
      );
      // INSERT IGNORE semantics: one active detection per instance (and actionability).
      if (active[0]) return none({ registered: false, id: Number(active[0].detection_id) });
      const id = await nextId(ctx, 'topology_failure_detection', 'detection_id', 0);
      await upsert(
        ctx,
        'topology_failure_detection',
        {
          detection_id: id,
          ...cols,
          in_active_period: 1,
          start_active_period: at,
          end_active_period_unixtime: 0,
          processing_node_hostname: String(a.ProcessingNodeHostname ?? ''),
          processcing_node_token: String(a.ProcessingNodeToken ?? ''),
          is_actionable: actionable,
          analysis_json: JSON.stringify(a),
        },
        ['detection_id'],
      );
      return none({ registered: true, id });
    },
  },
  'write-recovery': {
    decode: decodeRecovery,
    async apply(ctx, r: StoredRecovery) {
      const at = timeField(r, 'RecoveryStartTimestamp', false) ?? ctx.fallbackTime;
      await expireActive(ctx, 'topology_recovery', 'recovery_id', at, ctx.timings.RecoveryPeriodBlockSeconds);
      const existing = await ctx.tx.query<{ recovery_id: number }>(
        'SELECT recovery_id FROM topology_recovery WHERE uid = ?',
        [r.UID],
      );
      if (existing[0]) return none({ written: false, id: Number(existing[0].recovery_id) });
      const cols = analysisColumns(r.AnalysisEntry);
      const active = await ctx.tx.query<{ recovery_id: number }>(
        'SELECT recovery_id FROM topology_recovery WHERE hostname = ? AND port = ? AND in_active_period = 1',
        [cols.hostname, cols.port],
      );
      if (active[0])
        return none({
          written: false,
          id: Number(active[0].recovery_id),
          blockedBy: Number(active[0].recovery_id),
        });
      const id = await nextId(ctx, 'topology_recovery', 'recovery_id', Number(r.Id ?? 0));
      await upsert(
        ctx,
        'topology_recovery',
        {
          recovery_id: id,
          uid: r.UID,
          ...cols,
          ...recoveryColumns(r),
          in_active_period: 1,
          start_active_period: at,
          end_active_period_unixtime: 0,
        },
        ['recovery_id'],
      );
      return none({ written: true, id });
    },
  },
  'resolve-recovery': {
    decode: decodeRecovery,
    async apply(ctx, r: StoredRecovery) {
      const end = timeField(r, 'RecoveryEndTimestamp', false) ?? ctx.fallbackTime;
      const cols = recoveryColumns(r);
      const res = await ctx.tx.exec(
        `UPDATE topology_recovery SET end_recovery = ?, is_successful = ?, successor_hostname = ?, successor_port = ?,
           successor_alias = ?, lost_slaves = ?, participating_instances = ?, all_errors = ? WHERE uid = ?`,
        [
          end,
          cols.is_successful,
          cols.successor_hostname,
          cols.successor_port,
          cols.successor_alias,
          cols.lost_slaves,
          cols.participating_instances,
          cols.all_errors,
          r.UID,
        ],
      );
      return none(res.changes > 0);
    },
  },
  'write-recovery-step': {
    decode(v) {
      const o = obj(v);
      return {
        id: int(o, 'Id'),
        uid: str(o, 'RecoveryUID', { nonEmpty: true }),
        at: timeField(o, 'AuditAt', false),
        message: str(o, 'Message'),
      };
    },
    async apply(ctx, p: { id: number; uid: string; at: string | null; message: string }) {
      const id = await nextId(ctx, 'topology_recovery_steps', 'recovery_step_id', p.id);
      await ctx.tx.exec(
        'INSERT INTO topology_recovery_steps (recovery_step_id, recovery_uid, audit_at, message) VALUES (?, ?, ?, ?)',
        [id, p.uid, p.at ?? ctx.fallbackTime, p.message],
      );
      return none(id);
    },
  },
  'disable-global-recoveries': {
    decode: noPayload,
    async apply(ctx) {
      await ctx.tx.exec(
        `${ctx.dialect.insertIgnore} INTO global_recovery_disable (disable_recovery) VALUES (0)`,
      );
      return none('disabled');
    },
  },
  'enable-global-recoveries': {
    decode: noPayload,
    async apply(ctx) {
      await ctx.tx.exec('DELETE FROM global_recovery_disable');
      return none('enabled');
    },
  },
} satisfies Partial<Record<CommandOp, Handler>>;
