// Pure mapping from the rows a probe reads to `Instance` fields (reference §3.2). Kept free of I/O
// so every field can be unit-tested against captured server output.
import type { Instance, InstanceKey, ReplicationThreadState } from '@orchestrator/model';
import type { HostnameResolveMethod } from '../config.js';

export type Row = Record<string, unknown>;

export function str(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return String(v);
}

export function num(v: unknown): number {
  const n = Number(str(v));
  return Number.isFinite(n) ? n : 0;
}

/** MySQL booleans arrive as 1/0, 'ON'/'OFF', 'YES'/'NO' depending on the variable and version. */
export function bool(v: unknown): boolean {
  const s = str(v).toUpperCase();
  return s === '1' || s === 'ON' || s === 'YES' || s === 'TRUE';
}

/** Name/value rows (SHOW VARIABLES / SHOW STATUS) → lower-case name map with source/replica spelled master/slave. */
export function nameValueMap(rows: readonly Row[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of rows ?? []) {
    const name = str(r.Variable_name ?? r.variable_name)
      .toLowerCase()
      .replace('_source_', '_master_')
      .replace('_replica_', '_slave_')
      .replace(/_source$/, '_master')
      .replace(/_replica$/, '_slave');
    out.set(name, str(r.Value ?? r.value));
  }
  return out;
}

/** Canonical hostname per MySQLHostnameResolveMethod; falls back to the probed name. */
export function resolveHostname(identity: Row, probed: string, method: HostnameResolveMethod): string {
  if (method === '@@hostname') return str(identity.hostname) || probed;
  if (method === '@@report_host') return str(identity.report_host) || probed;
  return probed;
}

/** Fills identity fields from the combined SELECT @@… row. */
export function applyIdentity(
  inst: Instance,
  identity: Row,
  probed: InstanceKey,
  method: HostnameResolveMethod,
): void {
  const hostname = resolveHostname(identity, probed.Hostname, method);
  inst.Key = { Hostname: hostname, Port: probed.Port };
  inst.UnresolvedHostname = hostname === probed.Hostname ? '' : probed.Hostname;
  inst.ServerID = num(identity.server_id);
  inst.Version = str(identity.version);
  inst.VersionComment = str(identity.version_comment);
  inst.FlavorName = /mariadb/i.test(inst.Version)
    ? 'MariaDB'
    : /percona/i.test(inst.VersionComment)
      ? 'Percona'
      : 'MySQL';
  inst.ReadOnly = bool(identity.read_only);
  inst.Binlog_format = str(identity.binlog_format);
  inst.BinlogRowImage = str(identity.binlog_row_image);
  inst.LogBinEnabled = bool(identity.log_bin);
  inst.LogReplicationUpdatesEnabled = bool(identity.log_slave_updates);
  if ('server_uuid' in identity) inst.ServerUUID = str(identity.server_uuid);
  if ('gtid_mode' in identity) {
    inst.GTIDMode = str(identity.gtid_mode);
    inst.SupportsOracleGTID = inst.GTIDMode !== '' && inst.GTIDMode.toUpperCase() !== 'OFF';
    inst.ExecutedGtidSet = str(identity.gtid_executed).replace(/\s+/g, '');
    inst.GtidPurged = str(identity.gtid_purged).replace(/\s+/g, '');
  }
  if ('gtid_current_pos' in identity) {
    inst.MariaDBGtidCurrentPos = str(identity.gtid_current_pos);
    inst.MariaDBGtidSlavePos = str(identity.gtid_slave_pos);
    inst.MariaDBGtidBinlogPos = str(identity.gtid_binlog_pos);
  }
}

export function applyMasterStatus(inst: Instance, rows: readonly Row[] | undefined): void {
  const r = rows?.[0];
  if (!r) return;
  inst.SelfBinlogCoordinates = { LogFile: str(r.File), LogPos: num(r.Position), Type: 'BinaryLog' };
}

export function applySemiSync(
  inst: Instance,
  variables: readonly Row[] | undefined,
  status: readonly Row[] | undefined,
): void {
  const v = nameValueMap(variables);
  const s = nameValueMap(status);
  inst.SemiSyncAvailable = v.has('rpl_semi_sync_master_enabled') || v.has('rpl_semi_sync_slave_enabled');
  inst.SemiSyncMasterEnabled = bool(v.get('rpl_semi_sync_master_enabled'));
  inst.SemiSyncReplicaEnabled = bool(v.get('rpl_semi_sync_slave_enabled'));
  inst.SemiSyncMasterTimeout = num(v.get('rpl_semi_sync_master_timeout'));
  // MariaDB has no wait count variable: its semi-sync master always waits for exactly one ack.
  const wait = v.get('rpl_semi_sync_master_wait_for_slave_count');
  inst.SemiSyncMasterWaitForReplicaCount = wait !== undefined ? num(wait) : inst.SemiSyncAvailable ? 1 : 0;
  inst.SemiSyncMasterStatus = bool(s.get('rpl_semi_sync_master_status'));
  inst.SemiSyncMasterClients = num(s.get('rpl_semi_sync_master_clients'));
  inst.SemiSyncReplicaStatus = bool(s.get('rpl_semi_sync_slave_status'));
  if (s.has('uptime')) inst.Uptime = num(s.get('uptime'));
}

export function threadState(text: string): ReplicationThreadState {
  if (text === 'Yes') return 1;
  if (text === 'No') return 0;
  return 2;
}

/** SHOW REPLICA STATUS (MySQL ≥ 8.0.22) spells Source/Replica; map back to Master/Slave column names. */
export function normalizeReplicaStatusRow(r: Row): Row {
  const out: Row = {};
  for (const [k, val] of Object.entries(r)) {
    // "Replicate_*" filter columns kept their names in the 8.x rename: leave them alone.
    out[k.replace(/Source/g, 'Master').replace(/Replica(?!te)/g, 'Slave')] = val;
  }
  return out;
}

const FILTER_COLUMNS = [
  'Replicate_Do_DB',
  'Replicate_Ignore_DB',
  'Replicate_Do_Table',
  'Replicate_Ignore_Table',
  'Replicate_Wild_Do_Table',
  'Replicate_Wild_Ignore_Table',
  'Replicate_Rewrite_DB',
  'Replicate_Do_Domain_Ids',
  'Replicate_Ignore_Domain_Ids',
] as const;

/**
 * SHOW SLAVE STATUS → replication fields. `resolveMaster` maps Master_Host to the canonical name
 * (the discovery loop's resolve cache); no row means "not a replica".
 */
export function applySlaveStatus(
  inst: Instance,
  rows: readonly Row[] | undefined,
  resolveMaster: (host: string) => string,
): void {
  const raw = defaultConnection(rows);
  if (!raw) return;
  const r = normalizeReplicaStatusRow(raw);
  const io = str(r.Slave_IO_Running);
  const sql = str(r.Slave_SQL_Running);
  const host = str(r.Master_Host);
  inst.MasterKey = { Hostname: host ? resolveMaster(host) : '', Port: num(r.Master_Port) };
  inst.SlaveIORunningText = io;
  inst.ReplicationIOThreadState = threadState(io);
  inst.ReplicationSQLThreadState = threadState(sql);
  inst.ReplicationIOThreadRuning = io === 'Yes';
  inst.ReplicationSQLThreadRuning = sql === 'Yes';
  inst.ReadBinlogCoordinates = {
    LogFile: str(r.Master_Log_File),
    LogPos: num(r.Read_Master_Log_Pos),
    Type: 'BinaryLog',
  };
  inst.ExecBinlogCoordinates = {
    LogFile: str(r.Relay_Master_Log_File),
    LogPos: num(r.Exec_Master_Log_Pos),
    Type: 'BinaryLog',
  };
  inst.RelaylogCoordinates = {
    LogFile: str(r.Relay_Log_File),
    LogPos: num(r.Relay_Log_Pos),
    Type: 'RelayLog',
  };
  inst.LastIOError = str(r.Last_IO_Error);
  inst.LastSQLError = str(r.Last_SQL_Error);
  inst.LastIOErrno = num(r.Last_IO_Errno);
  inst.LastSQLErrno = num(r.Last_SQL_Errno);
  inst.SQLDelay = num(r.SQL_Delay);
  inst.UsingOracleGTID = num(r.Auto_Position) === 1;
  const usingGtid = str(r.Using_Gtid);
  inst.UsingMariaDBGTID = usingGtid !== '' && usingGtid !== 'No';
  inst.MasterUUID = str(r.Master_UUID);
  inst.HasReplicationFilters = FILTER_COLUMNS.some((c) => str(r[c]) !== '');
  inst.HasReplicationCredentials = str(r.Master_User) !== '';
  inst.AllowTLS = bool(r.Master_SSL_Allowed);
  const sbm = r.Seconds_Behind_Master;
  inst.SecondsBehindMaster =
    sbm === null || sbm === undefined || str(sbm) === ''
      ? { Int64: 0, Valid: false }
      : { Int64: Math.max(0, num(sbm)), Valid: true };
  inst.ReplicationLagSeconds = { ...inst.SecondsBehindMaster };
}

/**
 * The default replication connection's row: SHOW SLAVE STATUS has one row at most; MariaDB's SHOW
 * ALL SLAVES STATUS has one per named connection, and orchestrator manages the default ('') one.
 */
function defaultConnection(rows: readonly Row[] | undefined): Row | undefined {
  if (!rows || rows.length === 0) return undefined;
  if (!('Connection_name' in (rows[0] as Row))) return rows[0];
  return rows.find((r) => str(r.Connection_name) === '');
}

/**
 * The replica's own evidence about its master link: slave_net_timeout (identity row), MariaDB's
 * heartbeat counters (SHOW ALL SLAVES STATUS) or MySQL 8's performance_schema row.
 */
export function applyReplicationLink(
  inst: Instance,
  identity: Row | undefined,
  slaveStatus: readonly Row[] | undefined,
  mysqlLink: readonly Row[] | undefined,
): void {
  const link = inst.ReplicationLink;
  link.NetTimeoutSeconds = num(identity?.slave_net_timeout);
  const replica = defaultConnection(slaveStatus);
  if (replica) {
    link.HeartbeatPeriodSeconds = num(replica.Slave_heartbeat_period);
    link.HeartbeatsReceived = num(replica.Slave_received_heartbeats);
    link.GtidIOPos = str(replica.Gtid_IO_Pos);
  }
  const m = mysqlLink?.[0];
  if (m) {
    link.HeartbeatPeriodSeconds = num(m.heartbeat_period);
    link.HeartbeatsReceived = num(m.received_heartbeats);
    const age = m.last_received_age_us;
    link.LastReceivedAgeMs =
      age === null || age === undefined || str(age) === ''
        ? { Int64: 0, Valid: false }
        : { Int64: Math.max(0, Math.round(num(age) / 1000)), Valid: true };
  }
}

/**
 * Replica keys. SHOW SLAVE HOSTS rows carry the replica's report_host/report_port (MariaDB replicas
 * always register them), so they are preferred; processlist connections whose host no registered
 * replica explains fall back to orchestrator's assumption that the replica listens on the master's port.
 */
export function replicaKeys(
  masterPort: number,
  slaveHosts: readonly Row[] | undefined,
  processlistHosts: readonly Row[] | undefined,
  byShowSlaveHosts: boolean,
): InstanceKey[] {
  const out: InstanceKey[] = [];
  const seen = new Set<string>();
  const add = (Hostname: string, Port: number): void => {
    const k = `${Hostname}:${Port}`;
    if (Hostname && Port > 0 && !seen.has(k)) {
      seen.add(k);
      out.push({ Hostname, Port });
    }
  };
  const registeredHosts = new Set<string>();
  for (const r of slaveHosts ?? []) {
    const host = str(r.Host);
    const port = num(r.Port);
    if (host && port > 0) {
      add(host, port);
      registeredHosts.add(host);
    }
  }
  if (byShowSlaveHosts && out.length > 0) return out;
  for (const r of processlistHosts ?? []) {
    const host = str(r.slave_hostname);
    if (host && !registeredHosts.has(host)) add(host, masterPort);
  }
  return out;
}

/** First capture group of `pattern` on `hostname`, or ''. */
export function patternValue(hostname: string, pattern: string): string {
  if (!pattern) return '';
  const m = new RegExp(pattern).exec(hostname);
  return m?.[1] ?? '';
}
