// MariaDB replication topologies for tests: a master with GTID replicas, or a chain
// master → intermediate master → replicas. Every server is its own `mariadbd` process.
import {
  MariaDBKitError,
  type MariaDBServer,
  REPLICATION_PASSWORD,
  REPLICATION_USER,
  startMariaDB,
} from './mariadb.js';

export interface TopologyOptions {
  /** Replicas directly under the master (default 2). */
  readonly replicas?: number;
  /** Adds an intermediate master under the master, with this many replicas of its own. */
  readonly chain?: { readonly intermediateReplicas: number };
  /** Extra mariadbd arguments for every server. */
  readonly args?: readonly string[];
}

export class Topology {
  constructor(
    private readonly servers: ReadonlyMap<number, MariaDBServer>,
    /** The master's port. */
    readonly master: number,
    /** Ports of the master's direct replicas (not counting the intermediate master). */
    readonly replicas: readonly number[],
    /** The intermediate master's port, for chains. */
    readonly intermediate: number | undefined,
    /** Ports of the intermediate master's replicas. */
    readonly intermediateReplicas: readonly number[],
  ) {}

  /** Every server's port: master first. */
  get ports(): number[] {
    return [...this.servers.keys()];
  }

  server(port: number): MariaDBServer {
    const s = this.servers.get(port);
    if (!s) throw new MariaDBKitError(`no server on port ${port} in this topology`);
    return s;
  }

  pid(port: number): number {
    return this.server(port).pid;
  }

  query<T = Record<string, unknown>>(port: number, sql: string, params: unknown[] = []): Promise<T[]> {
    return this.server(port).query<T>(sql, params);
  }

  kill9(port: number): Promise<void> {
    return this.server(port).kill9();
  }

  stop(port: number): Promise<void> {
    return this.server(port).stop();
  }

  /** SIGSTOP of one server, resolved once the kernel reports it stopped. */
  hang(port: number): Promise<void> {
    return this.server(port).hang();
  }

  /** SIGCONT after hang(). */
  resume(port: number): Promise<void> {
    return this.server(port).resume();
  }

  restart(port: number): Promise<void> {
    return this.server(port).restart();
  }

  /** Waits until every running replica has applied the master's current GTID position. */
  async waitForReplication(timeoutMs = 10_000): Promise<void> {
    const [row] = await this.query<{ pos: string }>(this.master, 'SELECT @@gtid_binlog_pos AS pos');
    const position = row?.pos ?? '';
    const replicas = [
      ...this.replicas,
      ...(this.intermediate ? [this.intermediate] : []),
      ...this.intermediateReplicas,
    ];
    await Promise.all(
      replicas
        .filter((port) => this.server(port).running)
        .map(async (port) => {
          const [r] = await this.query<{ ok: number | null }>(port, 'SELECT MASTER_GTID_WAIT(?, ?) AS ok', [
            position,
            timeoutMs / 1000,
          ]);
          if (r?.ok !== 0)
            throw new MariaDBKitError(`replica ${port} did not reach GTID ${position} in ${timeoutMs} ms`);
        }),
    );
  }

  /** Kills every server and removes every datadir. */
  async destroy(): Promise<void> {
    await Promise.all([...this.servers.values()].map((s) => s.destroy()));
  }
}

/** Points `replica` at `masterPort` with MariaDB GTID (slave_pos), starts it and makes it read-only. */
export async function replicateFrom(replica: MariaDBServer, masterPort: number): Promise<void> {
  await replica.query(
    `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${Number(masterPort)},
       MASTER_USER='${REPLICATION_USER}', MASTER_PASSWORD='${REPLICATION_PASSWORD}',
       MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1, MASTER_HEARTBEAT_PERIOD=1`,
  );
  await replica.query('START SLAVE');
  await replica.query('SET GLOBAL read_only = 1');
}

export async function startMariaDBTopology(options: TopologyOptions = {}): Promise<Topology> {
  const replicaCount = options.replicas ?? 2;
  const chainCount = options.chain?.intermediateReplicas;
  const total = 1 + replicaCount + (chainCount === undefined ? 0 : 1 + chainCount);
  const args = options.args ?? [];
  const started = await Promise.allSettled(Array.from({ length: total }, () => startMariaDB({ args })));
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
      [...replicas, ...(intermediate ? [intermediate] : [])].map((r) => replicateFrom(r, master.port)),
    );
    if (intermediate) await Promise.all(intermediateReplicas.map((r) => replicateFrom(r, intermediate.port)));
  } catch (error) {
    await Promise.all(servers.map((s) => s.destroy()));
    throw error;
  }
  const topology = new Topology(
    new Map(servers.map((s) => [s.port, s])),
    master.port,
    replicas.map((r) => r.port),
    intermediate?.port,
    intermediateReplicas.map((r) => r.port),
  );
  await topology.waitForReplication();
  return topology;
}
