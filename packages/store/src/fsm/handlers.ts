// One handler per replicated op: `decode` validates the payload (before anything is written),
// `apply` writes inside the FSM's transaction. Handlers use only the payload, the envelope time and
// the backend's own rows, so every node computes the same tables.
import {
  isSettablePromotionRule,
  SETTABLE_PROMOTION_RULES,
  type SettablePromotionRule,
} from '@orchestrator/model';
import type { Dialect, Queryable } from '../backend/types.js';
import type { Timings } from '../config.js';
import type { InstanceKey } from '../model/instance.js';
import { dbTime, parseTime } from '../time.js';
import type { AnalysisPayload, CommandOp, SideEffect, TopologyRecoveryPayload } from './commands.js';
import {
  boolField,
  instanceKey,
  int,
  keyList,
  obj,
  optionalKey,
  PayloadError,
  str,
  stringValue,
  timeField,
} from './decode.js';

export interface ApplyContext {
  tx: Queryable;
  dialect: Dialect;
  timings: Timings;
  /** The command's time when its payload has none: the envelope's `at`, else the FSM clock. */
  fallbackTime: string;
}

export interface HandlerResult {
  result: unknown;
  effects: SideEffect[];
}

/** Method syntax on purpose: each handler narrows `payload` to what its own `decode` returns. */
export interface Handler {
  /** Raw ops carry a plain string, not JSON. */
  raw?: boolean;
  decode(value: unknown): unknown;
  apply(ctx: ApplyContext, payload: unknown): Promise<HandlerResult>;
}

const none = (result: unknown = null): HandlerResult => ({ result, effects: [] });
const keyStr = (k: InstanceKey) => `${k.Hostname}:${k.Port}`;
const unix = (stored: string) => Math.floor(parseTime(stored) / 1000);

async function upsert(
  ctx: ApplyContext,
  table: string,
  row: Record<string, unknown>,
  keys: string[],
): Promise<void> {
  const cols = Object.keys(row);
  const sql = ctx.dialect.upsert(
    table,
    cols,
    keys,
    cols.filter((c) => !keys.includes(c)),
    1,
  );
  await ctx.tx.exec(sql, Object.values(row));
}

async function nextId(ctx: ApplyContext, table: string, column: string, wanted: number): Promise<number> {
  if (wanted > 0) {
    const taken = await ctx.tx.query(`SELECT 1 AS x FROM ${table} WHERE ${column} = ?`, [wanted]);
    if (taken.length === 0) return wanted;
  }
  const rows = await ctx.tx.query<{ m: number | null }>(`SELECT MAX(${column}) AS m FROM ${table}`);
  return Number(rows[0]?.m ?? 0) + 1;
}

/** Closes active periods that started before `now - blockSeconds` (deterministic expiry). */
async function expireActive(
  ctx: ApplyContext,
  table: string,
  idCol: string,
  now: string,
  blockSeconds: number,
): Promise<void> {
  const threshold = dbTime(parseTime(now) - blockSeconds * 1000);
  const rows = await ctx.tx.query<{ id: number; start_active_period: string }>(
    `SELECT ${idCol} AS id, start_active_period FROM ${table} WHERE in_active_period = 1 AND start_active_period < ?`,
    [threshold],
  );
  for (const r of rows) {
    await ctx.tx.exec(
      `UPDATE ${table} SET in_active_period = 0, end_active_period_unixtime = ? WHERE ${idCol} = ?`,
      [unix(String(r.start_active_period)) + blockSeconds, r.id],
    );
  }
}

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

const keyPayload = (v: unknown) => instanceKey(v, 'payload');
const noPayload = (v: unknown) => v;

export const handlers: Record<CommandOp, Handler> = {
  heartbeat: { decode: noPayload, apply: async () => none() },
  'register-node': { decode: noPayload, apply: async () => none() },
  'leader-uri': {
    decode: (v) => stringValue(v, 'payload', false),
    async apply(ctx, uri: string) {
      await upsert(ctx, 'raft_fsm_meta', { meta_key: 'LeaderURI', meta_value: uri }, ['meta_key']);
      return { result: uri, effects: [{ type: 'leader-uri', uri }] };
    },
  },
  'request-health-report': {
    decode: (v) => stringValue(v, 'payload (token)', true),
    apply: async (_ctx, token: string) => ({ result: null, effects: [{ type: 'health-report', token }] }),
  },
  'async-snapshot': {
    decode: noPayload,
    apply: async () => ({ result: null, effects: [{ type: 'async-snapshot' }] }),
  },
  discover: {
    decode: keyPayload,
    apply: async (_ctx, key: InstanceKey) => ({ result: key, effects: [{ type: 'discover', key }] }),
  },
  forget: {
    decode: keyPayload,
    async apply(ctx, key: InstanceKey) {
      const r = await ctx.tx.exec('DELETE FROM database_instance WHERE hostname = ? AND port = ?', [
        key.Hostname,
        key.Port,
      ]);
      return { result: r.changes > 0, effects: [{ type: 'forgotten', keys: [key] }] };
    },
  },
  'forget-cluster': {
    decode: (v) => stringValue(v, 'payload (cluster name)', true),
    async apply(ctx, cluster: string) {
      const rows = await ctx.tx.query<{ hostname: string; port: number }>(
        'SELECT hostname, port FROM database_instance WHERE cluster_name = ? ORDER BY hostname, port',
        [cluster],
      );
      await ctx.tx.exec('DELETE FROM database_instance WHERE cluster_name = ?', [cluster]);
      const keys = rows.map((r) => ({ Hostname: r.hostname, Port: Number(r.port) }));
      return { result: keys, effects: [{ type: 'forgotten', keys }] };
    },
  },
  'begin-downtime': {
    decode(v) {
      const o = obj(v);
      const key = instanceKey(o.Key);
      const begins = timeField(o, 'BeginsAt', true)!;
      const durationNs = int(o, 'Duration');
      if (durationNs < 0) throw new PayloadError('Duration must not be negative');
      const ends =
        timeField(o, 'EndsAt', false) ??
        dbTime(parseTime(begins) + (durationNs ? durationNs / 1e6 : 600_000));
      return { key, begins, ends, owner: str(o, 'Owner'), reason: str(o, 'Reason') };
    },
    async apply(ctx, p: { key: InstanceKey; begins: string; ends: string; owner: string; reason: string }) {
      await upsert(
        ctx,
        'database_instance_downtime',
        {
          hostname: p.key.Hostname,
          port: p.key.Port,
          downtime_active: 1,
          begin_timestamp: p.begins,
          end_timestamp: p.ends,
          owner: p.owner,
          reason: p.reason,
        },
        ['hostname', 'port'],
      );
      return none(p.key);
    },
  },
  'end-downtime': {
    decode: keyPayload,
    async apply(ctx, key: InstanceKey) {
      const r = await ctx.tx.exec('DELETE FROM database_instance_downtime WHERE hostname = ? AND port = ?', [
        key.Hostname,
        key.Port,
      ]);
      return none(r.changes > 0);
    },
  },
  'register-candidate': {
    decode(v) {
      const o = obj(v);
      const key = instanceKey({ Hostname: o.Hostname, Port: o.Port }, 'payload');
      const rule = str(o, 'PromotionRule', { nonEmpty: true });
      if (!isSettablePromotionRule(rule))
        throw new PayloadError(
          `PromotionRule "${rule}" is not one of ${SETTABLE_PROMOTION_RULES.join(', ')}`,
        );
      const suggested = timeField(o, 'LastSuggestedString', true)!;
      return { key, rule, suggested, expiry: timeField(o, 'PromotionRuleExpiry', true)! };
    },
    async apply(
      ctx,
      p: { key: InstanceKey; rule: SettablePromotionRule; suggested: string; expiry: string },
    ) {
      const expiry = p.expiry;
      await upsert(
        ctx,
        'candidate_database_instance',
        {
          hostname: p.key.Hostname,
          port: p.key.Port,
          last_suggested: p.suggested,
          promotion_rule: p.rule,
          promotion_rule_expiry: expiry,
        },
        ['hostname', 'port'],
      );
      return none(p.key);
    },
  },
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
  'register-hostname-unresolve': {
    decode(v) {
      const o = obj(v);
      return { key: instanceKey(o.Key), hostname: str(o, 'Hostname'), at: timeField(o, 'CreatedAt', false) };
    },
    async apply(ctx, p: { key: InstanceKey; hostname: string; at: string | null }) {
      if (p.hostname === '') {
        await ctx.tx.exec('DELETE FROM hostname_unresolve WHERE hostname = ?', [p.key.Hostname]);
      } else {
        await upsert(
          ctx,
          'hostname_unresolve',
          {
            hostname: p.key.Hostname,
            unresolved_hostname: p.hostname,
            last_registered: p.at ?? ctx.fallbackTime,
          },
          ['hostname'],
        );
      }
      return none(p.key);
    },
  },
  'submit-pool-instances': {
    decode(v) {
      const o = obj(v);
      const pool = str(o, 'Pool', { nonEmpty: true });
      const list = str(o, 'DelimitedInstances');
      const keys = list
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s)
        .map((s) => {
          const [host, port] = s.split(':');
          const key = { Hostname: host ?? '', Port: port === undefined ? 3306 : Number(port) };
          if (!key.Hostname || !Number.isInteger(key.Port) || key.Port <= 0 || key.Port > 65535) {
            throw new PayloadError(`DelimitedInstances: "${s}" is not host[:port]`);
          }
          return key;
        });
      const at = timeField(o, 'RegisteredAt', false) ?? timeField(o, 'CreatedAt', false);
      return { pool, keys, at };
    },
    async apply(ctx, p: { pool: string; keys: InstanceKey[]; at: string | null }) {
      await ctx.tx.exec('DELETE FROM database_instance_pool WHERE pool = ?', [p.pool]);
      for (const k of p.keys) {
        await upsert(
          ctx,
          'database_instance_pool',
          { hostname: k.Hostname, port: k.Port, pool: p.pool, registered_at: p.at ?? ctx.fallbackTime },
          ['hostname', 'port', 'pool'],
        );
      }
      return none(p.keys.length);
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
  'put-key-value': {
    decode(v) {
      const o = obj(v);
      return {
        key: str(o, 'Key', { nonEmpty: true }),
        value: str(o, 'Value'),
        at: timeField(o, 'UpdatedAt', false),
      };
    },
    async apply(ctx, p: { key: string; value: string; at: string | null }) {
      await upsert(
        ctx,
        'kv_store',
        { store_key: p.key, store_value: p.value, last_updated: p.at ?? ctx.fallbackTime },
        ['store_key'],
      );
      return { result: p.key, effects: [{ type: 'kv-put', key: p.key, value: p.value }] };
    },
  },
  'put-instance-tag': {
    decode: (v) => decodeTag(v, true),
    async apply(ctx, p: DecodedTag) {
      const key = p.key!;
      await upsert(
        ctx,
        'database_instance_tags',
        {
          hostname: key.Hostname,
          port: key.Port,
          tag_name: p.name,
          tag_value: p.hasValue ? p.value : '',
          last_updated: p.at ?? ctx.fallbackTime,
        },
        ['hostname', 'port', 'tag_name'],
      );
      return none(key);
    },
  },
  'delete-instance-tag': {
    decode: (v) => decodeTag(v, false),
    async apply(ctx, p: DecodedTag) {
      let where = 'tag_name = ?';
      const args: unknown[] = [p.name];
      if (p.hasValue) {
        where += ' AND tag_value = ?';
        args.push(p.value);
      }
      if (p.key) {
        where += ' AND hostname = ? AND port = ?';
        args.push(p.key.Hostname, p.key.Port);
      }
      const rows = await ctx.tx.query<{ hostname: string; port: number }>(
        `SELECT hostname, port FROM database_instance_tags WHERE ${where} ORDER BY hostname, port`,
        args,
      );
      await ctx.tx.exec(`DELETE FROM database_instance_tags WHERE ${where}`, args);
      return none(rows.map((r) => ({ Hostname: r.hostname, Port: Number(r.port) })));
    },
  },
  'injected-pseudo-gtid': {
    decode: (v) => stringValue(v, 'payload (cluster name)', true),
    async apply(ctx, cluster: string) {
      await upsert(
        ctx,
        'cluster_injected_pseudo_gtid',
        { cluster_name: cluster, time_injected: ctx.fallbackTime },
        ['cluster_name'],
      );
      return none(cluster);
    },
  },
  'set-cluster-alias-manual-override': {
    decode(v) {
      if (!Array.isArray(v) || v.length !== 2) throw new PayloadError('payload must be [clusterName, alias]');
      return [stringValue(v[0], 'clusterName', true), stringValue(v[1], 'alias', false)] as [string, string];
    },
    async apply(ctx, [cluster, alias]: [string, string]) {
      if (alias === '')
        await ctx.tx.exec('DELETE FROM cluster_alias_override WHERE cluster_name = ?', [cluster]);
      else await upsert(ctx, 'cluster_alias_override', { cluster_name: cluster, alias }, ['cluster_name']);
      return none(alias);
    },
  },
  yield: {
    raw: true,
    decode: (v) => stringValue(v, 'payload (node)', true),
    apply: async (_ctx, node: string) => ({ result: null, effects: [{ type: 'yield', node }] }),
  },
  'yield-hint': {
    raw: true,
    decode: (v) => stringValue(v, 'payload (hint)', true),
    apply: async (_ctx, hint: string) => ({ result: null, effects: [{ type: 'yield-hint', hint }] }),
  },
};

interface DecodedTag {
  key: InstanceKey | undefined;
  name: string;
  value: string;
  hasValue: boolean;
  at: string | null;
}

function decodeTag(v: unknown, keyRequired: boolean): DecodedTag {
  const o = obj(v);
  const key = keyRequired ? instanceKey(o.Key) : optionalKey(o.Key);
  const t = obj(o.T, 'T');
  return {
    key,
    name: str(t, 'TagName', { nonEmpty: true }),
    value: str(t, 'TagValue'),
    hasValue: boolField(t, 'HasValue'),
    at: timeField(o, 'CreatedAt', false),
  };
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
