// MariaDB replication topologies for tests: a master with GTID replicas, or a chain
// master → intermediate master → replicas. Every server is its own `mariadbd` process, on 127.0.0.1
// (servers named by port) or each in its own NetLab host (servers named by host name).
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

export interface TopologyOptions {
  /** Replicas directly under the master (default 2). */
  readonly replicas?: number;
  /** Adds an intermediate master under the master, with this many replicas of its own. */
  readonly chain?: { readonly intermediateReplicas: number };
  /** Extra mariadbd arguments for every server. */
  readonly args?: readonly string[];
  /** slave_net_timeout and MASTER_HEARTBEAT_PERIOD (default DEFAULT_REPLICATION_TIMING). */
  readonly timing?: ReplicationTiming;
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

  /** Points `replica` at `master` with MariaDB GTID and this topology's timing. */
  replicateFrom(replica: K, master: K): Promise<void> {
    return replicateFrom(this.server(replica), this.server(master), this.timing);
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

/**
 * Points `replica` at a master (a port on 127.0.0.1, or a server anywhere) with MariaDB GTID
 * (slave_pos), starts it and makes it read-only. The heartbeat period comes from `timing`.
 */
export async function replicateFrom(
  replica: MariaDBServer,
  master: number | MariaDBServer,
  timing: ReplicationTiming = DEFAULT_REPLICATION_TIMING,
): Promise<void> {
  const [host, port] = typeof master === 'number' ? ['127.0.0.1', master] : [master.host, master.port];
  const heartbeat = timing.heartbeatPeriod ?? DEFAULT_REPLICATION_TIMING.heartbeatPeriod;
  const heartbeatClause =
    heartbeat === SERVER_DEFAULT ? '' : `, MASTER_HEARTBEAT_PERIOD=${Number(heartbeat)}`;
  await replica.query(
    `CHANGE MASTER TO MASTER_HOST=?, MASTER_PORT=${Number(port)},
       MASTER_USER='${REPLICATION_USER}', MASTER_PASSWORD='${REPLICATION_PASSWORD}',
       MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1${heartbeatClause}`,
    [host],
  );
  await replica.query('START SLAVE');
  await replica.query('SET GLOBAL read_only = 1');
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
  const args = options.args ?? [];
  const timing = { ...DEFAULT_REPLICATION_TIMING, ...options.timing };
  const started = await Promise.allSettled(
    Array.from({ length: total }, (_, i) =>
      startMariaDB({ args, labHost: labHosts?.[i], slaveNetTimeout: timing.slaveNetTimeout }),
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
  try {
    await Promise.all(
      [...replicas, ...(intermediate ? [intermediate] : [])].map((r) => replicateFrom(r, master, timing)),
    );
    if (intermediate)
      await Promise.all(intermediateReplicas.map((r) => replicateFrom(r, intermediate, timing)));
  } catch (error) {
    await Promise.all(servers.map((s) => s.destroy()));
    throw error;
  }
  const key = (s: MariaDBServer): number | string => s.labHost?.name ?? s.port;
  const topology = new Topology<number | string>(
    new Map(servers.map((s) => [key(s), s])),
    key(master),
    replicas.map(key),
    intermediate && key(intermediate),
    intermediateReplicas.map(key),
    timing,
  );
  await topology.waitForReplication();
  return topology;
}
