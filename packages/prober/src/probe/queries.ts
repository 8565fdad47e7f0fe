// The SQL a probe runs. Everything that does not depend on optional config goes out as ONE
// multi-statement round trip (hot path: 10k instances every 5 s); the flavour is learnt once per
// connection so the statements are valid for that server.

export interface Flavor {
  mariadb: boolean;
  /** major*10000 + minor*100 + patch, e.g. 80022. */
  version: number;
}

export function parseFlavor(version: string): Flavor {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(version);
  const v = m ? Number(m[1]) * 10000 + Number(m[2]) * 100 + Number(m[3]) : 0;
  return { mariadb: /mariadb/i.test(version), version: v };
}

/** Index of each statement's result in the batch. */
export const STEP = {
  identity: 0,
  masterStatus: 1,
  semiSyncVariables: 2,
  status: 3,
  slaveStatus: 4,
  slaveHosts: 5,
  processlist: 6,
  replicaLink: 7,
} as const;
export type StepName = keyof typeof STEP;

export function identityQuery(f: Flavor): string {
  const common = [
    '@@global.hostname AS hostname',
    "IFNULL(@@global.report_host, '') AS report_host",
    '@@global.server_id AS server_id',
    '@@global.version AS version',
    '@@global.version_comment AS version_comment',
    '@@global.read_only AS read_only',
    '@@global.binlog_format AS binlog_format',
    '@@global.log_bin AS log_bin',
    '@@global.log_slave_updates AS log_slave_updates',
    '@@global.slave_net_timeout AS slave_net_timeout',
  ];
  if (f.mariadb) {
    common.push(
      '@@global.binlog_row_image AS binlog_row_image',
      '@@global.gtid_current_pos AS gtid_current_pos',
      '@@global.gtid_slave_pos AS gtid_slave_pos',
      '@@global.gtid_binlog_pos AS gtid_binlog_pos',
    );
  } else if (f.version >= 50600) {
    common.push(
      '@@global.binlog_row_image AS binlog_row_image',
      '@@global.server_uuid AS server_uuid',
      '@@global.gtid_mode AS gtid_mode',
      '@@global.gtid_executed AS gtid_executed',
      '@@global.gtid_purged AS gtid_purged',
    );
  }
  return `SELECT ${common.join(', ')}`;
}

const STATUS_NAMES = [
  'Uptime',
  'Rpl_semi_sync_master_status',
  'Rpl_semi_sync_master_clients',
  'Rpl_semi_sync_slave_status',
  'Rpl_semi_sync_source_status',
  'Rpl_semi_sync_source_clients',
  'Rpl_semi_sync_replica_status',
];

/**
 * MySQL ≥ 8.0.2: the replica's heartbeat period, heartbeats received, and how long ago it last
 * received anything (heartbeat or event), measured on its own clock.
 */
const MYSQL_REPLICA_LINK = `SELECT c.HEARTBEAT_INTERVAL AS heartbeat_period, s.COUNT_RECEIVED_HEARTBEATS AS received_heartbeats,
  TIMESTAMPDIFF(MICROSECOND, NULLIF(GREATEST(s.LAST_HEARTBEAT_TIMESTAMP, s.LAST_QUEUED_TRANSACTION_END_QUEUE_TIMESTAMP), '0000-00-00 00:00:00.000000'), NOW(6)) AS last_received_age_us
  FROM performance_schema.replication_connection_status s
  JOIN performance_schema.replication_connection_configuration c ON c.CHANNEL_NAME = s.CHANNEL_NAME
  WHERE s.CHANNEL_NAME = ''`;

/** Keeps result indices stable where a flavour has nothing to run for a step. */
export const EMPTY_STATEMENT = 'SELECT 1 FROM DUAL WHERE 0';

/** The batch's statements, in STEP order. */
export function probeStatements(f: Flavor): string[] {
  const mysqlNewNames = !f.mariadb && f.version >= 80022;
  return [
    identityQuery(f),
    !f.mariadb && f.version >= 80400 ? 'SHOW BINARY LOG STATUS' : 'SHOW MASTER STATUS',
    "SHOW GLOBAL VARIABLES LIKE 'rpl_semi_sync_%'",
    `SHOW GLOBAL STATUS WHERE Variable_name IN (${STATUS_NAMES.map((n) => `'${n}'`).join(', ')})`,
    // MariaDB: SHOW ALL SLAVES STATUS adds Slave_received_heartbeats and Slave_heartbeat_period.
    f.mariadb ? 'SHOW ALL SLAVES STATUS' : mysqlNewNames ? 'SHOW REPLICA STATUS' : 'SHOW SLAVE STATUS',
    mysqlNewNames ? 'SHOW REPLICAS' : 'SHOW SLAVE HOSTS',
    "SELECT SUBSTRING_INDEX(host, ':', 1) AS slave_hostname FROM information_schema.processlist WHERE command IN ('Binlog Dump', 'Binlog Dump GTID')",
    !f.mariadb && f.version >= 80002 ? MYSQL_REPLICA_LINK : EMPTY_STATEMENT,
  ];
}
