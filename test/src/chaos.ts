// The chaos run: 3 real daemons, each in its own network namespace; clients issue replicated
// commands continuously and record which were acknowledged (HTTP 200 with Code OK) while the
// nemesis kills, pauses, restarts and partitions nodes. Afterwards everything is healed, the nodes
// converge on one applied index, and every acknowledged command must be on every node and every
// FSM-owned table identical on all three. Used by test/e2e/chaos.test.ts and test/bench/chaos.mjs.
import { NetLab } from '@orchestrator/testkit';
import { OrchestratorCluster, type OrchestratorNode } from './cluster.js';
import { Nemesis, type NemesisTarget, seededRandom } from './nemesis.js';
import { lineDifference, type ReplicatedState, readReplicatedState, rowId } from './replicated-state.js';

const REQUEST_TIMEOUT_MS = 3000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ChaosOptions {
  /** How long the nemesis injects faults. */
  readonly seconds: number;
  readonly seed?: number;
  /** Concurrent clients (default 3). */
  readonly clients?: number;
  readonly log?: (line: string) => void;
}

export interface ChaosReport {
  readonly seed: number;
  readonly faultSeconds: number;
  readonly totalSeconds: number;
  readonly operations: number;
  readonly acknowledged: number;
  /** Acknowledged commands missing on at least one node after convergence: must be 0. */
  readonly lost: number;
  readonly lostExamples: readonly string[];
  /** Unacknowledged commands that were applied anyway (allowed: the reply was lost). */
  readonly unacknowledgedApplied: number;
  readonly faults: number;
  readonly faultsByKind: Readonly<Record<string, number>>;
  readonly appliedIndex: number;
  /** Tables whose hash differs between nodes: must be empty. */
  readonly divergentTables: readonly string[];
  /** For each divergent table: rows node 0 has that another node lacks, and the reverse. */
  readonly divergence: readonly string[];
  readonly hashes: Readonly<Record<string, string>>;
}

/** GET with a short deadline; throws when the node cannot be reached in time. */
async function get(node: OrchestratorNode, path: string, timeoutMs = REQUEST_TIMEOUT_MS) {
  return node.get(path, { signal: AbortSignal.timeout(timeoutMs) });
}

/** Three daemons in three lab hosts (network namespaces on one bridge). */
export class NetnsCluster implements NemesisTarget {
  private constructor(
    readonly lab: NetLab,
    readonly cluster: OrchestratorCluster,
  ) {}

  static async start(size = 3): Promise<NetnsCluster> {
    const lab = NetLab.create({ hosts: Array.from({ length: size }, (_, i) => `node${i}`) });
    try {
      const cluster = await OrchestratorCluster.start({
        hosts: lab.hosts,
        config: () => ({ LogLevel: 'info' }),
      });
      return new NetnsCluster(lab, cluster);
    } catch (err) {
      lab.destroy();
      throw err;
    }
  }

  get nodes(): readonly OrchestratorNode[] {
    return this.cluster.nodes;
  }

  get size(): number {
    return this.nodes.length;
  }

  node(i: number): OrchestratorNode {
    return this.cluster.node(i);
  }

  private hostName(i: number): string {
    return this.lab.hosts[i]!.name;
  }

  async leader(): Promise<number | undefined> {
    const checks = await Promise.all(
      this.nodes.map((n) =>
        n.process.running
          ? get(n, 'leader-check', 1000).then(
              (r) => r.status,
              () => 0,
            )
          : 0,
      ),
    );
    const leaders = checks.flatMap((s, i) => (s === 200 ? [i] : []));
    return leaders.length === 1 ? leaders[0] : undefined;
  }

  kill9(i: number): Promise<void> {
    return this.node(i).process.kill9();
  }
  async stop(i: number): Promise<void> {
    await this.node(i).process.stop(5000);
  }
  start(i: number): void {
    this.node(i).process.start();
  }
  running(i: number): boolean {
    return this.node(i).process.running;
  }
  pause(i: number): void {
    this.node(i).process.signalProcess('SIGSTOP');
  }
  resume(i: number): void {
    this.node(i).process.signalProcess('SIGCONT');
  }
  isolate(i: number): void {
    this.lab.blackhole(this.hostName(i));
  }
  blockPath(from: number, to: number): void {
    this.lab.partition([this.hostName(from)], [this.hostName(to)], { oneWay: true });
  }
  healNetwork(): void {
    this.lab.heal();
  }
  async snapshot(i: number): Promise<void> {
    await get(this.node(i), 'raft-snapshot').catch(() => undefined);
  }

  /** Waits until one leader holds a quorum and every node follows it. */
  async waitForHealthy(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const leader = await this.leader();
      if (leader !== undefined) {
        const statuses = await Promise.all(
          this.nodes.map((n) =>
            get(n, 'raft-status', 1000).then(
              (r) => r.body as { Leader?: string; IsPartOfQuorum?: boolean },
              () => undefined,
            ),
          ),
        );
        const leaderAddress = this.node(leader).raftAddress;
        if (statuses.every((s) => s?.Leader === leaderAddress && s.IsPartOfQuorum === true)) return leader;
      }
      if (Date.now() > deadline)
        throw new Error(`cluster not healthy within ${timeoutMs} ms\n${this.logs()}`);
      await sleep(100);
    }
  }

  logs(tail = 4000): string {
    return this.cluster.logs(tail);
  }

  async destroy(): Promise<void> {
    this.lab.heal();
    await this.cluster.destroy();
    this.lab.destroy();
  }
}

type CommandKind = 'candidate' | 'downtime' | 'tag';

interface Operation {
  readonly id: number;
  readonly kind: CommandKind;
  readonly path: string;
  /** The row that proves the command was applied. */
  readonly row: string;
  acknowledged: boolean;
}

function operation(id: number, runTag: string): Operation {
  const kind = (['candidate', 'downtime', 'tag'] as const)[id % 3]!;
  switch (kind) {
    case 'candidate': {
      const host = `c${id}.${runTag}.chaos`;
      return {
        id,
        kind,
        path: `register-candidate/${host}/3306/prefer`,
        row: rowId('candidate_database_instance', [host, 3306, 'prefer']),
        acknowledged: false,
      };
    }
    case 'downtime': {
      const host = `d${id}.${runTag}.chaos`;
      return {
        id,
        kind,
        path: `begin-downtime/${host}/3306/chaos/op${id}/2h`,
        row: rowId('database_instance_downtime', [host, 3306, 'chaos', `op${id}`]),
        acknowledged: false,
      };
    }
    case 'tag': {
      const host = `tagged.${runTag}.chaos`;
      return {
        id,
        kind,
        path: `tag/${host}/3306?tag=k${id}%3Dv${id}`,
        row: rowId('database_instance_tags', [host, 3306, `k${id}`, `v${id}`]),
        acknowledged: false,
      };
    }
  }
}

/** Clients that send commands to random nodes until stopped (followers proxy to the leader). */
class Workload {
  readonly operations: Operation[] = [];
  private next = 1;
  private stopped = false;

  constructor(
    private readonly cluster: NetnsCluster,
    private readonly random: () => number,
    private readonly runTag: string,
  ) {}

  async run(clients: number): Promise<void> {
    await Promise.all(Array.from({ length: clients }, () => this.client()));
  }

  stop(): void {
    this.stopped = true;
  }

  private async client(): Promise<void> {
    while (!this.stopped) {
      const op = operation(this.next++, this.runTag);
      this.operations.push(op);
      const node = this.cluster.node(
        Math.min(this.cluster.size - 1, Math.floor(this.random() * this.cluster.size)),
      );
      const t0 = Date.now();
      try {
        const r = await get(node, op.path);
        op.acknowledged = r.status === 200 && (r.body as { Code?: string } | null)?.Code === 'OK';
      } catch {
        // refused, reset or timed out: not acknowledged
      }
      // A failed attempt returns fast (refused); do not spin on a dead node.
      if (!op.acknowledged && Date.now() - t0 < 50) await sleep(50);
    }
  }
}

/** Reads every node's state until all are at one applied index that includes the barrier row. */
async function converge(
  cluster: NetnsCluster,
  barrierRow: string,
  timeoutMs: number,
): Promise<ReplicatedState[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let states: ReplicatedState[] | undefined;
    try {
      states = cluster.nodes.map((n) => readReplicatedState(n.sqliteFile));
    } catch {
      states = undefined; // a file being created or locked: read again
    }
    if (
      states?.every((s) => s.rows.has(barrierRow)) &&
      states.every((s) => s.appliedIndex === states[0]!.appliedIndex)
    ) {
      return states;
    }
    if (Date.now() > deadline) {
      const seen = states?.map((s) => s.appliedIndex).join(', ') ?? 'unreadable';
      throw new Error(`nodes did not converge within ${timeoutMs} ms (applied: ${seen})\n${cluster.logs()}`);
    }
    await sleep(200);
  }
}

/** Proposes one command through whichever node answers, until it is acknowledged. */
async function proposeUntilAcknowledged(
  cluster: NetnsCluster,
  path: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const node = cluster.node(attempt % cluster.size);
    const r = await get(node, path).catch(() => undefined);
    if (r?.status === 200 && (r.body as { Code?: string }).Code === 'OK') return;
    if (Date.now() > deadline) throw new Error(`${path} not acknowledged within ${timeoutMs} ms`);
    await sleep(200);
  }
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => {});
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = seededRandom(seed);
  const runTag = `r${seed.toString(36)}`;
  const started = Date.now();
  log(`chaos: seed ${seed}, ${options.seconds} s of faults`);
  const cluster = await NetnsCluster.start(3);
  try {
    await cluster.waitForHealthy(30_000);
    const workload = new Workload(cluster, seededRandom(seed ^ 0x5eed), runTag);
    const nemesis = new Nemesis(cluster, random, log);
    const clients = workload.run(options.clients ?? 3);
    const faultStart = Date.now();
    try {
      await nemesis.run(faultStart + options.seconds * 1000);
    } finally {
      await nemesis.healAll();
      workload.stop();
      await clients;
    }
    const faultSeconds = (Date.now() - faultStart) / 1000;
    log('chaos: healed; waiting for one leader and a quorum');
    await cluster.waitForHealthy(60_000);
    const barrierHost = `barrier.${runTag}.chaos`;
    await proposeUntilAcknowledged(cluster, `register-candidate/${barrierHost}/3306/neutral`, 30_000);
    const states = await converge(
      cluster,
      rowId('candidate_database_instance', [barrierHost, 3306, 'neutral']),
      60_000,
    );

    const acknowledged = workload.operations.filter((o) => o.acknowledged);
    const lost = acknowledged.filter((o) => !states.every((s) => s.rows.has(o.row)));
    const unacknowledgedApplied = workload.operations.filter(
      (o) => !o.acknowledged && states[0]!.rows.has(o.row),
    ).length;
    const first = states[0]!;
    const divergentTables = Object.keys(first.hashes).filter((t) =>
      states.some((s) => s.hashes[t] !== first.hashes[t]),
    );
    const divergence = divergentTables.flatMap((t) =>
      states.slice(1).flatMap((s, i) => {
        const d = lineDifference(first.tableRows[t] ?? [], s.tableRows[t] ?? []);
        return [
          ...d.onlyInFirst.map((l) => `${t}: only node0 (not node${i + 1}): ${l}`),
          ...d.onlyInSecond.map((l) => `${t}: only node${i + 1}: ${l}`),
        ];
      }),
    );
    const report: ChaosReport = {
      seed,
      faultSeconds: Math.round(faultSeconds),
      totalSeconds: Math.round((Date.now() - started) / 1000),
      operations: workload.operations.length,
      acknowledged: acknowledged.length,
      lost: lost.length,
      lostExamples: lost.slice(0, 10).map((o) => o.path),
      unacknowledgedApplied,
      faults: nemesis.history.length,
      faultsByKind: nemesis.counts(),
      appliedIndex: first.appliedIndex,
      divergentTables,
      divergence,
      hashes: first.hashes,
    };
    log(`chaos: ${JSON.stringify(report)}`);
    return report;
  } finally {
    await cluster.destroy();
  }
}
