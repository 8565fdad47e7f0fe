// MariaDB replication topologies for tests: a master with GTID (or binlog file:pos) replicas, or a
// chain master → intermediate master → replicas, optionally with semi-sync or an active/passive
// co-master. Every server is its own `mariadbd` process, on 127.0.0.1 (servers named by port) or
// each in its own NetLab host (servers named by host name).
import {
  MariaDBKitError,
  type MariaDBServer,
  REPLICATION_PASSWORD,
  REPLICATION_USER,
  SERVER_DEFAULT,
  startMariaDB,
} from './mariadb.js';
import type { NetHost } from './netlab.js';

/** How fast replicas notice a silent master. Either setting may be SERVER_DEFAULT. */
export interface ReplicationTiming {
  /** `--slave-net-timeout` in seconds (default 4); SERVER_DEFAULT: no flag (the server's 60). */
  readonly slaveNetTimeout?: number | typeof SERVER_DEFAULT;
  /**
   * MASTER_HEARTBEAT_PERIOD in seconds (default 1); SERVER_DEFAULT: no clause (the server then uses
   * half of slave_net_timeout).
   */
  readonly heartbeatPeriod?: number | typeof SERVER_DEFAULT;
}

/** The kit's default timing: slave_net_timeout 4 s, heartbeat every second. */
export const DEFAULT_REPLICATION_TIMING = { slaveNetTimeout: 4, heartbeatPeriod: 1 } as const;
/** The servers' own defaults (no slave_net_timeout flag, no heartbeat clause), for benchmarks. */
export const SERVER_DEFAULT_TIMING: ReplicationTiming = {
  slaveNetTimeout: SERVER_DEFAULT,
  heartbeatPeriod: SERVER_DEFAULT,
};

/**
 * How replicas position themselves (CHANGE MASTER TO … MASTER_USE_GTID=): MariaDB GTID `slave_pos`
 * (the kit's default), `current_pos`, or `no` for binlog file:pos replication.
 */
export type MasterUseGtid = 'slave_pos' | 'current_pos' | 'no';

/** MariaDB's built-in semi-synchronous replication (server options, set at start). */
export interface SemiSyncOptions {
  /** `rpl_semi_sync_master_enabled` on the master (default true). */
  readonly master?: boolean;
  /**
   * How many of the master's direct replicas acknowledge (`rpl_semi_sync_slave_enabled`), the first
   * ones in `replicas` order (default: all of them). Other servers are asynchronous.
   */
  readonly replicas?: number;
  /** `rpl_semi_sync_master_timeout` in milliseconds (default: the server's, 10000). */
  readonly timeoutMs?: number;
}

export interface TopologyOptions {
  /** Replicas directly under the master (default 2). */
  readonly replicas?: number;
  /** Adds an intermediate master under the master, with this many replicas of its own. */
  readonly chain?: { readonly intermediateReplicas: number };
  /** Extra mariadbd arguments for every server. */
  readonly args?: readonly string[];
  /** slave_net_timeout and MASTER_HEARTBEAT_PERIOD (default DEFAULT_REPLICATION_TIMING). */
  readonly timing?: ReplicationTiming;
  /** MASTER_USE_GTID of every replica (default `slave_pos`; `no`: binlog file:pos replication). */
  readonly masterUseGtid?: MasterUseGtid;
  /** Semi-sync replication (default: none). */
  readonly semiSync?: SemiSyncOptions;
  /**
   * Active/passive co-masters: the master also replicates from its first replica (which stays
   * read-only, the master writable), from where that replica's binlog ends. Needs `replicas` ≥ 1.
   */
  readonly coMaster?: boolean;
}

/** Options of `replicateFrom`. */
export interface ReplicateOptions {
  /** MASTER_USE_GTID (default `slave_pos`); `no` starts at `at`, or the master's first binlog. */
  readonly masterUseGtid?: MasterUseGtid;
  /** Binlog coordinates to start at (only with `masterUseGtid: 'no'`). */
  readonly at?: { readonly file: string; readonly pos: number };
  /** Set `read_only=1` on the replica (default true). */
  readonly readOnly?: boolean;
}

export interface LabTopologyOptions extends TopologyOptions {
  /**
   * One NetLab host per server, in order: master, replicas, intermediate master, its replicas. Each
   * server listens on its host's IP, port 3306; the topology names servers by host name.
   */
  readonly labHosts: readonly NetHost[];
}

/** Servers keyed by port (`Topology`, on 127.0.0.1) or by lab host name (`Topology<string>`). */
export class Topology<K extends number | string = number> {
  constructor(
    private readonly servers: ReadonlyMap<K, MariaDBServer>,
    /** The master's key. */
    readonly master: K,
    /** Keys of the master's direct replicas (not counting the intermediate master). */
    readonly replicas: readonly K[],
    /** The intermediate master's key, for chains. */
    readonly intermediate: K | undefined,
    /** Keys of the intermediate master's replicas. */
    readonly intermediateReplicas: readonly K[],
    /** The replication timing the replicas were set up with. */
    readonly timing: ReplicationTiming = DEFAULT_REPLICATION_TIMING,
    /** How the replicas were pointed at their masters (MASTER_USE_GTID). */
    readonly masterUseGtid: MasterUseGtid = 'slave_pos',
    /** The master's co-master (its first replica, which it also replicates from), if any. */
    readonly coMaster: K | undefined = undefined,
  ) {}

  /** Every server's key, master first: ports, or host names in a lab. */
  get keys(): K[] {
    return [...this.servers.keys()];
  }

  /** Every server's key, master first (the name from when keys were always ports). */
  get ports(): K[] {
    return this.keys;
  }

  server(key: K): MariaDBServer {
    const s = this.servers.get(key);
    if (!s) throw new MariaDBKitError(`no server ${key} in this topology`);
    return s;
  }

  pid(key: K): number {
    return this.server(key).pid;
  }

  query<T = Record<string, unknown>>(key: K, sql: string, params: unknown[] = []): Promise<T[]> {
    return this.server(key).query<T>(sql, params);
  }

  kill9(key: K): Promise<void> {
    return this.server(key).kill9();
  }

  stop(key: K): Promise<void> {
    return this.server(key).stop();
  }

  /** SIGSTOP of one server, resolved once the kernel reports it stopped. */
  hang(key: K): Promise<void> {
    return this.server(key).hang();
  }

  /** SIGCONT after hang(). */
  resume(key: K): Promise<void> {
    return this.server(key).resume();
  }

  restart(key: K): Promise<void> {
    return this.server(key).restart();
  }

  /**
   * Points `replica` at `master` with this topology's timing and MASTER_USE_GTID (file:pos
   * topologies start where `master`'s binlog ends now, unless `opts.at` says otherwise).
   */
  async replicateFrom(
    replica: K,
    master: K,
    opts: Omit<ReplicateOptions, 'masterUseGtid'> = {},
  ): Promise<void> {
    const masterUseGtid = this.masterUseGtid;
    const at = opts.at ?? (masterUseGtid === 'no' ? await binlogEnd(this.server(master)) : undefined);
    await replicateFrom(this.server(replica), this.server(master), this.timing, {
      ...opts,
      masterUseGtid,
      at,
    });
  }

  /** Waits until every running replica has applied the master's current GTID position. */
  async waitForReplication(timeoutMs = 10_000): Promise<void> {
    const [row] = await this.query<{ pos: string }>(this.master, 'SELECT @@gtid_binlog_pos AS pos');
    const position = row?.pos ?? '';
    const replicas = [
      ...this.replicas,
      ...(this.intermediate !== undefined ? [this.intermediate] : []),
      ...this.intermediateReplicas,
    ];
    await Promise.all(
      replicas
        .filter((key) => this.server(key).running)
        .map(async (key) => {
          const [r] = await this.query<{ ok: number | null }>(key, 'SELECT MASTER_GTID_WAIT(?, ?) AS ok', [
            position,
            timeoutMs / 1000,
          ]);
          if (r?.ok !== 0)
            throw new MariaDBKitError(`replica ${key} did not reach GTID ${position} in ${timeoutMs} ms`);
        }),
    );
  }

  /** Kills every server and removes every datadir. */
  async destroy(): Promise<void> {
    await Promise.all([...this.servers.values()].map((s) => s.destroy()));
  }
}

/** Waits until a server's IO thread is connected (Slave_IO_Running = Yes). */
async function connected(server: MariaDBServer, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [s] = await server.query<{ Slave_IO_Running: string; Last_IO_Error: string }>('SHOW SLAVE STATUS');
    if (s?.Slave_IO_Running === 'Yes') return;
    if (Date.now() > deadline)
      throw new MariaDBKitError(
        `${server.address} did not connect to its master in ${timeoutMs} ms: ${s?.Slave_IO_Running ?? 'no replication'} ${s?.Last_IO_Error ?? ''}`,
      );
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Where a server's binlog ends now (SHOW MASTER STATUS). */
async function binlogEnd(server: MariaDBServer): Promise<{ file: string; pos: number }> {
  const [row] = await server.query<{ File: string; Position: number }>('SHOW MASTER STATUS');
  if (!row) throw new MariaDBKitError(`${server.address} has no binary log`);
  return { file: row.File, pos: Number(row.Position) };
}

/**
 * Points `replica` at a master (a port on 127.0.0.1, or a server anywhere), starts it and makes it
 * read-only (unless `opts.readOnly` is false). Positioning: MariaDB GTID (`slave_pos` by default),
 * or binlog file:pos (`masterUseGtid: 'no'`, at `opts.at` or the master's first binlog). The
 * heartbeat period comes from `timing`.
 */
export async function replicateFrom(
  replica: MariaDBServer,
  master: number | MariaDBServer,
  timing: ReplicationTiming = DEFAULT_REPLICATION_TIMING,
  opts: ReplicateOptions = {},
): Promise<void> {
  const [host, port] = typeof master === 'number' ? ['127.0.0.1', master] : [master.host, master.port];
  const heartbeat = timing.heartbeatPeriod ?? DEFAULT_REPLICATION_TIMING.heartbeatPeriod;
  const heartbeatClause =
    heartbeat === SERVER_DEFAULT ? '' : `, MASTER_HEARTBEAT_PERIOD=${Number(heartbeat)}`;
  const useGtid = opts.masterUseGtid ?? 'slave_pos';
  if (!['slave_pos', 'current_pos', 'no'].includes(useGtid))
    throw new MariaDBKitError(`masterUseGtid must be slave_pos, current_pos or no, got ${String(useGtid)}`);
  if (opts.at && useGtid !== 'no')
    throw new MariaDBKitError('replicateFrom: `at` coordinates need masterUseGtid: no');
  const params: unknown[] = [host];
  let position = '';
  if (opts.at) {
    position = `, MASTER_LOG_FILE=?, MASTER_LOG_POS=${Math.trunc(Number(opts.at.pos))}`;
    params.push(opts.at.file);
  }
  await replica.query(
    `CHANGE MASTER TO MASTER_HOST=?, MASTER_PORT=${Number(port)},
       MASTER_USER='${REPLICATION_USER}', MASTER_PASSWORD='${REPLICATION_PASSWORD}',
       MASTER_USE_GTID=${useGtid}${position}, MASTER_CONNECT_RETRY=1${heartbeatClause}`,
    params,
  );
  await replica.query('START SLAVE');
  if (opts.readOnly !== false) await replica.query('SET GLOBAL read_only = 1');
}

/** Server options of each server of a topology (master, replicas, the rest) for `semiSync`. */
function semiSyncArgs(semiSync: SemiSyncOptions | undefined, index: number, replicaCount: number): string[] {
  if (!semiSync) return [];
  if (index === 0) {
    if (semiSync.master === false) return [];
    const timeout = semiSync.timeoutMs;
    if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 0))
      throw new MariaDBKitError(`semiSync.timeoutMs must be a non-negative integer, got ${timeout}`);
    return [
      '--rpl-semi-sync-master-enabled=ON',
      ...(timeout === undefined ? [] : [`--rpl-semi-sync-master-timeout=${timeout}`]),
    ];
  }
  const acking = semiSync.replicas ?? replicaCount;
  return index <= Math.min(acking, replicaCount) ? ['--rpl-semi-sync-slave-enabled=ON'] : [];
}

/** A topology on 127.0.0.1, servers keyed by port. */
export function startMariaDBTopology(options?: TopologyOptions): Promise<Topology>;
/** A topology with each server in its own NetLab host, servers keyed by host name. */
export function startMariaDBTopology(options: LabTopologyOptions): Promise<Topology<string>>;
export async function startMariaDBTopology(
  options: TopologyOptions & { readonly labHosts?: readonly NetHost[] } = {},
): Promise<Topology<number | string>> {
  const replicaCount = options.replicas ?? 2;
  const chainCount = options.chain?.intermediateReplicas;
  const total = 1 + replicaCount + (chainCount === undefined ? 0 : 1 + chainCount);
  const labHosts = options.labHosts;
  if (labHosts && labHosts.length !== total)
    throw new MariaDBKitError(
      `this topology has ${total} servers but ${labHosts.length} lab hosts were given`,
    );
  if (options.coMaster && replicaCount < 1)
    throw new MariaDBKitError('coMaster needs at least one replica (the passive co-master)');
  const args = options.args ?? [];
  const timing = { ...DEFAULT_REPLICATION_TIMING, ...options.timing };
  const masterUseGtid = options.masterUseGtid ?? 'slave_pos';
  const serverArgs = Array.from({ length: total }, (_, i) => [
    ...args,
    ...semiSyncArgs(options.semiSync, i, replicaCount),
  ]);
  const started = await Promise.allSettled(
    Array.from({ length: total }, (_, i) =>
      startMariaDB({ args: serverArgs[i], labHost: labHosts?.[i], slaveNetTimeout: timing.slaveNetTimeout }),
    ),
  );
  const servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = started.find((r) => r.status === 'rejected');
  if (failure) {
    await Promise.all(servers.map((s) => s.destroy()));
    throw failure.reason;
  }
  const [master, ...rest] = servers as [MariaDBServer, ...MariaDBServer[]];
  const replicas = rest.slice(0, replicaCount);
  const intermediate = chainCount === undefined ? undefined : rest[replicaCount];
  const intermediateReplicas = chainCount === undefined ? [] : rest.slice(replicaCount + 1);
  const how = { masterUseGtid };
  try {
    await Promise.all(
      [...replicas, ...(intermediate ? [intermediate] : [])].map((r) =>
        replicateFrom(r, master, timing, how),
      ),
    );
    if (intermediate)
      await Promise.all(intermediateReplicas.map((r) => replicateFrom(r, intermediate, timing, how)));
  } catch (error) {
    await Promise.all(servers.map((s) => s.destroy()));
    throw error;
  }
  const key = (s: MariaDBServer): number | string => s.labHost?.name ?? s.port;
  const passive = options.coMaster ? replicas[0] : undefined;
  const topology = new Topology<number | string>(
    new Map(servers.map((s) => [key(s), s])),
    key(master),
    replicas.map(key),
    intermediate && key(intermediate),
    intermediateReplicas.map(key),
    timing,
    masterUseGtid,
    passive && key(passive),
  );
  try {
    await topology.waitForReplication();
    if (passive) {
      // The master replicates from where the passive co-master's binlog ends (everything before it
      // came from the master itself), and stays writable.
      const coMasterHow: ReplicateOptions =
        masterUseGtid === 'no'
          ? { masterUseGtid, at: await binlogEnd(passive), readOnly: false }
          : { masterUseGtid: 'current_pos', readOnly: false };
      await replicateFrom(master, passive, timing, coMasterHow);
      await connected(master, 10_000);
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.destroy()));
    throw error;
  }
  return topology;
}
