// Table definitions in a small portable form, rendered to each dialect's DDL by ddl.ts. Names and
// meanings follow orchestrator's backend (reference §2), including its `processcing_node_token`
// misspelling, so that people who know orchestrator's schema can read ours.

/** host/str: VARCHAR(255); text: long text; time: 'YYYY-MM-DD HH:MM:SS.mmm' UTC or NULL. */
export type ColumnType = 'str' | 'text' | 'int' | 'bigint' | 'bool' | 'time';

export interface ColumnDef {
  name: string;
  type: ColumnType;
  /** Auto-increment integer id (only for tables whose rows are local to a node). */
  autoIncrement?: boolean;
  /** NULL allowed with no default (times are always nullable). */
  nullable?: boolean;
}

export interface TableDef {
  name: string;
  columns: ColumnDef[];
  primaryKey: string[];
  indexes?: { name: string; columns: string[]; unique?: boolean }[];
}

const c = (name: string, type: ColumnType, extra: Partial<ColumnDef> = {}): ColumnDef => ({
  name,
  type,
  ...extra,
});
const str = (name: string) => c(name, 'str');
const text = (name: string) => c(name, 'text');
const int = (name: string) => c(name, 'int');
const big = (name: string) => c(name, 'bigint');
const bool = (name: string) => c(name, 'bool');
const time = (name: string) => c(name, 'time');
const hostPort = [str('hostname'), int('port')];

export const databaseInstance: TableDef = {
  name: 'database_instance',
  columns: [
    ...hostPort,
    time('last_checked'),
    time('last_attempted_check'),
    time('last_seen'),
    bool('last_check_partial_success'),
    big('uptime'),
    big('server_id'),
    str('server_uuid'),
    str('version'),
    str('version_comment'),
    str('major_version'),
    bool('read_only'),
    str('binlog_format'),
    str('binlog_row_image'),
    bool('log_bin'),
    bool('log_slave_updates'),
    str('binary_log_file'),
    big('binary_log_pos'),
    str('master_host'),
    int('master_port'),
    str('master_uuid'),
    text('ancestry_uuid'),
    bool('slave_sql_running'),
    bool('slave_io_running'),
    int('replication_sql_thread_state'),
    int('replication_io_thread_state'),
    bool('has_replication_filters'),
    str('gtid_mode'),
    bool('supports_oracle_gtid'),
    bool('oracle_gtid'),
    bool('mariadb_gtid'),
    bool('pseudo_gtid'),
    text('executed_gtid_set'),
    text('gtid_purged'),
    text('gtid_errant'),
    str('master_log_file'),
    big('read_master_log_pos'),
    str('relay_master_log_file'),
    big('exec_master_log_pos'),
    str('relay_log_file'),
    big('relay_log_pos'),
    text('last_sql_error'),
    text('last_io_error'),
    c('seconds_behind_master', 'bigint', { nullable: true }),
    c('slave_lag_seconds', 'bigint', { nullable: true }),
    int('sql_delay'),
    int('num_slave_hosts'),
    text('slave_hosts'),
    str('cluster_name'),
    str('suggested_cluster_alias'),
    str('data_center'),
    str('region'),
    str('physical_environment'),
    int('replication_depth'),
    bool('is_co_master'),
    str('instance_alias'),
    bool('semi_sync_enforced'),
    bool('semi_sync_available'),
    bool('semi_sync_master_enabled'),
    bool('semi_sync_replica_enabled'),
    big('semi_sync_master_timeout'),
    int('semi_sync_master_wait_for_slave_count'),
    bool('semi_sync_master_status'),
    int('semi_sync_master_clients'),
    bool('semi_sync_replica_status'),
    /** Every Instance field without a column of its own, as JSON. */
    text('extra_json'),
  ],
  primaryKey: ['hostname', 'port'],
  indexes: [
    { name: 'cluster_name_idx', columns: ['cluster_name'] },
    { name: 'last_checked_idx', columns: ['last_checked'] },
    { name: 'master_host_port_idx', columns: ['master_host', 'master_port'] },
  ],
};

export const allTables: TableDef[] = [
  databaseInstance,
  {
    name: 'candidate_database_instance',
    columns: [...hostPort, time('last_suggested'), str('promotion_rule'), time('promotion_rule_expiry')],
    primaryKey: ['hostname', 'port'],
    indexes: [{ name: 'last_suggested_idx', columns: ['last_suggested'] }],
  },
  {
    name: 'database_instance_downtime',
    columns: [
      ...hostPort,
      bool('downtime_active'),
      time('begin_timestamp'),
      time('end_timestamp'),
      str('owner'),
      text('reason'),
    ],
    primaryKey: ['hostname', 'port'],
  },
  {
    name: 'database_instance_maintenance',
    columns: [
      c('database_instance_maintenance_id', 'bigint', { autoIncrement: true }),
      ...hostPort,
      c('maintenance_active', 'int', { nullable: true }),
      time('begin_timestamp'),
      time('end_timestamp'),
      str('owner'),
      text('reason'),
      str('processing_node_hostname'),
      str('processing_node_token'),
      bool('explicitly_bounded'),
    ],
    primaryKey: ['database_instance_maintenance_id'],
    indexes: [
      { name: 'maintenance_uidx', columns: ['maintenance_active', 'hostname', 'port'], unique: true },
    ],
  },
  {
    name: 'topology_failure_detection',
    columns: [
      big('detection_id'),
      ...hostPort,
      bool('in_active_period'),
      time('start_active_period'),
      big('end_active_period_unixtime'),
      str('processing_node_hostname'),
      str('processcing_node_token'),
      str('analysis'),
      str('cluster_name'),
      str('cluster_alias'),
      int('count_affected_slaves'),
      text('slave_hosts'),
      bool('is_actionable'),
      text('analysis_json'),
    ],
    primaryKey: ['detection_id'],
    indexes: [
      {
        name: 'host_port_active_period_uidx',
        columns: ['hostname', 'port', 'in_active_period', 'end_active_period_unixtime', 'is_actionable'],
        unique: true,
      },
      { name: 'in_active_start_period_idx', columns: ['in_active_period', 'start_active_period'] },
    ],
  },
  {
    name: 'topology_recovery',
    columns: [
      big('recovery_id'),
      str('uid'),
      ...hostPort,
      bool('in_active_period'),
      time('start_active_period'),
      big('end_active_period_unixtime'),
      time('end_recovery'),
      str('processing_node_hostname'),
      str('processcing_node_token'),
      str('successor_hostname'),
      int('successor_port'),
      str('successor_alias'),
      str('analysis'),
      str('cluster_name'),
      str('cluster_alias'),
      int('count_affected_slaves'),
      text('slave_hosts'),
      bool('is_successful'),
      text('lost_slaves'),
      text('participating_instances'),
      text('all_errors'),
      bool('acknowledged'),
      time('acknowledged_at'),
      str('acknowledged_by'),
      text('acknowledged_comment'),
      big('last_detection_id'),
      big('related_recovery_id'),
      str('recovery_type'),
      text('analysis_json'),
    ],
    primaryKey: ['recovery_id'],
    indexes: [
      {
        name: 'host_port_active_period_uidx',
        columns: ['hostname', 'port', 'in_active_period', 'end_active_period_unixtime'],
        unique: true,
      },
      { name: 'uid_uidx', columns: ['uid'], unique: true },
      { name: 'cluster_name_idx', columns: ['cluster_name', 'in_active_period'] },
    ],
  },
  {
    name: 'topology_recovery_steps',
    columns: [big('recovery_step_id'), str('recovery_uid'), time('audit_at'), text('message')],
    primaryKey: ['recovery_step_id'],
    indexes: [{ name: 'recovery_uid_idx', columns: ['recovery_uid'] }],
  },
  {
    name: 'blocked_topology_recovery',
    columns: [
      ...hostPort,
      str('cluster_name'),
      str('analysis'),
      time('last_blocked_timestamp'),
      big('blocking_recovery_id'),
    ],
    primaryKey: ['hostname', 'port'],
    indexes: [{ name: 'cluster_blocked_idx', columns: ['cluster_name', 'last_blocked_timestamp'] }],
  },
  { name: 'global_recovery_disable', columns: [int('disable_recovery')], primaryKey: ['disable_recovery'] },
  {
    name: 'kv_store',
    columns: [str('store_key'), text('store_value'), time('last_updated')],
    primaryKey: ['store_key'],
  },
  {
    name: 'node_health',
    columns: [
      str('hostname'),
      str('token'),
      time('last_seen_active'),
      time('first_seen_active'),
      text('extra_info'),
      str('command'),
      str('app_version'),
      str('db_backend'),
      big('incrementing_indicator'),
    ],
    primaryKey: ['hostname', 'token'],
  },
  {
    name: 'cluster_alias',
    columns: [str('cluster_name'), str('alias'), time('last_registered')],
    primaryKey: ['cluster_name'],
    indexes: [{ name: 'alias_idx', columns: ['alias'] }],
  },
  {
    name: 'cluster_alias_override',
    columns: [str('cluster_name'), str('alias')],
    primaryKey: ['cluster_name'],
  },
  {
    name: 'cluster_domain_name',
    columns: [str('cluster_name'), str('domain_name'), time('last_registered')],
    primaryKey: ['cluster_name'],
  },
  {
    name: 'hostname_resolve',
    columns: [str('hostname'), str('resolved_hostname'), time('resolved_timestamp')],
    primaryKey: ['hostname'],
  },
  {
    name: 'hostname_unresolve',
    columns: [str('hostname'), str('unresolved_hostname'), time('last_registered')],
    primaryKey: ['hostname'],
    indexes: [{ name: 'unresolved_hostname_idx', columns: ['unresolved_hostname'] }],
  },
  {
    name: 'database_instance_tags',
    columns: [...hostPort, str('tag_name'), text('tag_value'), time('last_updated')],
    primaryKey: ['hostname', 'port', 'tag_name'],
    indexes: [{ name: 'tag_name_idx', columns: ['tag_name'] }],
  },
  {
    name: 'database_instance_pool',
    columns: [...hostPort, str('pool'), time('registered_at')],
    primaryKey: ['hostname', 'port', 'pool'],
    indexes: [{ name: 'pool_idx', columns: ['pool'] }],
  },
  {
    name: 'host_attributes',
    columns: [
      str('hostname'),
      str('attribute_name'),
      str('attribute_value'),
      time('submit_timestamp'),
      time('expire_timestamp'),
    ],
    primaryKey: ['hostname', 'attribute_name'],
  },
  {
    name: 'access_token',
    columns: [
      str('public_token'),
      str('secret_token'),
      time('generated_at'),
      str('generated_by'),
      bool('is_acquired'),
      bool('is_reentrant'),
      time('acquired_at'),
    ],
    primaryKey: ['public_token'],
  },
  {
    name: 'cluster_injected_pseudo_gtid',
    columns: [str('cluster_name'), time('time_injected')],
    primaryKey: ['cluster_name'],
  },
  {
    name: 'audit',
    columns: [
      c('audit_id', 'bigint', { autoIncrement: true }),
      time('audit_timestamp'),
      str('audit_type'),
      str('hostname'),
      int('port'),
      str('cluster_name'),
      text('message'),
    ],
    primaryKey: ['audit_id'],
    indexes: [
      { name: 'audit_timestamp_idx', columns: ['audit_timestamp'] },
      { name: 'host_port_idx', columns: ['hostname', 'port', 'audit_timestamp'] },
    ],
  },
  /** snapshot-topologies: each instance's master and version at a moment (local to the node that took it). */
  {
    name: 'database_instance_topology_history',
    columns: [
      big('snapshot_unix_timestamp'),
      ...hostPort,
      str('master_host'),
      int('master_port'),
      str('cluster_name'),
      str('version'),
    ],
    primaryKey: ['snapshot_unix_timestamp', 'hostname', 'port'],
    indexes: [{ name: 'cluster_name_idx', columns: ['cluster_name', 'snapshot_unix_timestamp'] }],
  },
  /** FSM bookkeeping: LeaderURI and the last applied raft index. */
  { name: 'raft_fsm_meta', columns: [str('meta_key'), text('meta_value')], primaryKey: ['meta_key'] },
];

/** Tables only the FSM writes: a snapshot restore replaces them exactly (delete, then insert). */
export const fsmOwnedTables = [
  'candidate_database_instance',
  'database_instance_downtime',
  'topology_failure_detection',
  'topology_recovery',
  'topology_recovery_steps',
  'kv_store',
  'database_instance_tags',
  'database_instance_pool',
  'hostname_unresolve',
  'cluster_alias_override',
  'cluster_injected_pseudo_gtid',
  'raft_fsm_meta',
] as const;

/**
 * Tables that are in orchestrator's snapshot but are also written locally (by probes or local API
 * calls): a restore REPLACEs their rows and keeps rows that exist only locally (reference §1.6).
 */
export const mergedSnapshotTables = [
  'cluster_alias',
  'cluster_domain_name',
  'host_attributes',
  'access_token',
  'hostname_resolve',
] as const;

/** Every table a snapshot carries, in orchestrator's order where it has one. */
export const snapshotTables: readonly string[] = [
  'cluster_alias',
  'cluster_alias_override',
  'cluster_domain_name',
  'host_attributes',
  'database_instance_tags',
  'access_token',
  'database_instance_pool',
  'hostname_resolve',
  'hostname_unresolve',
  'database_instance_downtime',
  'candidate_database_instance',
  'topology_failure_detection',
  'kv_store',
  'topology_recovery',
  'topology_recovery_steps',
  'cluster_injected_pseudo_gtid',
  // Ours: LeaderURI, the FSM clock and the applied index are replicated state too.
  'raft_fsm_meta',
];

export function tableDef(name: string): TableDef | undefined {
  return allTables.find((t) => t.name === name);
}
