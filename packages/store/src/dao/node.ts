// Local-only tables: node_health (this node's heartbeats), audit, and FSM metadata reads.
import type { Backend } from '../backend/types.js';
import type { InstanceKey } from '../model/instance.js';
import { type Clock, dbTime, fromDbTime } from '../time.js';

export interface NodeHealth {
  Hostname: string;
  Token: string;
  AppVersion: string;
  FirstSeenActive: string;
  LastSeenActive: string;
  ExtraInfo: string;
  Command: string;
  DBBackend: string;
}

export interface AuditEntry {
  AuditId: number;
  AuditTimestamp: string;
  AuditType: string;
  AuditInstanceKey: InstanceKey;
  ClusterName: string;
  Message: string;
}

export function createNodeHealthDao(backend: Backend, clock: Clock) {
  return {
    /** Writes this node's heartbeat; a failure here is what makes a node unhealthy. */
    async write(n: {
      hostname: string;
      token: string;
      appVersion?: string;
      command?: string;
      extraInfo?: string;
      dbBackend?: string;
    }) {
      const now = dbTime(clock());
      const cols = [
        'hostname',
        'token',
        'last_seen_active',
        'first_seen_active',
        'extra_info',
        'command',
        'app_version',
        'db_backend',
      ];
      const sql = backend.dialect.upsert(
        'node_health',
        cols,
        ['hostname', 'token'],
        ['last_seen_active', 'extra_info', 'command', 'app_version', 'db_backend'],
      );
      await backend.exec(sql, [
        n.hostname,
        n.token,
        now,
        now,
        n.extraInfo ?? '',
        n.command ?? '',
        n.appVersion ?? '',
        n.dbBackend ?? backend.kind,
      ]);
    },
    /** Nodes seen within `withinSeconds`. */
    async available(withinSeconds: number): Promise<NodeHealth[]> {
      const rows = await backend.query(
        'SELECT * FROM node_health WHERE last_seen_active >= ? ORDER BY hostname, token',
        [dbTime(clock() - withinSeconds * 1000)],
      );
      return rows.map((r) => ({
        Hostname: String(r.hostname),
        Token: String(r.token),
        AppVersion: String(r.app_version),
        FirstSeenActive: fromDbTime(r.first_seen_active),
        LastSeenActive: fromDbTime(r.last_seen_active),
        ExtraInfo: String(r.extra_info),
        Command: String(r.command),
        DBBackend: String(r.db_backend),
      }));
    },
    async expire(olderThanSeconds: number): Promise<number> {
      const r = await backend.exec('DELETE FROM node_health WHERE last_seen_active < ?', [
        dbTime(clock() - olderThanSeconds * 1000),
      ]);
      return r.changes;
    },
  };
}

export function createAuditDao(backend: Backend, clock: Clock) {
  return {
    async write(
      type: string,
      key: InstanceKey | undefined,
      clusterName: string,
      message: string,
    ): Promise<void> {
      await backend.exec(
        'INSERT INTO audit (audit_timestamp, audit_type, hostname, port, cluster_name, message) VALUES (?, ?, ?, ?, ?, ?)',
        [dbTime(clock()), type, key?.Hostname ?? '', key?.Port ?? 0, clusterName, message],
      );
    },
    /** Newest first; `page` is 0-based. */
    async read(q: { page?: number; pageSize?: number; key?: InstanceKey } = {}): Promise<AuditEntry[]> {
      const size = q.pageSize ?? 20;
      const rows = await backend.query(
        `SELECT * FROM audit ${q.key ? 'WHERE hostname = ? AND port = ?' : ''} ORDER BY audit_id DESC LIMIT ${size} OFFSET ${(q.page ?? 0) * size}`,
        q.key ? [q.key.Hostname, q.key.Port] : [],
      );
      return rows.map((r) => ({
        AuditId: Number(r.audit_id),
        AuditTimestamp: fromDbTime(r.audit_timestamp),
        AuditType: String(r.audit_type),
        AuditInstanceKey: { Hostname: String(r.hostname), Port: Number(r.port) },
        ClusterName: String(r.cluster_name),
        Message: String(r.message),
      }));
    },
    async expire(olderThanSeconds: number): Promise<number> {
      const r = await backend.exec('DELETE FROM audit WHERE audit_timestamp < ?', [
        dbTime(clock() - olderThanSeconds * 1000),
      ]);
      return r.changes;
    },
  };
}

export function createFsmMetaDao(backend: Backend) {
  return {
    async leaderURI(): Promise<string> {
      const rows = await backend.query("SELECT meta_value FROM raft_fsm_meta WHERE meta_key = 'LeaderURI'");
      return rows[0] ? String(rows[0].meta_value) : '';
    },
  };
}
