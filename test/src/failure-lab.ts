// A production-like failure lab: every MariaDB server and every orchestrator node on a host of its
// own (a network namespace on a bridge, @orchestrator/testkit's NetLab), an application writing rows
// to the master throughout, and a watcher that notes how far each replica got. Faults are real: a
// hung process (SIGSTOP), a host whose packets vanish, partitions, flapping links. Afterwards the
// lab checks what a DBA would check: one writable master, every other replica replicating from it,
// no acknowledged row lost among those the replicas had received, and the old master untouched.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type MariaDBServer,
  makeTempDir,
  NetLab,
  REPLICATION_PASSWORD,
  REPLICATION_USER,
  type ReplicationTiming,
  removeTempDir,
  requireNetLab,
  startMariaDBTopology,
  TOPOLOGY_PASSWORD,
  TOPOLOGY_USER,
  type Topology,
} from '@orchestrator/testkit';
import { eventually, OrchestratorCluster, type OrchestratorNode } from './cluster.js';

export const DB_PORT = 3306;

export interface FailureLabOptions {
  /** Replicas under db1 (default 2): hosts db2, db3, … */
  readonly replicas?: number;
  readonly timing?: ReplicationTiming;
  /** Extra orchestrator config for every node. */
  readonly config?: Record<string, unknown>;
}

/** The orchestrator config a lab cluster runs with: the field report's timeouts, hooks that record their arguments. */
function orchestratorConfig(
  seed: string,
  hookDir: string,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const hook = (name: string) =>
    `echo "{failedHost}:{failedPort} {successorHost}:{successorPort} {command}" >> ${join(hookDir, name)}`;
  return {
    DiscoverySeeds: [seed],
    MySQLTopologyUser: TOPOLOGY_USER,
    MySQLTopologyPassword: TOPOLOGY_PASSWORD,
    MySQLReplicaUser: REPLICATION_USER,
    MySQLReplicaPassword: REPLICATION_PASSWORD,
    MySQLHostnameResolveMethod: 'none',
    InstancePollSeconds: 5,
    MySQLConnectTimeoutSeconds: 1,
    MySQLDiscoveryReadTimeoutSeconds: 3,
    MySQLTopologyReadTimeoutSeconds: 3,
    RecoveryWarmupSeconds: 1,
    RecoverMasterClusterFilters: ['*'],
    RecoverIntermediateMasterClusterFilters: ['*'],
    RecoveryPeriodBlockSeconds: 600,
    PreFailoverProcesses: [hook('pre-failover')],
    PostMasterFailoverProcesses: [hook('post-master-failover')],
    ...extra,
  };
}

export class FailureLab {
  readonly writer: AppWriter;
  readonly watcher: ReplicaWatcher;

  private constructor(
    readonly lab: NetLab,
    readonly topology: Topology<string>,
    readonly cluster: OrchestratorCluster,
    /** Where the hooks append their lines (files named after the hook). */
    readonly hookDir: string,
  ) {
    this.writer = new AppWriter(topology, () => this.topology.master);
    this.watcher = new ReplicaWatcher(this);
  }

  /** db1 (master), db2…, and orc1…orc3, each on its own host; the app table is created and replicated. */
  static async start(options: FailureLabOptions = {}): Promise<FailureLab> {
    requireNetLab();
    const replicas = options.replicas ?? 2;
    const dbs = Array.from({ length: replicas + 1 }, (_, i) => `db${i + 1}`);
    const orcs = ['orc1', 'orc2', 'orc3'];
    const lab = NetLab.create({ hosts: [...dbs, ...orcs] });
    const hookDir = makeTempDir('hooks');
    try {
      const topology = await startMariaDBTopology({
        replicas,
        labHosts: dbs.map((d) => lab.host(d)),
        ...(options.timing ? { timing: options.timing } : {}),
      });
      await topology.query(topology.master, 'CREATE TABLE test.app (id INT PRIMARY KEY, at BIGINT)');
      await topology.waitForReplication();
      const seed = `${lab.host('db1').ip}:${DB_PORT}`;
      const cluster = await OrchestratorCluster.start({
        hosts: orcs.map((o) => lab.host(o)),
        config: () => orchestratorConfig(seed, hookDir, options.config ?? {}),
      });
      const fl = new FailureLab(lab, topology, cluster, hookDir);
      const leader = await cluster.waitForLeader(20_000);
      await cluster.waitForFollowers();
      await eventually(
        `${replicas + 1} instances discovered`,
        async () => {
          const r = await leader.get<unknown[]>(`cluster/${seed}`);
          return Array.isArray(r.body) && r.body.length === replicas + 1 ? true : undefined;
        },
        30_000,
      );
      return fl;
    } catch (error) {
      lab.destroy();
      removeTempDir(hookDir);
      throw error;
    }
  }

  ipOf(host: string): string {
    return this.lab.host(host).ip;
  }

  /** The lab host name of an orchestrator node. */
  hostOf(node: OrchestratorNode): string {
    return `orc${node.index + 1}`;
  }

  async leader(): Promise<OrchestratorNode> {
    return this.cluster.waitForLeader(20_000);
  }

  /** The servers other than the old master (db1), by host name. */
  get survivors(): string[] {
    return this.topology.replicas.slice();
  }

  hookLines(name: string): string[] {
    try {
      return readFileSync(join(this.hookDir, name), 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  }

  async destroy(): Promise<void> {
    this.writer.stop();
    this.watcher.stop();
    this.lab.heal();
    await this.cluster.destroy();
    await this.topology.destroy();
    this.lab.destroy();
    removeTempDir(this.hookDir);
  }
}

/**
 * The application: inserts a row every 20 ms into the server `target()` names (a lab host), over
 * its own connection with short timeouts (a hung master must not hold it), and remembers which
 * server acknowledged every id.
 */
export class AppWriter {
  readonly acked = new Map<number, string>();
  private nextId = 1;
  private timer: NodeJS.Timeout | undefined;
  private conn: ReturnType<MariaDBServer['connect']> | undefined;
  private connTarget = '';
  private busy = false;

  constructor(
    private readonly topology: Topology<string>,
    private target: () => string,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.writeOne(), 20);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.drop();
  }

  /** Points the application at another master (as its service discovery would after a failover). */
  retarget(target: () => string): void {
    this.target = target;
  }

  /** Ids acknowledged by `host`. */
  ackedBy(host: string): number[] {
    return [...this.acked].filter(([, by]) => by === host).map(([id]) => id);
  }

  private drop(): void {
    void this.conn?.then((c) => c.destroy()).catch(() => undefined);
    this.conn = undefined;
  }

  private async writeOne(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const host = this.target();
    const id = this.nextId++;
    try {
      if (this.connTarget !== host || !this.conn) {
        this.drop();
        this.connTarget = host;
        this.conn = this.topology.server(host).connect({ connectTimeout: 1000 });
      }
      const c = await this.conn;
      await c.query({
        sql: 'INSERT INTO test.app (id, at) VALUES (?, ?)',
        values: [id, Date.now()],
        timeout: 1000,
      });
      this.acked.set(id, host);
    } catch {
      this.drop();
    } finally {
      this.busy = false;
    }
  }
}

/** Polls every replica's highest row every 50 ms: how far each got before a failover. */
export class ReplicaWatcher {
  readonly highest = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly fl: FailureLab) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), 50);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The highest id any replica was seen holding. */
  get maxSeen(): number {
    return Math.max(0, ...this.highest.values());
  }

  private async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await Promise.all(
        this.fl.topology.replicas.map(async (host) => {
          const [row] = await this.fl.topology
            .query<{ m: number | null }>(host, 'SELECT MAX(id) AS m FROM test.app')
            .catch(() => [undefined]);
          const m = Number(row?.m ?? 0);
          if (m > (this.highest.get(host) ?? 0)) this.highest.set(host, m);
        }),
      );
    } finally {
      this.busy = false;
    }
  }
}

/** What a DBA checks after a failover: returns every problem found (empty when all is well). */
export async function dbaChecks(fl: FailureLab, newMaster: string): Promise<string[]> {
  const problems: string[] = [];
  const t = fl.topology;
  const masterIp = fl.ipOf(newMaster);
  const [ro] = await t.query<{ ro: number }>(newMaster, 'SELECT @@read_only AS ro');
  if (Number(ro?.ro) !== 0) problems.push(`${newMaster} (new master) is read_only`);
  for (const host of fl.survivors.filter((h) => h !== newMaster)) {
    const [s] = await t.query<Record<string, unknown>>(host, 'SHOW SLAVE STATUS');
    if (s?.Master_Host !== masterIp || s?.Slave_IO_Running !== 'Yes' || s?.Slave_SQL_Running !== 'Yes') {
      problems.push(
        `${host} does not replicate from ${newMaster}: ${JSON.stringify({ host: s?.Master_Host, io: s?.Slave_IO_Running, sql: s?.Slave_SQL_Running, error: s?.Last_IO_Error || s?.Last_SQL_Error })}`,
      );
    }
    const [r] = await t.query<{ ro: number }>(host, 'SELECT @@read_only AS ro');
    if (Number(r?.ro) !== 1) problems.push(`${host} (replica) is writable`);
  }
  // Every row the old master acknowledged and any replica had received must be on the new master.
  const received = fl.watcher.maxSeen;
  const mustHave = fl.writer.ackedBy(t.master).filter((id) => id <= received);
  const present = new Set(
    (await t.query<{ id: number }>(newMaster, 'SELECT id FROM test.app')).map((r) => Number(r.id)),
  );
  const lost = mustHave.filter((id) => !present.has(id));
  if (lost.length > 0)
    problems.push(
      `acknowledged rows the replicas had received are lost: ${lost.slice(0, 20).join(',')}${lost.length > 20 ? '…' : ''}`,
    );
  return problems;
}

/** The old master after it comes back: no replication configured on it, read_only as it was, only the app's writes in its binlog. */
export async function oldMasterUntouched(
  fl: FailureLab,
  before: { readOnly: number; serverId: number },
): Promise<string[]> {
  const t = fl.topology;
  const old = t.master;
  const problems: string[] = [];
  const [ro] = await t.query<{ ro: number }>(old, 'SELECT @@read_only AS ro');
  if (Number(ro?.ro) !== before.readOnly) problems.push(`old master read_only changed to ${ro?.ro}`);
  const status = await t.query(old, 'SHOW SLAVE STATUS');
  if (status.length > 0) problems.push('replication was configured on the old master');
  // Every GTID in its binlog is its own (server id): nothing was replicated or injected into it.
  const [pos] = await t.query<{ p: string }>(old, 'SELECT @@gtid_binlog_pos AS p');
  for (const gtid of String(pos?.p ?? '')
    .split(',')
    .filter(Boolean)) {
    if (Number(gtid.split('-')[1]) !== before.serverId)
      problems.push(`foreign GTID ${gtid} on the old master`);
  }
  return problems;
}

export interface LabRecovery {
  UID: string;
  IsSuccessful: boolean;
  /** The recovery's anti-flapping period is on (not whether it is running: see RecoveryEndTimestamp). */
  IsActive: boolean;
  Acknowledged: boolean;
  RecoveryEndTimestamp: string;
  ProcessingNodeHostname: string;
  SuccessorKey: { Hostname: string; Port: number } | null;
  AnalysisEntry: { Analysis: string; AnalyzedInstanceKey: { Hostname: string; Port: number } };
  AllErrors: string[] | null;
}

/** Every recovery the cluster's leader reports (through any node), [] when none or unreachable. */
export async function recoveries(fl: FailureLab): Promise<LabRecovery[]> {
  for (const node of fl.cluster.nodes) {
    if (!node.process.running) continue;
    const r = await node.tryGet<LabRecovery[]>('audit-recovery');
    if (r?.status === 200 && Array.isArray(r.body)) return r.body;
  }
  return [];
}

/** Waits for a successful recovery of `host` (a lab host name); returns it and the successor's host name. */
export async function waitForRecovery(
  fl: FailureLab,
  host: string,
  timeoutMs = 60_000,
): Promise<{ recovery: LabRecovery; successor: string }> {
  const ip = fl.ipOf(host);
  const recovery = await eventually(
    `a successful recovery of ${host}`,
    async () =>
      (await recoveries(fl)).find(
        (r) => r.IsSuccessful && r.AnalysisEntry.AnalyzedInstanceKey.Hostname === ip,
      ),
    timeoutMs,
  ).catch(async (error: Error) => {
    // Say what there was instead: the recoveries, the analysis and the tail of every node's log.
    const all = await recoveries(fl);
    const analysis = await (await fl.leader().catch(() => fl.cluster.nodes[0]!)).tryGet(
      'replication-analysis',
    );
    throw new Error(
      `${error.message}\nrecoveries: ${JSON.stringify(all.map((r) => ({ uid: r.UID, ok: r.IsSuccessful, node: r.ProcessingNodeHostname, errors: r.AllErrors })))}` +
        `\nanalysis: ${analysis?.text.slice(0, 4000)}\n${fl.cluster.logs()}`.slice(0, 20_000),
    );
  });
  const successorIp = recovery.SuccessorKey?.Hostname ?? '';
  const successor = fl.lab.hostNames.find((h) => fl.ipOf(h) === successorIp) ?? '';
  return { recovery, successor };
}

/** The analysis codes the leader reported for `host` while `during` ran (sampled every 100 ms). */
export async function watchAnalysis(
  fl: FailureLab,
  host: string,
  during: () => Promise<void>,
): Promise<{ codes: Set<string>; descriptions: Set<string> }> {
  const ip = fl.ipOf(host);
  const codes = new Set<string>();
  const descriptions = new Set<string>();
  let running = true;
  const sample = async () => {
    while (running) {
      for (const node of fl.cluster.nodes) {
        if (!node.process.running) continue;
        const r = await node.tryGet<{
          Details?: { AnalyzedInstanceKey: { Hostname: string }; Analysis: string; Description: string }[];
        }>('replication-analysis');
        const entry = r?.body?.Details?.find?.((e) => e.AnalyzedInstanceKey.Hostname === ip);
        if (r?.status === 200) {
          if (entry) {
            codes.add(entry.Analysis);
            descriptions.add(entry.Description);
          }
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const sampling = sample();
  try {
    await during();
  } finally {
    running = false;
    await sampling;
  }
  return { codes, descriptions };
}
