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

/** The batch's statements, in STEP order. */
export function probeStatements(f: Flavor): string[] {
  const mysqlNewNames = !f.mariadb && f.version >= 80022;
  return [
    identityQuery(f),
    !f.mariadb && f.version >= 80400 ? 'SHOW BINARY LOG STATUS' : 'SHOW MASTER STATUS',
    "SHOW GLOBAL VARIABLES LIKE 'rpl_semi_sync_%'",
    `SHOW GLOBAL STATUS WHERE Variable_name IN (${STATUS_NAMES.map((n) => `'${n}'`).join(', ')})`,
    mysqlNewNames ? 'SHOW REPLICA STATUS' : 'SHOW SLAVE STATUS',
    mysqlNewNames ? 'SHOW REPLICAS' : 'SHOW SLAVE HOSTS',
    "SELECT SUBSTRING_INDEX(host, ':', 1) AS slave_hostname FROM information_schema.processlist WHERE command IN ('Binlog Dump', 'Binlog Dump GTID')",
  ];
}
