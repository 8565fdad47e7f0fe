// database_instance: batched upserts of probe results, reads with freshness, problems and operator
// metadata computed at read time (injected clock), outdated keys for polling, failed checks and forgets.
import { upsertRows } from '../backend/dialect.js';
import type { Backend, Queryable, Row } from '../backend/types.js';
import type { Timings } from '../config.js';
import {
  emptyInstance,
  type Instance,
  type InstanceKey,
  instanceKeyString,
  instanceProblems,
  type PromotionRule,
} from '../model/instance.js';
import { type Clock, dbTime, fromDbTime, parseTime } from '../time.js';
import { instanceColumns, instanceToRow, rowToInstance } from './instance-columns.js';

const keyCols = ['hostname', 'port'];
const updateCols = instanceColumns.filter((c) => !keyCols.includes(c));

const selectWithMetadata = `SELECT di.*,
  dt.end_timestamp AS _dt_end, dt.owner AS _dt_owner, dt.reason AS _dt_reason,
  cdi.promotion_rule AS _promotion_rule, hu.unresolved_hostname AS _unresolved
FROM database_instance di
LEFT JOIN database_instance_downtime dt
  ON dt.hostname = di.hostname AND dt.port = di.port AND dt.downtime_active = 1 AND dt.end_timestamp > ?
LEFT JOIN candidate_database_instance cdi
  ON cdi.hostname = di.hostname AND cdi.port = di.port AND cdi.promotion_rule_expiry > ?
LEFT JOIN hostname_unresolve hu ON hu.hostname = di.hostname`;

export interface InstanceDao {
  /** Writes probe results, all in one transaction. Timestamps are stored as given ('' → NULL). */
  upsert(instances: readonly Instance[]): Promise<number>;
  read(key: InstanceKey): Promise<Instance | undefined>;
  readMany(keys: readonly InstanceKey[]): Promise<Instance[]>;
  readAll(): Promise<Instance[]>;
  readCluster(clusterName: string): Promise<Instance[]>;
  /** Instances of the cluster whose alias (manual override first, then detected) is `alias`. */
  readByAlias(alias: string): Promise<Instance[]>;
  readReplicas(master: InstanceKey): Promise<Instance[]>;
  /** Instances whose master is unset: the top of each topology. */
  readMasters(): Promise<Instance[]>;
  clusterNames(): Promise<string[]>;
  /** Keys due for a probe: last_checked older than InstancePollSeconds (2× while an attempt is pending). */
  outdatedKeys(): Promise<InstanceKey[]>;
  /** Marks a probe as started (last_attempted_check = now). */
  recordCheckAttempt(key: InstanceKey): Promise<void>;
  /** A failed probe: only last_checked and last_check_partial_success change. */
  recordFailedCheck(key: InstanceKey, partialSuccess: boolean): Promise<void>;
  forget(key: InstanceKey, q?: Queryable): Promise<boolean>;
  /** Forgets every instance of the cluster; returns their keys. */
  forgetCluster(clusterName: string, q?: Queryable): Promise<InstanceKey[]>;
  /**
   * Fills ClusterName, ReplicationDepth, IsCoMaster and AncestryUUID from the masters' rows
   * (reference §3.2 "Derived from the backend"); masters earlier in the same batch count too.
   */
  resolveClusterAttributes(instances: Instance[]): Promise<void>;
  /** Instances present in the backend, by key string. */
  count(): Promise<number>;
  /** snapshot-topologies: records every instance's master, cluster and version now; returns the rows written. */
  snapshotTopology(): Promise<number>;
}

export function createInstanceDao(backend: Backend, clock: Clock, timings: Timings): InstanceDao {
  const pollMs = timings.InstancePollSeconds * 1000;
  const validWindowMs = (timings.InstancePollSeconds + timings.ReasonableInstanceCheckSeconds) * 1000;

  function decorate(row: Row, now: number): Instance {
    const inst = rowToInstance(row, emptyInstance({ Hostname: '', Port: 0 }));
    const lastChecked = row.last_checked ? parseTime(String(row.last_checked)) : Number.NaN;
    const lastSeen = row.last_seen ? parseTime(String(row.last_seen)) : Number.NaN;
    const lastAttempted = row.last_attempted_check ? parseTime(String(row.last_attempted_check)) : Number.NaN;
    inst.IsLastCheckValid =
      !Number.isNaN(lastSeen) &&
      !Number.isNaN(lastChecked) &&
      lastChecked <= lastSeen &&
      (Number.isNaN(lastAttempted) || lastAttempted <= lastSeen + validWindowMs);
    inst.IsUpToDate = !Number.isNaN(lastChecked) && now - lastChecked <= pollMs;
    inst.IsRecentlyChecked = !Number.isNaN(lastChecked) && now - lastChecked <= 5 * pollMs;
    inst.SecondsSinceLastSeen = Number.isNaN(lastSeen)
      ? { Int64: 0, Valid: false }
      : { Int64: Math.max(0, Math.floor((now - lastSeen) / 1000)), Valid: true };
    const rule = row._promotion_rule ? (String(row._promotion_rule) as PromotionRule) : undefined;
    inst.PromotionRule = rule ?? 'neutral';
    inst.IsCandidate = rule === 'prefer' || rule === 'must';
    inst.IsDowntimed = row._dt_end !== null && row._dt_end !== undefined;
    inst.DowntimeOwner = inst.IsDowntimed ? String(row._dt_owner ?? '') : '';
    inst.DowntimeReason = inst.IsDowntimed ? String(row._dt_reason ?? '') : '';
    inst.DowntimeEndTimestamp = inst.IsDowntimed ? fromDbTime(row._dt_end) : '';
    inst.UnresolvedHostname = row._unresolved ? String(row._unresolved) : '';
    // Like the reference's readInstanceRow: problems are derived on every read, never stored.
    inst.Problems = instanceProblems(inst, timings);
    return inst;
  }

  async function select(where: string, params: unknown[], q: Queryable = backend): Promise<Instance[]> {
    const now = clock();
    const t = dbTime(now);
    const rows = await q.query(`${selectWithMetadata} ${where} ORDER BY di.hostname, di.port`, [
      t,
      t,
      ...params,
    ]);
    return rows.map((r) => decorate(r, now));
  }

  const dao: InstanceDao = {
    async upsert(instances) {
      if (instances.length === 0) return 0;
      const rows = instances.map(instanceToRow);
      return backend.transaction((tx) =>
        upsertRows(tx, backend.dialect, 'database_instance', instanceColumns, keyCols, updateCols, rows),
      );
    },
    async read(key) {
      return (await select('WHERE di.hostname = ? AND di.port = ?', [key.Hostname, key.Port]))[0];
    },
    async readMany(keys) {
      if (keys.length === 0) return [];
      const out: Instance[] = [];
      for (let i = 0; i < keys.length; i += 200) {
        const chunk = keys.slice(i, i + 200);
        const cond = chunk.map(() => '(di.hostname = ? AND di.port = ?)').join(' OR ');
        out.push(
          ...(await select(
            `WHERE ${cond}`,
            chunk.flatMap((k) => [k.Hostname, k.Port]),
          )),
        );
      }
      return out;
    },
    readAll: () => select('', []),
    readCluster: (clusterName) => select('WHERE di.cluster_name = ?', [clusterName]),
    async readByAlias(alias) {
      const rows = await backend.query<{ cluster_name: string }>(
        `SELECT cluster_name, 0 AS pri FROM cluster_alias_override WHERE alias = ?
         UNION ALL SELECT cluster_name, 1 AS pri FROM cluster_alias WHERE alias = ?
         ORDER BY pri, cluster_name`,
        [alias, alias],
      );
      const name = rows[0]?.cluster_name;
      if (name !== undefined) return dao.readCluster(name);
      return select('WHERE di.suggested_cluster_alias = ?', [alias]);
    },
    readReplicas: (master) =>
      select('WHERE di.master_host = ? AND di.master_port = ?', [master.Hostname, master.Port]),
    readMasters: () => select("WHERE di.master_host = '' OR di.master_port = 0", []),
    async clusterNames() {
      const rows = await backend.query<{ cluster_name: string }>(
        "SELECT DISTINCT cluster_name FROM database_instance WHERE cluster_name <> '' ORDER BY cluster_name",
      );
      return rows.map((r) => r.cluster_name);
    },
    async outdatedKeys() {
      const now = clock();
      const rows = await backend.query<{ hostname: string; port: number }>(
        `SELECT hostname, port FROM database_instance
         WHERE last_checked IS NULL
            OR (COALESCE(last_attempted_check, last_checked) <= last_checked AND last_checked < ?)
            OR (COALESCE(last_attempted_check, last_checked) > last_checked AND last_checked < ?)
         ORDER BY hostname, port`,
        [dbTime(now - pollMs), dbTime(now - 2 * pollMs)],
      );
      return rows.map((r) => ({ Hostname: r.hostname, Port: Number(r.port) }));
    },
    async recordCheckAttempt(key) {
      await backend.exec(
        'UPDATE database_instance SET last_attempted_check = ? WHERE hostname = ? AND port = ?',
        [dbTime(clock()), key.Hostname, key.Port],
      );
    },
    async recordFailedCheck(key, partialSuccess) {
      await backend.exec(
        'UPDATE database_instance SET last_checked = ?, last_check_partial_success = ? WHERE hostname = ? AND port = ?',
        [dbTime(clock()), partialSuccess ? 1 : 0, key.Hostname, key.Port],
      );
    },
    async snapshotTopology() {
      const r = await backend.exec(
        `${backend.dialect.insertIgnore} INTO database_instance_topology_history
           (snapshot_unix_timestamp, hostname, port, master_host, master_port, cluster_name, version)
         SELECT ?, hostname, port, master_host, master_port, cluster_name, version FROM database_instance`,
        [Math.floor(clock() / 1000)],
      );
      return r.changes;
    },
    async forget(key, q = backend) {
      const r = await q.exec('DELETE FROM database_instance WHERE hostname = ? AND port = ?', [
        key.Hostname,
        key.Port,
      ]);
      return r.changes > 0;
    },
    async forgetCluster(clusterName, q = backend) {
      const rows = await q.query<{ hostname: string; port: number }>(
        'SELECT hostname, port FROM database_instance WHERE cluster_name = ? ORDER BY hostname, port',
        [clusterName],
      );
      await q.exec('DELETE FROM database_instance WHERE cluster_name = ?', [clusterName]);
      return rows.map((r) => ({ Hostname: r.hostname, Port: Number(r.port) }));
    },
    async resolveClusterAttributes(instances) {
      const batch = new Map(instances.map((i) => [instanceKeyString(i.Key), i]));
      const wanted = instances
        .filter((i) => i.MasterKey.Hostname && i.MasterKey.Port)
        .map((i) => i.MasterKey);
      const stored = new Map<string, Row>();
      for (let i = 0; i < wanted.length; i += 200) {
        const chunk = wanted.slice(i, i + 200);
        const cond = chunk.map(() => '(hostname = ? AND port = ?)').join(' OR ');
        const rows = await backend.query(
          `SELECT hostname, port, master_host, master_port, cluster_name, replication_depth, server_uuid, ancestry_uuid FROM database_instance WHERE ${cond}`,
          chunk.flatMap((k) => [k.Hostname, k.Port]),
        );
        for (const r of rows) stored.set(`${r.hostname}:${r.port}`, r);
      }
      for (const inst of instances) {
        const own = instanceKeyString(inst.Key);
        if (!inst.MasterKey.Hostname || !inst.MasterKey.Port) {
          inst.ClusterName = own;
          inst.ReplicationDepth = 0;
          inst.IsCoMaster = false;
          inst.AncestryUUID = inst.ServerUUID;
          continue;
        }
        const masterKey = instanceKeyString(inst.MasterKey);
        const inBatch = batch.get(masterKey);
        const row = stored.get(masterKey);
        const master = inBatch
          ? {
              masterOfMaster: instanceKeyString(inBatch.MasterKey),
              cluster: inBatch.ClusterName,
              depth: inBatch.ReplicationDepth,
              uuid: inBatch.ServerUUID,
              ancestry: inBatch.AncestryUUID,
            }
          : row
            ? {
                masterOfMaster: `${row.master_host}:${row.master_port}`,
                cluster: String(row.cluster_name ?? ''),
                depth: Number(row.replication_depth ?? 0),
                uuid: String(row.server_uuid ?? ''),
                ancestry: String(row.ancestry_uuid ?? ''),
              }
            : undefined;
        if (!master) {
          // Master not known yet: it will be probed; until then the cluster is named after it.
          inst.ClusterName = masterKey;
          inst.ReplicationDepth = 1;
          inst.IsCoMaster = false;
          inst.AncestryUUID = inst.ServerUUID;
          continue;
        }
        inst.IsCoMaster = master.masterOfMaster === own;
        if (inst.IsCoMaster) {
          // Co-masters: both sides get the same name, the smaller key string, at depth 0.
          inst.ClusterName =
            master.cluster && master.cluster !== own ? master.cluster : [own, masterKey].sort()[0]!;
          inst.ReplicationDepth = 0;
        } else {
          inst.ClusterName = master.cluster || masterKey;
          inst.ReplicationDepth = master.depth + 1;
        }
        const ancestry = master.ancestry || master.uuid;
        inst.AncestryUUID = [ancestry, inst.ServerUUID].filter((s) => s).join(',');
      }
    },
    async count() {
      const rows = await backend.query<{ n: number }>('SELECT COUNT(*) AS n FROM database_instance');
      return Number(rows[0]?.n ?? 0);
    },
  };
  return dao;
}
