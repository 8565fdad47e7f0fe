// Operator metadata DAOs: downtime, candidates, maintenance (local only), tags, pools, hostname
// unresolve, cluster aliases, kv_store, the global recovery switch. Replicated tables are written
// only by the FSM; these modules read them (and write the local-only ones).
import type { Backend } from '../backend/types.js';
import type { Timings } from '../config.js';
import type { InstanceKey, PromotionRule } from '../model/instance.js';
import { type Clock, dbTime, fromDbTime } from '../time.js';
import { rowKey } from './keys.js';

export interface Downtime {
  Key: InstanceKey;
  Owner: string;
  Reason: string;
  BeginsAt: string;
  EndsAt: string;
}

export interface Candidate {
  Key: InstanceKey;
  PromotionRule: PromotionRule;
  LastSuggestedTimestamp: string;
  PromotionRuleExpiry: string;
}

export interface Maintenance {
  Id: number;
  Key: InstanceKey;
  Owner: string;
  Reason: string;
  BeginTimestamp: string;
  EndTimestamp: string;
  ProcessingNodeHostname: string;
  ProcessingNodeToken: string;
}

const toDowntime = (r: Record<string, unknown>): Downtime => ({
  Key: rowKey(r),
  Owner: String(r.owner),
  Reason: String(r.reason),
  BeginsAt: fromDbTime(r.begin_timestamp),
  EndsAt: fromDbTime(r.end_timestamp),
});

export function createDowntimeDao(backend: Backend, clock: Clock) {
  return {
    /** Downtimes whose end is in the future. */
    async active(): Promise<Downtime[]> {
      const rows = await backend.query(
        'SELECT * FROM database_instance_downtime WHERE downtime_active = 1 AND end_timestamp > ? ORDER BY hostname, port',
        [dbTime(clock())],
      );
      return rows.map(toDowntime);
    },
    /** Downtimes past their end: the leader publishes end-downtime for them (expiry stays replicated). */
    async expired(): Promise<Downtime[]> {
      const rows = await backend.query(
        'SELECT * FROM database_instance_downtime WHERE end_timestamp <= ? ORDER BY hostname, port',
        [dbTime(clock())],
      );
      return rows.map(toDowntime);
    },
    async read(key: InstanceKey): Promise<Downtime | undefined> {
      const rows = await backend.query(
        'SELECT * FROM database_instance_downtime WHERE hostname = ? AND port = ? AND downtime_active = 1 AND end_timestamp > ?',
        [key.Hostname, key.Port, dbTime(clock())],
      );
      return rows[0] ? toDowntime(rows[0]) : undefined;
    },
  };
}

export function createCandidateDao(backend: Backend, clock: Clock) {
  const map = (r: Record<string, unknown>): Candidate => ({
    Key: rowKey(r),
    PromotionRule: String(r.promotion_rule) as PromotionRule,
    LastSuggestedTimestamp: fromDbTime(r.last_suggested),
    PromotionRuleExpiry: fromDbTime(r.promotion_rule_expiry),
  });
  return {
    /** Registrations that have not expired (CandidateInstanceExpireMinutes after registering). */
    async active(): Promise<Candidate[]> {
      const rows = await backend.query(
        'SELECT * FROM candidate_database_instance WHERE promotion_rule_expiry > ? ORDER BY hostname, port',
        [dbTime(clock())],
      );
      return rows.map(map);
    },
    /** Every registration, expired ones included (bulk-promotion-rules). */
    async all(): Promise<Candidate[]> {
      const rows = await backend.query('SELECT * FROM candidate_database_instance ORDER BY hostname, port');
      return rows.map(map);
    },
    async read(key: InstanceKey): Promise<Candidate | undefined> {
      const rows = await backend.query(
        'SELECT * FROM candidate_database_instance WHERE hostname = ? AND port = ? AND promotion_rule_expiry > ?',
        [key.Hostname, key.Port, dbTime(clock())],
      );
      return rows[0] ? map(rows[0]) : undefined;
    },
  };
}

/** Local maintenance locks (never replicated). At most one active lock per instance. */
export function createMaintenanceDao(
  backend: Backend,
  clock: Clock,
  timings: Timings,
  node: { hostname: string; token: string },
) {
  const map = (r: Record<string, unknown>): Maintenance => ({
    Id: Number(r.database_instance_maintenance_id),
    Key: rowKey(r),
    Owner: String(r.owner),
    Reason: String(r.reason),
    BeginTimestamp: fromDbTime(r.begin_timestamp),
    EndTimestamp: fromDbTime(r.end_timestamp),
    ProcessingNodeHostname: String(r.processing_node_hostname),
    ProcessingNodeToken: String(r.processing_node_token),
  });
  const dao = {
    /** Begins maintenance; returns its id, or undefined when the instance is already under maintenance. */
    async begin(
      key: InstanceKey,
      owner: string,
      reason: string,
      durationSeconds?: number,
    ): Promise<number | undefined> {
      await dao.expire();
      const now = clock();
      const seconds = durationSeconds ?? timings.MaintenanceExpireMinutes * 60;
      const r = await backend.exec(
        `${backend.dialect.insertIgnore} INTO database_instance_maintenance
          (hostname, port, maintenance_active, begin_timestamp, end_timestamp, owner, reason,
           processing_node_hostname, processing_node_token, explicitly_bounded)
         VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`,
        [
          key.Hostname,
          key.Port,
          dbTime(now),
          dbTime(now + seconds * 1000),
          owner,
          reason,
          node.hostname,
          node.token,
          durationSeconds ? 1 : 0,
        ],
      );
      return r.changes > 0 ? r.lastInsertId : undefined;
    },
    /** Ends the instance's active maintenance; false when there was none. */
    async end(key: InstanceKey): Promise<boolean> {
      const r = await backend.exec(
        'UPDATE database_instance_maintenance SET maintenance_active = NULL, end_timestamp = ? WHERE hostname = ? AND port = ? AND maintenance_active = 1',
        [dbTime(clock()), key.Hostname, key.Port],
      );
      return r.changes > 0;
    },
    async active(): Promise<Maintenance[]> {
      const rows = await backend.query(
        'SELECT * FROM database_instance_maintenance WHERE maintenance_active = 1 AND end_timestamp > ? ORDER BY hostname, port',
        [dbTime(clock())],
      );
      return rows.map(map);
    },
    async isUnderMaintenance(key: InstanceKey): Promise<boolean> {
      const rows = await backend.query(
        'SELECT 1 AS x FROM database_instance_maintenance WHERE hostname = ? AND port = ? AND maintenance_active = 1 AND end_timestamp > ?',
        [key.Hostname, key.Port, dbTime(clock())],
      );
      return rows.length > 0;
    },
    /** Releases locks past their end time; returns how many. */
    async expire(): Promise<number> {
      const r = await backend.exec(
        'UPDATE database_instance_maintenance SET maintenance_active = NULL WHERE maintenance_active = 1 AND end_timestamp <= ?',
        [dbTime(clock())],
      );
      return r.changes;
    },
  };
  return dao;
}

export function createTagDao(backend: Backend) {
  return {
    async tags(key: InstanceKey): Promise<{ TagName: string; TagValue: string }[]> {
      const rows = await backend.query(
        'SELECT tag_name, tag_value FROM database_instance_tags WHERE hostname = ? AND port = ? ORDER BY tag_name',
        [key.Hostname, key.Port],
      );
      return rows.map((r) => ({ TagName: String(r.tag_name), TagValue: String(r.tag_value) }));
    },
    async value(key: InstanceKey, tagName: string): Promise<string | undefined> {
      const rows = await backend.query(
        'SELECT tag_value FROM database_instance_tags WHERE hostname = ? AND port = ? AND tag_name = ?',
        [key.Hostname, key.Port, tagName],
      );
      return rows[0] ? String(rows[0].tag_value) : undefined;
    },
    /** Keys carrying the tag (with that value when `value` is given). */
    async tagged(tagName: string, value?: string): Promise<InstanceKey[]> {
      const rows = await backend.query(
        `SELECT hostname, port FROM database_instance_tags WHERE tag_name = ?${value === undefined ? '' : ' AND tag_value = ?'} ORDER BY hostname, port`,
        value === undefined ? [tagName] : [tagName, value],
      );
      return rows.map(rowKey);
    },
  };
}

export function createPoolDao(backend: Backend) {
  return {
    async instances(pool: string): Promise<InstanceKey[]> {
      const rows = await backend.query(
        'SELECT hostname, port FROM database_instance_pool WHERE pool = ? ORDER BY hostname, port',
        [pool],
      );
      return rows.map(rowKey);
    },
    async all(): Promise<Record<string, InstanceKey[]>> {
      const rows = await backend.query(
        'SELECT hostname, port, pool FROM database_instance_pool ORDER BY pool, hostname, port',
      );
      const out: Record<string, InstanceKey[]> = {};
      for (const r of rows) {
        const pool = String(r.pool);
        out[pool] = [...(out[pool] ?? []), rowKey(r)];
      }
      return out;
    },
  };
}

export function createHostnameUnresolveDao(backend: Backend) {
  return {
    async unresolved(hostname: string): Promise<string | undefined> {
      const rows = await backend.query(
        'SELECT unresolved_hostname FROM hostname_unresolve WHERE hostname = ?',
        [hostname],
      );
      return rows[0] ? String(rows[0].unresolved_hostname) : undefined;
    },
    async all(): Promise<{ hostname: string; unresolvedHostname: string }[]> {
      const rows = await backend.query(
        'SELECT hostname, unresolved_hostname FROM hostname_unresolve ORDER BY hostname',
      );
      return rows.map((r) => ({
        hostname: String(r.hostname),
        unresolvedHostname: String(r.unresolved_hostname),
      }));
    },
  };
}

export function createClusterAliasDao(backend: Backend, clock: Clock) {
  return {
    /** Records the alias a probe detected (DetectClusterAliasQuery): local, like orchestrator. */
    async setDetected(clusterName: string, alias: string): Promise<void> {
      const sql = backend.dialect.upsert(
        'cluster_alias',
        ['cluster_name', 'alias', 'last_registered'],
        ['cluster_name'],
        ['alias', 'last_registered'],
      );
      await backend.exec(sql, [clusterName, alias, dbTime(clock())]);
    },
    /** The manual override if any, else the detected alias, else ''. */
    async aliasOf(clusterName: string): Promise<string> {
      const rows = await backend.query(
        `SELECT alias, 0 AS pri FROM cluster_alias_override WHERE cluster_name = ?
         UNION ALL SELECT alias, 1 AS pri FROM cluster_alias WHERE cluster_name = ? ORDER BY pri`,
        [clusterName, clusterName],
      );
      return rows[0] ? String(rows[0].alias) : '';
    },
    /** Cluster name for an alias (overrides win), or undefined. */
    async clusterOf(alias: string): Promise<string | undefined> {
      const rows = await backend.query(
        `SELECT cluster_name, 0 AS pri FROM cluster_alias_override WHERE alias = ?
         UNION ALL SELECT cluster_name, 1 AS pri FROM cluster_alias WHERE alias = ? ORDER BY pri, cluster_name`,
        [alias, alias],
      );
      return rows[0] ? String(rows[0].cluster_name) : undefined;
    },
    /** cluster name → effective alias. */
    async all(): Promise<Record<string, string>> {
      const out: Record<string, string> = {};
      for (const r of await backend.query(
        'SELECT cluster_name, alias FROM cluster_alias ORDER BY cluster_name',
      )) {
        out[String(r.cluster_name)] = String(r.alias);
      }
      for (const r of await backend.query(
        'SELECT cluster_name, alias FROM cluster_alias_override ORDER BY cluster_name',
      )) {
        out[String(r.cluster_name)] = String(r.alias);
      }
      return out;
    },
  };
}

export function createKvDao(backend: Backend) {
  return {
    async get(key: string): Promise<string | undefined> {
      const rows = await backend.query('SELECT store_value FROM kv_store WHERE store_key = ?', [key]);
      return rows[0] ? String(rows[0].store_value) : undefined;
    },
    async all(): Promise<{ Key: string; Value: string }[]> {
      const rows = await backend.query('SELECT store_key, store_value FROM kv_store ORDER BY store_key');
      return rows.map((r) => ({ Key: String(r.store_key), Value: String(r.store_value) }));
    },
  };
}

export function createGlobalRecoveryDao(backend: Backend) {
  return {
    async isDisabled(): Promise<boolean> {
      return (await backend.query('SELECT disable_recovery FROM global_recovery_disable')).length > 0;
    },
  };
}
