import type { Instance } from '@orchestrator/store';
import { proberConfig } from '../src/config.js';
import { blankInstance } from '../src/probe/blank.js';

export const NOW = Date.parse('2026-01-01T00:00:00.000Z');
export const config = proberConfig();

export interface Spec {
  /** Master's port (host is always "h"); omitted for a master. */
  master?: number;
  /** Unreachable: last check failed. */
  dead?: boolean;
  partial?: boolean;
  /** IO/SQL thread text ('Yes'/'No'/'Connecting'). Defaults to Yes/Yes for replicas. */
  io?: string;
  sql?: string;
  ioError?: string;
  lag?: number;
  delay?: number;
  readOnly?: boolean;
  logging?: boolean;
  format?: string;
  version?: string;
  mariaGtid?: boolean;
  oracleGtid?: boolean;
  gtidMode?: string;
  errant?: string;
  semiSync?: { enabled: boolean; status: boolean; wait: number; clients: number };
  semiSyncReplica?: boolean;
  /** Replica's MASTER_HEARTBEAT_PERIOD and slave_net_timeout (seconds). */
  heartbeat?: number;
  netTimeout?: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** An instance h:<port> as the store would hold it at NOW. */
export function inst(port: number, spec: Spec = {}): Instance {
  const i = blankInstance({ Hostname: 'h', Port: port });
  i.ServerID = port;
  i.Version = spec.version ?? '10.11.19-MariaDB';
  i.LogBinEnabled = spec.logging ?? true;
  i.LogReplicationUpdatesEnabled = spec.logging ?? true;
  i.Binlog_format = spec.format ?? 'ROW';
  i.ReadOnly = spec.readOnly ?? spec.master !== undefined;
  i.GTIDMode = spec.gtidMode ?? '';
  i.GtidErrant = spec.errant ?? '';
  if (spec.dead) {
    i.LastSeenTimestamp = iso(NOW - 20_000);
    i.LastCheckedTimestamp = iso(NOW - 500);
    i.LastAttemptedCheckTimestamp = iso(NOW - 500);
  } else {
    i.LastSeenTimestamp = iso(NOW - 1000);
    i.LastCheckedTimestamp = iso(NOW - 1000);
    i.LastAttemptedCheckTimestamp = iso(NOW - 1000);
  }
  i.LastCheckPartialSuccess = spec.partial ?? false;
  if (spec.master !== undefined) {
    i.MasterKey = { Hostname: 'h', Port: spec.master };
    const io = spec.io ?? 'Yes';
    const sql = spec.sql ?? 'Yes';
    i.SlaveIORunningText = io;
    i.ReplicationIOThreadRuning = io === 'Yes';
    i.ReplicationSQLThreadRuning = sql === 'Yes';
    i.ReplicationIOThreadState = io === 'Yes' ? 1 : io === 'No' ? 0 : 2;
    i.ReplicationSQLThreadState = sql === 'Yes' ? 1 : sql === 'No' ? 0 : 2;
    i.LastIOError = spec.ioError ?? '';
    i.UsingMariaDBGTID = spec.mariaGtid ?? !spec.oracleGtid;
    i.UsingOracleGTID = spec.oracleGtid ?? false;
    i.SQLDelay = spec.delay ?? 0;
    if (spec.lag !== undefined) i.ReplicationLagSeconds = { Int64: spec.lag, Valid: true };
    else i.ReplicationLagSeconds = { Int64: 0, Valid: true };
  }
  if (spec.semiSync) {
    i.SemiSyncAvailable = true;
    i.SemiSyncMasterEnabled = spec.semiSync.enabled;
    i.SemiSyncMasterStatus = spec.semiSync.status;
    i.SemiSyncMasterWaitForReplicaCount = spec.semiSync.wait;
    i.SemiSyncMasterClients = spec.semiSync.clients;
  }
  i.SemiSyncReplicaEnabled = spec.semiSyncReplica ?? false;
  if (spec.master !== undefined) {
    i.ReplicationLink.HeartbeatPeriodSeconds = spec.heartbeat ?? 1;
    i.ReplicationLink.NetTimeoutSeconds = spec.netTimeout ?? 4;
  }
  return i;
}

export const CONNECT_ERROR =
  "error reconnecting to master 'repl@127.0.0.1:3306' - retry-time: 1  maximum-retries: 86400  message: Can't connect to server on '127.0.0.1' (111 \"Connection refused\")";
