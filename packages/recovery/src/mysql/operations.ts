// The MySQL/MariaDB operations recovery (and later topology refactoring) performs. Every change
// calls the injected guard first (raft leadership with quorum) and re-reads the state it depends on
// right before it runs.
import { type BinlogPosition, compareBinlogPositions } from '../coordinates.js';
import { RecoveryError, StateChangedError, TimeoutError } from '../errors.js';
import type { InstanceKey, InstanceView } from '../types.js';
import type { Row, SqlConnector } from './connections.js';

export type Flavor = 'mariadb' | 'oracle';

/** Live replication state of one server, read straight from it. */
export interface LiveState {
  key: InstanceKey;
  flavor: Flavor;
  serverId: number;
  serverUuid: string;
  version: string;
  readOnly: boolean;
  logBin: boolean;
  logSlaveUpdates: boolean;
  binlogFormat: string;
  /** Null when the server is not (or no longer) a replica. */
  replica: ReplicaStatus | null;
  mariadb: { slavePos: string; currentPos: string; binlogPos: string } | null;
  oracle: { gtidMode: string; executed: string } | null;
}

/** A server's semi-sync settings and status. */
export interface SemiSyncState {
  masterEnabled: boolean;
  replicaEnabled: boolean;
  /** The master side is on (not fallen back to asynchronous). */
  masterStatus: boolean;
  /** Replicas currently acknowledging. */
  masterClients: number;
  /** Acks a commit waits for (MariaDB: always 1). */
  waitForReplicaCount: number;
  /** Sessions waiting for an acknowledgement right now. */
  masterWaitSessions: number;
  replicaStatus: boolean;
}

export interface ReplicaStatus {
  masterKey: InstanceKey;
  masterUser: string;
  ioRunning: boolean;
  ioState: string;
  sqlRunning: boolean;
  sqlRunningState: string;
  readCoordinates: { LogFile: string; LogPos: number };
  execCoordinates: { LogFile: string; LogPos: number };
  usingMariaDBGtid: boolean;
  autoPosition: boolean;
  secondsBehindMaster: number | null;
  sqlDelay: number;
  lastIOError: string;
  lastSQLError: string;
}

export type { BinlogPosition } from '../coordinates.js';
export { compareBinlogPositions } from '../coordinates.js';

export interface ReplicationCredentials {
  user: string;
  /** Undefined means "keep what the replica already has" (CHANGE MASTER TO without it). */
  password?: string;
}

/** Called before every change; throws (LeadershipLostError) when this node may no longer act. */
export type Guard = (step: string) => void;

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const num = (v: unknown): number => (v === null || v === undefined || v === '' ? 0 : Number(v));
const keyOf = (k: InstanceKey) => `${k.Hostname}:${k.Port}`;

function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export interface MySQLOperationsOptions {
  connector: SqlConnector;
  guard: Guard;
  /** MySQLReplicaUser / MySQLReplicaPassword; empty means "discover" (see replicationCredentials). */
  replicaUser?: string;
  replicaPassword?: string;
  /** Polling interval of the wait loops (ms). */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export class MySQLOperations {
  private readonly db: SqlConnector;
  private readonly guard: Guard;
  private readonly pollMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly opts: MySQLOperationsOptions) {
    this.db = opts.connector;
    this.guard = opts.guard;
    this.pollMs = opts.pollMs ?? 10;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = opts.now ?? Date.now;
  }

  query(key: InstanceKey, sql: string, params?: unknown[], timeoutMs?: number): Promise<Row[]> {
    return this.db.query(key, sql, params, timeoutMs);
  }

  /** Runs a changing statement after the guard. */
  private async change(key: InstanceKey, step: string, sql: string, timeoutMs?: number): Promise<void> {
    this.guard(`${step} on ${keyOf(key)}`);
    await this.db.query(key, sql, [], timeoutMs);
  }

  /**
   * Runs one changing statement after the guard: for callers (replication control) composing
   * statements this class has no dedicated method for. `step` names it in a leadership error.
   */
  async execute(key: InstanceKey, step: string, sql: string, params: unknown[] = []): Promise<void> {
    this.guard(`${step} on ${keyOf(key)}`);
    await this.db.query(key, sql, params);
  }

  async readState(key: InstanceKey): Promise<LiveState> {
    const [g] = await this.db.query(
      key,
      'SELECT @@server_id AS server_id, @@version AS version, @@read_only AS read_only, @@log_bin AS log_bin, ' +
        '@@log_slave_updates AS log_slave_updates, @@binlog_format AS binlog_format',
    );
    if (!g) throw new RecoveryError('MYSQL_ERROR', `${keyOf(key)} returned no variables`);
    const version = str(g.version);
    const flavor: Flavor = /mariadb/i.test(version) ? 'mariadb' : 'oracle';
    let mariadb: LiveState['mariadb'] = null;
    let oracle: LiveState['oracle'] = null;
    let serverUuid = '';
    if (flavor === 'mariadb') {
      const [m] = await this.db.query(
        key,
        'SELECT @@gtid_slave_pos AS slave_pos, @@gtid_current_pos AS current_pos, @@gtid_binlog_pos AS binlog_pos',
      );
      mariadb = {
        slavePos: str(m?.slave_pos),
        currentPos: str(m?.current_pos),
        binlogPos: str(m?.binlog_pos),
      };
    } else {
      const [o] = await this.db.query(
        key,
        'SELECT @@server_uuid AS uuid, @@gtid_mode AS gtid_mode, @@gtid_executed AS executed',
      );
      serverUuid = str(o?.uuid);
      oracle = { gtidMode: str(o?.gtid_mode), executed: str(o?.executed).replace(/\s+/g, '') };
    }
    return {
      key,
      flavor,
      serverId: num(g.server_id),
      serverUuid,
      version,
      readOnly: num(g.read_only) === 1,
      logBin: num(g.log_bin) === 1,
      logSlaveUpdates: num(g.log_slave_updates) === 1,
      binlogFormat: str(g.binlog_format),
      replica: await this.replicaStatus(key),
      mariadb,
      oracle,
    };
  }

  async replicaStatus(key: InstanceKey): Promise<ReplicaStatus | null> {
    const [s] = await this.db.query(key, 'SHOW SLAVE STATUS');
    if (!s || str(s.Master_Host) === '') return null;
    const behind = s.Seconds_Behind_Master;
    return {
      masterKey: { Hostname: str(s.Master_Host), Port: num(s.Master_Port) },
      masterUser: str(s.Master_User),
      ioRunning: str(s.Slave_IO_Running) === 'Yes',
      ioState: str(s.Slave_IO_Running),
      sqlRunning: str(s.Slave_SQL_Running) === 'Yes',
      sqlRunningState: str(s.Slave_SQL_Running_State),
      readCoordinates: { LogFile: str(s.Master_Log_File), LogPos: num(s.Read_Master_Log_Pos) },
      execCoordinates: { LogFile: str(s.Relay_Master_Log_File), LogPos: num(s.Exec_Master_Log_Pos) },
      usingMariaDBGtid: s.Using_Gtid !== undefined && str(s.Using_Gtid) !== 'No',
      autoPosition: num(s.Auto_Position) === 1,
      secondsBehindMaster: behind === null || behind === undefined ? null : Math.max(0, num(behind)),
      sqlDelay: num(s.SQL_Delay),
      lastIOError: str(s.Last_IO_Error),
      lastSQLError: str(s.Last_SQL_Error),
    };
  }

  async stopReplication(key: InstanceKey): Promise<void> {
    await this.change(key, 'stop replication', 'STOP SLAVE');
  }

  async startReplication(key: InstanceKey): Promise<void> {
    const status = await this.replicaStatus(key);
    if (!status)
      throw new StateChangedError(`${keyOf(key)} has no master configured; cannot start replication`);
    await this.change(key, 'start replication', 'START SLAVE');
  }

  /**
   * Stops the IO thread, lets the SQL thread apply what was already received (bounded by
   * timeoutMs), then stops replication. Returns whether the relay log was fully applied.
   */
  async stopReplicationNicely(key: InstanceKey, timeoutMs: number): Promise<boolean> {
    const status = await this.replicaStatus(key);
    if (!status) return true;
    await this.change(key, 'stop IO thread', 'STOP SLAVE IO_THREAD');
    const applied = status.sqlRunning ? await this.waitRelayLogApplied(key, timeoutMs) : relayApplied(status);
    await this.change(key, 'stop replication', 'STOP SLAVE');
    return applied;
  }

  /** Waits until the SQL thread executed everything the IO thread read; false on timeout or SQL stop. */
  async waitRelayLogApplied(key: InstanceKey, timeoutMs: number): Promise<boolean> {
    const deadline = this.now() + timeoutMs;
    for (;;) {
      const s = await this.replicaStatus(key);
      if (!s) return true;
      if (relayApplied(s)) return true;
      if (!s.sqlRunning || this.now() >= deadline) return false;
      await this.sleep(this.pollMs);
    }
  }

  /** Blocks until the server applied `position` (MariaDB GTID list or Oracle GTID set). */
  async waitForGtid(key: InstanceKey, flavor: Flavor, position: string, timeoutMs: number): Promise<void> {
    if (position === '') return;
    const seconds = Math.max(0.001, timeoutMs / 1000);
    const sql =
      flavor === 'mariadb'
        ? 'SELECT MASTER_GTID_WAIT(?, ?) AS r'
        : 'SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?) AS r';
    const [row] = await this.db.query(key, sql, [position, seconds], timeoutMs + 5_000);
    if (num(row?.r) !== 0)
      throw new TimeoutError(`${keyOf(key)} did not apply GTID ${position} within ${timeoutMs} ms`);
  }

  /**
   * Blocks until the replica executed its master's binlog up to `at` (MASTER_POS_WAIT, for replicas
   * positioned by coordinates). Throws TimeoutError on timeout, StateChangedError when the replica's
   * SQL thread is not running or it has no master.
   */
  async waitForCoordinates(key: InstanceKey, at: BinlogPosition, timeoutMs: number): Promise<void> {
    const seconds = Math.max(0.001, timeoutMs / 1000);
    const [row] = await this.db.query(
      key,
      'SELECT MASTER_POS_WAIT(?, ?, ?) AS r',
      [at.LogFile, Math.trunc(at.LogPos), seconds],
      timeoutMs + 5_000,
    );
    const r = row?.r;
    if (r === null || r === undefined)
      throw new StateChangedError(
        `${keyOf(key)} is not replicating; cannot wait for ${at.LogFile}:${at.LogPos}`,
      );
    if (num(r) < 0)
      throw new TimeoutError(
        `${keyOf(key)} did not execute ${at.LogFile}:${at.LogPos} within ${timeoutMs} ms`,
      );
  }

  /** The position a server has applied: MariaDB gtid_current_pos, Oracle gtid_executed. */
  async gtidPosition(key: InstanceKey): Promise<{ flavor: Flavor; position: string }> {
    const s = await this.readState(key);
    return s.flavor === 'mariadb'
      ? { flavor: 'mariadb', position: s.mariadb?.currentPos ?? '' }
      : { flavor: 'oracle', position: s.oracle?.executed ?? '' };
  }

  /**
   * Credentials for CHANGE MASTER TO: MySQLReplicaUser/Password when configured; otherwise the
   * replica's own Master_User with its password kept as is (omitted from the statement), or, on
   * Oracle MySQL with master_info_repository=TABLE, read from mysql.slave_master_info. MariaDB
   * cannot show a stored password, so a server with no replication configured needs the config keys.
   */
  async replicationCredentials(from: InstanceKey): Promise<ReplicationCredentials | null> {
    if (this.opts.replicaUser)
      return { user: this.opts.replicaUser, password: this.opts.replicaPassword ?? '' };
    const status = await this.replicaStatus(from);
    const state = await this.readState(from);
    if (state.flavor === 'oracle') {
      try {
        const [row] = await this.db.query(
          from,
          'SELECT User_name AS u, User_password AS p FROM mysql.slave_master_info',
        );
        if (row && str(row.u) !== '') return { user: str(row.u), password: str(row.p) };
      } catch {
        // FILE repository or no SELECT on mysql.*: fall through to Master_User only.
      }
    }
    return status?.masterUser ? { user: status.masterUser } : null;
  }

  /**
   * Points `key` at `master` with GTID auto-positioning (MariaDB MASTER_USE_GTID=slave_pos, Oracle
   * MASTER_AUTO_POSITION=1). Replication must be stopped first; it is re-read to make sure.
   * Credentials: omitted → the replica keeps its current ones.
   */
  async changeMasterTo(
    key: InstanceKey,
    master: InstanceKey,
    creds?: ReplicationCredentials | null,
  ): Promise<void> {
    await this.changeMaster(key, master, creds, `change master to ${keyOf(master)}`, (flavor) => [
      flavor === 'mariadb' ? 'MASTER_USE_GTID=slave_pos' : 'MASTER_AUTO_POSITION=1',
    ]);
  }

  /** CHANGE MASTER TO with host, port, optional credentials and the given positioning clauses. */
  private async changeMaster(
    key: InstanceKey,
    master: InstanceKey,
    creds: ReplicationCredentials | null | undefined,
    step: string,
    positioning: (flavor: Flavor) => string[],
  ): Promise<void> {
    const state = await this.readState(key);
    if (state.replica && (state.replica.ioRunning || state.replica.sqlRunning))
      throw new StateChangedError(`${keyOf(key)} is replicating; stop replication before CHANGE MASTER TO`);
    const parts = [`MASTER_HOST=${quoteString(master.Hostname)}`, `MASTER_PORT=${Number(master.Port)}`];
    if (creds?.user) parts.push(`MASTER_USER=${quoteString(creds.user)}`);
    if (creds?.password !== undefined && creds?.user)
      parts.push(`MASTER_PASSWORD=${quoteString(creds.password)}`);
    parts.push(...positioning(state.flavor));
    if (!state.replica) parts.push('MASTER_CONNECT_RETRY=1');
    await this.change(key, step, `CHANGE MASTER TO ${parts.join(', ')}`);
  }

  /** Stops replication (if any) and forgets the master: RESET SLAVE ALL. */
  async resetReplicaAll(key: InstanceKey): Promise<void> {
    const status = await this.replicaStatus(key);
    if (status && (status.ioRunning || status.sqlRunning))
      await this.change(key, 'stop replication', 'STOP SLAVE');
    await this.change(key, 'reset slave all', 'RESET SLAVE ALL');
  }

  /** read_only (and super_read_only on Oracle MySQL ≥ 5.7 when turning it on). */
  async setReadOnly(key: InstanceKey, readOnly: boolean, timeoutMs?: number): Promise<void> {
    const state = await this.readState(key);
    if (!readOnly) {
      // Turning read_only off also turns super_read_only off on Oracle MySQL.
      await this.change(key, 'set read_only=0', 'SET GLOBAL read_only = 0', timeoutMs);
      return;
    }
    await this.change(key, 'set read_only=1', 'SET GLOBAL read_only = 1', timeoutMs);
    if (state.flavor === 'oracle') {
      try {
        await this.change(key, 'set super_read_only=1', 'SET GLOBAL super_read_only = 1', timeoutMs);
      } catch (error) {
        if (!/Unknown system variable/i.test(String(error))) throw error;
      }
    }
  }

  /**
   * read_only=1 (and super_read_only on Oracle MySQL) on a server recovery gave up on, such as the
   * old master after a failover. Sent only on a connection that has just completed its handshake:
   * a hung server never receives a statement it would run when it wakes up, long after the
   * recovery. One attempt, bounded by timeoutMs.
   */
  async fenceReadOnly(key: InstanceKey, timeoutMs: number): Promise<void> {
    this.guard(`set read_only=1 on ${keyOf(key)}`);
    const started = this.now();
    const [version] = await this.db.queryOnNewConnection(
      key,
      ['SELECT @@version AS version', 'SET GLOBAL read_only = 1'],
      timeoutMs,
    );
    if (/mariadb/i.test(str(version?.[0]?.version))) return;
    const left = Math.max(1, timeoutMs - (this.now() - started));
    try {
      await this.db.queryOnNewConnection(key, ['SET GLOBAL super_read_only = 1'], left);
    } catch (error) {
      if (!/Unknown system variable/i.test(String(error))) throw error;
    }
  }

  /** Detaches a replica without losing its position: MASTER_HOST prefixed with '//' (orchestrator's trick). */
  async detachReplica(key: InstanceKey): Promise<void> {
    const status = await this.replicaStatus(key);
    if (!status) return;
    if (status.masterKey.Hostname.startsWith('//')) return;
    if (status.ioRunning || status.sqlRunning) await this.change(key, 'stop replication', 'STOP SLAVE');
    await this.change(
      key,
      'detach replica',
      `CHANGE MASTER TO MASTER_HOST=${quoteString(`//${status.masterKey.Hostname}`)}`,
    );
  }

  /**
   * MariaDB: makes a server that was a master replicate from where its own binlog ends
   * (gtid_slave_pos := gtid_current_pos), so MASTER_USE_GTID=slave_pos neither replays nor skips.
   * A no-op on Oracle MySQL, whose auto-positioning uses gtid_executed.
   */
  async alignGtidSlavePos(key: InstanceKey): Promise<void> {
    const state = await this.readState(key);
    if (state.flavor !== 'mariadb') return;
    if (state.replica && (state.replica.ioRunning || state.replica.sqlRunning))
      throw new StateChangedError(`${keyOf(key)} is replicating; cannot align gtid_slave_pos`);
    await this.change(key, 'align gtid_slave_pos', 'SET GLOBAL gtid_slave_pos = @@gtid_current_pos');
  }

  /** The server's own binlog position (SHOW MASTER STATUS); null without binary logs. */
  async binlogCoordinates(key: InstanceKey): Promise<BinlogPosition | null> {
    const [row] = await this.db.query(key, 'SHOW MASTER STATUS');
    if (!row || str(row.File) === '') return null;
    return { LogFile: str(row.File), LogPos: num(row.Position) };
  }

  /**
   * Starts the SQL thread (and the IO thread, unless `sqlThreadOnly`: then only the relay log
   * already received is applied) until it executed the master's `until` coordinates, then waits
   * (bounded by timeoutMs) for it to stop there. Replication must be stopped first.
   */
  async startReplicationUntil(
    key: InstanceKey,
    until: BinlogPosition,
    timeoutMs: number,
    opts: { sqlThreadOnly?: boolean } = {},
  ): Promise<void> {
    const status = await this.replicaStatus(key);
    if (!status) throw new StateChangedError(`${keyOf(key)} has no master configured; cannot start until`);
    if (status.ioRunning || status.sqlRunning)
      throw new StateChangedError(`${keyOf(key)} is replicating; stop replication before START SLAVE UNTIL`);
    await this.change(
      key,
      `start replication until ${until.LogFile}:${until.LogPos}`,
      `START SLAVE${opts.sqlThreadOnly ? ' SQL_THREAD' : ''} UNTIL MASTER_LOG_FILE=${quoteString(until.LogFile)}, MASTER_LOG_POS=${Math.trunc(until.LogPos)}`,
    );
    const deadline = this.now() + timeoutMs;
    for (;;) {
      const s = await this.replicaStatus(key);
      if (!s) throw new StateChangedError(`${keyOf(key)} lost its master while starting until`);
      const reached = compareBinlogPositions(s.execCoordinates, until) >= 0;
      if (reached && !s.sqlRunning) break;
      if (!s.sqlRunning && !reached)
        throw new StateChangedError(
          `${keyOf(key)} stopped at ${s.execCoordinates.LogFile}:${s.execCoordinates.LogPos} before ${until.LogFile}:${until.LogPos}${s.lastSQLError ? `: ${s.lastSQLError}` : ''}`,
        );
      if (this.now() >= deadline)
        throw new TimeoutError(
          `${keyOf(key)} did not reach ${until.LogFile}:${until.LogPos} within ${timeoutMs} ms`,
        );
      await this.sleep(this.pollMs);
    }
    // The IO thread keeps running after the SQL thread stops at the UNTIL position.
    await this.change(key, 'stop replication', 'STOP SLAVE');
  }

  /**
   * Points `key` at `master` at explicit binlog coordinates, without GTID (MariaDB
   * MASTER_USE_GTID=no, Oracle MASTER_AUTO_POSITION=0). Replication must be stopped first.
   */
  async changeMasterToCoordinates(
    key: InstanceKey,
    master: InstanceKey,
    at: BinlogPosition,
    creds?: ReplicationCredentials | null,
  ): Promise<void> {
    await this.changeMaster(
      key,
      master,
      creds,
      `change master to ${keyOf(master)} at ${at.LogFile}:${at.LogPos}`,
      (flavor) => [
        `MASTER_LOG_FILE=${quoteString(at.LogFile)}`,
        `MASTER_LOG_POS=${Math.trunc(at.LogPos)}`,
        flavor === 'mariadb' ? 'MASTER_USE_GTID=no' : 'MASTER_AUTO_POSITION=0',
      ],
    );
  }

  /**
   * Semi-sync as the server runs it (`rpl_semi_sync_*` variables and status); null when the server
   * has no semi-sync (no variables). MariaDB has no wait count variable: it always waits for one ack.
   */
  async semiSyncState(key: InstanceKey): Promise<SemiSyncState | null> {
    const [vars, status] = await Promise.all([
      this.db.query(key, "SHOW GLOBAL VARIABLES LIKE 'rpl_semi_sync%'"),
      this.db.query(key, "SHOW GLOBAL STATUS LIKE 'rpl_semi_sync%'"),
    ]);
    const v = new Map(vars.map((r) => [str(r.Variable_name).toLowerCase(), str(r.Value)]));
    const st = new Map(status.map((r) => [str(r.Variable_name).toLowerCase(), str(r.Value)]));
    if (!v.has('rpl_semi_sync_master_enabled') && !v.has('rpl_semi_sync_slave_enabled')) return null;
    const on = (x: string | undefined) => x !== undefined && /^(ON|1)$/i.test(x);
    const wait = v.get('rpl_semi_sync_master_wait_for_slave_count');
    return {
      masterEnabled: on(v.get('rpl_semi_sync_master_enabled')),
      replicaEnabled: on(v.get('rpl_semi_sync_slave_enabled')),
      masterStatus: on(st.get('rpl_semi_sync_master_status')),
      masterClients: num(st.get('rpl_semi_sync_master_clients')),
      waitForReplicaCount: wait === undefined ? 1 : num(wait),
      masterWaitSessions: num(st.get('rpl_semi_sync_master_wait_sessions')),
      replicaStatus: on(st.get('rpl_semi_sync_slave_status')),
    };
  }

  /**
   * Sets `rpl_semi_sync_master_enabled` or `rpl_semi_sync_slave_enabled`; a replica's setting takes
   * effect when its IO thread reconnects, so a running IO thread is restarted. Returns whether the
   * value changed. Throws StateChangedError when the server has no semi-sync.
   */
  async setSemiSync(key: InstanceKey, side: 'master' | 'replica', enable: boolean): Promise<boolean> {
    const variable = side === 'master' ? 'rpl_semi_sync_master_enabled' : 'rpl_semi_sync_slave_enabled';
    const [row] = await this.db.query(key, 'SHOW GLOBAL VARIABLES LIKE ?', [variable]);
    if (!row) throw new StateChangedError(`${keyOf(key)} has no semi-sync (${variable} does not exist)`);
    if (/^(ON|1)$/i.test(str(row.Value)) === enable) return false;
    await this.change(key, `set ${variable}=${enable ? 1 : 0}`, `SET GLOBAL ${variable} = ${enable ? 1 : 0}`);
    if (side === 'replica' && (await this.replicaStatus(key))?.ioRunning) {
      await this.change(key, 'stop IO thread', 'STOP SLAVE IO_THREAD');
      await this.change(key, 'start IO thread', 'START SLAVE IO_THREAD');
    }
    return true;
  }

  /**
   * Writes a Pseudo-GTID marker into the server's binlog: the reference's
   * `drop view if exists \`_pseudo_gtid_\`.\`_asc:<hint>\`` (needs DROP on `_pseudo_gtid_.*`). A
   * statement that changes nothing, replicated everywhere.
   */
  async injectPseudoGtid(key: InstanceKey, hint: string, timeoutMs?: number): Promise<void> {
    if (!/^[0-9A-Za-z:._-]+$/.test(hint))
      throw new RecoveryError('INVALID_ARGUMENT', `invalid Pseudo-GTID hint ${JSON.stringify(hint)}`);
    // Lower case, as the reference writes it: AutoPseudoGTID's pattern is this fixed substring.
    await this.change(
      key,
      'inject Pseudo-GTID',
      `drop view if exists \`_pseudo_gtid_\`.\`_asc:${hint}\``,
      timeoutMs,
    );
  }

  /** Runs one replicated statement that changes nothing (FLUSH HOSTS), bounded by timeoutMs. */
  async writeNoopToBinlog(key: InstanceKey, timeoutMs?: number): Promise<void> {
    await this.change(key, 'write a no-op to the binlog', 'FLUSH HOSTS', timeoutMs);
  }

  /** Kills a connection/query by process id. */
  async kill(key: InstanceKey, processId: number): Promise<void> {
    await this.change(key, `kill ${processId}`, `KILL ${Math.trunc(processId)}`);
  }
}

/**
 * The SQL thread executed everything the IO thread read: the coordinates agree, as the reference
 * checks. Not the state text: with parallel replication the SQL driver thread "has read all relay
 * log" while its workers still wait (on a lock, say) to apply it.
 */
function relayApplied(s: ReplicaStatus): boolean {
  return (
    s.readCoordinates.LogFile === s.execCoordinates.LogFile &&
    s.readCoordinates.LogPos === s.execCoordinates.LogPos
  );
}

/** Projects a live read onto the instance fields recovery uses, on top of the backend's view. */
export function liveView(state: LiveState, base?: Partial<InstanceView> | null): InstanceView {
  const r = state.replica;
  const lag = r?.secondsBehindMaster;
  return {
    ClusterName: '',
    SuggestedClusterAlias: '',
    DataCenter: '',
    Region: '',
    PhysicalEnvironment: '',
    IsCoMaster: false,
    IsDowntimed: false,
    PromotionRule: 'neutral',
    GtidErrant: '',
    SelfBinlogCoordinates: { LogFile: '', LogPos: 0, Type: 'BinaryLog' },
    ...base,
    Key: state.key,
    MasterKey: r?.masterKey ?? { Hostname: '', Port: 0 },
    ServerID: state.serverId,
    ServerUUID: state.serverUuid,
    Version: state.version,
    ReadOnly: state.readOnly,
    Binlog_format: state.binlogFormat,
    LogBinEnabled: state.logBin,
    LogReplicationUpdatesEnabled: state.logSlaveUpdates,
    ReadBinlogCoordinates: { ...(r?.readCoordinates ?? { LogFile: '', LogPos: 0 }), Type: 'BinaryLog' },
    ExecBinlogCoordinates: { ...(r?.execCoordinates ?? { LogFile: '', LogPos: 0 }), Type: 'BinaryLog' },
    ReplicationSQLThreadRuning: r?.sqlRunning ?? false,
    ReplicationIOThreadRuning: r?.ioRunning ?? false,
    UsingOracleGTID: r?.autoPosition ?? false,
    UsingMariaDBGTID: r?.usingMariaDBGtid ?? false,
    SupportsOracleGTID: state.oracle !== null && state.oracle.gtidMode !== 'OFF',
    ExecutedGtidSet: state.oracle?.executed ?? '',
    MariaDBGtidSlavePos: state.mariadb?.slavePos ?? '',
    MariaDBGtidCurrentPos: state.mariadb?.currentPos ?? '',
    MariaDBGtidBinlogPos: state.mariadb?.binlogPos ?? '',
    SecondsBehindMaster: { Int64: lag ?? 0, Valid: lag !== null && lag !== undefined },
    ReplicationLagSeconds: base?.ReplicationLagSeconds ?? {
      Int64: lag ?? 0,
      Valid: lag !== null && lag !== undefined,
    },
    SQLDelay: r?.sqlDelay ?? 0,
    IsLastCheckValid: true,
  };
}
