// Replication control (reference §6: start/stop/restart/reset/detach/reattach replica, skip-query,
// read-only, delay, semi-sync, kill-query, binlog and errant-GTID operations). Each operation reads
// the live state, runs its pure check (checks.ts) and refuses before any change; changes go through
// MySQLOperations, whose guard refuses them unless this node leads with a quorum. Operations the
// reference runs under a maintenance lock take one here too (and so refuse on an instance already in
// maintenance). Every operation is audited and answers with the re-probed Instance.

import type { Instance, InstanceKey } from '@orchestrator/model';
import type { LiveState, MySQLOperations, ReplicaStatus } from '@orchestrator/recovery';
import {
  delayRefusal,
  keyString,
  killQueryRefusal,
  notAReplica,
  resetReplicaRefusal,
  skipQueryRefusal,
} from './checks.js';
import { ControlError, refused } from './errors.js';

/** The orchestrator's view of instances (discovery/backend), for what a live read cannot tell. */
export interface ControlInstances {
  instance(key: InstanceKey): Promise<Instance | null>;
  /** Direct replicas of `key` as last probed. */
  replicas(key: InstanceKey): Promise<Instance[]>;
  clusterInstances(clusterName: string): Promise<Instance[]>;
}

/** Local maintenance locks (the reference's BeginMaintenance/EndMaintenance). */
export interface MaintenanceLocks {
  /** false when the instance is already under maintenance. */
  begin(key: InstanceKey, owner: string, reason: string): Promise<boolean>;
  end(key: InstanceKey): Promise<void>;
}

export interface ControlOptions {
  /** stop-replica-nice: how long the SQL thread may take to apply the relay log (default 30 s). */
  stopNiceTimeoutMs?: number;
  /** How long to wait for both threads to run after START SLAVE (default 2 s, reference 1 s). */
  startWaitMs?: number;
  /** Polling interval of the waits (default 50 ms). */
  pollMs?: number;
  /** ReasonableMaintenanceReplicationLagSeconds, for can-replicate-from (default 20). */
  reasonableLagSeconds?: number;
  /** Owner of the maintenance locks operations take (default "orchestrator"). */
  maintenanceOwner?: string;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface ControlDeps {
  mysql: MySQLOperations;
  instances: ControlInstances;
  maintenance: MaintenanceLocks;
  /** Writes an audit entry; failures are logged by the caller, never thrown. */
  audit(type: string, key: InstanceKey, message: string): Promise<void>;
  /** Re-probes `key` and resolves with the fresh Instance (what every operation answers with). */
  refresh(key: InstanceKey): Promise<Instance>;
  options?: ControlOptions;
}

export interface ControlResult {
  instance: Instance;
  message: string;
}

const bothRunning = (r: ReplicaStatus | null) => !!r && r.ioRunning && r.sqlRunning;
const noneRunning = (r: ReplicaStatus | null) => !r || (!r.ioRunning && !r.sqlRunning);

function check(reason: string | null): void {
  if (reason !== null) throw refused(reason);
}

export class ReplicationControl {
  private readonly mysql: MySQLOperations;
  private readonly opts: Required<Omit<ControlOptions, 'sleep' | 'now'>> & {
    sleep: (ms: number) => Promise<void>;
    now: () => number;
  };

  constructor(readonly deps: ControlDeps) {
    this.mysql = deps.mysql;
    const o = deps.options ?? {};
    this.opts = {
      stopNiceTimeoutMs: o.stopNiceTimeoutMs ?? 30_000,
      startWaitMs: o.startWaitMs ?? 2_000,
      pollMs: o.pollMs ?? 50,
      reasonableLagSeconds: o.reasonableLagSeconds ?? 20,
      maintenanceOwner: o.maintenanceOwner ?? 'orchestrator',
      sleep: o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      now: o.now ?? Date.now,
    };
  }

  get reasonableLagSeconds(): number {
    return this.opts.reasonableLagSeconds;
  }

  async startReplica(key: InstanceKey): Promise<ControlResult> {
    check(notAReplica(await this.mysql.readState(key)));
    await this.start(key, true);
    return this.done('start-replica', key, `Replica started: ${keyString(key)}`, 'START SLAVE');
  }

  async stopReplica(key: InstanceKey): Promise<ControlResult> {
    check(notAReplica(await this.mysql.readState(key)));
    await this.stop(key);
    return this.done('stop-replica', key, `Replica stopped: ${keyString(key)}`, 'STOP SLAVE');
  }

  /** Stops the IO thread, lets the SQL thread apply the relay log, then stops replication. */
  async stopReplicaNice(key: InstanceKey): Promise<ControlResult> {
    const live = await this.mysql.readState(key);
    check(notAReplica(live));
    await this.mysql.execute(key, 'stop IO thread', 'STOP SLAVE IO_THREAD');
    await this.mysql.execute(key, 'start SQL thread', 'START SLAVE SQL_THREAD');
    if ((live.replica?.sqlDelay ?? 0) === 0) {
      const applied = await this.mysql.waitRelayLogApplied(key, this.opts.stopNiceTimeoutMs);
      if (!applied) {
        throw new ControlError(
          'FAILED',
          `${keyString(key)}: stop-replica-nice timed out after ${this.opts.stopNiceTimeoutMs} ms waiting for the SQL thread (the IO thread is stopped)`,
        );
      }
    }
    await this.stop(key);
    return this.done(
      'stop-replica-nice',
      key,
      `Replica stopped nicely: ${keyString(key)}`,
      'STOP SLAVE after the relay log was applied',
    );
  }

  async restartReplica(key: InstanceKey): Promise<ControlResult> {
    check(notAReplica(await this.mysql.readState(key)));
    await this.stop(key);
    await this.start(key, true);
    return this.done(
      'restart-replica',
      key,
      `Replica restarted: ${keyString(key)}`,
      'STOP SLAVE, START SLAVE',
    );
  }

  /** RESET SLAVE ALL; refused while replication runs (stop it first: the reset cannot be undone). */
  async resetReplica(key: InstanceKey): Promise<ControlResult> {
    check(resetReplicaRefusal(await this.mysql.readState(key)));
    await this.withMaintenance(key, 'reset replica', () => this.mysql.resetReplicaAll(key));
    return this.done('reset-slave', key, `Replica reset on ${keyString(key)}`, 'replication reset');
  }

  /** Skips the statement the SQL thread stopped on, then starts replication. */
  async skipQuery(key: InstanceKey): Promise<ControlResult> {
    const live = await this.mysql.readState(key);
    check(skipQueryRefusal(live));
    if (live.replica?.autoPosition) await this.injectNextOracleGtid(key, live);
    else await this.mysql.execute(key, 'skip one query', 'SET GLOBAL sql_slave_skip_counter = 1');
    await this.start(key, true);
    return this.done('skip-query', key, `Query skipped on ${keyString(key)}`, 'Skipped one query');
  }

  /**
   * read_only on or off. With SemiSyncEnforced (no async fallback), the master side of semi-sync is
   * switched on before the server takes writes and off once it is read-only, as the reference does.
   */
  async setReadOnly(key: InstanceKey, readOnly: boolean): Promise<ControlResult> {
    const semiSync = await this.enforcedSemiSync(key);
    if (semiSync && !readOnly) await this.setSemiSyncVariables(key, true, semiSync.sendAck);
    await this.mysql.setReadOnly(key, readOnly);
    if (semiSync && readOnly) await this.setSemiSyncVariables(key, false, semiSync.sendAck);
    return this.done(
      'read-only',
      key,
      readOnly ? 'Server set as read-only' : 'Server set as writeable',
      `set as ${readOnly}`,
    );
  }

  /** CHANGE MASTER TO MASTER_DELAY, restoring each replication thread to what it was. */
  async delayReplication(key: InstanceKey, seconds: number): Promise<ControlResult> {
    const live = await this.mysql.readState(key);
    check(delayRefusal(live, seconds));
    await this.preservingThreads(key, live, () =>
      this.mysql.execute(key, `set MASTER_DELAY=${seconds}`, `CHANGE MASTER TO MASTER_DELAY = ${seconds}`),
    );
    return this.done(
      'delay-replication',
      key,
      `Replication delay set to ${seconds} seconds on ${keyString(key)}`,
      `set delay to ${seconds}`,
    );
  }

  /** rpl_semi_sync_master_enabled / rpl_semi_sync_slave_enabled (built into MariaDB ≥ 10.3). */
  async setSemiSync(key: InstanceKey, side: 'master' | 'replica', enable: boolean): Promise<ControlResult> {
    const variable = side === 'master' ? 'rpl_semi_sync_master_enabled' : 'rpl_semi_sync_slave_enabled';
    const rows = await this.mysql.query(key, 'SHOW GLOBAL VARIABLES LIKE ?', [variable]);
    if (rows.length === 0) {
      throw new ControlError(
        'UNSUPPORTED',
        `semi-sync is not available on ${keyString(key)}: it has no ${variable} variable (install the semisync ${side === 'master' ? 'master' : 'slave'} plugin)`,
      );
    }
    const current = /^(ON|1)$/i.test(String(rows[0]?.Value));
    if (current !== enable) {
      await this.mysql.execute(key, `set ${variable}`, `SET GLOBAL ${variable} = ${enable ? 1 : 0}`);
      if (side === 'replica') {
        // The replica side takes effect when the IO thread reconnects.
        const r = await this.mysql.replicaStatus(key);
        if (r?.ioRunning) {
          await this.mysql.execute(key, 'stop IO thread', 'STOP SLAVE IO_THREAD');
          await this.mysql.execute(key, 'start IO thread', 'START SLAVE IO_THREAD');
          await this.waitThreads(key, (s) => !!s?.ioRunning);
        }
      }
    }
    return this.done(
      `${enable ? 'enable' : 'disable'}-semi-sync-${side}`,
      key,
      `${side} semi-sync set to ${enable}`,
      `${variable}=${enable ? 1 : 0}`,
    );
  }

  async killQuery(key: InstanceKey, processId: number): Promise<ControlResult> {
    const rows =
      Number.isSafeInteger(processId) && processId > 0
        ? await this.mysql.query(
            key,
            'SELECT USER AS user, COMMAND AS command FROM information_schema.PROCESSLIST WHERE ID = ?',
            [processId],
          )
        : [];
    const row = rows[0] ? { user: String(rows[0].user ?? ''), command: String(rows[0].command ?? '') } : null;
    check(killQueryRefusal(key, processId, row));
    await this.mysql.execute(key, `kill query ${processId}`, `KILL QUERY ${processId}`);
    return this.done('kill-query', key, `Query killed on : ${keyString(key)}`, `Killed query ${processId}`);
  }

  // --- building blocks -------------------------------------------------------------------------

  /** Audits, then answers with the re-probed instance. */
  async done(type: string, key: InstanceKey, message: string, audit: string): Promise<ControlResult> {
    await this.deps.audit(type, key, audit).catch(() => {});
    return { instance: await this.deps.refresh(key), message };
  }

  /** Runs `fn` holding a maintenance lock on `key`; refused when someone else holds one. */
  async withMaintenance<T>(key: InstanceKey, reason: string, fn: () => Promise<T>): Promise<T> {
    if (!(await this.deps.maintenance.begin(key, this.opts.maintenanceOwner, reason)))
      throw refused(`Cannot begin maintenance on ${keyString(key)}: it is already under maintenance`);
    try {
      return await fn();
    } finally {
      await this.deps.maintenance.end(key).catch(() => {});
    }
  }

  async stop(key: InstanceKey): Promise<void> {
    await this.mysql.execute(key, 'stop replication', 'STOP SLAVE');
    await this.waitThreads(key, noneRunning);
  }

  /**
   * START SLAVE. `strict` waits until both threads run and fails when they do not within
   * startWaitMs (the reference's check); otherwise (after a detach) it does not wait.
   */
  async start(key: InstanceKey, strict: boolean): Promise<void> {
    // SemiSyncEnforced: a replica acks (unless it must never be promoted) and is never a semi-sync master.
    const semiSync = await this.enforcedSemiSync(key);
    if (semiSync) await this.setSemiSyncVariables(key, false, semiSync.sendAck);
    await this.mysql.execute(key, 'start replication', 'START SLAVE');
    if (!strict) return;
    const r = await this.waitThreads(key, bothRunning);
    if (!bothRunning(r)) {
      const why = [r?.lastIOError, r?.lastSQLError].filter(Boolean).join('; ');
      throw new ControlError(
        'FAILED',
        `Replication not running on ${keyString(key)} after START SLAVE (IO: ${r?.ioState ?? '?'}, SQL: ${r?.sqlRunning ? 'Yes' : 'No'})${why ? `: ${why}` : ''}`,
      );
    }
  }

  /** Null unless the instance is SemiSyncEnforced; then whether it may send semi-sync acks. */
  private async enforcedSemiSync(key: InstanceKey): Promise<{ sendAck: boolean } | null> {
    const view = await this.deps.instances.instance(key).catch(() => null);
    return view?.SemiSyncEnforced ? { sendAck: view.PromotionRule !== 'must_not' } : null;
  }

  private async setSemiSyncVariables(key: InstanceKey, master: boolean, replica: boolean): Promise<void> {
    await this.mysql.execute(
      key,
      'set semi-sync',
      `SET GLOBAL rpl_semi_sync_master_enabled = ${master ? 1 : 0}, GLOBAL rpl_semi_sync_slave_enabled = ${replica ? 1 : 0}`,
    );
  }

  /** Polls SHOW SLAVE STATUS until `done` holds or startWaitMs passed; returns the last status. */
  private async waitThreads(
    key: InstanceKey,
    done: (r: ReplicaStatus | null) => boolean,
  ): Promise<ReplicaStatus | null> {
    const deadline = this.opts.now() + this.opts.startWaitMs;
    for (;;) {
      const r = await this.mysql.replicaStatus(key);
      if (done(r) || this.opts.now() >= deadline) return r;
      await this.opts.sleep(this.opts.pollMs);
    }
  }

  /** Stops the running threads, runs `fn`, and starts again exactly the threads that ran. */
  private async preservingThreads(key: InstanceKey, live: LiveState, fn: () => Promise<void>): Promise<void> {
    const io = live.replica?.ioRunning ?? false;
    const sql = live.replica?.sqlRunning ?? false;
    if (io) await this.mysql.execute(key, 'stop IO thread', 'STOP SLAVE IO_THREAD');
    if (sql) await this.mysql.execute(key, 'stop SQL thread', 'STOP SLAVE SQL_THREAD');
    try {
      await fn();
    } finally {
      if (sql) await this.mysql.execute(key, 'start SQL thread', 'START SLAVE SQL_THREAD');
      if (io) await this.mysql.execute(key, 'start IO thread', 'START SLAVE IO_THREAD');
    }
    // Answer once the restarted threads run again (the IO thread reconnects), bounded by startWaitMs.
    await this.waitThreads(key, (r) => (!io || !!r?.ioRunning) && (!sql || !!r?.sqlRunning));
  }

  /** Oracle GTID skip: commit an empty transaction as the next GTID of the master's UUID. */
  private async injectNextOracleGtid(key: InstanceKey, live: LiveState): Promise<void> {
    const [s] = await this.mysql.query(key, 'SHOW SLAVE STATUS');
    const masterUuid = String(s?.Master_UUID ?? '').toLowerCase();
    if (masterUuid === '') throw refused(`Empty Master_UUID on ${keyString(key)}; cannot find the next GTID`);
    const executed = live.oracle?.executed ?? '';
    const ranges = new RegExp(`${masterUuid}((?::\\d+(?:-\\d+)?)+)`, 'i').exec(executed)?.[1] ?? '';
    const last = Math.max(0, ...[...ranges.matchAll(/(\d+)(?:-(\d+))?/g)].map((m) => Number(m[2] ?? m[1])));
    const next = `${masterUuid}:${last + 1}`;
    await this.mysql.execute(key, `set gtid_next ${next}`, `SET GTID_NEXT = '${next}'`);
    await this.mysql.execute(key, 'empty transaction', 'BEGIN');
    await this.mysql.execute(key, 'empty transaction', 'COMMIT');
    await this.mysql.execute(key, 'reset gtid_next', "SET GTID_NEXT = 'AUTOMATIC'");
  }
}
