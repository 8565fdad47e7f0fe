// How an Instance maps to database_instance: orchestrator's main columns are real (and queryable);
// every other stored field goes to `extra_json`. Fields computed at read time are never stored.
import { emptyInstance, type Instance, type InstanceKey, type NullInt64 } from '../model/instance.js';
import { fromDbTime, toDbTime } from '../time.js';

type Mutable = Record<string, unknown>;

interface Mapping {
  column: string;
  /** Instance fields this column covers (removed from extra_json). */
  fields: string[];
  get(i: Instance): unknown;
  set(i: Mutable, v: unknown): void;
}

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const bool = (v: unknown) => Number(v) === 1;
const strv = (v: unknown) => (v === null || v === undefined ? '' : String(v));

function plain(column: string, field: keyof Instance, kind: 'str' | 'num' | 'bool'): Mapping {
  return {
    column,
    fields: [field],
    get: (i) => (kind === 'bool' ? (i[field] ? 1 : 0) : kind === 'num' ? num(i[field]) : strv(i[field])),
    set: (i, v) => {
      i[field] = kind === 'bool' ? bool(v) : kind === 'num' ? num(v) : strv(v);
    },
  };
}

function timeCol(column: string, field: keyof Instance): Mapping {
  return {
    column,
    fields: [field],
    get: (i) => toDbTime(i[field] as string),
    set: (i, v) => {
      i[field] = fromDbTime(v);
    },
  };
}

function nullInt(column: string, field: keyof Instance): Mapping {
  return {
    column,
    fields: [field],
    get: (i) => {
      const n = i[field] as NullInt64 | undefined;
      return n?.Valid ? n.Int64 : null;
    },
    set: (i, v) => {
      i[field] =
        v === null || v === undefined ? { Int64: 0, Valid: false } : { Int64: Number(v), Valid: true };
    },
  };
}

function coordsOf(i: Mutable, field: string): Mutable {
  if (!i[field]) i[field] = { LogFile: '', LogPos: 0, Type: 'BinaryLog' };
  return i[field] as Mutable;
}

/** A coordinates object split over a file and a position column; Type lives in extra_json. */
function coords(
  fileCol: string,
  posCol: string,
  field: 'SelfBinlogCoordinates' | 'ReadBinlogCoordinates' | 'ExecBinlogCoordinates' | 'RelaylogCoordinates',
): Mapping[] {
  return [
    {
      column: fileCol,
      fields: [],
      get: (i) => i[field]?.LogFile ?? '',
      set: (i, v) => {
        coordsOf(i, field).LogFile = strv(v);
      },
    },
    {
      column: posCol,
      fields: [],
      get: (i) => i[field]?.LogPos ?? 0,
      set: (i, v) => {
        coordsOf(i, field).LogPos = num(v);
      },
    },
  ];
}

export const instanceMappings: Mapping[] = [
  {
    column: 'hostname',
    fields: ['Key'],
    get: (i) => i.Key.Hostname,
    set: (i, v) => {
      i.Key = { ...((i.Key as InstanceKey | undefined) ?? { Port: 0 }), Hostname: strv(v) };
    },
  },
  {
    column: 'port',
    fields: [],
    get: (i) => i.Key.Port,
    set: (i, v) => {
      i.Key = { ...((i.Key as InstanceKey | undefined) ?? { Hostname: '' }), Port: num(v) };
    },
  },
  timeCol('last_checked', 'LastCheckedTimestamp'),
  timeCol('last_attempted_check', 'LastAttemptedCheckTimestamp'),
  timeCol('last_seen', 'LastSeenTimestamp'),
  plain('last_check_partial_success', 'LastCheckPartialSuccess', 'bool'),
  plain('uptime', 'Uptime', 'num'),
  plain('server_id', 'ServerID', 'num'),
  plain('server_uuid', 'ServerUUID', 'str'),
  plain('version', 'Version', 'str'),
  plain('version_comment', 'VersionComment', 'str'),
  {
    column: 'major_version',
    fields: [],
    get: (i) => i.Version.split('.').slice(0, 2).join('.'),
    set: () => undefined,
  },
  plain('read_only', 'ReadOnly', 'bool'),
  plain('binlog_format', 'Binlog_format', 'str'),
  plain('binlog_row_image', 'BinlogRowImage', 'str'),
  plain('log_bin', 'LogBinEnabled', 'bool'),
  plain('log_slave_updates', 'LogReplicationUpdatesEnabled', 'bool'),
  ...coords('binary_log_file', 'binary_log_pos', 'SelfBinlogCoordinates'),
  {
    column: 'master_host',
    fields: ['MasterKey'],
    get: (i) => i.MasterKey?.Hostname ?? '',
    set: (i, v) => {
      i.MasterKey = { ...((i.MasterKey as InstanceKey | undefined) ?? { Port: 0 }), Hostname: strv(v) };
    },
  },
  {
    column: 'master_port',
    fields: [],
    get: (i) => i.MasterKey?.Port ?? 0,
    set: (i, v) => {
      i.MasterKey = { ...((i.MasterKey as InstanceKey | undefined) ?? { Hostname: '' }), Port: num(v) };
    },
  },
  plain('master_uuid', 'MasterUUID', 'str'),
  plain('ancestry_uuid', 'AncestryUUID', 'str'),
  plain('slave_sql_running', 'ReplicationSQLThreadRuning', 'bool'),
  plain('slave_io_running', 'ReplicationIOThreadRuning', 'bool'),
  plain('replication_sql_thread_state', 'ReplicationSQLThreadState', 'num'),
  plain('replication_io_thread_state', 'ReplicationIOThreadState', 'num'),
  plain('has_replication_filters', 'HasReplicationFilters', 'bool'),
  plain('gtid_mode', 'GTIDMode', 'str'),
  plain('supports_oracle_gtid', 'SupportsOracleGTID', 'bool'),
  plain('oracle_gtid', 'UsingOracleGTID', 'bool'),
  plain('mariadb_gtid', 'UsingMariaDBGTID', 'bool'),
  plain('pseudo_gtid', 'UsingPseudoGTID', 'bool'),
  plain('executed_gtid_set', 'ExecutedGtidSet', 'str'),
  plain('gtid_purged', 'GtidPurged', 'str'),
  plain('gtid_errant', 'GtidErrant', 'str'),
  ...coords('master_log_file', 'read_master_log_pos', 'ReadBinlogCoordinates'),
  ...coords('relay_master_log_file', 'exec_master_log_pos', 'ExecBinlogCoordinates'),
  ...coords('relay_log_file', 'relay_log_pos', 'RelaylogCoordinates'),
  plain('last_sql_error', 'LastSQLError', 'str'),
  plain('last_io_error', 'LastIOError', 'str'),
  nullInt('seconds_behind_master', 'SecondsBehindMaster'),
  nullInt('slave_lag_seconds', 'ReplicationLagSeconds'),
  plain('sql_delay', 'SQLDelay', 'num'),
  {
    column: 'num_slave_hosts',
    fields: [],
    get: (i) => i.Replicas?.length ?? 0,
    set: () => undefined,
  },
  {
    column: 'slave_hosts',
    fields: ['Replicas'],
    get: (i) => JSON.stringify(i.Replicas ?? []),
    set: (i, v) => {
      i.Replicas = v ? (JSON.parse(String(v)) as InstanceKey[]) : [];
    },
  },
  plain('cluster_name', 'ClusterName', 'str'),
  plain('suggested_cluster_alias', 'SuggestedClusterAlias', 'str'),
  plain('data_center', 'DataCenter', 'str'),
  plain('region', 'Region', 'str'),
  plain('physical_environment', 'PhysicalEnvironment', 'str'),
  plain('replication_depth', 'ReplicationDepth', 'num'),
  plain('is_co_master', 'IsCoMaster', 'bool'),
  plain('instance_alias', 'InstanceAlias', 'str'),
  plain('semi_sync_enforced', 'SemiSyncEnforced', 'bool'),
  plain('semi_sync_available', 'SemiSyncAvailable', 'bool'),
  plain('semi_sync_master_enabled', 'SemiSyncMasterEnabled', 'bool'),
  plain('semi_sync_replica_enabled', 'SemiSyncReplicaEnabled', 'bool'),
  plain('semi_sync_master_timeout', 'SemiSyncMasterTimeout', 'num'),
  plain('semi_sync_master_wait_for_slave_count', 'SemiSyncMasterWaitForReplicaCount', 'num'),
  plain('semi_sync_master_status', 'SemiSyncMasterStatus', 'bool'),
  plain('semi_sync_master_clients', 'SemiSyncMasterClients', 'num'),
  plain('semi_sync_replica_status', 'SemiSyncReplicaStatus', 'bool'),
];

/** Fields computed when reading (freshness from the clock; operator metadata from other tables). */
export const derivedFields = new Set<string>([
  'IsLastCheckValid',
  'IsUpToDate',
  'IsRecentlyChecked',
  'SecondsSinceLastSeen',
  'IsCandidate',
  'PromotionRule',
  'IsDowntimed',
  'DowntimeReason',
  'DowntimeOwner',
  'DowntimeEndTimestamp',
  'UnresolvedHostname',
]);

const coordinateTypes = [
  'SelfBinlogCoordinates',
  'ReadBinlogCoordinates',
  'ExecBinlogCoordinates',
  'RelaylogCoordinates',
];
const covered = new Set<string>([...instanceMappings.flatMap((m) => m.fields), ...coordinateTypes]);

export const instanceColumns = [...instanceMappings.map((m) => m.column), 'extra_json'];

const skipInExtra = new Set<string>([...covered, ...derivedFields]);
const defaults = emptyInstance({ Hostname: '', Port: 0 }) as unknown as Record<string, unknown>;

// Reads start from emptyInstance(), so fields still at their default need not be stored: this
// keeps extra_json small (and probe writes cheap) without changing what is read back.
function isDefault(k: string, v: unknown): boolean {
  const d = defaults[k];
  if (v === d) return true;
  if (Array.isArray(v)) return v.length === 0 && Array.isArray(d) && d.length === 0;
  if (v !== null && typeof v === 'object' && d !== null && typeof d === 'object') {
    const a = v as { Int64?: unknown; Valid?: unknown };
    const b = d as { Int64?: unknown; Valid?: unknown };
    return 'Valid' in b && Object.keys(a).length === 2 && a.Int64 === b.Int64 && a.Valid === b.Valid;
  }
  return false;
}
const getters = instanceMappings.map((m) => m.get);

/** Instance → row values in `instanceColumns` order. Hot path of probe writes: no temporaries. */
export function instanceToRow(inst: Instance): unknown[] {
  const values: unknown[] = new Array(getters.length + 1);
  for (let n = 0; n < getters.length; n++) values[n] = getters[n]!(inst);
  const rec = inst as unknown as Record<string, unknown>;
  // Coordinate types are the only part of the coordinate objects not in columns.
  let json = `{"_coordTypes":[${coordinateTypes.map((f) => JSON.stringify((rec[f] as { Type?: string } | undefined)?.Type ?? '')).join(',')}]`;
  for (const k in rec) {
    if (skipInExtra.has(k)) continue;
    const v = rec[k];
    if (v === undefined || isDefault(k, v)) continue;
    json += `,${JSON.stringify(k)}:${JSON.stringify(v)}`;
  }
  values[getters.length] = `${json}}`;
  return values;
}

/** Row → Instance (derived fields left for the caller to fill). */
export function rowToInstance(row: Record<string, unknown>, base: Instance): Instance {
  const inst = base as unknown as Mutable;
  for (const m of instanceMappings) m.set(inst, row[m.column]);
  const extra = row.extra_json ? (JSON.parse(String(row.extra_json)) as Mutable) : {};
  const types = (extra._coordTypes as string[] | undefined) ?? [];
  delete extra._coordTypes;
  coordinateTypes.forEach((f, idx) => {
    const t = types[idx];
    if (t) ((inst[f] as Mutable) ?? {}).Type = t;
  });
  Object.assign(inst, extra);
  return base;
}
